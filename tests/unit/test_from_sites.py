"""Where to film: the sites table of the regions asked, filtered by the kind of site the
question names, each cited with its verbatim quote; a region without sites gets an honest
"not covered" and the other regions' sites, named as theirs."""

from __future__ import annotations

from bot.answer.draft import Bullets, Source, Verdict


def source_of(site) -> Source:
    return Source(site.clause_id, site.quote)


def first_bullets(draft) -> Bullets:
    return next(b for b in draft.blocks if isinstance(b, Bullets))


def test_the_sites_of_a_region_are_listed_built_first_each_cited(understand, sites, model):
    draft = sites.compose(understand("坪安有哪些拍摄场地？"))
    assert draft.verdict is Verdict.ANSWERED
    listed = [item.spans[0].source for item in first_bullets(draft).items]
    film_city, studio = model.sites_for(["坪安"])
    assert (film_city.status.value, studio.status.value) == ("建成", "在建")
    assert listed == [source_of(film_city), source_of(studio)]


def test_a_kind_of_site_asked_for_filters_the_list(understand, sites, model, text_of):
    draft = sites.compose(understand("在坪安哪里可以拍古装戏？"))
    listed = [item.spans[0].source for item in first_bullets(draft).items]
    assert listed == [source_of(s) for s in model.sites_for(["坪安"]) if s.type == "古装"]
    assert "云栖数字影棚" not in text_of(draft)


def test_the_kind_of_site_is_read_from_the_lexicon(understand, sites):
    assert sites.kinds(understand("坪安有哪些现代都市的拍摄场地？")) == ["现代"]
    assert sites.kinds(understand("坪安有哪些拍摄场地？")) == []


def test_a_region_without_sites_is_not_covered_and_other_regions_sites_are_named_as_theirs(
        understand, sites, model, templates, text_of):
    draft = sites.compose(understand("新乡哪里可以拍古装戏？"))
    assert draft.verdict is Verdict.NOT_COVERED
    text = text_of(draft)
    assert templates("not_covered_sites", region=model.regions.label("新乡"), kind="古装") in text
    redirect = [b for b in draft.blocks if isinstance(b, Bullets)][-1]
    (film_city,) = [s for s in model.sites if s.type == "古装"]
    assert [item.spans[0].source for item in redirect.items] == [source_of(film_city)]
    assert redirect.items[0].spans[0].text.startswith(f"【{model.regions.label('坪安')}】")
    assert "新乡市文化广电和旅游局" in text
