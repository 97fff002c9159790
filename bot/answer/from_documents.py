"""Questions about a document itself — who issued it, its 文号, the date it was signed
("这份申报指南是哪个部门发的？哪天发布的？", "黟县的文件文号多少？") — and what kind of
text it is and how long it runs ("这个办法是试行的吗？有效期多久？").

The front matter knows these facts, but an answer may only state what a clause says: each
fact is quoted from the text's own header or signature lines (黟政办〔2026〕12号, the
issuing office and date under the text). A document whose text states none of them is
left to the clause composer (a news report names its organisers in its body)."""

from __future__ import annotations

import re

from bot.answer.draft import Bullets, Draft, DraftBuilder, Found, Paragraph, Source, Span, Verdict
from bot.answer.evidence import sentences
from bot.answer.intent import Intent
from bot.answer.templates import Templates
from bot.models import Clause, DocStatus, PolicyDocument
from bot.policy.book import PolicyModel

MAX_DOCUMENTS = 3  # more than this and the question did not say which document
PLAN_PERIOD = re.compile(r"（(\d{4}—\d{4}年)）")  # a plan period a title states
SIGNATURE_LINE = 40  # a header or signature line is short; longer lines are body text


class DocumentComposer:
    def __init__(self, model: PolicyModel, templates: Templates) -> None:
        self.model = model
        self.t = templates

    def documents(self, intent: Intent, by_kind: bool = True) -> list[PolicyDocument]:
        """The current documents the question is about: of the regions it names (or whose
        title it quotes), narrowed by a document kind it names (申报指南, 征求意见稿 …) unless
        ``by_kind`` is off (a status question names kinds to ask which one it is)."""
        docs = [d for d in self.model.documents.values() if d.is_current]
        if intent.regions:
            scope = {r for key in intent.regions for r in self.model.regions.scope(key)}
            own = [d for d in docs if d.region_key in intent.regions]
            docs = own or [d for d in docs if d.region_key in scope]
        if not intent.regions:  # "这个指南…": the texts whose titles call themselves so
            nouns = set(self.model.lexicon.intent_patterns["doc_noun"].findall(intent.text))
            docs = [d for d in docs if any(n in d.title for n in nouns)] or docs
        if not by_kind:
            return docs
        named = [d for d in docs if d.status.value in intent.text or any(
            w in intent.text and w in d.title for w in re.findall(r"[\u4e00-\u9fff]{2,}", d.status.value))]
        return named or docs

    def no_such(self, intent: Intent) -> Draft | None:
        """"这个指南的文号是多少？" when no current text's title is a 指南 (and no place is
        named): there is no such text here — said, with the texts there are."""
        kinds = set(self.model.lexicon.intent_patterns["doc_only_noun"].findall(intent.text))
        docs = [d for d in self.model.documents.values() if d.is_current]
        if intent.regions or not kinds or any(k in d.title for k in kinds for d in docs):
            return None
        draft = DraftBuilder("documents:none")
        draft.find(Found.NOT_IN_TEXTS, "", self.t("no_such_document", kind="、".join(sorted(kinds))))
        draft.note(self.t("coverage", regions=self.model.regions.covered()))  # what the texts there are cover
        return draft.build(Verdict.NOT_COVERED)

    def compose(self, intent: Intent) -> Draft | None:
        if (none := self.no_such(intent)) is not None:
            return none
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
            # (a sentence quoted for the number that says who issued it — "…办公室印发《X》（…号）" — answers that too)
            stated = {w for w, _, _ in found} | {"issuer" for w, _, line in found if w == "number" and ISSUED.search(line)}
            missing = [self.t(f"document_{what}_name") for what in ("issuer", "number", "date") if what not in stated]
            draft.add(Bullets(self.t("document_lead", title=_quoted_title(doc.title)), tuple(items)))
            if missing:
                draft.note(self.t("document_missing", title=_quoted_title(doc.title), what="、".join(missing)))
        return draft.build(Verdict.ANSWERED)

    def status(self, intent: Intent) -> Draft | None:
        """"是正式的还是试行的？什么时候施行，有效期多久？": each document's kind first (from
        its record: 征求意见稿, 试行, 新闻报道 …), then its validity in its own words, quoted.
        A question that names no place did not say which document: every current one is
        answered, one line each. A place whose texts state no dates of their own (a news
        report, an article) is left to the clauses, which say what the report says."""
        if (none := self.no_such(intent)) is not None:
            return none
        docs = self.documents(intent, by_kind=False)
        dated = {d.id: self._validity(d) for d in docs}  # (each text read once for this answer)
        if not docs or (intent.regions and not any(dated[d.id] and not d.is_draft for d in docs)):
            # a report or an article about the place: its clauses tell what it says; a draft
            # for comment: the caveats open with that, then its clauses
            return None
        # what the header of a text that states no dates gives instead: its number and signing date
        signed = {d.id: [f for f in self.facts(d) if f[0] in ("number", "date")]
                  for d in docs if dated[d.id] is None and not PLAN_PERIOD.search(d.title)}
        draft = DraftBuilder("status", tuple(dict.fromkeys(d.region_key for d in docs)))
        dates_asked = bool(intent.asks & DATE_ASKS)
        lines = tuple(self._status_line(d, intent.asks, dated[d.id], signed.get(d.id, [])) for d in docs)
        if len(lines) == 1:
            draft.add(lines[0])
        else:
            draft.add(Bullets(self.t("status_which", n=len(lines)) if not intent.regions else None, lines))
        # "有效期多久？" of texts that state no dates: not answered (the kind alone was not asked)
        kind_asked = self.model.lexicon.intent_patterns["doc_kind"].search(intent.text.lower())
        unanswered = dates_asked and not kind_asked and not any(
            self._answers_when(d, intent.asks, dated[d.id], signed.get(d.id, [])) for d in docs)
        return draft.build(Verdict.NOT_COVERED if unanswered else Verdict.ANSWERED)

    @staticmethod
    def asks_beyond_status(intent: Intent) -> bool:
        """"有效期多久？要交什么材料？": a status question that also asks something else (a
        facet or a topic), which the clauses answer after the status lines."""
        return bool(intent.asks - STATUS_ASKS or intent.topics)

    @staticmethod
    def _answers_when(doc: PolicyDocument, asks: frozenset[str], found: tuple[str, str] | None,
                      header: list[tuple[str, str, str]]) -> bool:
        """Its text says when it runs (``found``, or its title the period); else, for
        "什么时候出的" but not for "有效期多久", the date its ``header`` says it was signed."""
        if found is not None or PLAN_PERIOD.search(doc.title):
            return True
        return "duration" not in asks and any(what == "date" for what, _, _ in header)

    def _validity(self, doc: PolicyDocument) -> tuple[str, str] | None:
        return self.validity(doc) if doc.status is not DocStatus.ARTICLE else None  # (an article's dates are others')

    def _status_line(self, doc: PolicyDocument, asks: frozenset[str], found: tuple[str, str] | None,
                     header: list[tuple[str, str, str]]) -> Paragraph:
        """"《…》：试行文件；原文写明“本措施自…起施行，有效期…”[n]。" — a text that states no
        dates (``found`` None) gives its ``header``'s number and signing date instead; that it
        states none of when it runs is said only when that was asked."""
        kind = self.t(f"status_kind_{STATUS_KEYS[doc.status]}")
        head = Span(self.t("status_line", title=_quoted_title(doc.title), kind=kind))
        period = PLAN_PERIOD.search(doc.title)
        if found is None and period:  # "…实施方案（2025—2027年）": the title states the period
            return Paragraph((head, Span(self.t("status_title_period", period=period.group(1)))))
        if found is None:  # what its header states instead: its number and the date it was signed
            spans = [Span("；" + self.t(f"status_{what}", line=line), Source(clause_id, line))
                     for what, clause_id, line in header]
            said = "status_no_validity" if asks & DATE_ASKS and not self._answers_when(doc, asks, found, header) \
                else "status_end"
            if not spans:
                return Paragraph((head, Span(self.t(said))))
            lead = [Span(self.t(said).rstrip("。"))] if said == "status_no_validity" else []
            return Paragraph((head, *lead, *spans, Span("。")))
        clause_id, sentence = found
        return Paragraph((head, Span(self.t("status_validity", sentence=sentence.rstrip("。"))),
                          Span("", Source(clause_id, sentence)), Span("。")))

    def validity(self, doc: PolicyDocument) -> tuple[str, str] | None:
        """(clause id, sentence) of the first sentence of the text that states when it
        takes effect or how long it runs ("本措施自…起施行，有效期…"), its item number left off."""
        found = validity_sentence(self.model, doc.id)
        return (found[0], ENUMERATOR.sub("", found[1].strip())) if found else None

    def unsigned(self, intent: Intent) -> Paragraph | None:
        """For a text with no header or signature to quote (a news report): its title, and
        that the issuer and date are not given as such — a note after what its clauses say."""
        docs = self.documents(intent)
        if not docs or len(docs) > MAX_DOCUMENTS:
            return None
        return Paragraph.of(self.t("document_unsigned", titles="、".join(_quoted_title(d.title) for d in docs)))

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
            # on a line of its own, else the sentence that cites it ("…办公室印发《X》（…9号）": who issued it too)
            hit = next(((c, line) for c, line in lines if doc.doc_number in line), None) or next(
                ((c, next((s.strip() for s in sentences(c.text) if doc.doc_number in s), doc.doc_number)) for c in self.model.clauses
                 if c.doc_id == doc.id and doc.doc_number in c.text), None)
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


ISSUED = re.compile(r"[局厅委室府会]\S{0,4}(?:联合)?(?:印发|发布|出台)《")
ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])\s*")
DATE_ASKS = frozenset({"duration", "date"})
STATUS_ASKS = frozenset({"status", "duration", "date", "support"})  # what a status line answers
STATUS_KEYS = {DocStatus.FINAL: "final", DocStatus.TRIAL: "trial", DocStatus.DRAFT: "draft", DocStatus.NEWS: "news",
               DocStatus.PRESS: "press", DocStatus.ARTICLE: "article", DocStatus.GUIDE: "guide",
               DocStatus.INTERPRETATION: "interpretation"}


def validity_sentence(model: PolicyModel, doc_id: str) -> tuple[str, str] | None:
    """(clause id, sentence as written) of the first sentence of a document that says when
    it takes effect or how long it runs (the lexicon's validity fact)."""
    stated = model.lexicon.facts["validity"]
    for clause in model.clauses:
        if clause.doc_id == doc_id:
            sentence = next((s for s in sentences(clause.text) if stated.search(s)), None)
            if sentence:
                return clause.clause_id, sentence
    return None


def _quoted_title(title: str) -> str:
    return title if title.startswith("《") else f"《{title}》"


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
