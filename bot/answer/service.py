"""The answer service: the one entry point the CLI, the HTTP API, the UI and evals call.

``PolicyBot.build()`` loads the knowledge and the policy model, brings the vector index
up to date (building it on first use) and wires the stages; ``PolicyBot.ask()`` runs

    understand → route → compose → dress (caveats) → render → guard

and returns an :class:`~bot.models.Answer`. The guard runs last, on exactly the text
that is sent; an answer that fails it is replaced by a plain refusal.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.answer.caveats import Caveats, claimed_figures
from bot.answer.declines import Declines
from bot.answer.draft import Draft, DraftBuilder, Paragraph, Verdict
from bot.answer.evidence import TermWeights
from bot.answer.from_clauses import ClauseComposer
from bot.answer.from_documents import DocumentComposer
from bot.answer.from_sites import SiteComposer
from bot.answer.from_table import TableComposer
from bot.answer.intent import Ask, Intent, Understand
from bot.answer.render import Rendered, render
from bot.answer.route import Route, route
from bot.answer.rows import office_note
from bot.answer.templates import Templates, get_templates
from bot.answer.verify import guard
from bot.config import Settings, apply_offline_env, get_settings
from bot.errors import InvalidQuestion
from bot.index.bm25 import BM25Index
from bot.index.build import Corpus, load_corpus, open_store, sync_index
from bot.index.store import SyncReport
from bot.index.text import get_tokenizer
from bot.models import Answer, Citation
from bot.policy.book import PolicyModel
from bot.policy.eligibility import MeasureVerdict, ProducerProfile
from bot.retrieve.hybrid import Hit, HybridRetriever

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A typed word this common in general Chinese is a word, not a typo of a place name
# (伤害 is not 上海); rarer dictionary entries (the river 渠江) may still be typos.
COMMON_NAME_FREQ = 100


@dataclass
class CheckResult:
    """A 补贴测算 report: verdicts per measure (with their reasons worded), the report text
    and its citations."""

    verdicts: list[MeasureVerdict]
    report: str
    citations: list[Citation]
    reasons: dict[str, list[str]]  # measure id → failing conditions / what to confirm


class MeasureService:
    """The subsidy table as a service for `bot check`, /api/check and the web form."""

    def __init__(self, bot: PolicyBot) -> None:
        self._bot = bot
        self.measures = bot.model.measures

    def check(self, profile: ProducerProfile) -> tuple[list[MeasureVerdict], str, list[Citation]]:
        result = self._bot.check(profile)
        return result.verdicts, result.report, result.citations


class PolicyBot:
    def __init__(self, settings: Settings, corpus: Corpus, retriever: HybridRetriever,
                 sync_report: SyncReport | None = None) -> None:
        self.settings = settings
        self.corpus = corpus
        self.retriever = retriever
        self.sync_report = sync_report
        tokenizer = retriever.bm25.tokenizer
        self.model = PolicyModel.load(settings.knowledge_dir, corpus.documents, corpus.clauses,
                                      is_word=lambda w: tokenizer.general_frequency(w) >= COMMON_NAME_FREQ,
                                      cut=tokenizer.cut)
        self.templates: Templates = get_templates(settings.prompts_dir)
        uncovered = {k: list(t.terms) for k, t in self.model.topics.topics.items()
                     if not self.model.measures_for(self.model.regions.keys, [k])}
        self.weights = TermWeights(corpus.clauses, tokenizer, self.model.lexicon, uncovered)
        embeddings = retriever.store.embeddings
        self.model.topics.use_embeddings(embeddings.embed_query, embeddings.embed_documents)
        self.understand = Understand(self.model, self.weights.correct_typos,
                                     lambda text: self.weights.terms(text, set(self.model.regions.name_index)),
                                     lambda word: word in self.weights.df, settings.topic_margin)
        self.tables = TableComposer(self.model, self.templates, self.weights)
        self.sites = SiteComposer(self.model, self.templates, self.weights)
        self.clauses = ClauseComposer(self.model, self.templates, self.weights)
        self.documents = DocumentComposer(self.model, self.templates)
        self.declines = Declines(self.model, self.templates)
        self.caveats = Caveats(self.model, self.templates)
        self.measures = MeasureService(self)
        self.guard_failures: Counter[str] = Counter()

    @classmethod
    def build(
        cls,
        settings: Settings | None = None,
        rebuild: bool = False,
        on_start: Callable[[int], None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> PolicyBot:
        """Load knowledge and index (embedding whatever is new or changed)."""
        apply_offline_env()
        settings = settings or get_settings()
        corpus = load_corpus(settings)
        store = open_store(settings)
        report = sync_index(settings, corpus, store, rebuild, on_start, progress)
        tokenizer = get_tokenizer(settings.knowledge_dir)
        retriever = HybridRetriever(
            store=store,
            bm25=BM25Index(corpus.clauses, tokenizer),
            clauses={c.chunk_id: c for c in corpus.clauses},
            k=settings.retrieval_k,
            candidate_k=settings.candidate_k,
            fusion=settings.fusion,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
        )
        return cls(settings, corpus, retriever, report)

    # ------------------------------------------------------------------ asking
    def validate(self, question: object) -> str:
        if not isinstance(question, str):
            raise InvalidQuestion(self.templates("error_not_text"))
        text = CONTROL.sub("", question).strip()
        if not text:
            raise InvalidQuestion(self.templates("error_empty"))
        if len(text) > self.settings.max_question_chars:
            raise InvalidQuestion(self.templates("error_too_long", length=len(text),
                                                 limit=self.settings.max_question_chars))
        return text

    def ask(
        self,
        question: str,
        *,
        id: str | None = None,
        region: str | None = None,
        k: int | None = None,
        history: list[dict] | None = None,
    ) -> Answer:
        """Answer one question. Raises :class:`~bot.errors.InvalidQuestion` for unusable input."""
        start = time.perf_counter()
        text = self.validate(question)
        intent = self.understand(text, history, region)
        timings = {"understand_ms": (time.perf_counter() - start) * 1000}
        retrieved: list[str] = []
        t0 = time.perf_counter()
        draft = self.compose(intent, k, timings, retrieved)
        draft = self.caveats.dress(intent, draft)
        t1 = time.perf_counter()
        rendered = render(draft, self.model, intent.english and draft.answerable, self.templates("english_note"))
        answerable = draft.answerable
        checked = guard(rendered.text, rendered.citations, self.model.clause_texts, text, self._allowed())
        if not checked.ok:
            # Never let an unverifiable statement out: an honest refusal instead.
            for problem in checked.problems:
                self.guard_failures[problem.split(":")[0]] += 1
            log.warning("answer failed the guard (%s), refusing: %r", "; ".join(checked.problems), text)
            draft = self._fallback(intent)
            rendered = render(draft, self.model)
            answerable = False
        timings["compose_ms"] = (t1 - t0) * 1000 - timings.get("retrieve_ms", 0.0)
        timings["render_ms"] = (time.perf_counter() - t1) * 1000
        return Answer(
            id=id,
            question=text,
            answer=rendered.text,
            answerable=answerable,
            citations=rendered.citations,
            region=intent.region,
            latency_ms=round((time.perf_counter() - start) * 1000, 2),
            kind=draft.kind,
            table=rendered.table,
            assumed=self._assumed(intent),
            retrieved=list(dict.fromkeys(retrieved)),
            timings_ms={k_: round(v, 2) for k_, v in timings.items()},
        )

    def compose(self, intent: Intent, k: int | None = None, timings: dict[str, float] | None = None,
                retrieved: list[str] | None = None) -> Draft:
        """The composer the route picks, on this intent."""
        timings = timings if timings is not None else {}
        claimed = claimed_figures(intent, self.model)
        which = route(intent, unverified=any(f not in self.model.figures for f in claimed))
        if which is Route.INJECTION:
            return self.declines.decline("injection")
        if which is Route.OFFTOPIC:
            return self.declines.decline("offtopic")
        if which is Route.UNVERIFIED:
            return self.declines.unverified(intent)
        if which is Route.UNCOVERED_PLACE:
            return self.declines.uncovered_place(intent)
        if which is Route.COMPARE:
            return self.tables.compare(intent)
        if which is Route.SCENARIO:
            return self.tables.scenario(intent)
        if which is Route.TABLE:
            return self.tables.list(intent)
        if which is Route.SITES:
            return self.sites.compose(intent)
        if which is Route.DOCUMENT and (about := self.documents.compose(intent)) is not None:
            return about
        t0 = time.perf_counter()
        # how-to questions (deadline, phone, materials …) look deeper: the one clause that
        # states a deadline ranks below clauses that merely repeat 申报
        depth = k or (self.settings.retrieval_k * 2 if intent.ask is Ask.HOWTO else self.settings.retrieval_k)
        hits = self.search(intent, depth, timings)
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        if retrieved is not None:
            retrieved.extend(_interleave(hits))
        draft = self.clauses.compose(intent, hits)
        if which is Route.DOCUMENT and (title := self.documents.unsigned(intent)) is not None:
            draft = replace(draft, blocks=(title, *draft.blocks))
        return draft

    def _fallback(self, intent: Intent) -> Draft:
        draft = DraftBuilder("guard")
        draft.add(Paragraph.of(self.templates("guard_fallback")))
        draft.note(office_note(self.model, self.templates, intent.regions))
        draft.note(self.templates("coverage", regions=self.model.regions.covered()))
        return draft.build(Verdict.NOT_COVERED)

    def _allowed(self) -> list[str]:
        """Knowledge text an answer may repeat besides its quotes (names, titles, offices)."""
        book = self.model.regions
        return [book.covered(), *(r.label for r in book.regions.values()),
                *(d.title for d in self.model.documents.values()), *self.model.offices([]),
                *(t.name for t in self.model.topics.topics.values()),
                *(m.title for m in self.model.measures), *(s.name for s in self.model.sites)]

    def _assumed(self, intent: Intent) -> dict[str, str]:
        f = intent.followup
        if f is None:
            return {}
        out = {}
        if f.regions:
            out["region"] = "、".join(self.model.regions.label(r) for r in f.regions)
        if f.topics:
            out["topic"] = "、".join(self.model.topics.name(t) for t in f.topics)
        return out

    # ------------------------------------------------------------------ retrieval
    def search(self, intent: Intent, k: int, timings: dict[str, float]) -> dict[str | None, list[Hit]]:
        """Hits per region the question names (or one unfiltered search)."""
        hits_by_region: dict[str | None, list[Hit]] = {}
        for region in intent.regions or (None,):
            scope = self.model.regions.scope(region) if region else None
            # Within a region filter the region's name only favours clauses that repeat it.
            query = intent.query_text if scope else intent.search_text
            result = self.retriever.search(query, k, scope)
            hits_by_region[region] = result.hits + self._status_hits(intent, scope, result.hits)
            for name, value in result.timings_ms.items():
                timings[name] = timings.get(name, 0.0) + value
        return hits_by_region

    def _status_hits(self, intent: Intent, scope: list[str] | None, hits: list[Hit]) -> list[Hit]:
        """For "is it in force / valid?" questions, the clauses that state validity."""
        if intent.ask is not Ask.STATUS and not intent.asks & {"status", "duration"}:
            return []
        have = {h.clause.chunk_id for h in hits}
        validity = self.model.lexicon.facts["validity"]
        period = self.model.lexicon.facts["period"]
        return [Hit(c, 0.0) for c in self.corpus.clauses
                if (not scope or c.region in scope) and c.chunk_id not in have
                and (validity.search(c.text) or period.search(c.text))]

    def retrieve(self, question: str, k: int = 10, history: list[dict] | None = None) -> list[str]:
        """Clause ids the answerer would look at, best first (for retrieval metrics)."""
        intent = self.understand(self.validate(question), history)
        return _interleave(self.search(intent, k, {}))

    # ------------------------------------------------------------------ 补贴测算
    def check(self, profile: ProducerProfile) -> CheckResult:
        draft = self.tables.report(profile)
        draft = self.caveats.dress(Intent(question="", text="", topic_text="", ask=Ask.SCENARIO), draft)
        rendered: Rendered = render(draft, self.model)
        verdicts = self.tables.verdicts(profile)
        reasons = {v.measure.id: [self.tables.reason(r) for r in v.reasons] for v in verdicts}
        return CheckResult(verdicts, rendered.text, rendered.citations, reasons)


def _interleave(hits_by_region: dict) -> list[str]:
    """Clause ids of several regions' rankings, alternating, duplicates removed."""
    rankings = [[h.clause.clause_id for h in hits] for hits in hits_by_region.values()]
    merged: list[str] = []
    for i in range(max((len(r) for r in rankings), default=0)):
        merged.extend(r[i] for r in rankings if i < len(r))
    return list(dict.fromkeys(merged))
