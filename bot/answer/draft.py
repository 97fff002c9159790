"""What a composer returns: a typed draft of the answer, before wording and numbering.

A draft is a list of blocks (paragraphs, bullet lists, tables), each piece of text tied
to the clause it comes from (:class:`Source`), plus notes (status caveats, the office to
ask). The verdict — answered, not covered, declined — is decided once, here, and both the
``answerable`` flag and the wording come from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Verdict(StrEnum):
    ANSWERED = "answered"
    NOT_COVERED = "not_covered"  # the texts do not answer it (say so, say what is covered)
    DECLINED = "declined"  # off-topic or a request the bot does not follow


class Found(StrEnum):
    """What the texts say about one asked place × topic × facet."""

    FIGURE = "stated_with_figure"
    NO_FIGURE = "stated_without_figure"  # a measure exists; it states no figure
    STATED = "stated"  # a list, a named set, sites, a fact
    NOT_IN_TEXTS = "not_in_texts"
    PLACE_NOT_COVERED = "place_not_covered"
    PREMISE_FALSE = "premise_false"
    MET = "condition_met"
    NOT_MET = "condition_not_met"
    TO_CONFIRM = "condition_to_confirm"


# Findings that answer the question asked (the rest say the texts do not)
ANSWERING = frozenset({Found.FIGURE, Found.NO_FIGURE, Found.STATED, Found.PREMISE_FALSE, Found.MET,
                       Found.NOT_MET, Found.TO_CONFIRM})


@dataclass(frozen=True)
class Source:
    """A verbatim span of a clause that a piece of the answer relies on."""

    clause_id: str
    quote: str


@dataclass(frozen=True)
class Span:
    """A piece of answer text; cited when it has a source."""

    text: str
    source: Source | None = None


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]

    @classmethod
    def of(cls, *spans: Span | str) -> Paragraph:
        return cls(tuple(s if isinstance(s, Span) else Span(s) for s in spans))


@dataclass(frozen=True)
class Bullets:
    title: str | None
    items: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Table:
    title: str | None
    columns: tuple[str, ...]  # the last column holds the citation number
    rows: tuple[Row, ...]


Block = Paragraph | Bullets | Table


@dataclass(frozen=True)
class Finding:
    """One typed finding and the short verdict sentence that opens the answer with it.
    ``subject``: about a place the question asks about (a compared or redirected place's
    finding is evidence, not the verdict)."""

    kind: Found
    place: str  # the region key, or the name of a place no text covers
    sentence: Paragraph
    subject: bool = True
    facet: str = ""  # figure, list, condition, where, when, contact …

    @property
    def answers(self) -> bool:
        return self.kind in ANSWERING


@dataclass(frozen=True)
class Draft:
    verdict: Verdict
    kind: str  # which composer decided (evals and logs)
    blocks: tuple[Block, ...] = ()
    notes: tuple[Paragraph, ...] = ()
    regions: tuple[str, ...] = ()  # the regions the answer is about
    findings: tuple[Finding, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.verdict is Verdict.ANSWERED

    @property
    def subject_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.subject)

    def followed_by(self, other: Draft) -> Draft:
        """This answer, then what ``other`` adds: its findings' sentences and its blocks
        without the quotes this one already shows (a question with two asks, answered in
        order, each quote once)."""
        shown = [(s.clause_id, s.quote.strip("。；; ")) for s in self.sources()]

        def fresh(span: Span) -> bool:
            return span.source is None or not any(
                span.source.clause_id == c and (q in span.source.quote or span.source.quote.strip("。；; ") in q)
                for c, q in shown)

        def trimmed(paragraph: Paragraph) -> Paragraph | None:
            spans = tuple(s for s in paragraph.spans if fresh(s))
            sourced = any(s.source for s in paragraph.spans)
            return Paragraph(spans) if spans and (not sourced or any(s.source for s in spans)) else None

        added: list[Block] = []
        for block in (*(f.sentence for f in other.findings), *other.blocks):
            if isinstance(block, Paragraph):
                block = trimmed(block)
            elif isinstance(block, Bullets):
                items = tuple(p for p in map(trimmed, block.items) if p is not None)
                block = Bullets(block.title, items) if items else None
            else:
                rows = tuple(r for r in block.rows if fresh(Span("", r.source)))
                block = replace(block, rows=rows) if rows else None
            if block is not None:
                added.append(block)
        return replace(self, blocks=(*self.blocks, *added), notes=tuple(dict.fromkeys((*self.notes, *other.notes))),
                       regions=tuple(dict.fromkeys((*self.regions, *other.regions))))

    def sources(self) -> list[Source]:
        found: list[Source] = []
        for block in [*(f.sentence for f in self.findings), *self.blocks, *self.notes]:
            if isinstance(block, Paragraph):
                found += [s.source for s in block.spans if s.source]
            elif isinstance(block, Bullets):
                found += [s.source for item in block.items for s in item.spans if s.source]
            else:
                found += [row.source for row in block.rows]
        return found


@dataclass
class DraftBuilder:
    """Collects blocks and notes; composers build drafts through it."""

    kind: str
    regions: tuple[str, ...] = ()
    blocks: list[Block] = field(default_factory=list)
    notes: list[Paragraph] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def find(self, kind: Found, place: str, *spans: Span | str, subject: bool = True, facet: str = "") -> DraftBuilder:
        """Record a finding with its verdict sentence (opens the answer)."""
        self.findings.append(Finding(kind, place, Paragraph.of(*spans), subject, facet))
        return self

    def add(self, block: Block | None) -> DraftBuilder:
        if block is not None and (not isinstance(block, Paragraph) or block.spans):
            self.blocks.append(block)
        return self

    def note(self, *spans: Span | str) -> DraftBuilder:
        paragraph = Paragraph.of(*spans)
        if paragraph not in self.notes:
            self.notes.append(paragraph)
        return self

    def build(self, verdict: Verdict) -> Draft:
        """The draft; with subject findings, the verdict is theirs: answered when one of
        them answers the question asked (so the flag and the opening always agree)."""
        subject = [f for f in self.findings if f.subject]
        if subject and verdict is not Verdict.DECLINED:
            verdict = Verdict.ANSWERED if any(f.answers for f in subject) else Verdict.NOT_COVERED
        return Draft(verdict, self.kind, tuple(self.blocks), tuple(self.notes), self.regions, tuple(self.findings))
