"""Typed rows of the policy model: support measures (``knowledge/measures.yaml``) and
filming sites (``knowledge/sites.yaml``), plus the fixed sets they use.

Amounts are kept exactly as the text states them (``8万元``, ``最高不超过5万元``); a measure
that sets no figure says so (``按实际发生`` / ``未明确`` / ``一事一议``) — the table never
supplies one. Every row carries a verbatim quote of its clause and its topics.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.errors import KnowledgeError


class SiteStatus(StrEnum):
    BUILT = "建成"
    BUILDING = "在建"
    PLANNED = "规划"
    UNKNOWN = "未说明"


ConditionType = Literal[
    "registered_in_region",  # the company is registered / the work is 立项备案 in the region
    "new_company",  # a newly registered company
    "first_above_scale",  # first time above designated size (首次达到规模以上)
    "positive_growth",  # keeps growing after that
    "shoot_in_region",  # shot in the region
    "shoot_share_min",  # value: minimum percent of scenes shot in the region
    "shoot_at_public_sites",  # tourist sites / outdoor public places in the region
    "script_selected_by",  # value: list of bodies / levels that count (国家广电总局, 国家级, 省级, 各级)
    "local_theme",  # the script reflects local themes (bonus)
    "promotes_region",  # shows the region's image / promotes its tourism
    "released_online",  # released on major platforms
    "views_threshold",  # reaches a view-count standard
    "evaluated_by_panel",  # selected / rated by an evaluation (经评选认定, 经评审认定优秀)
    "job_seeker_performer",  # performers coming to look for work / not yet in a crew
    "first_visit",  # first time in the region
    "graduate",  # value: 高校 / 中职 graduates
    "employed_locally",  # works for a company in the region
    "overseas_activity",  # translation / overseas distribution / copyright trade
    "rnd_investment_growth",  # R&D investment increment
    "event_in_region",  # hosts an expo / fair / forum in the region
    "builds_base",  # builds studios / parks / bases in the region
    "park_recognised",  # value: 国家级 / 省级 park recognition
    "performance_review",  # 绩效考核 / 一事一议
    "capital_min",  # value: minimum registered capital, as stated (e.g. 100万元)
    "social_insurance_months",  # value: months of social insurance paid locally
    "quantity_min",  # value: a minimum of the lexicon's quantity ``quantity`` (days shot locally, 万元 spent …)
    "free_text",  # a condition no type fits: reported as 需确认 with its words
]


class Condition(BaseModel):
    type: ConditionType
    value: str | int | list[str] | bool | None = None
    text: str  # the condition as the clause words it (verbatim fragment)
    # the clause ``text`` is from when it is not the row's own: a document's 申报条件 that
    # every measure of it must meet (decides only a failure; shown cited to that clause)
    clause_id: str | None = None
    quantity: str | None = None  # quantity_min: the kind (lexicon ``quantities``), value its minimum


class Benefit(BaseModel):
    kind: Literal["cash", "cost_ratio", "in_kind", "service", "fund", "bonus", "policy"]
    amount: str = "未明确"  # as stated: "8万元", "最高不超过5万元", or 按实际发生 / 未明确 / 一事一议
    cap: str | None = None  # "最高100万元"
    ratio: str | None = None  # "不超过制作成本30%", "额外增加50%"
    payment: str | None = None  # 一次性 / 分阶段 / 年度 / 每年
    description: str  # one line in the clause's words


class SubsidyMeasure(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    region: str
    doc_id: str
    clause_id: str
    topics: list[str] = Field(min_length=1)
    title: str
    benefit: Benefit
    conditions: list[Condition] = Field(default_factory=list)
    quote: str  # verbatim span of the clause that states the measure
    notes: str | None = None
    reviewed: bool = True  # false for rows drafted by `bot add` and not yet checked
    # what a person should look at first (bot/policy/doubts.py): instruction-like words, a
    # link, a phone number, an outlier amount, hidden text in the clause
    doubts: list[str] = Field(default_factory=list)

    @property
    def held(self) -> bool:
        """Kept out of answers: a drafted row with a doubt, until a person reviews it."""
        return bool(self.doubts) and not self.reviewed

    @property
    def money(self) -> str:
        """Amount, ratio, cap and payment as stated (each once); "未明确" only when the
        text states nothing else about the amount."""
        parts = [self.benefit.amount, self.benefit.ratio, self.benefit.cap, self.benefit.payment]
        stated = [x for x in parts if x and x != "未明确"]
        return "；".join(dict.fromkeys(stated)) or self.benefit.amount


class Site(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    region: str
    doc_id: str
    clause_id: str
    type: str
    status: SiteStatus
    capacity: str | None = None
    services: str | None = None
    description: str | None = None
    quote: str
    topics: list[str] = Field(min_length=1)
    reviewed: bool = True
    doubts: list[str] = Field(default_factory=list)  # as SubsidyMeasure.doubts

    @property
    def held(self) -> bool:
        return bool(self.doubts) and not self.reviewed


def row_data(row: SubsidyMeasure | Site) -> dict:
    """A row as written to its YAML table (no empty fields, no empty ``doubts``)."""
    data = row.model_dump(exclude_none=True, mode="json")
    if not data.get("doubts"):
        data.pop("doubts", None)
    return data


def load_rows(path: Path, model: type[BaseModel]) -> list:
    """Rows of a YAML table file, validated; a missing file is an empty table."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [model.model_validate(row) for row in data]
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc})") from exc
    except ValidationError as exc:
        raise KnowledgeError(f"{path}: {exc}") from exc


def load_table(knowledge_dir: Path, name: str, model: type[BaseModel]) -> list:
    """A table of the policy model: ``<name>.yaml`` plus one ``<name>/<doc_id>.yaml`` per
    document added later (so adding or removing a document touches its own file only)."""
    rows = load_rows(knowledge_dir / f"{name}.yaml", model)
    folder = knowledge_dir / name
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            rows += load_rows(path, model)
    return rows
