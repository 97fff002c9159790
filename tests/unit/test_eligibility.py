"""补贴测算: each condition type judged against a producer's profile — met (True), not met
(False) or to confirm (None: unknown is not no) — and the verdicts of whole measures."""

from __future__ import annotations

import pytest

from bot.policy.eligibility import Judge, ProducerProfile, Verdict, check
from bot.policy.model import Benefit, Condition, SubsidyMeasure


@pytest.fixture(scope="module")
def judge(model) -> Judge:
    return Judge(model.lexicon.profile)


def measure(*conditions: Condition, region: str = "坪安", id: str = "m") -> SubsidyMeasure:
    return SubsidyMeasure(id=id, region=region, doc_id="pingan-draft", clause_id="pingan-draft:二(一)",
                          topics=["企业落户"], title="测试措施", benefit=Benefit(kind="cash", description="测试"),
                          conditions=list(conditions), quote="测试")


P = ProducerProfile

CASES = [
    # (condition type, value, profile, expected)
    ("registered_in_region", None, P(registered_in="坪安"), True),
    ("registered_in_region", None, P(registered_in="新乡"), False),
    ("registered_in_region", None, P(), None),
    ("employed_locally", None, P(registered_in="坪安"), True),
    ("new_company", None, P(company="new"), True),
    ("new_company", None, P(company="existing"), False),
    ("new_company", None, P(company="none"), False),
    ("new_company", None, P(), None),
    ("first_above_scale", None, P(company="first_above_scale"), True),
    ("first_above_scale", None, P(company="none"), False),
    ("first_above_scale", None, P(company="existing"), None),  # may still reach the threshold
    ("shoot_in_region", None, P(regions=["坪安"], shooting=True), True),
    ("shoot_in_region", None, P(regions=["坪安"], shoot_share=50), True),
    ("shoot_in_region", None, P(regions=["新乡"], shooting=True), None),  # never a no: to confirm
    ("shoot_share_min", 60, P(shoot_share=80), True),
    ("shoot_share_min", 60, P(shoot_share=60), True),
    ("shoot_share_min", 60, P(shoot_share=50), False),
    ("shoot_share_min", 60, P(), None),
    ("script_selected_by", ["省级"], P(script_selected_by="省级"), True),
    ("script_selected_by", ["省级"], P(script_selected_by="国家级"), True),  # a higher level counts
    ("script_selected_by", ["省级"], P(script_selected_by="市级"), False),
    ("script_selected_by", ["国家广电总局"], P(script_selected_by="国家级"), False),
    ("script_selected_by", ["各级"], P(script_selected_by="市级"), True),
    ("script_selected_by", ["省级"], P(script_selected_by="无"), False),
    ("script_selected_by", ["省级"], P(), None),
    ("local_theme", None, P(local_theme=True), True),
    ("local_theme", None, P(local_theme=False), False),
    ("local_theme", None, P(), None),
    ("capital_min", "100万元", P(capital_wan=200), True),
    ("capital_min", "100万元", P(capital_wan=100), True),
    ("capital_min", "100万元", P(capital_wan=50), False),
    ("capital_min", "1亿元", P(capital_wan=5000), False),
    ("capital_min", "100万元", P(), None),
    ("capital_min", "不低于注册资本要求", P(capital_wan=200), None),  # the text states no figure
    ("social_insurance_months", 12, P(insurance_months=12), True),
    ("social_insurance_months", 12, P(insurance_months=6), False),
    ("social_insurance_months", 12, P(), None),
    ("social_insurance_months", None, P(insurance_months=24), None),
    ("released_online", None, P(plans=["上线"]), True),
    ("released_online", None, P(plans=["出海"]), False),
    ("released_online", None, P(), None),
    ("overseas_activity", None, P(plans=["出海"]), True),
    ("event_in_region", None, P(plans=["展会"]), True),
    ("builds_base", None, P(plans=["建基地"]), True),
    ("builds_base", None, P(plans=["上线"]), False),
    ("park_recognised", None, P(plans=["建基地"]), True),
    ("rnd_investment_growth", None, P(plans=["研发"]), None),  # an increment only the books show
    ("rnd_investment_growth", None, P(plans=["研发"], rnd_grew=False), False),  # spent less than last year
    ("rnd_investment_growth", None, P(plans=["研发"], rnd_grew=True), True),
    ("rnd_investment_growth", None, P(plans=["上线"]), False),
    ("job_seeker_performer", None, P(job_seekers=True), True),
    ("job_seeker_performer", None, P(), None),
    ("first_visit", None, P(job_seekers=True), True),
    ("graduate", "高校", P(graduates=True), True),
    ("graduate", "高校", P(graduates=False), False),
    ("graduate", "高校", P(), None),
    ("shoot_at_public_sites", None, P(regions=["坪安"], shooting=True), None),
    ("views_threshold", None, P(plans=["上线"]), None),
    ("evaluated_by_panel", None, P(company="new"), None),
    ("promotes_region", None, P(local_theme=True), None),
    ("positive_growth", None, P(company="first_above_scale"), None),
    ("performance_review", None, P(), None),
    ("free_text", None, P(company="new"), None),
]


@pytest.mark.parametrize(("kind", "value", "profile", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_condition_type_is_judged(judge, kind, value, profile, expected):
    condition = Condition(type=kind, value=value, text="原文条件")
    met, reason = judge.judge(condition, measure(condition), profile)
    assert met is expected
    if met is not True:  # a failing or open condition always says why, with the text's words
        assert "原文条件" in str(reason)


# (quantity kind, the text's minimum, profile, expected): a minimum is met by the figure the
# producer states for the same kind of quantity; another kind's figure decides nothing
QUANTITY_CASES = [
    ("shoot_days", "7", P(quantities={"shoot_days": 8}), True),
    ("shoot_days", "7", P(quantities={"shoot_days": 7}), True),  # 不少于 includes the figure
    ("shoot_days", "10", P(quantities={"shoot_days": 8}), False),
    ("shoot_days", "7", P(quantities={"local_spend": 100}), None),
    ("local_spend", "20", P(quantities={"local_spend": 15}), False),
    ("local_spend", "20", P(), None),
    ("no_such_kind", "20", P(quantities={"local_spend": 15}), None),
]


@pytest.mark.parametrize(("kind", "value", "profile", "expected"), QUANTITY_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(QUANTITY_CASES)])
def test_a_minimum_is_judged_by_the_figure_of_its_kind(judge, kind, value, profile, expected):
    condition = Condition(type="quantity_min", value=value, quantity=kind, text="原文条件")
    met, reason = judge.judge(condition, measure(condition), profile)
    assert met is expected
    if met is not True:
        assert "原文条件" in str(reason)
        if kind in judge.words.quantities:  # names what falls short or is to confirm, in the lexicon's words
            assert reason.values["what"] == judge.words.quantities[kind].label


def test_every_condition_type_is_covered_by_these_cases():
    from typing import get_args

    from bot.policy.model import ConditionType

    assert {c[0] for c in CASES} | {"quantity_min"} == set(get_args(ConditionType))


def test_a_measure_applies_only_when_every_condition_is_met(model):
    m = measure(Condition(type="new_company", text="新注册"), Condition(type="capital_min", value="100万元", text="资本"))
    (verdict,) = check(P(company="new", capital_wan=100), [m], set(), model.lexicon.profile)
    assert verdict.verdict is Verdict.APPLIES and not verdict.reasons


def test_one_failed_condition_makes_a_measure_not_applicable_with_that_reason(model):
    m = measure(Condition(type="new_company", text="新注册"),
                Condition(type="capital_min", value="100万元", text="注册资本不低于100万元"))
    (verdict,) = check(P(company="new", capital_wan=50), [m], set(), model.lexicon.profile)
    assert verdict.verdict is Verdict.NO
    (reason,) = verdict.reasons
    assert "注册资本不低于100万元" in str(reason)


def test_an_unknown_fact_makes_a_measure_one_to_confirm(model):
    m = measure(Condition(type="new_company", text="新注册"), Condition(type="capital_min", value="100万元", text="资本"))
    (verdict,) = check(P(company="new"), [m], set(), model.lexicon.profile)
    assert verdict.verdict is Verdict.MAYBE and len(verdict.reasons) == 1


def test_verdicts_come_applies_first_and_only_for_the_regions_in_scope(model):
    measures = [measure(Condition(type="new_company", text="a"), id="no"),
                measure(Condition(type="graduate", text="b"), id="maybe"),
                measure(id="applies"),
                measure(id="elsewhere", region="新乡")]
    verdicts = check(P(company="existing"), measures, {"坪安"}, model.lexicon.profile)
    assert [(v.measure.id, v.verdict) for v in verdicts] == [
        ("applies", Verdict.APPLIES), ("maybe", Verdict.MAYBE), ("no", Verdict.NO)]


def test_the_fixture_measures_judge_a_real_case(model):
    verdicts = {v.measure.id: v.verdict for v in check(
        P(regions=["坪安"], company="new", capital_wan=200, insurance_months=6), model.measures_for(["坪安"]),
        {"坪安"}, model.lexicon.profile)}
    assert verdicts["pa-new-company"] is Verdict.APPLIES
    assert verdicts["pa-talent"] is Verdict.NO


def test_a_case_with_no_figures_states_no_fact_and_its_figures_are_one():
    assert P().facts() == 0 and P(quantities={}).fact_fields() == []
    assert P(quantities={"shoot_days": 5, "total_days": 10}).fact_fields() == ["quantities"]


def test_working_for_a_company_elsewhere_is_said_as_such(judge):
    """到我区影视企业就业: the employer is elsewhere — not "registered" there."""
    condition = Condition(type="employed_locally", text="到我区影视企业就业")
    met, reason = judge.judge(condition, measure(condition), P(registered_in="横店"))
    assert met is False and reason.key == "employed_elsewhere" and reason.values["place"] == "横店"
