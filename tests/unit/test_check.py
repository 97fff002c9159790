"""The check stage reports shape bugs of a composed answer (it never changes the answer)."""

from bot.answer.check import MAX_CHARS, check
from bot.answer.draft import DraftBuilder, Found, Verdict
from bot.models import Citation

LABELS = {"坪安": "坪安区（浙江杭州，征求意见稿）"}


def _cite(n: int, quote: str) -> Citation:
    return Citation(n=n, doc_id="d", title="t", clause_id=f"d:{n}", clause="c", quote=quote, status="正式文件")


def _draft(place: str = "坪安"):
    return DraftBuilder("t").find(Found.FIGURE, place, "x").build(Verdict.ANSWERED)


def test_a_well_formed_answer_has_no_problems():
    text = "坪安区（浙江杭州，征求意见稿）：剧本奖励5万元[1]。"
    assert check(text, _draft(), [_cite(1, "剧本奖励5万元")], LABELS) == []


def test_an_opening_that_does_not_name_the_asked_place_is_reported():
    assert check("奖励5万元[1]。", _draft(), [_cite(1, "奖励5万元")], LABELS) == [
        "opening does not name 坪安区（浙江杭州，征求意见稿）"]


def test_no_figure_wording_beside_a_figure_of_the_same_clause_is_reported():
    text = "坪安区（浙江杭州，征求意见稿）：原文没有写明具体金额[1]。"
    assert "'no figure' beside a figure of the same clause" in check(text, _draft(), [_cite(1, "给予5万元")], LABELS)


def test_a_clause_quoted_in_full_twice_and_a_very_long_answer_are_reported():
    quote = "对在坪安区拍摄的微短剧按实际发生费用的百分之二十给予补贴并设上限"
    text = f"坪安区（浙江杭州，征求意见稿）：{quote}[1]\n- {quote}[1]\n" + "字" * MAX_CHARS
    problems = check(text, _draft(), [_cite(1, quote)], LABELS)
    assert "clause quoted in full more than once: [1]" in problems
    assert any(p.startswith("longer than") for p in problems)
