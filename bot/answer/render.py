"""Render: a :class:`~bot.answer.draft.Draft` → Markdown text with ``[n]`` markers, the
numbered citations (one per clause, quotes merged into one verbatim span where they are
close) and, for table answers, the table as data for the web pages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.answer.draft import Bullets, Draft, Paragraph, Source, Table
from bot.models import AnswerTable, Citation
from bot.policy.book import PolicyModel

MAX_MERGED_QUOTE = 400


@dataclass
class Rendered:
    text: str
    citations: list[Citation]
    table: AnswerTable | None = None


@dataclass
class _Numbering:
    model: PolicyModel
    citations: list[Citation] = field(default_factory=list)

    def cite(self, source: Source) -> int:
        clause_text = self.model.clause_texts.get(source.clause_id, "")
        for c in self.citations:
            if c.clause_id != source.clause_id:
                continue
            if source.quote in c.quote:
                return c.n
            span = _span(clause_text, c.quote, source.quote)
            if span:
                c.quote = span
                return c.n
        clause = self.model.clause(source.clause_id)
        doc = self.model.documents[clause.doc_id]
        citation = Citation(n=len(self.citations) + 1, doc_id=doc.id, title=doc.title, clause_id=clause.clause_id,
                            clause=clause.clause, quote=source.quote, status=str(doc.status))
        self.citations.append(citation)
        return citation.n


def _paragraph(p: Paragraph, numbering: _Numbering) -> str:
    out = []
    for span in p.spans:
        out.append(span.text)
        if span.source is not None:
            out.append(f"[{numbering.cite(span.source)}]")
    return "".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _bullet_lines(block: Bullets, numbering: _Numbering) -> list[str]:
    """A list: its title, one "- " line per item, and a blank line after it."""
    lines = [block.title] if block.title else []
    lines += [f"- {_paragraph(item, numbering)}" for item in block.items]
    lines.append("")
    return lines


def _table_lines(block: Table, numbering: _Numbering) -> tuple[list[str], AnswerTable]:
    """A Markdown table whose rows end in their citation markers (and a blank line after
    it), and the same table as data."""
    lines = [block.title, ""] if block.title else []
    lines.append("| " + " | ".join(block.columns) + " |")
    lines.append("|" + "---|" * len(block.columns))
    rows, cites = [], []
    for row in block.rows:
        n = numbering.cite(row.source)
        cells = [_cell(c) for c in row.cells]
        lines.append("| " + " | ".join([*cells, f"[{n}]"]) + " |")
        rows.append(list(row.cells))
        cites.append(n)
    lines.append("")
    return lines, AnswerTable(title=block.title, columns=list(block.columns), rows=rows, citations=cites)


def render(draft: Draft, model: PolicyModel, english: bool = False, english_note: str = "",
           numbering: _Numbering | None = None) -> Rendered:
    """``numbering``: continue another render's citation numbers (see :func:`render_sections`).
    Only the first table is returned as data."""
    numbering = numbering or _Numbering(model)
    lines: list[str] = []
    table_data: AnswerTable | None = None
    for block in draft.blocks:
        if isinstance(block, Paragraph):
            lines.append(_paragraph(block, numbering))
            continue
        if lines:  # a list or a table stands apart from what comes before it
            lines.append("")
        if isinstance(block, Bullets):
            lines += _bullet_lines(block, numbering)
        elif isinstance(block, Table):
            table_lines, table = _table_lines(block, numbering)
            lines += table_lines
            if table_data is None:
                table_data = table
    notes = [_paragraph(n, numbering) for n in draft.notes]
    if notes:
        if lines and lines[-1] != "":
            lines.append("")
        lines += notes
    if english and english_note:
        lines.append(english_note)
    text = "\n".join(lines).strip()
    return Rendered(text, numbering.citations, table_data)


@dataclass
class Sections:
    """A draft rendered in three parts with one numbering: the lead lines (follow-up,
    premise corrections, scope), the body the composer wrote, and the notes (status
    caveats, office). The numbering and quotes are those of ``render(draft)``."""

    lead: str
    body: str
    notes: str
    citations: list[Citation]


def render_sections(draft: Draft, model: PolicyModel, lead_blocks: int = 0) -> Sections:
    numbering = _Numbering(model)
    lead = render(replace(draft, blocks=draft.blocks[:lead_blocks], notes=()), model, numbering=numbering)
    body = render(replace(draft, blocks=draft.blocks[lead_blocks:], notes=()), model, numbering=numbering)
    notes = render(replace(draft, blocks=()), model, numbering=numbering)
    return Sections(lead.text, body.text, notes.text, numbering.citations)


def _span(text: str, a: str, b: str) -> str | None:
    """The shortest verbatim span of ``text`` holding both quotes, if not too long."""
    i, j = text.find(a), text.find(b)
    if i < 0 or j < 0:
        return None
    start, end = min(i, j), max(i + len(a), j + len(b))
    span = text[start:end]
    return span if len(span) <= MAX_MERGED_QUOTE and "\n" not in span else None
