"""The subsidy table (``knowledge/measures.yaml``): every support measure, structured.

Amounts are kept exactly as the text states them (``8万元``, ``最高不超过5万元``); a measure
that sets no figure says so (``按实际发生`` / ``未明确``) — the table never supplies one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

Category = Literal[
    "剧本", "取景", "拍摄基地与园区", "企业落户与升规", "人才与就业", "住宿交通", "上线播出", "研发", "出海译制",
    "金融", "审查备案", "展会论坛", "IP开发", "产业基金", "版权", "综合服务",
]
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
    "views_threshold",  # reaches a view-count standard (未明确 which)
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
]


class Condition(BaseModel):
    type: ConditionType
    value: str | int | list[str] | bool | None = None
    text: str  # the condition as the clause words it (verbatim fragment)


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
    category: Category
    title: str
    benefit: Benefit
    conditions: list[Condition] = Field(default_factory=list)
    quote: str  # verbatim span of the clause that states the measure
    notes: str | None = None


class MeasureTable(BaseModel):
    measures: list[SubsidyMeasure]

    @classmethod
    def load(cls, path: Path) -> MeasureTable:
        return cls(measures=yaml.safe_load(path.read_text(encoding="utf-8")))
