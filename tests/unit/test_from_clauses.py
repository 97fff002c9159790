"""Answers from retrieved clauses, behind the relevance gate. Retrieval is replaced by
hits built directly from fixture clauses (best first)."""

from __future__ import annotations

import pytest

from bot.answer.draft import Verdict


def test_an_answered_question_quotes_verbatim_sentences_of_its_clauses(understand, clause_composer, hits, model):
    intent = understand("坪安的剧组住宿怎么安排？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(二)", "pingan-draft:二(一)")})
    assert draft.verdict is Verdict.ANSWERED
    sources = draft.sources()
    assert [s.clause_id for s in sources] == ["pingan-draft:一(二)"]
    for source in sources:
        assert source.quote in model.clause_texts[source.clause_id]
    assert any("免费临时住宿" in s.quote for s in sources)


def test_a_count_question_is_answered_by_the_sentence_that_states_the_count(understand, clause_composer, hits):
    intent = understand("坪安影视城可以同时容纳多少个剧组？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(三)", "pingan-draft:一(二)")})
    assert draft.verdict is Verdict.ANSWERED
    assert any("15个剧组" in s.quote for s in draft.sources())


def test_a_deadline_not_in_the_evidence_is_not_covered(understand, clause_composer, hits, templates, text_of):
    intent = understand("坪安取景补贴的申报截止时间是哪天？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(一)", "pingan-draft:附则")})
    assert draft.verdict is Verdict.NOT_COVERED
    assert templates("not_covered_fact", what=templates.missing("deadline")) in text_of(draft)


def test_a_phone_number_not_in_the_evidence_is_not_covered(understand, clause_composer, hits, templates, text_of):
    intent = understand("坪安的取景补贴找哪个电话咨询？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(一)", "pingan-draft:段1")})
    assert draft.verdict is Verdict.NOT_COVERED
    assert templates("not_covered_fact", what=templates.missing("contact")) in text_of(draft)
    assert "坪安区文化广电旅游局" in text_of(draft)  # the office to ask instead


@pytest.mark.parametrize(("question", "ask"), [
    ("坪安取景补贴申请要交什么材料？", "materials"),
    ("坪安取景补贴评完多久到账？", "payment"),
    ("坪安文化广电旅游局局长叫什么名字？", "person"),
])
def test_materials_payment_dates_and_officials_names_not_in_the_evidence_are_not_covered(
        understand, clause_composer, hits, templates, text_of, question, ask):
    intent = understand(question)
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(一)", "pingan-draft:段1")})
    assert draft.verdict is Verdict.NOT_COVERED
    assert templates("not_covered_fact", what=templates.missing(ask)) in text_of(draft)


def test_a_refusal_quotes_related_context_verbatim_never_as_the_answer(understand, clause_composer, hits, model):
    intent = understand("坪安取景补贴的申报截止时间是哪天？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(一)")})
    for source in draft.sources():
        assert source.quote in model.clause_texts[source.clause_id]


def test_the_relevance_gate_refuses_a_clause_that_is_not_about_the_topic_asked(
        understand, clause_composer, hits, model, templates, text_of):
    intent = understand("坪安对人才公寓有什么规定？")  # 住宿; the 人才 clause shares a word
    assert intent.topics == ("住宿",)
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:二(三)")})
    assert draft.verdict is Verdict.NOT_COVERED
    gap = templates("not_covered_topic_text", region=model.regions.label("坪安"), topic=model.topics.name("住宿"))
    assert gap in text_of(draft)


def test_the_same_question_with_the_clause_on_its_topic_is_answered(understand, clause_composer, hits):
    intent = understand("坪安对人才公寓有什么规定？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:一(二)", "pingan-draft:二(三)")})
    assert draft.verdict is Verdict.ANSWERED
    assert [s.clause_id for s in draft.sources()] == ["pingan-draft:一(二)"]


def test_a_region_with_no_hits_is_said_to_have_nothing(understand, clause_composer, model, templates, text_of):
    intent = understand("新乡影视城可以同时容纳多少个剧组？")
    draft = clause_composer.compose(intent, {"新乡": []})
    assert draft.verdict is Verdict.NOT_COVERED
    assert templates("not_covered_place", place=model.regions.label("新乡")) in text_of(draft)


def test_a_question_about_a_topic_no_text_covers_is_not_answered_from_a_neighbour(
        understand, clause_composer, hits):
    intent = understand("坪安的微短剧企业有税收优惠吗？")
    draft = clause_composer.compose(intent, {intent.region: hits("pingan-draft:二(一)", "pingan-draft:二(二)")})
    assert draft.verdict is Verdict.NOT_COVERED
