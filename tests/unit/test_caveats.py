"""Caveats: what an answer carries besides its evidence — document status notes (draft,
news, article), premise corrections, scope and follow-up lines — in the bot's own words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answer.draft import Draft, DraftBuilder, Paragraph, Source, Span, Verdict
from bot.answer.intent import FollowUp


def cited(*sources: Source, verdict: Verdict = Verdict.ANSWERED) -> Draft:
    builder = DraftBuilder("test")
    for source in sources:
        builder.add(Paragraph.of(Span(source.quote, source)))
    return builder.build(verdict)


def quote_of(model, clause_id: str, start: str) -> Source:
    text = model.clause_texts[clause_id]
    return Source(clause_id, text[text.index(start):].split("。")[0] + "。")


def note_texts(draft: Draft) -> list[str]:
    return ["".join(s.text for s in note.spans) for note in draft.notes]


def test_an_answer_from_a_draft_document_carries_a_draft_notice_citing_its_validity_sentence(
        understand, caveats, model):
    lodging = quote_of(model, "pingan-draft:一(二)", "为来区")
    dressed = caveats.dress(understand("坪安的剧组住宿怎么安排？"), cited(lodging))
    notice = next(n for n in dressed.notes if any(s.source and s.source.clause_id == "pingan-draft:附则"
                                                   for s in n.spans))
    text = "".join(s.text for s in notice.spans)
    assert "征求意见稿" in text and model.documents["pingan-draft"].title in text
    assert "本措施自公布之日起施行，有效期2年" in text
    (source,) = [s.source for s in notice.spans if s.source]
    assert source.quote in model.clause_texts[source.clause_id]


def test_an_answer_from_a_news_report_says_it_is_not_the_policy_text(understand, caveats, model, templates):
    overseas = quote_of(model, "xinxiang-news:段3", "对微短剧")
    dressed = caveats.dress(understand("新乡出海补贴最高多少？"), cited(overseas))
    assert templates("news_note") in note_texts(dressed)


def test_an_answer_from_a_research_article_names_the_regions_it_reports_on(understand, caveats, model, templates):
    base = quote_of(model, "zhejiang-article:段1", "浙江省")
    dressed = caveats.dress(understand("浙江对拍摄基地有什么奖励？"), cited(base))
    assert templates("article_note", regions=model.regions.label("浙江")) in note_texts(dressed)


def test_each_document_gets_its_note_once(understand, caveats, model, templates):
    a = quote_of(model, "xinxiang-news:段3", "对微短剧")
    b = quote_of(model, "xinxiang-news:段2", "对在新乡")
    dressed = caveats.dress(understand("新乡有哪些扶持政策？"), cited(a, b))
    assert note_texts(dressed).count(templates("news_note")) == 1


def test_a_figure_that_belongs_to_another_region_is_corrected_citing_its_source(
        understand, caveats, model, templates):
    intent = understand("坪安拍戏给50万补贴吗？")
    dressed = caveats.dress(intent, cited(quote_of(model, "pingan-draft:一(一)", "在坪安区")))
    correction = dressed.blocks[0]
    lead = templates("premise_figure", figure="50万", owner=model.regions.label("新乡"),
                     asked=model.regions.label("坪安"))
    assert correction.spans[0].text == lead
    assert correction.spans[1].source.clause_id == "xinxiang-news:段3"
    assert correction.spans[1].source.quote in model.clause_texts["xinxiang-news:段3"]


def test_a_count_in_the_question_is_not_read_as_a_claimed_subsidy(understand, model):
    from bot.answer.caveats import claimed_figures

    # "播了50万次" counts plays; "给50万补贴" claims money (新乡's 50万, corrected above)
    assert claimed_figures(understand("坪安的剧播了50万次，上线奖励能给吗？"), model) == []
    assert claimed_figures(understand("坪安拍戏给50万补贴吗？"), model) == ["50万"]
    assert claimed_figures(understand("坪安那个5个亿的基金补贴谁？"), model) == ["5亿"]
    # the producer's own spending is no claimed subsidy
    assert claimed_figures(understand("在坪安拍摄支出只有15万，拍摄补贴给多少？"), model) == []


def test_a_figure_the_regions_own_texts_state_is_not_corrected(understand, caveats, model):
    intent = understand("坪安取景补贴最高30万吗？")
    draft = cited(quote_of(model, "pingan-draft:一(一)", "在坪安区"))
    assert caveats.dress(intent, draft).blocks == draft.blocks


def test_a_corrected_premise_answers_a_question_the_table_could_not(understand, caveats, model):
    intent = understand("坪安拍戏给50万补贴吗？")
    dressed = caveats.dress(intent, cited(verdict=Verdict.NOT_COVERED))
    assert dressed.verdict is Verdict.ANSWERED


def test_a_wrong_figure_claimed_for_a_measure_is_corrected_with_the_sentence_that_states_it(
        understand, caveats, model, templates):
    # 坪安's national script award is 5万; the question claims 8万 (新乡 states 8万 for filming,
    # a sentence about something else): the correction quotes 坪安's own sentence on scripts
    intent = understand("听说坪安剧本入选国家级扶持项目能拿8万，是真的吗？")
    (correction, *_) = caveats.premises(intent)
    assert correction.spans[0].text == templates("premise_counter", asked=model.regions.label("坪安"))
    assert correction.spans[1].source.clause_id == "pingan-draft:二(二)"
    assert "5万元" in correction.spans[1].text and "8万" not in correction.spans[0].text


def test_a_claim_checked_is_a_claim_even_without_a_support_word(understand, model):
    from bot.answer.caveats import claimed_figures

    # "…要到500亿，对吗？": the asker checks a figure, so it is claimed; a cost stays their own
    assert claimed_figures(understand("听说坪安的规划目标是500亿，对吗？"), model) == ["500亿"]
    assert claimed_figures(understand("坪安拍一部剧大概花15万，取景补贴能拿多少？"), model) == []


def test_a_right_figure_claimed_is_not_corrected(understand, caveats):
    assert caveats.premises(understand("听说坪安剧本入选国家级扶持项目能拿5万，是真的吗？")) == []


def test_a_named_programme_of_another_region_is_corrected(understand, caveats, model, templates):
    intent = understand("新乡的“浙里微光”计划有什么支持？")
    dressed = caveats.dress(intent, cited(verdict=Verdict.NOT_COVERED))
    lead = templates("premise_term", term="浙里微光", owner=model.regions.label("浙江"),
                     asked=model.regions.label("新乡"))
    assert dressed.blocks[0].spans[0].text == lead
    assert dressed.blocks[0].spans[1].source.clause_id == "zhejiang-article:段2"


def test_a_programme_of_the_province_a_district_lies_in_is_not_corrected(understand, caveats):
    intent = understand("坪安的“浙里微光”计划有什么支持？")
    assert caveats.premises(intent) == []


def test_a_place_answered_through_its_city_is_said_so(understand, caveats, model, templates):
    intent = understand("红旗区有什么微短剧补贴？")
    dressed = caveats.dress(intent, cited(quote_of(model, "xinxiang-news:段2", "对在新乡")))
    line = templates("scope_inside", place="红旗区", region=model.regions.label("新乡"))
    assert "".join(s.text for s in dressed.blocks[0].spans) == line


def test_a_follow_up_says_what_it_assumed(understand, caveats, model, templates):
    intent = replace(understand("那剧本呢？"), followup=FollowUp(regions=("坪安",)))
    dressed = caveats.dress(intent, cited(quote_of(model, "pingan-draft:二(二)", "区内企业")))
    assert dressed.blocks[0].spans[0].text == templates("assumed", what=model.regions.label("坪安"))


def test_a_declined_draft_is_left_untouched(understand, caveats, declines):
    declined = declines.decline("offtopic")
    intent = replace(understand("坪安拍戏给50万补贴吗？"), followup=FollowUp(regions=("坪安",)))
    assert caveats.dress(intent, declined) is declined


def test_a_figure_describing_the_producers_own_case_is_not_corrected(understand, caveats):
    intent = understand("我们新注册的公司注册资本50万，在坪安能拿哪些补贴？")
    assert caveats.premises(intent) == []


@pytest.mark.parametrize("question", ["杭州市层面有没有自己的微短剧扶持政策？", "杭州有没有全市统一的微短剧扶持政策？"])
def test_a_city_asked_of_its_own_level_has_nothing_of_its_own_and_says_so_first(understand, caveats, model, question):
    # 杭州 only contains 坪安: asked of the city's own level, the answer is "not covered"
    dressed = caveats.dress(understand(question), cited(quote_of(model, "pingan-draft:一(一)", "在坪安区")))
    assert dressed.verdict is Verdict.NOT_COVERED
    assert dressed.blocks[0].spans[0].text.startswith("现有资料没有提到杭州")
