"""The subsidy table as a service: eligibility reports and comparison tables, each row
cited with the clause's verbatim quote."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.measures.eligibility import MeasureVerdict, ProducerProfile, check
from bot.measures.model import MeasureTable, SubsidyMeasure
from bot.models import Citation, PolicyDocument

# Words that name a category of support in a question.
CATEGORY_WORDS: dict[str, str] = {
    "剧本": r"剧本|编剧|script",
    "取景": r"取景|拍摄补|拍摄扶持|拍摄支持|filming|shoot",
    "拍摄基地与园区": r"基地|园区|产业园|影棚|studio|base",
    "企业落户与升规": r"落户|注册|新公司|规上|规模以上|招商|入驻|企业扶持|company",
    "人才与就业": r"人才|毕业生|就业|培训|talent",
    "住宿交通": r"住宿|交通|班车|lodging|transport",
    "上线播出": r"上线|播出|播放量|broadcast",
    "研发": r"研发|r&d",
    "出海译制": r"出海|海外|译制|翻译|出口|overseas|export",
    "金融": r"贷款|金融|融资|loan",
    "审查备案": r"审查|备案",
    "展会论坛": r"展会|论坛|交易会|expo|forum",
    "IP开发": r"\bip\b|IP",
    "产业基金": r"基金|fund",
    "版权": r"版权|copyright",
}
COMPARE = re.compile(r"各地|哪里|哪个地方|哪些地方|各个地区|对比|比较|不同|区别|分别|哪家|哪个好|compare|which (city|region)")
VERDICT_LABEL = {"applies": "适用", "maybe": "可能适用（需确认）", "no": "不适用"}


@dataclass
class TableAnswer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    answerable: bool = True


class MeasureBook:
    def __init__(self, table: MeasureTable, clause_texts: dict[str, str], documents: list[PolicyDocument],
                 parents: dict[str, tuple[str, ...]]) -> None:
        self.measures = table.measures
        self.clause_texts = clause_texts
        self.documents = {d.id: d for d in documents}
        self.parents = parents

    def _cite(self, measures: list[SubsidyMeasure]) -> tuple[dict[str, int], list[Citation]]:
        numbers: dict[str, int] = {}
        citations: list[Citation] = []
        for m in measures:
            if m.quote not in self.clause_texts.get(m.clause_id, ""):
                continue  # never show an unverifiable quote
            doc = self.documents[m.doc_id]
            clause_name = m.clause_id.split(":", 1)[1]
            citations.append(Citation(n=len(citations) + 1, doc_id=m.doc_id, title=doc.title, clause_id=m.clause_id,
                                      clause=clause_name, quote=m.quote, status=doc.status))
            numbers[m.id] = citations[-1].n
        return numbers, citations

    def _caveats(self, measures: list[SubsidyMeasure]) -> list[str]:
        notes = []
        statuses = {self.documents[m.doc_id].status for m in measures}
        if "征求意见稿" in statuses:
            notes.append("平原示范区的条款出自征求意见稿，尚未正式印发，可能调整；正式印发后自公布之日起施行。")
        if "研究文章" in statuses:
            notes.append("深圳、余杭、上海、郑州的部分内容出自研究文章（二手资料），请以当地政策原文为准。")
        if "新闻发布会" in statuses:
            notes.append("衢江的条款据新闻发布会介绍，具体以《衢江区短剧产业扶持政策》原文为准。")
        if any(m.benefit.kind == "cost_ratio" for m in measures):
            notes.append("按成本或收入比例给付的措施与定额奖励不能直接比较：实际金额取决于项目成本或收入，并受上限约束。")
        if any(m.benefit.amount in ("按实际发生", "未明确", "一事一议") for m in measures):
            notes.append("标注“按实际发生”“未明确”“一事一议”的，原文没有给出具体金额，本表不作估算。")
        return notes

    # ------------------------------------------------------------------ compare
    def categories_in(self, text: str) -> list[str]:
        return [c for c, pattern in CATEGORY_WORDS.items() if re.search(pattern, text, re.IGNORECASE)]

    def wants_comparison(self, text: str, regions: list[str]) -> bool:
        regions = [r for r in regions if r != "全国"]  # "各地" names no one region
        return bool(self.categories_in(text)) and (len(regions) >= 2 or (not regions and bool(COMPARE.search(text))))

    def compare(self, text: str, regions: list[str]) -> TableAnswer:
        """A Markdown table of the measures of ``regions`` (all when empty) in the categories
        the question names, with the caveats that make them comparable."""
        categories = self.categories_in(text)
        wanted = [r for r in regions if r != "全国"] or sorted({m.region for m in self.measures})
        rows = [m for m in self.measures if m.region in wanted and _topics(m) & set(categories)]
        wanted = sorted(wanted, key=lambda r: not any(m.region == r for m in rows))
        if not rows:
            return TableAnswer("", [], False)
        numbers, citations = self._cite(rows)
        rows = [m for m in rows if m.id in numbers]
        lines = [f"各地“{'、'.join(categories)}”方面的扶持对比（据原文摘录）：", "",
                 "| 地区 | 措施 | 金额 / 比例 / 上限 | 条件 | 文件状态 | 出处 |", "|---|---|---|---|---|---|"]
        for region in wanted:
            mine = [m for m in rows if m.region == region]
            if not mine:
                lines.append(f"| {region} | 未见相关条款 | — | — | — | — |")
            for m in mine:
                money = _money(m)
                conditions = "；".join(c.text for c in m.conditions) or "—"
                status = self.documents[m.doc_id].status
                lines.append(f"| {region} | {_cell(m.title)} | {_cell(money)} | {_cell(conditions)} | {status} | [{numbers[m.id]}] |")
        lines += [""] + [f"- {n}" for n in self._caveats(rows)]
        return TableAnswer("\n".join(lines), citations, True)

    # -------------------------------------------------------------------- check
    def check(self, profile: ProducerProfile) -> tuple[list[MeasureVerdict], str, list[Citation]]:
        """Verdicts and a Markdown report with citations."""
        verdicts = check(profile, self.measures, self.parents)
        numbers, citations = self._cite([v.measure for v in verdicts])
        verdicts = [v for v in verdicts if v.measure.id in numbers]
        lines = []
        for kind in ("applies", "maybe", "no"):
            group = [v for v in verdicts if v.verdict == kind]
            if not group:
                continue
            lines += [f"### {VERDICT_LABEL[kind]}（{len(group)}项）", ""]
            for v in group:
                m = v.measure
                money = _money(m)
                lines.append(f"- **{m.region} · {m.title}** — {money} [{numbers[m.id]}]")
                lines += [f"  - {r}" for r in v.reasons]
            lines.append("")
        if not verdicts:
            lines.append("所选地区没有可对照的扶持条款。")
        lines += [f"- {n}" for n in self._caveats([v.measure for v in verdicts])]
        lines.append("- 本测算只对照原文条款，不计算合计金额；以正式文件和主管部门解释为准。")
        return verdicts, "\n".join(lines), citations


# A measure is also "about" what its conditions require: a filming award for a selected
# script is a 剧本 measure too.
CONDITION_TOPICS = {
    "script_selected_by": "剧本", "local_theme": "剧本", "shoot_in_region": "取景", "shoot_share_min": "取景",
    "shoot_at_public_sites": "取景", "overseas_activity": "出海译制", "released_online": "上线播出",
    "new_company": "企业落户与升规", "first_above_scale": "企业落户与升规", "builds_base": "拍摄基地与园区",
}


def _topics(m: SubsidyMeasure) -> set[str]:
    return {m.category} | {CONDITION_TOPICS[c.type] for c in m.conditions if c.type in CONDITION_TOPICS}


def _money(m: SubsidyMeasure) -> str:
    """Amount, ratio, cap and payment as stated (each once)."""
    parts = [m.benefit.amount, m.benefit.ratio, m.benefit.cap, m.benefit.payment]
    return "；".join(dict.fromkeys(x for x in parts if x))


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")
