"""补贴测算: which measures apply to a producer's project, which might (and what to
confirm), and which do not (with the failing condition). No totals are invented: a
measure that pays 按实际发生 or 未明确 is listed as such."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.measures.model import Condition, SubsidyMeasure

Verdict = Literal["applies", "maybe", "no"]
LEVELS = {"国家广电总局": 3, "国家级": 3, "省级": 2, "市级": 1}


class ProducerProfile(BaseModel):
    """What a producer tells the 补贴测算 form (every field optional: unknown ≠ no)."""

    regions: list[str] = Field(default_factory=list, description="where they may shoot / settle, e.g. 衢江")
    genres: list[str] = Field(default_factory=list, description="题材: 古装, 都市, 本土题材 …")
    local_theme: bool | None = Field(default=None, description="the script reflects the region's local themes")
    shoot_share: int | None = Field(default=None, ge=0, le=100, description="% of scenes shot in the region")
    script_selected_by: str | None = Field(default=None, description="国家广电总局 / 国家级 / 省级 / 市级 / 无")
    company: Literal["new", "first_above_scale", "existing", "none"] | None = None
    registered_in: str | None = Field(default=None, description="region where the company is registered")
    crew_size: int | None = Field(default=None, ge=0)
    coming_from: str | None = Field(default=None, description="where the crew comes from, e.g. 横店")
    job_seekers: bool | None = Field(default=None, description="performers coming to look for work, not yet in a crew")
    graduates: bool | None = None
    needs: list[str] = Field(default_factory=list, description="住宿, 交通")
    plans: list[str] = Field(default_factory=list, description="上线, 出海, 研发, 展会, 建基地, 版权")


class MeasureVerdict(BaseModel):
    measure: SubsidyMeasure
    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)  # failing conditions, or what to confirm


def _plan(profile: ProducerProfile, *names: str) -> bool | None:
    if any(n in p for p in profile.plans for n in names):
        return True
    return False if profile.plans else None


def _judge(cond: Condition, m: SubsidyMeasure, p: ProducerProfile) -> tuple[bool | None, str]:
    """(True = met, False = not met, None = to confirm) and the reason in Chinese."""
    region, t, v = m.region, cond.type, cond.value
    if t in ("registered_in_region", "employed_locally"):
        if p.registered_in is None:
            return None, f"确认企业是否在{region}注册或作品是否在{region}立项备案（原文：{cond.text}）"
        return p.registered_in == region, f"企业注册在{p.registered_in}，原文要求：{cond.text}"
    if t == "new_company":
        if p.company is None:
            return None, f"确认是否为新注册企业（原文：{cond.text}）"
        return p.company == "new", f"不是新注册企业（原文：{cond.text}）"
    if t == "first_above_scale":
        if p.company is None:
            return None, f"确认是否首次达到规模以上（原文：{cond.text}）"
        return p.company == "first_above_scale", f"未首次达到规模以上（原文：{cond.text}）"
    if t == "shoot_in_region":
        return (region in p.regions) or None, f"确认是否在{region}拍摄（原文：{cond.text}）"
    if t == "shoot_share_min":
        if p.shoot_share is None:
            return None, f"确认在{region}取景比例（原文：{cond.text}）"
        return p.shoot_share >= int(v or 0), f"取景比例{p.shoot_share}%低于要求（原文：{cond.text}）"
    if t == "script_selected_by":
        wanted = v if isinstance(v, list) else [v]
        if p.script_selected_by is None:
            return None, f"确认剧本是否入选（原文：{cond.text}）"
        got = p.script_selected_by
        if got in ("无", "none", ""):
            return False, f"剧本未入选（原文：{cond.text}）"
        ok = "各级" in wanted or got in wanted or (
            got in LEVELS and any(w in LEVELS and LEVELS[got] >= LEVELS[w] and (w != "国家广电总局" or got == w)
                                  for w in wanted))
        return ok, f"剧本入选单位为{got}，原文要求：{cond.text}"
    if t == "local_theme":
        if p.local_theme is None:
            return None, f"确认是否为{region}本土题材（原文：{cond.text}）"
        return p.local_theme, f"不是{region}本土题材（原文：{cond.text}）"
    plan_conditions = {
        "released_online": (("上线", "平台", "播出"), "上线播出"),
        "overseas_activity": (("出海", "海外", "译制"), "出海"),
        "rnd_investment_growth": (("研发",), "技术研发"),
        "event_in_region": (("展会", "论坛", "交易会", "活动"), f"在{region}举办产业活动"),
        "builds_base": (("基地", "园区", "影棚"), f"在{region}建设基地、影棚或园区"),
    }
    if t in plan_conditions:
        words, name = plan_conditions[t]
        met = _plan(p, *words)
        if met is None:
            return None, f"确认是否计划{name}（原文：{cond.text}）"
        if met and t == "rnd_investment_growth":
            return None, f"确认研发投入是否有增量（原文：{cond.text}）"
        return met, f"未计划{name}（原文：{cond.text}）"
    if t in ("job_seeker_performer", "first_visit"):
        if p.job_seekers:
            return True, ""
        return None, f"仅限{cond.text}：已组建的剧组请向当地确认"
    if t == "graduate":
        if p.graduates is None:
            return None, f"确认是否有{cond.text}"
        return p.graduates, f"需为{cond.text}"
    # views_threshold, evaluated_by_panel, promotes_region, shoot_at_public_sites,
    # park_recognised, positive_growth, performance_review: the text leaves them to
    # an assessment the producer cannot settle here.
    return None, f"需确认：{cond.text}"


def check(profile: ProducerProfile, measures: list[SubsidyMeasure], parents: dict[str, tuple[str, ...]]) -> list[MeasureVerdict]:
    """Verdicts for the measures of the profile's regions (and the regions containing them)."""
    scope = set(profile.regions)
    for r in profile.regions:
        scope |= set(parents.get(r, ()))
    verdicts = []
    for m in measures:
        if scope and m.region not in scope:
            continue
        failed, confirm = [], []
        for cond in m.conditions:
            met, reason = _judge(cond, m, profile)
            if met is False:
                failed.append(reason)
            elif met is None:
                confirm.append(reason)
        if failed:
            verdicts.append(MeasureVerdict(measure=m, verdict="no", reasons=failed))
        elif confirm:
            verdicts.append(MeasureVerdict(measure=m, verdict="maybe", reasons=confirm))
        else:
            verdicts.append(MeasureVerdict(measure=m, verdict="applies"))
    order = {"applies": 0, "maybe": 1, "no": 2}
    return sorted(verdicts, key=lambda v: (order[v.verdict], v.measure.region, v.measure.category))
