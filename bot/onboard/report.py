"""What `bot add` and `bot docs show` print: what was detected, the clause tree, the
drafted rows and what a person should review (a terminal report, not user-facing answers)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.onboard.add import AddReport
from bot.onboard.library import clause_tree
from bot.policy.model import Site, SubsidyMeasure


def print_add_report(report: AddReport, console: Console, knowledge_dir: Path) -> None:
    doc = report.document
    d = report.detected
    given = set(report.overridden)

    def tag(name: str) -> str:
        return "（指定）" if name in given else ("（未找到）" if name in d.missing else "（识别）")

    console.print(f"[bold]已添加 / added[/bold] {doc.id}", highlight=False)
    rows = [("标题", doc.title, "title"), ("发文单位", doc.issuer, "issuer"), ("文号", doc.doc_number or "—", "doc_number"),
            ("日期", doc.date, "date"), ("状态", f"{doc.status.value}（{d.status_reason}）", "status"),
            ("施行与有效期", doc.validity, "validity")]
    for label, value, name in rows:
        console.print(escape(f"  {label}：{value} {tag(name)}"), highlight=False)
    region = "、".join(v for v in doc.region.values())
    console.print(escape(f"  地区：{doc.region_key}（{region}）— {report.region.how}"
                         + ("，新登记" if report.region.entry else "")), highlight=False)
    console.print(escape(f"  办理部门：{'、'.join(doc.offices) or '—'}"), highlight=False)
    if doc.supersedes:
        console.print(escape(f"  取代：{doc.supersedes}（旧版本保留备查，不再用于回答）"), highlight=False)
    console.print(f"\n[bold]条款 / clause tree[/bold]（{len({c.clause_id for c in report.clauses})} 条）")
    for line in clause_tree(report.clauses):
        console.print(escape("  " + line), highlight=False)
    print_rows(console, report.drafted.measures, report.drafted.sites)
    if report.dropped:
        console.print(f"\n[bold]看不见的文字 / hidden text[/bold]（{len(report.dropped)} 处，已删去，未写入正文）")
        for d in report.dropped:
            where = f" — 所在段落：{d.context}" if d.context else ""
            console.print(escape(f"  · {d.text}（{d.reason}）{where}"), highlight=False)
    if report.doubts:
        console.print(f"\n[bold]疑点 / doubts[/bold]（{len(report.doubts)} 处；有疑点的条目审核前不用于回答）")
        for d in report.doubts:
            rows = f"（暂不回答：{'、'.join(d.rows)}）" if d.rows else ""
            console.print(escape(f"  · {d.label}：{d.detail} — {d.text}{rows}"), highlight=False)
    console.print("\n[bold]请人工核对 / to review[/bold]")
    for line in report.review:
        console.print(escape(f"  · {line}"), highlight=False)
    console.print("\n[bold]写入 / written[/bold]")
    for path in report.written:
        console.print(escape(f"  {path.relative_to(knowledge_dir) if path.is_relative_to(knowledge_dir) else path}"),
                      highlight=False)


def print_rows(console: Console, measures: list[SubsidyMeasure], sites: list[Site]) -> None:
    console.print(f"\n[bold]措施 / measures[/bold]（{len(measures)} 条）")
    for m in measures:
        mark = _mark(m)
        console.print(escape(f"  {m.id}  {m.clause_id.split(':', 1)[1]}  {m.title} — {m.money}") + mark, highlight=False)
        for c in m.conditions:
            label = "需确认" if c.type == "free_text" else c.type + (f"={c.value}" if c.value not in (None, "") else "")
            console.print(escape(f"      条件 {label}：{c.text}"), highlight=False)
    console.print(f"\n[bold]拍摄基地 / sites[/bold]（{len(sites)} 处）")
    for s in sites:
        mark = _mark(s)
        console.print(escape(f"  {s.id}  {s.name}（{s.type} · {s.status.value}）{s.capacity or ''}") + mark,
                      highlight=False)


def _mark(row: SubsidyMeasure | Site) -> str:
    if row.held:
        return " [yellow]待审[/yellow] [red]暂不回答[/red]（" + escape("；".join(row.doubts)) + "）"
    return "" if row.reviewed else " [yellow]待审[/yellow]"
