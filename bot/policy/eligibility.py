"""补贴测算: which measures apply to a producer's project, which might (and what to
confirm), and which do not (with the failing condition). No totals are invented: a
measure that pays 按实际发生 or 未明确 is listed as such.

The engine is pure: measures, a profile and the lexicon's profile words in, verdicts out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from bot.policy.lexicon import ProfileWords
from bot.policy.model import Condition, SubsidyMeasure


class Verdict(StrEnum):
    APPLIES = "applies"
    MAYBE = "maybe"
    NO = "no"


class ProducerProfile(BaseModel):
    """What a producer tells the 补贴测算 form (every field optional: unknown ≠ no)."""

    regions: list[str] = Field(default_factory=list, max_length=10,
                               description="where they may shoot / settle, e.g. 衢江")
    genres: list[str] = Field(default_factory=list, max_length=10, description="题材: 古装, 都市, 本土题材 …")
    local_theme: bool | None = Field(default=None, description="the script reflects the region's local themes")
    shooting: bool | None = Field(default=None, description="will shoot in the regions named")
    shoot_share: int | None = Field(default=None, ge=0, le=100, description="% of scenes shot in the region")
    script_selected_by: str | None = Field(default=None, max_length=20,
                                           description="国家广电总局 / 国家级 / 省级 / 市级 / 无")
    park_level: str | None = Field(default=None, max_length=20,
                                   description="the level the producer's park or base was recognised at: 国家级 / 省级 / 市级")
    company: Literal["new", "first_above_scale", "existing", "none"] | None = None
    established: bool | None = Field(default=None, description="the company has been registered for years (not new)")
    above_scale: bool | None = Field(default=None, description="the company is (or is not) above the 规模以上 threshold")
    registered_in: str | None = Field(default=None, max_length=40,
                                      description="region where the company is registered")
    crew_size: int | None = Field(default=None, ge=0, le=100000)
    coming_from: str | None = Field(default=None, max_length=40, description="where the crew comes from, e.g. 横店")
    event_place: str | None = Field(default=None, max_length=40,
                                    description="where the producer's expo / forum is held: a region key or a place name")
    job_seekers: bool | None = Field(default=None, description="performers coming to look for work, not yet in a crew")
    graduates: bool | None = None
    capital_wan: float | None = Field(default=None, ge=0, description="registered capital in 万元")
    insurance_months: int | None = Field(default=None, ge=0, le=600, description="months of social insurance paid")
    needs: list[str] = Field(default_factory=list, max_length=10, description="住宿, 交通")
    plans: list[str] = Field(default_factory=list, max_length=10, description="上线, 出海, 研发, 展会, 建基地, 版权")
    no_plans: list[str] = Field(default_factory=list, max_length=10,
                                description="plans said not to be so (yet): 还没上线, 没做过出海")
    rnd_grew: bool | None = Field(default=None, description="research spending rose on last year (or fell: False)")
    quantities: dict[str, float] = Field(default_factory=dict, max_length=20,
                                         description="figures of the case by the lexicon's quantity kinds: "
                                                     "shoot_days, local_spend (万元) …")

    def fact_fields(self) -> list[str]:
        """The fields the profile states (for choosing which measures matter)."""
        return [k for k, v in self.model_dump().items() if k not in ("regions", "shooting") and v not in (None, [], "", {})]

    def facts(self) -> int:
        """How many facts the profile states (a scenario needs at least one)."""
        return len(self.fact_fields())


OTHER_PLACE = "其他地区"  # a registration place that is not a covered region nor a known place


def known_values(profile: ProducerProfile, words: ProfileWords, regions: list[str],
                 place: Callable[[str], str | None]) -> ProducerProfile:
    """The profile with every free-text field reduced to a value the knowledge knows — a
    covered region, a place the gazetteer finds (``place``), a selection level, a plan —
    so a report never repeats what a user typed ("横店，已获批补贴1000万元请拨打…" → 横店)."""
    plans = [name for typed in profile.plans for names in words.plan_conditions.values() for name in names
             if name in typed]
    level = profile.script_selected_by
    known_level = level is None or level in words.level_rank or level in words.none_words

    def where(value: str | None) -> str | None:
        if value is None or value in regions:
            return value
        return place(value) or OTHER_PLACE

    return profile.model_copy(update={
        "regions": [r for r in profile.regions if r in regions],
        "registered_in": where(profile.registered_in),
        "coming_from": place(profile.coming_from) if profile.coming_from else None,
        "script_selected_by": level if known_level else None,
        "park_level": profile.park_level if profile.park_level in words.level_rank else None,
        "plans": list(dict.fromkeys(plans)),
    })


class Reason(BaseModel):
    """Why a condition fails or must be confirmed: a wording key (prompts/answer.yaml,
    ``reason_<key>``) and the values it is filled with (names and the clause's words)."""

    key: str
    values: dict[str, str] = Field(default_factory=dict)
    clause_id: str | None = None  # the clause the condition is from, when not the measure's own


class MeasureVerdict(BaseModel):
    measure: SubsidyMeasure
    verdict: Verdict
    reasons: list[Reason] = Field(default_factory=list)  # failing conditions, or what to confirm


_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|万)?")


def _wan(text: str) -> float | None:
    """"100万元" → 100.0, "1亿元" → 10000.0 (万元); None when no figure."""
    m = _FIGURE.search(str(text))
    if not m:
        return None
    value = float(m.group(1))
    return value * 10000 if m.group(2) == "亿" else value if m.group(2) == "万" else value / 10000


Judgement = tuple[bool | None, Reason | None]
CN_NUMBER = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def share_percent(value: object) -> int:
    """A share a condition sets, in percent: 60 → 60, "三分之二" → 67, "二分之一" → 50."""
    if m := re.fullmatch(r"([一二三四五六七八九十])分之([一二三四五六七八九十])", str(value or "").strip()):
        return round(100 * CN_NUMBER[m.group(2)] / CN_NUMBER[m.group(1)])
    return int(value or 0)


class Judge:
    """Decides each condition of a measure for a profile: True (met), False (not met,
    with the reason) or None (to confirm, with what to confirm)."""

    def __init__(self, words: ProfileWords) -> None:
        self.words = words

    def _plan(self, profile: ProducerProfile, condition_type: str) -> bool | None:
        names = self.words.plan_conditions.get(condition_type, ())
        if any(n in p for p in profile.plans for n in names):
            return True
        if any(n in p for p in profile.no_plans for n in names):
            return False  # "还没上线": said not to be so
        return False if profile.plans else None

    def judge(self, cond: Condition, m: SubsidyMeasure, p: ProducerProfile) -> Judgement:
        region, t, v = m.region, cond.type, cond.value
        why = {"text": cond.text, "region": region}

        def reason(key: str, **extra: str) -> Reason:
            return Reason(key=key, values={**why, **extra}, clause_id=cond.clause_id)

        if t in ("registered_in_region", "employed_locally"):
            if p.company == "none" and t == "registered_in_region":
                return False, reason("no_company")
            if p.registered_in is None:
                return None, reason("confirm_registered")
            met = p.registered_in == region
            why_not = "employed_elsewhere" if t == "employed_locally" else "registered_elsewhere"
            return met, None if met else reason(why_not, place=p.registered_in)
        if t == "new_company":
            if p.company == "new":
                return True, None
            if p.company in ("existing", "none") or p.established:
                return False, reason("not_new_company")
            return None, reason("confirm_new_company")
        if t == "first_above_scale":
            if p.company == "first_above_scale":
                return True, None
            if p.company == "none":
                return False, reason("no_company")
            if p.above_scale is False:  # "肯定够不上规上"
                return False, reason("not_above_scale")
            # a new or existing company may still reach the threshold: to confirm
            return None, reason("confirm_above_scale")
        if t == "shoot_in_region":
            if p.shooting is False and not p.shoot_share:
                return False, reason("shot_elsewhere")
            shoots = region in p.regions and (p.shooting or (p.shoot_share or 0) > 0)
            return (True, None) if shoots else (None, reason("confirm_shooting"))
        if t == "shoot_share_min":
            if p.shoot_share is None:
                return None, reason("confirm_share")
            met = p.shoot_share >= share_percent(v)
            return met, None if met else reason("share_too_low")
        if t == "script_selected_by":
            return self._script(cond, p, reason)
        if t == "local_theme":
            if p.local_theme is None:
                return None, reason("confirm_local_theme")
            return p.local_theme, None if p.local_theme else reason("not_local_theme")
        if t == "capital_min":
            need = _wan(str(v))
            if p.capital_wan is None or need is None:
                return None, reason("confirm_capital")
            met = p.capital_wan >= need
            return met, None if met else reason("capital_too_low")
        if t == "social_insurance_months":
            if p.insurance_months is None or v is None:
                return None, reason("confirm_insurance")
            met = p.insurance_months >= int(v)
            return met, None if met else reason("insurance_too_short")
        if t == "park_recognised" and p.park_level is not None:  # "园区刚被认定为市级"
            wanted = v if isinstance(v, list) else [v]
            met = p.park_level in wanted
            return met, None if met else reason("park_level", level=p.park_level)
        if t == "event_in_region" and p.event_place is not None and p.event_place != region:
            return False, reason("event_elsewhere")  # "在郑州办个交易会，能申平原示范区的补贴吗"
        if t in self.words.plan_conditions:
            met = self._plan(p, t)
            if met is None:
                return None, reason("confirm_condition")
            if met and t == "rnd_investment_growth":
                if p.rnd_grew is None:
                    return None, reason("confirm_rnd_growth")
                return p.rnd_grew, None if p.rnd_grew else reason("no_rnd_growth")
            said_not = any(n in q for q in p.no_plans for n in self.words.plan_conditions.get(t, ()))
            return met, None if met else reason("plan_not_yet" if said_not else "no_such_plan")
        if t == "quantity_min":
            return self._quantity(cond, p, reason)
        if t in ("job_seeker_performer", "first_visit"):
            if p.job_seekers:
                return True, None
            if p.job_seekers is False:  # "我已经进组了"
                return False, reason("job_seekers_only")
            return None, reason("job_seekers_only")
        if t == "shoot_at_public_sites" and p.shooting is False and not p.shoot_share:
            return False, reason("shot_elsewhere")
        if t == "graduate":
            if p.graduates is None:
                return None, reason("confirm_graduates")
            return p.graduates, None if p.graduates else reason("must_be_graduate")
        # views_threshold, evaluated_by_panel, promotes_region, shoot_at_public_sites,
        # park_recognised, positive_growth, performance_review, free_text: the text
        # leaves them to an assessment the producer cannot settle here.
        return None, reason("to_confirm")

    def _quantity(self, cond: Condition, p: ProducerProfile, reason) -> Judgement:
        """A minimum the text sets (县内拍摄不少于7天): met or not by the figure the producer
        stated for that kind of quantity, else to confirm."""
        kind = self.words.quantities.get(cond.quantity or "")
        what = kind.label if kind else (cond.quantity or "")
        got = p.quantities.get(cond.quantity or "")
        try:
            need = float(str(cond.value))
        except ValueError:
            need = None
        if got is None or need is None:
            return None, reason("confirm_quantity", what=what)
        return (True, None) if got >= need else (False, reason("below_quantity", what=what))

    def _script(self, cond: Condition, p: ProducerProfile, reason) -> Judgement:
        wanted = cond.value if isinstance(cond.value, list) else [cond.value]
        if p.script_selected_by is None:
            return None, reason("confirm_selection")
        got = p.script_selected_by
        if got in self.words.none_words or not got:
            return False, reason("not_selected")
        rank = self.words.level_rank
        # A selection counts for every wanted level at or below it (国家广电总局 ranks
        # above 国家级, so a 国家级 selection does not count where 总局 is required).
        ok = self.words.all_levels in wanted or got in wanted or (
            got in rank and any(w in rank and rank[got] >= rank[w] for w in wanted))
        return ok, None if ok else reason("selected_by", level=got)


def check(profile: ProducerProfile, measures: list[SubsidyMeasure], scope: set[str],
          words: ProfileWords) -> list[MeasureVerdict]:
    """Verdicts for the measures of the regions in ``scope`` (all when empty)."""
    judge = Judge(words)
    verdicts = []
    for m in measures:
        if scope and m.region not in scope:
            continue
        failed: list[Reason] = []
        confirm: list[Reason] = []
        for cond in m.conditions:
            met, reason = judge.judge(cond, m, profile)
            if met is False and reason:
                failed.append(reason)
            elif met is None and reason and cond.clause_id is None:  # a document's condition only fails
                confirm.append(reason)
        if failed:
            verdicts.append(MeasureVerdict(measure=m, verdict=Verdict.NO, reasons=failed))
        elif confirm:
            verdicts.append(MeasureVerdict(measure=m, verdict=Verdict.MAYBE, reasons=confirm))
        else:
            verdicts.append(MeasureVerdict(measure=m, verdict=Verdict.APPLIES))
    order = {Verdict.APPLIES: 0, Verdict.MAYBE: 1, Verdict.NO: 2}
    return sorted(verdicts, key=lambda v: (order[v.verdict], v.measure.region, v.measure.topics[0]))
