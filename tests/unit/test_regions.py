"""Regions and the gazetteer: which covered region a place name means, how other places
relate to the covered ones through their administrative codes, and which places are
not covered at all.

Fixture regions: 坪安 (a fictional district of 杭州市), 新乡市, 澜湖 (a fictional zone of
新乡市) and 浙江省; 横店 is a place the texts mention (in 东阳市, 浙江).
"""

from __future__ import annotations

import pytest

from bot.errors import KnowledgeError
from bot.policy.regions import Place, RegionBook, Relation, contains


@pytest.fixture(scope="module")
def find(model):
    def places(text: str) -> list[Place]:
        return model.gazetteer.find(text)

    return places


def only(places: list[Place]) -> Place:
    assert len(places) == 1, places
    return places[0]


# ----------------------------------------------------------------- the region book

def test_the_region_book_loads_every_covered_region_with_its_label(model):
    book = model.regions
    assert book.keys == ["坪安", "新乡", "澜湖", "浙江"]
    assert book.label("坪安") == "坪安区（浙江杭州，征求意见稿）"
    assert "坪安区（浙江杭州，征求意见稿）" in book.covered()


def test_a_district_scope_is_itself_and_the_province_it_lies_in_never_a_sibling(model):
    assert model.regions.scope("坪安") == ["坪安", "浙江"]
    assert model.regions.scope("浙江") == ["浙江", "坪安"]
    assert "坪安" not in model.regions.scope("新乡")


def test_a_zone_scope_includes_the_covered_city_it_lies_in(model):
    assert "新乡" in model.regions.scope("澜湖")


def test_administrative_codes_contain_their_subdivisions():
    assert contains("330000", "330100") and contains("330100", "330110")
    assert not contains("330100", "410700")


def test_a_regions_file_without_a_level_is_a_knowledge_error(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text("covered:\n  坪安:\n    names: [坪安区]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="regions"):
        RegionBook.load(path)


# ----------------------------------------------------------------- covered names

@pytest.mark.parametrize("text", ["坪安区有什么补贴？", "坪安有什么补贴？"])
def test_a_covered_name_is_that_region(find, text):
    place = only(find(text))
    assert (place.relation, place.regions, place.landmark) == (Relation.SAME, ("坪安",), False)


def test_a_landmark_implies_its_region_and_stays_part_of_the_question(find):
    place = only(find("在坪安影视城拍戏要交钱吗？"))
    assert (place.name, place.relation, place.regions, place.landmark) == ("坪安影视城", Relation.SAME, ("坪安",), True)


def test_places_are_found_in_reading_order_with_their_spans(find):
    places = find("新乡澜湖示范区有什么补贴？")
    assert [(p.name, p.regions, p.span) for p in places] == [("新乡", ("新乡",), (0, 2)),
                                                        ("澜湖示范区", ("澜湖",), (2, 7))]


# ----------------------------------------------------------------- places related by code

def test_a_city_containing_a_covered_district_is_answered_from_it(find):
    place = only(find("杭州有什么微短剧补贴？"))
    assert (place.relation, place.regions) == (Relation.CONTAINS, ("坪安",))


def test_a_district_inside_a_covered_city_is_answered_from_that_city(find):
    place = only(find("红旗区有什么微短剧补贴？"))
    assert (place.name, place.relation, place.regions) == ("红旗区", Relation.INSIDE, ("新乡",))


def test_a_place_inside_a_covered_province_only_is_not_covered(find):
    place = only(find("东阳有什么微短剧补贴？"))
    assert (place.relation, place.regions) == (Relation.INSIDE_PROVINCE, ("浙江",))


def test_a_place_the_texts_mention_is_related_by_its_code(find):
    place = only(find("横店有补贴吗？"))
    assert (place.name, place.relation, place.regions) == ("横店", Relation.INSIDE_PROVINCE, ("浙江",))


@pytest.mark.parametrize(("text", "name"), [
    ("大同市有微短剧补贴吗？", "大同市"),  # with its suffix
    ("大同有微短剧补贴吗？", "大同市"),  # without
    ("阳朔县拍戏有补贴吗？", "阳朔县"),
])
def test_an_uncovered_place_is_recognised_as_a_place_not_covered(find, text, name):
    place = only(find(text))
    assert (place.name, place.relation, place.regions) == (name, Relation.UNCOVERED, ())


def test_a_sibling_of_a_covered_zone_in_another_city_is_uncovered(find):
    place = only(find("郑州金水区有补贴吗？"))
    assert place.relation is Relation.UNCOVERED


# ----------------------------------------------------------------- pinyin, typos, origins

def test_a_covered_name_typed_in_pinyin_is_that_region(find):
    place = only(find("pingan filming subsidies"))
    assert (place.relation, place.regions) == (Relation.SAME, ("坪安",))
    assert only(find("Xinxiang subsidies")).regions == ("新乡",)


def test_an_uncovered_city_typed_in_pinyin_is_recognised(find):
    place = only(find("What subsidies does Chengdu give?"))
    assert (place.name, place.relation) == ("成都市", Relation.UNCOVERED)


def test_pinyin_names_match_whole_words_only(find):
    assert find("shopping and xinxiangs") == []


def test_a_homophone_typo_of_a_covered_name_is_matched(find):
    place = only(find("萍安有什么补贴？"))  # 萍 for 坪: the pinyin input method picked a homophone
    assert (place.name, place.relation, place.regions) == ("萍安", Relation.SAME, ("坪安",))


def test_a_dictionary_word_with_the_same_sound_is_not_a_place(find):
    assert find("拍戏保平安有补贴吗？") == []  # 平安 sounds like 坪安 but is a word


def test_two_wrong_characters_are_not_a_typo(find):
    assert find("评按有什么补贴？") == []


def test_where_a_crew_comes_from_is_flagged_as_origin(find):
    origin, target = find("从新乡过来的剧组想在坪安拍戏")
    assert (origin.regions, origin.origin) == (("新乡",), True)
    assert (target.regions, target.origin) == (("坪安",), False)


def test_an_origin_named_after_the_place_is_flagged_too(find):
    place = only(find("横店来的剧组能拿补贴吗？"))
    assert place.origin


@pytest.mark.parametrize(("question", "expected"), [
    ("坪宁剧本奖励最高多少", "坪安"),  # one character typed wrong where a place stands
    ("公司第一次上规上，能拿多少钱？", None),  # 上规 is no place, though one character from 上海
    ("平台有什么补贴", None),
])
def test_a_name_typed_one_character_wrong_is_taken_for_the_covered_one_only_where_a_place_stands(
        understand, question, expected):
    intent = understand(question)
    assert (intent.regions[0] if intent.regions else None) == expected
