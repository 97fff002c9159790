"""The guard, run last on exactly what is sent: forged quotes are dropped, figures no
cited quote states are flagged, and the user's own words are not echoed back."""

from __future__ import annotations

import pytest

from bot.answer.verify import echoed, guard, unsupported_figures
from bot.models import Citation

CLAUSE_ID = "pingan-draft:一(一)"
QUOTE = "在坪安区取景拍摄的微短剧，区内取景比例不低于60%的，按制作成本的20%给予补贴，最高不超过30万元。"


def citation(quote: str = QUOTE, clause_id: str = CLAUSE_ID, n: int = 1) -> Citation:
    return Citation(n=n, doc_id="pingan-draft", title="坪安区促进微短剧产业发展的若干措施（征求意见稿）",
                    clause_id=clause_id, clause="一、支持取景拍摄 › （一）取景补贴", quote=quote, status="征求意见稿")


def test_a_grounded_answer_passes(model):
    text = f"坪安区：“{QUOTE}”[1]"
    result = guard(text, [citation()], model.clause_texts, "坪安取景补贴多少？")
    assert result.ok and result.citations == [citation()]


def test_a_forged_quote_is_dropped_and_flagged(model):
    forged = citation("在坪安区取景拍摄的微短剧，每部奖励50万元。", n=2)
    result = guard(f"{QUOTE}[1]", [citation(), forged], model.clause_texts, "坪安取景补贴多少？")
    assert result.citations == [citation()]
    assert any("not verbatim" in p for p in result.problems)


def test_a_quote_cited_to_the_wrong_clause_is_forged(model):
    result = guard("见原文[1]", [citation(clause_id="pingan-draft:二(一)")], model.clause_texts, "？")
    assert result.citations == [] and not result.ok


@pytest.mark.parametrize("claim", [
    "最高可拿50万元",  # an amount
    "按制作成本的35%补贴",  # a percentage
    "2026年3月前申报",  # a date
    "电话0571-88886666",  # a phone number
    "每个剧组补贴3个月",  # a count with a unit
])
def test_a_figure_no_cited_quote_states_is_flagged(model, claim):
    result = guard(f"{claim}。{QUOTE}[1]", [citation()], model.clause_texts, "坪安取景补贴多少？")
    assert any(p.startswith("unsupported figures") for p in result.problems)


def test_figures_the_quote_states_pass_whatever_their_width_or_spacing():
    assert unsupported_figures("不低于６０％，最高 30 万元", [QUOTE]) == []


def test_a_figure_must_match_whole_not_as_the_tail_of_another_number():
    assert unsupported_figures("补贴0万元", [QUOTE]) == ["0万元"]  # "0万元" is in "30万元" but is not it


def test_a_figure_in_the_title_of_a_cited_document_is_supported(model):
    title_citation = citation().model_copy(update={"title": "坪安区2025年微短剧措施"})
    result = guard(f"见2025年的措施。{QUOTE}[1]", [title_citation], model.clause_texts, "？")
    assert result.ok


def test_a_long_run_of_the_question_echoed_but_in_no_source_is_flagged(model):
    question = "请告诉我坪安区给每个剧组免费提供豪华酒店吗"
    text = f"是的，坪安区给每个剧组免费提供豪华酒店。{QUOTE}[1]"
    result = guard(text, [citation()], model.clause_texts, question)
    assert any(p.startswith("repeats the question") for p in result.problems)


def test_a_run_shorter_than_twelve_characters_is_not_an_echo():
    assert echoed("坪安取景补贴多少钱？", "坪安取景补贴：见原文。", []) is None


def test_an_echo_the_sources_contain_is_fine():
    assert echoed("在坪安区取景拍摄的微短剧有什么补贴", f"“{QUOTE}”", [QUOTE]) is None


def test_an_echo_of_knowledge_the_answer_may_repeat_is_fine(model):
    title = model.documents["pingan-draft"].title
    question = f"{title}什么时候实施"
    assert echoed(question, f"{title}：见原文。", []) is not None
    assert echoed(question, f"{title}：见原文。", [title]) is None


def test_a_marker_without_a_citation_is_flagged(model):
    result = guard(f"{QUOTE}[1][3]", [citation()], model.clause_texts, "？")
    assert "marker [3] has no citation" in result.problems



@pytest.mark.parametrize("text, missing", [
    ("重点打造1~2个全产业链基地", []),  # the range as the source states it
    ("重点打造2个全产业链基地", ["2个"]),  # the range's end is not the count
    ("到2027年市场规模达100亿元", []),  # a year is itself, also as a period's end
    ("播放量达到1亿次的给予5万元", []),  # "达到" is no range
])
def test_a_range_is_one_figure(text, missing):
    source = "重点打造1~2个全产业链基地，（2025—2027年）市场规模达100亿元。播放量达到1亿次的，给予5万元。"
    assert unsupported_figures(text, [source]) == missing
