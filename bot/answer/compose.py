"""The grounded, extractive answerer: no LLM, no key, every statement quoted.

Given an analysed question and the retrieved clauses of each region it names, the
composer picks the sentences that answer each part of the question, decides whether
the evidence really answers what was asked (a deadline needs a deadline, an amount an
amount; a measure that sets no figure is answered as such), and builds a
:class:`Draft`: statements, each tied to a citation, plus notes on document status.
Rendering to text happens after the citations have been verified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answer.evidence import (
    MONEY,
    RATIO,
    SUPPORT,
    Evidence,
    TermWeights,
    has_fact,
    rank_sentences,
    sentences,
)
from bot.answer.templates import Templates
from bot.models import Citation, Clause, PolicyDocument
from bot.retrieve.hybrid import Hit
from bot.retrieve.query import ASK_PATTERNS, Question, RegionBook

MIN_COVERAGE = 0.35  # share of the question's term weight the evidence must contain
STRICT_ASKS = ("deadline", "form", "contact", "address", "process")
FACT_ASKS = ("date", "count", "duration")  # needed in the evidence
PREFERRED_ASKS = ("office",)  # preferred in the evidence when some sentence has it
MAX_LIST = 4
MAX_ITEMS = 10
# A list item that starts with its own name: "“跟着微短剧来科普”创作计划：…", "文旅赋能：…".
LIST_ITEM = re.compile(r"^[^。：:，]{2,24}[：:]")
# "有哪些计划 / 哪五大工程 / 包括哪些": the user wants the whole list.
LIST_QUESTION = re.compile(r"哪些|哪几|几大|几项|哪[一二三四五六七八九十]|都有什么|包括什么|有什么.{0,3}(计划|工程|措施|行动)|what are|which")
ITEM_LABEL = re.compile(r"(\([一二三四五六七八九十\d]+是?\)|[①-⑳])$")
PART_SPLIT = re.compile(r"[？?；;]|另外|此外|以及|同时")
ACTUAL_COST = re.compile(r"实际发生")
PLAN_PERIOD = re.compile(r"（(\d{4}—\d{4}年)）")


def _parent_key(clause: Clause) -> tuple | None:
    """What makes clauses items of one list: numbered items of one parent, or named
    paragraphs ("X：…") of one section."""
    m = ITEM_LABEL.search(clause.label)
    if m:
        return (clause.doc_id, clause.label[: m.start()])
    if clause.label.startswith("段") and LIST_ITEM.match(clause.text):
        return (clause.doc_id, tuple(clause.heading_path))
    return None


@dataclass
class Statement:
    text: str  # a verbatim sentence of ``clause``
    clause: Clause
    region: str | None = None


@dataclass
class DraftNotice:
    """"This is a draft" — rendered with the citation of the clause that states validity."""

    title: str
    clause: Clause
    sentence: str  # verbatim, e.g. 本意见自公布之日起施行，有效期1年。


@dataclass
class Draft:
    answerable: bool
    kind: str
    statements: list[Statement] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)  # sentences before the statements
    notes: list[str | DraftNotice] = field(default_factory=list)  # sentences after the statements
    related: list[Statement] = field(default_factory=list)  # cited context of a refusal


@dataclass(frozen=True)
class Gap:
    """Something a question asks that the evidence does not give: a kind of fact
    (``what``: 申报截止时间) or a whole sentence (no document covers the place / topic)."""

    what: str | None = None
    sentence: str | None = None


@dataclass
class Part:
    text: str
    asks: set[str]
    terms: dict[str, float]


class Composer:
    def __init__(
        self,
        templates: Templates,
        weights: TermWeights,
        documents: dict[str, PolicyDocument],
        regions: RegionBook,
        clauses: list[Clause],
    ) -> None:
        self.t = templates
        self.weights = weights
        self.documents = documents
        self.regions = regions
        self.clauses = clauses
        self.place_words = set(regions.aliases) | set(regions.groups) | set(regions.uncovered)

    # ----------------------------------------------------------------- declines
    def decline(self, kind: str) -> Draft:
        """Off-topic or prompt-extraction requests: short, fixed, no evidence."""
        return Draft(False, kind, lead=[self.t(kind), self.coverage()])

    def coverage(self) -> str:
        return self.t("coverage", regions=self.regions.covered())

    def offices(self, regions: list[str]) -> str:
        names: list[str] = []
        for doc in self.documents.values():
            if not regions or doc.region_key in regions:
                names.extend(o for o in doc.offices if o not in names)
        return self.t("ask_office", offices="或".join(names)) if names else self.t("ask_office_generic")

    def uncovered_place(self, q: Question) -> Draft:
        place = "、".join(q.uncovered)
        return Draft(False, "refusal", lead=[self.t("not_covered_place", place=place)],
                     notes=[self.coverage(), self.t("ask_office_generic")])

    # ----------------------------------------------------------------- answers
    def parts(self, q: Question) -> list[Part]:
        """Sub-questions: "投资多少？在哪个片区？" asks two things about one topic."""
        drop = self.place_words
        text = q.topic_text or q.search_text
        pieces = [p for p in PART_SPLIT.split(q.topic) if p.strip()] or [text]
        whole = self.weights.terms(text, drop)
        result: list[Part] = []
        for piece in pieces:
            lowered = piece.lower()
            asks = {name for name, pattern in ASK_PATTERNS.items() if pattern.search(lowered)}
            terms = self.weights.terms(piece, drop)
            if not terms and not asks:
                continue
            # A part that names no topic of its own ("在哪个片区？") asks about the whole.
            result.append(Part(piece, asks or set(q.asks), terms or whole))
        if len(result) > 1:
            result = [p for p in result if p.terms]
        return result or [Part(text, set(q.asks), whole)]

    def compose(self, q: Question, hits_by_region: dict[str | None, list[Hit]]) -> Draft:
        statements: list[Statement] = []
        missing: list[Gap] = []
        decisive = False
        no_figure: list[Evidence] = []
        related: list[Statement] = []
        parts = self.parts(q)
        for region, hits in hits_by_region.items():
            if not hits:
                missing.append(Gap(sentence=self.t("not_covered_place", place=self.regions.labels.get(region, region))))
                continue
            for part in parts:
                chosen, lack, nofig, blocking = self._answer_part(part, hits)
                decisive = decisive or blocking
                if chosen:
                    statements.extend(Statement(e.sentence, e.clause, region) for e in chosen)
                    no_figure.extend(nofig)
                else:
                    missing.extend(lack)
                    best = rank_sentences(part.terms, set(), hits, self.weights.colloquial)
                    if best and best[0].coverage > 0 and not related:
                        related.append(Statement(best[0].sentence, best[0].clause, region))
        statements = _in_reading_order(_dedupe(statements))
        if decisive and statements:
            # What was answered becomes context of the refusal, not an answer.
            related, statements = statements[:2], []
        if not statements:
            return self.refusal(missing, related, list(hits_by_region))
        draft = Draft(True, "no_figure" if no_figure and len(no_figure) == len(statements) else "answer",
                      statements=statements)
        if no_figure:
            detail = ""
            if any(ACTUAL_COST.search(e.sentence) for e in no_figure):
                detail = self.t("no_figure_actual")
            elif any("相应" in e.sentence for e in no_figure):
                detail = self.t("no_figure_related")
            draft.notes.append(self.t("no_figure", detail=detail))
        for gap in dict.fromkeys(missing):
            draft.notes.append(gap.sentence or self.t("part_not_covered", what=gap.what))
        self._status_notes(draft)
        return draft

    def _answer_part(self, part: Part, hits: list[Hit]) -> tuple[list[Evidence], list[Gap], list[Evidence], bool]:
        """(chosen sentences, what is missing, sentences that set no figure, whether the
        gap is decisive: a deadline / form / phone, or a kind of support the texts lack,
        makes the whole question unanswered even if another part is answered)."""
        ranked_all = rank_sentences(part.terms, part.asks, hits, self.weights.colloquial)
        # A deadline, form, phone… must be in the evidence itself: a clause on the same
        # topic is not an answer.
        for ask in STRICT_ASKS:
            if ask in part.asks and not any(has_fact(ask, e.sentence) for e in ranked_all[:5]):
                return [], [Gap(what=self.t.missing(ask))], [], True
        # A rare word the clauses never use (片酬, 租, 2028) is the point of the question:
        # evidence that lacks it does not answer it.
        unknown = [w for w in part.terms if self.weights.is_unknown(w)]
        ranked = [
            e for e in ranked_all
            if e.coverage >= MIN_COVERAGE
            and all(any(v in e.clause.text for v in self.weights.key_topics.get(w, [w])) for w in unknown)
        ]
        if not ranked:
            return [], [Gap(sentence=self.t("not_covered_topic"))], [], bool(unknown)
        for ask in STRICT_ASKS + FACT_ASKS + PREFERRED_ASKS:
            if ask in part.asks:
                with_fact = [e for e in ranked[:5] if has_fact(ask, e.sentence)]
                if ask in PREFERRED_ASKS:
                    if not with_fact:
                        continue
                    with_fact.sort(key=lambda e: -e.coverage)
                if not with_fact:
                    return [], [Gap(what=self.t.missing(ask))], [], False
                ranked = with_fact + [e for e in ranked if e not in with_fact]
                break
        if part.asks & {"amount", "ratio"}:
            # A figure only answers if its sentence is about what was asked, not merely
            # the first number nearby (营收突破4亿 does not answer 取景补贴多少).
            best = ranked[0]
            figures = [e for e in ranked[:5] if (MONEY.search(e.sentence) or RATIO.search(e.sentence))
                       and e.coverage >= best.coverage - 0.1 and e.score >= 0.7 * best.score]
            if figures:
                return self._with_list(part, figures[:1] + [e for e in ranked if e is not figures[0]]), [], [], False
            supported = [e for e in ranked[:3] if SUPPORT.search(e.sentence)]
            if supported:
                chosen = self._with_list(part, supported)
                return chosen, [], chosen, False
            return [], [Gap(what=self.t.missing("amount"))], [], False
        chosen = self._with_list(part, ranked)
        if LIST_QUESTION.search(part.text):
            chosen = self._list_items(chosen)
        return chosen, [], [], False

    def _list_items(self, chosen: list[Evidence]) -> list[Evidence]:
        """For "有哪些…" about a list (①…⑥, 一是…五是, "“…”创作计划：…" items), quote each
        item's lead sentence rather than the few that happened to rank highest — when the
        question is about the items themselves (the best match is a list's lead-in or an
        item's first sentence), not about a detail inside one item."""
        best = chosen[0]
        clause = best.clause
        lead_in = clause.text.rstrip().endswith(("：", ":"))
        if not lead_in and best.sentence != sentences(clause.text)[0]:
            return chosen
        if lead_in:
            parent = clause
            siblings = [c for c in self.clauses if c.doc_id == clause.doc_id and c.chunk_id == c.clause_id
                        and c.label != clause.label and c.label.startswith(clause.label)
                        and ITEM_LABEL.search(c.label)]
        else:
            key = _parent_key(clause)
            siblings = [c for c in self.clauses if c.chunk_id == c.clause_id and key and _parent_key(c) == key]
            parent = next((c for c in self.clauses if key and c.doc_id == clause.doc_id
                           and isinstance(key[1], str) and c.label == key[1]), None)
        siblings = [c for c in siblings if c.region == clause.region]
        if len(siblings) < 3:
            return chosen
        items = []
        if parent is not None:
            intro = sentences(parent.text)[-1]
            if intro.endswith(("：", ":")):
                items.append(Evidence(parent, intro, best.score, best.coverage, best.rank))
        for sibling in siblings[:MAX_ITEMS]:
            items.append(Evidence(sibling, sentences(sibling.text)[0], best.score, best.coverage, best.rank))
        return items

    def _with_list(self, part: Part, ranked: list[Evidence]) -> list[Evidence]:
        """The best sentence, plus close runners-up (more of them for "哪些" questions)."""
        best = ranked[0]
        limit = MAX_LIST if part.asks & {"list", "compare"} or not part.asks else 2
        chosen = [best]
        for e in ranked[1:]:
            if len(chosen) >= limit:
                break
            # Runners-up: the best clause's other sentences if close, other clauses only
            # if nearly as good and as complete — an answer is not a reading list.
            same_clause = e.clause.clause_id == best.clause.clause_id and e.score >= 0.6 * best.score
            close_other = e.score >= 0.85 * best.score and e.coverage >= best.coverage
            if (same_clause or close_other) and e.sentence not in {c.sentence for c in chosen}:
                chosen.append(e)
        return chosen

    def refusal(self, missing: list[Gap], related: list[Statement], regions: list) -> Draft:
        """An honest \"not covered\": what is missing, related context, the office to ask."""
        lead = [gap.sentence or self.t("not_covered_fact", what=gap.what) for gap in dict.fromkeys(missing)]
        draft = Draft(False, "refusal", lead=lead or [self.t("not_covered_topic")], related=related)
        scope = [r for r in regions if r]
        draft.notes.append(self.offices(scope))
        if not related:
            draft.notes.append(self.coverage())
        return draft

    def _status_notes(self, draft: Draft) -> None:
        seen: set[str] = set()
        for statement in draft.statements:
            doc = self.documents[statement.clause.doc_id]
            if doc.id in seen:
                continue
            seen.add(doc.id)
            if doc.is_draft:
                validity = next((c for c in self.clauses if c.doc_id == doc.id and "有效期" in c.text), None)
                if validity:
                    sentence = re.findall(r"[^。]*有效期[^。]*。", validity.text)[0]
                    draft.notes.append(DraftNotice(doc.title, validity, sentence))
            elif doc.status == "新闻报道":
                draft.notes.append(self.t("news_note", title=doc.title))
            elif doc.status == "新闻发布会":
                draft.notes.append(self.t("press_note"))
            elif doc.status == "研究文章":
                draft.notes.append(self.t("article_note"))
            period = PLAN_PERIOD.search(doc.title)
            if period and not doc.is_draft:
                draft.notes.append(self.t("plan_period", period=period.group(1)))


def _in_reading_order(statements: list[Statement]) -> list[Statement]:
    """Sentences of one clause in the order the clause says them; clauses by relevance."""
    first_seen: dict[str, int] = {}
    for i, s in enumerate(statements):
        first_seen.setdefault(s.clause.chunk_id, i)
    return sorted(statements, key=lambda s: (first_seen[s.clause.chunk_id], s.clause.text.find(s.text)))


def _dedupe(statements: list[Statement]) -> list[Statement]:
    seen: set[str] = set()
    result = []
    for s in statements:
        if s.text not in seen:
            seen.add(s.text)
            result.append(s)
    return result


def render(draft: Draft, templates: Templates, english: bool = False) -> tuple[str, list[Citation]]:
    """Answer text with [n] markers and the numbered citations, one per clause."""
    citations: list[Citation] = []
    by_clause: dict[str, Citation] = {}

    def cite(clause: Clause, sentence: str) -> int:
        existing = by_clause.get(clause.clause_id)
        if existing:
            span = _span(clause.text, existing.quote, sentence)
            if span:
                existing.quote = span
                return existing.n
        c = Citation(n=len(citations) + 1, doc_id=clause.doc_id, title=clause.title,
                     clause_id=clause.clause_id, clause=clause.clause, quote=sentence, status=clause.status)
        citations.append(c)
        by_clause.setdefault(clause.clause_id, c)
        return c.n

    lines: list[str] = list(draft.lead)
    if draft.statements:
        regions = list(dict.fromkeys(s.region for s in draft.statements))
        for region in regions:
            body = "".join(f"{s.text}[{cite(s.clause, s.text)}]" for s in draft.statements if s.region == region)
            prefix = templates("lead_region", region=region) if region and len(regions) > 1 else ""
            lines.append(prefix + body)
    for statement in draft.related:
        lines.append(templates("related", text=f"{statement.text}[{cite(statement.clause, statement.text)}]"))
    for note in draft.notes:
        if isinstance(note, DraftNotice):
            n = cite(note.clause, note.sentence)
            lines.append(templates("draft_note", title=note.title, validity=note.sentence.rstrip("。"), n=n))
        else:
            lines.append(note)
    if english:
        lines.append(templates("english_note"))
    return "\n".join(lines), citations


def _span(text: str, a: str, b: str) -> str | None:
    """The shortest verbatim span of ``text`` holding both quotes, if not too long."""
    i, j = text.find(a), text.find(b)
    if i < 0 or j < 0:
        return None
    start, end = min(i, j), max(i + len(a), j + len(b))
    return text[start:end] if end - start <= 320 else None
