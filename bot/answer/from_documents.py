"""Questions about a document itself — who issued it, its 文号, the date it was signed
("这份申报指南是哪个部门发的？哪天发布的？", "黟县的文件文号多少？").

The front matter knows these facts, but an answer may only state what a clause says: each
fact is quoted from the text's own header or signature lines (黟政办〔2026〕12号, the
issuing office and date under the text). A document whose text states none of them is
left to the clause composer (a news report names its organisers in its body)."""

from __future__ import annotations

import re

from bot.answer.draft import Bullets, Draft, DraftBuilder, Paragraph, Source, Span, Verdict
from bot.answer.intent import Intent
from bot.answer.templates import Templates
from bot.models import Clause, PolicyDocument
from bot.policy.book import PolicyModel

MAX_DOCUMENTS = 3  # more than this and the question did not say which document
SIGNATURE_LINE = 40  # a header or signature line is short; longer lines are body text


class DocumentComposer:
    def __init__(self, model: PolicyModel, templates: Templates) -> None:
        self.model = model
        self.t = templates

    def documents(self, intent: Intent) -> list[PolicyDocument]:
        """The current documents the question is about: of the regions it names (or whose
        title it quotes), narrowed by a document kind it names (申报指南, 征求意见稿 …)."""
        docs = [d for d in self.model.documents.values() if d.is_current]
        if intent.regions:
            scope = {r for key in intent.regions for r in self.model.regions.scope(key)}
            own = [d for d in docs if d.region_key in intent.regions]
            docs = own or [d for d in docs if d.region_key in scope]
        named = [d for d in docs if d.status.value in intent.text or any(
            w in intent.text and w in d.title for w in re.findall(r"[\u4e00-\u9fff]{2,}", d.status.value))]
        return named or docs

    def compose(self, intent: Intent) -> Draft | None:
        docs = self.documents(intent)
        if not docs or len(docs) > MAX_DOCUMENTS:
            return None
        facts = [(d, self.facts(d)) for d in docs]
        facts = [(d, f) for d, f in facts if f]
        if not facts:
            return None
        draft = DraftBuilder("documents", tuple(dict.fromkeys(d.region_key for d, _ in facts)))
        for doc, found in facts:
            items = [Paragraph((Span(self.t(f"document_{what}")), Span(line, Source(clause_id, line))))
                     for what, clause_id, line in found]
            items.append(Paragraph.of(self.t("document_status", status=doc.status.value)))
            missing = [self.t(f"document_{what}_name") for what in ("issuer", "number", "date")
                       if what not in {w for w, _, _ in found}]
            draft.add(Bullets(self.t("document_lead", title=doc.title), tuple(items)))
            if missing:
                draft.note(self.t("document_missing", title=doc.title, what="、".join(missing)))
        return draft.build(Verdict.ANSWERED)

    def unsigned(self, intent: Intent) -> Paragraph | None:
        """For a text with no header or signature to quote (a news report): its title, and
        that the issuer and date are not given as such — the clauses answer the rest."""
        docs = self.documents(intent)
        if not docs or len(docs) > MAX_DOCUMENTS:
            return None
        return Paragraph.of(self.t("document_unsigned", titles="、".join(d.title if d.title.startswith("《") else f"《{d.title}》" for d in docs)))

    def facts(self, doc: PolicyDocument) -> list[tuple[str, str, str]]:
        """(what, clause id, verbatim line) for the issuer, 文号 and date the text states."""
        lines = [(c, line.strip()) for c in self.model.clauses if c.doc_id == doc.id and c.chunk_id == c.clause_id
                 for line in c.text.splitlines() if 0 < len(line.strip()) <= SIGNATURE_LINE or _note(line)]
        found: list[tuple[str, str, str]] = []
        issuers = [p for p in re.split(r"[、，,]", doc.issuer) if p.strip()]
        signature = self._signature(lines, doc)
        for part in issuers:
            # signed on a line of its own, beside a co-signer ("甲局　　乙局"), or in the
            # note under the title ("（2026年2月26日甲委员会印发　…）")
            hit = next(((c, line) for c, line in signature if part in _signers(line)), None) or \
                next(((c, line) for c, line in lines if part in _signers(line)), None) or \
                next(((c, part) for c, line in lines[:3] if part in line), None)  # the note under the title
            if hit:
                found.append(("issuer", hit[0].clause_id, hit[1]))
        if doc.doc_number:
            hit = next(((c, line) for c, line in lines if doc.doc_number in line), None) or next(
                ((c, doc.doc_number) for c in self.model.clauses if c.doc_id == doc.id and doc.doc_number in c.text), None)
            if hit:  # a long line (a note, a report's sentence) is quoted as the number alone
                found.append(("number", hit[0].clause_id, doc.doc_number if _note(hit[1]) else hit[1]))
        date = _chinese_date(doc.date)
        if date:
            hit = next(((c, line) for c, line in lines if line == date), None) or \
                next(((c, line) for c, line in reversed(lines) if date in line), None)
            if hit:
                found.append(("date", hit[0].clause_id, date if _note(hit[1]) else hit[1]))
        return found

    @staticmethod
    def _signature(lines: list[tuple[Clause, str]], doc: PolicyDocument) -> list[tuple[Clause, str]]:
        """The lines just above the signing date (the issuing offices sign there)."""
        date = _chinese_date(doc.date)
        for i in range(len(lines) - 1, -1, -1):
            if date and date in lines[i][1]:
                return lines[max(0, i - 4):i]
        return []


def _note(line: str) -> bool:
    """A note under the title: "（2026年2月26日…委员会印发　…〔2026〕5号）"."""
    line = line.strip()
    return len(line) <= 2 * SIGNATURE_LINE and line.startswith(("（", "(")) and line.endswith(("）", ")")) \
        and bool(re.search(r"印发|发布|公布", line))


def _signers(line: str) -> list[str]:
    """The bodies a signature line names: "甲局　　乙局" → [甲局, 乙局]."""
    return [p for p in re.split(r"\s{2,}|\u3000+", line.strip()) if p]


def _chinese_date(iso: str) -> str | None:
    """'2026-03-16' → '2026年3月16日' (a bare year says no date)."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(iso).strip())
    return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日" if m else None
