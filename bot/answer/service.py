"""The answer service: the one entry point the CLI, the HTTP API, the UI and evals call.

``PolicyBot.build()`` loads the knowledge and the policy model, brings the vector index
up to date (building it on first use) and wires the stages; ``PolicyBot.ask()`` runs

    understand → route → compose → dress (caveats) → [write (LLM)] → render → guard

and returns an :class:`~bot.models.Answer`. The guard runs last, on exactly the text
that is sent; an answer that fails it is replaced by a plain refusal.

With ``BOT_LLM`` set, an answered draft is also handed to the LLM composer
(``bot/answer/llm.py``): its prose is checked (``generated.check_generated``, then the same
guard) and replaced by the extractive answer on any problem, counted in ``llm_counts``.
``PolicyBot.ask_stream()`` yields the text as it is written, then the final answer.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace

from langchain_core.runnables import Runnable

from bot.answer.caveats import Caveats, checks_claim, claimed_figures, counterpart
from bot.answer.check import check
from bot.answer.declines import Declines
from bot.answer.draft import Draft, DraftBuilder, Paragraph, Verdict
from bot.answer.evidence import TermWeights
from bot.answer.from_clauses import STRICT_ASKS, ClauseComposer
from bot.answer.from_documents import DocumentComposer
from bot.answer.from_sets import SetComposer
from bot.answer.from_sites import SiteComposer
from bot.answer.from_table import TableComposer
from bot.answer.generated import Evidence, RegionNames, check_generated
from bot.answer.intent import Ask, Intent, Understand
from bot.answer.llm import (
    Assembly,
    EvidenceItem,
    ExtractiveFallback,
    LLMWriter,
    WriteRequest,
    get_llm_prompts,
    make_chat_model,
)
from bot.answer.render import Rendered, Sections, render, render_sections
from bot.answer.route import Route, route
from bot.answer.rows import office_note
from bot.answer.templates import Templates, get_templates
from bot.answer.verify import guard
from bot.config import Settings, apply_offline_env, get_settings
from bot.conversation import HistoryUse, trim
from bot.errors import InvalidQuestion
from bot.index.bm25 import BM25Index
from bot.index.build import Corpus, load_corpus, open_store, sync_index
from bot.index.store import SyncReport
from bot.index.text import get_tokenizer
from bot.ingest.clean import visible_text
from bot.models import Answer, Citation, DocStatus, Generation
from bot.policy.book import PolicyModel
from bot.policy.eligibility import MeasureVerdict, ProducerProfile, known_values
from bot.retrieve.hybrid import Hit, HybridRetriever

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A typed word this common in general Chinese is a word, not a typo of a place name
# (伤害 is not 上海); rarer dictionary entries (the river 渠江) may still be typos.
COMMON_NAME_FREQ = 100


@dataclass(frozen=True)
class TextDelta:
    """Streamed answer text: append it to what was shown."""

    text: str


@dataclass(frozen=True)
class FinalAnswer:
    """The answer that stands, streamed last. ``replaced``: the text shown so far was
    generated and failed the guard (or the model failed): show ``answer`` instead."""

    answer: Answer
    replaced: bool = False


StreamEvent = TextDelta | FinalAnswer


@dataclass
class _Turn:
    """One question through the deterministic stages (what every composer starts from)."""

    text: str
    intent: Intent
    composed: Draft  # as the routed composer returned it
    draft: Draft  # dressed with the caveats
    start: float
    compose_start: float
    dressed_at: float
    id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    retrieved: list[str] = field(default_factory=list)
    history_used: HistoryUse | None = None


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
        self._composers()
        self.measures = MeasureService(self)
        self.guard_failures: Counter[str] = Counter()
        self.check_failures: Counter[str] = Counter()  # shape problems of composed answers (check.py)
        self._labels = {key: r.label for key, r in self.model.regions.regions.items()}
        self.region_names = RegionNames.from_book(self.model.regions, self.model.gazetteer.find)
        self.writer: LLMWriter | None = None
        self.use_llm(make_chat_model(settings), settings.llm)

    def _composers(self) -> None:
        """The composers, and the registry from route to composer (None: the clauses answer;
        retrieval-based answers are composed in :meth:`compose`)."""
        self.tables = TableComposer(self.model, self.templates, self.weights)
        self.sites = SiteComposer(self.model, self.templates, self.weights)
        self.clauses = ClauseComposer(self.model, self.templates, self.weights)
        self.documents = DocumentComposer(self.model, self.templates)
        self.sets = SetComposer(self.model, self.templates, self.weights)
        self.declines = Declines(self.model, self.templates)
        self.caveats = Caveats(self.model, self.templates)
        self.composers: dict[Route, Callable[[Intent], Draft | None]] = {
            Route.INJECTION: lambda intent: self.declines.decline("injection"),
            Route.OFFTOPIC: lambda intent: self.declines.decline("offtopic"),
            Route.UNVERIFIED: self.declines.unverified,
            Route.UNCOVERED_PLACE: self.declines.uncovered_place,
            Route.OUTSIDE: self.declines.outside_place,
            Route.COMPARE: self.tables.compare,
            Route.SCENARIO: self.tables.scenario,
            Route.TABLE: self.tables.list,
            Route.SITES: self.sites.compose,
            Route.DOCUMENT: self.documents.compose,
            Route.STATUS: self.documents.status,
        }

    # ------------------------------------------------------------------ LLM composer
    def use_llm(self, chat: Runnable | None, backend: str = "custom") -> None:
        """Answer with this chat model from now on (None: extractive answers only).
        The counts of passed / replaced generations start again."""
        self.writer = LLMWriter(chat, get_llm_prompts(self.settings.prompts_dir), backend) if chat is not None else None
        self.llm_counts: Counter[str] = Counter()  # outcome → answers
        self.llm_problems: Counter[str] = Counter()  # guard problem kind → answers

    def llm_report(self) -> dict:
        """The LLM backend and what its answers came to (for /api/health and evals)."""
        if self.writer is None:
            return {"backend": "none"}
        return {"backend": self.writer.backend, "answers": dict(self.llm_counts),
                "guard_problems": dict(self.llm_problems)}

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
        text = visible_text(CONTROL.sub("", question)).strip()
        if not text:
            raise InvalidQuestion(self.templates("error_empty"))
        if len(text) > self.settings.max_question_chars:
            raise InvalidQuestion(self.templates("error_too_long", length=len(text),
                                                 limit=self.settings.max_question_chars))
        return text

    def region_key(self, region: str | None) -> str | None:
        """The covered region a caller names (its key, a name or its pinyin), or None for
        none. Raises :class:`~bot.errors.InvalidQuestion` listing the covered regions."""
        if region is None or not visible_text(region).strip():
            return None
        key = self.model.regions.resolve(visible_text(region).strip())
        if key is None:
            raise InvalidQuestion(self.templates("error_unknown_region", covered=self.model.regions.covered()))
        return key

    def ask(
        self,
        question: str,
        *,
        id: str | None = None,
        region: str | None = None,
        k: int | None = None,
        history: list[dict] | None = None,
        explain: bool = False,
    ) -> Answer:
        """Answer one question. Raises :class:`~bot.errors.InvalidQuestion` for unusable input.
        ``explain``: the answer carries what each stage decided (``Answer.explain``)."""
        turn = self._prepare(question, id, region, k, history)
        if not self._writes(turn):
            answer = self._extractive(turn)
        else:
            final = None
            for event in self._generate(turn, lambda request: [self.writer.invoke(request)]):
                final = event
            answer = final.answer
        return answer.model_copy(update={"explain": self.explained(turn, answer)}) if explain else answer

    def explained(self, turn: _Turn, answer: Answer) -> dict:
        """What each stage decided for one answer (``bot ask --explain``, ``"explain": true``)."""
        intent = turn.intent
        return {
            "frame": {"regions": list(intent.regions), "compared": list(intent.compared),
                      "places": [{"name": p.name, "relation": p.relation.value,
                                  "role": "context" if p.span in intent.context_places else
                                  "origin" if p.origin else "subject", "regions": list(p.regions)}
                                 for p in intent.places],
                      "topics": list(intent.topics), "weak_topics": list(intent.weak_topics), "ask": intent.ask.value,
                      "asks": sorted(intent.asks), "set_size": intent.count,
                      "profile": intent.profile.model_dump(exclude_defaults=True) if intent.profile else None,
                      "follows": {"regions": list(intent.followup.regions), "topics": list(intent.followup.topics)}
                      if intent.followup else None},
            "route": route(intent).value, "composer": turn.composed.kind,
            "findings": [{"kind": f.kind.value, "place": f.place, "facet": f.facet, "subject": f.subject}
                         for f in turn.draft.findings],
            "verdict": turn.draft.verdict.value, "checks": answer.checks,
            "retrieved": answer.retrieved[:10], "timings_ms": answer.timings_ms,
        }

    def ask_stream(
        self,
        question: str,
        *,
        id: str | None = None,
        region: str | None = None,
        k: int | None = None,
        history: list[dict] | None = None,
    ) -> Iterator[StreamEvent]:
        """Answer one question as :class:`TextDelta` events (the text as it is written),
        then one :class:`FinalAnswer` — the text that stands, with its citations. If
        generated text was shown and then failed the guard, the final answer is the
        extractive one with a short note and ``replaced=True``.

        Raises :class:`~bot.errors.InvalidQuestion` here, before anything is streamed."""
        turn = self._prepare(question, id, region, k, history)
        return self._stream(turn)

    def _stream(self, turn: _Turn) -> Iterator[StreamEvent]:
        if not self._writes(turn):
            answer = self._extractive(turn)
            yield TextDelta(answer.answer)
            yield FinalAnswer(answer)
            return
        shown = False
        for event in self._generate(turn, self.writer.stream):
            if isinstance(event, TextDelta):
                shown = True
            elif event.replaced:
                event = FinalAnswer(self._with_note(event.answer, turn), replaced=True)
            elif not shown:  # the model failed before writing anything: nothing to replace
                yield TextDelta(event.answer.answer)
            yield event

    def _prepare(self, question: str, id: str | None, region: str | None, k: int | None,
                 history: list[dict] | None) -> _Turn:
        """understand → route → compose → dress: everything before the wording."""
        start = time.perf_counter()
        text = self.validate(question)
        region = self.region_key(region)
        conversation = trim(history, self.settings.max_question_chars)
        intent = self.understand(text, list(conversation.turns), region)
        timings = {"understand_ms": (time.perf_counter() - start) * 1000}
        retrieved: list[str] = []
        t0 = time.perf_counter()
        composed = self.compose(intent, k, timings, retrieved)
        draft = self.caveats.dress(intent, composed)
        return _Turn(text, intent, composed, draft, start, t0, time.perf_counter(), id, timings, retrieved,
                     conversation.use)

    def _extractive(self, turn: _Turn, generation: Generation | None = None) -> Answer:
        """render → guard: the deterministic answer (a plain refusal if it fails the guard)."""
        intent, text, timings, t1 = turn.intent, turn.text, turn.timings, turn.dressed_at
        draft, rendered, answerable = self._guarded(turn)
        problems = check(rendered.text, draft, rendered.citations, self._labels)
        for problem in problems:
            self.check_failures[re.sub(r"\[\d+\]|\(\d+\)|：.*|(?<=name ).*", "…", problem)] += 1
        if problems:
            log.info("answer check: %s: %r", "; ".join(problems), text)
        timings["compose_ms"] = (t1 - turn.compose_start) * 1000 - timings.get("retrieve_ms", 0.0)
        timings["render_ms"] = (time.perf_counter() - t1) * 1000 - timings.get("llm_ms", 0.0)
        if generation is None and self.writer is not None:
            generation = Generation(backend=self.writer.backend, outcome="skipped")
            self.llm_counts["skipped"] += 1
        return Answer(
            id=turn.id,
            question=text,
            answer=rendered.text,
            answerable=answerable,
            citations=rendered.citations,
            region=intent.region,
            latency_ms=round((time.perf_counter() - turn.start) * 1000, 2),
            kind=draft.kind,
            table=rendered.table,
            assumed=self._assumed(intent),
            retrieved=list(dict.fromkeys(turn.retrieved)),
            timings_ms={k_: round(v, 2) for k_, v in timings.items()},
            generation=generation,
            history_used=turn.history_used,
            checks=problems,
        )

    def _guarded(self, turn: _Turn) -> tuple[Draft, Rendered, bool]:
        """The draft rendered, if it passes the guard; else a plain refusal (never let an
        unverifiable statement out). Returns the draft shown, its rendering, answerable."""
        intent, draft = turn.intent, turn.draft
        rendered = render(draft, self.model, intent.english and draft.answerable, self.templates("english_note"))
        checked = self._guard(rendered.text, rendered.citations, turn.text)
        if checked.ok:
            return draft, rendered, draft.answerable
        for problem in checked.problems:
            self.guard_failures[problem.split(":")[0]] += 1
        log.warning("answer failed the guard (%s), refusing: %r", "; ".join(checked.problems), turn.text)
        draft = self._fallback(intent)
        return draft, render(draft, self.model), False

    def _writes(self, turn: _Turn) -> bool:
        """Does the LLM write this answer? Only for drafts the stages answered from cited
        clauses: coverage (not covered, declined) is never the model's decision."""
        return (self.writer is not None and turn.composed.verdict is Verdict.ANSWERED
                and turn.draft.verdict is Verdict.ANSWERED and not turn.intent.english
                and turn.draft.kind not in self.settings.llm_skip_kinds and bool(turn.composed.sources()))

    def _generate(self, turn: _Turn,
                  write: Callable[[WriteRequest], Iterable[str | ExtractiveFallback]]) -> Iterator[StreamEvent]:
        """lead → the model's prose → notes, as deltas; then the checked answer, or the
        extractive one if the model failed or its text failed the guard."""
        lead = len(turn.draft.blocks) - len(turn.composed.blocks)
        if lead < 0 or turn.draft.blocks[lead:] != turn.composed.blocks:
            lead = 0
        # the verdict sentences open the body the model rewrites (it states them first)
        openings = [f.sentence for f in turn.draft.subject_findings]
        lead = next((i for i, block in enumerate(turn.draft.blocks[:lead]) if block in openings), lead)
        sections = render_sections(turn.draft, self.model, lead)
        request = self._request(turn, sections)
        assembly = Assembly({c.n for c in sections.citations}, sections.lead, sections.notes)
        started = time.perf_counter()
        head = assembly.start()
        if head:
            yield TextDelta(head)
        failure = yield from self._written(write(request), assembly, started + self.settings.llm_timeout_seconds)
        llm_ms = (time.perf_counter() - started) * 1000
        turn.timings["llm_ms"] = llm_ms
        shown = bool(head) or bool(assembly.prose)
        if failure is None:
            tail = assembly.finish()
            if tail:
                yield TextDelta(tail)
            answer = self._checked(turn, assembly, sections, llm_ms)
            if answer.generation.outcome == "passed":
                yield FinalAnswer(answer)
                return
            yield FinalAnswer(answer, replaced=True)
            return
        self.llm_counts["error"] += 1
        self.llm_problems["error"] += 1
        log.warning("LLM %s failed (%s); extractive answer: %r", self.writer.backend, failure, turn.text)
        generation = Generation(backend=self.writer.backend, outcome="error", problems=[failure],
                                llm_ms=round(llm_ms, 2), text=assembly.prose)
        yield FinalAnswer(self._extractive(turn, generation), replaced=shown)

    def _written(self, chunks: Iterable[str | ExtractiveFallback], assembly: Assembly,
                 deadline: float) -> Generator[StreamEvent, None, str | None]:
        """The model's text as deltas, fed through ``assembly``; returns why it failed
        (an error, a timeout, the fallback chain's reason) or None."""
        try:
            for chunk in chunks:
                if isinstance(chunk, ExtractiveFallback):
                    return chunk.reason
                if assembly.prose and time.perf_counter() > deadline:  # a stream still going: stop waiting
                    return f"timeout: still writing after {self.settings.llm_timeout_seconds:g} s"
                delta = assembly.feed(chunk)
                if delta:
                    yield TextDelta(delta)
        except Exception as exc:  # noqa: BLE001 — after its first token the fallback chain cannot catch it
            return f"{type(exc).__name__}: {str(exc)[:200]}"
        return None

    def _request(self, turn: _Turn, sections: Sections) -> WriteRequest:
        label = self.model.regions.label
        sources = tuple(EvidenceItem(c, label(self.model.clause(c.clause_id).region)) for c in sections.citations)
        return WriteRequest(question=turn.text, regions=tuple(label(r) for r in turn.intent.regions),
                            topics=tuple(self.model.topics.name(t) for t in turn.intent.topics),
                            ask=turn.intent.ask.value, sources=sources, reference=sections.body)

    def _checked(self, turn: _Turn, assembly: Assembly, sections: Sections, llm_ms: float) -> Answer:
        """The generated answer if it passes every check, else the extractive one."""
        text = assembly.text
        log.debug("LLM %s wrote: %r", self.writer.backend, assembly.prose)
        cited = assembly.citations(sections.citations)
        evidence = {}
        for c in cited:
            region = self.model.clause(c.clause_id).region
            evidence[c.n] = Evidence(c.n, c.quote, c.title, region, c.status == DocStatus.DRAFT,
                                     f"{c.clause}｜{self.model.regions.label(region)}｜{c.status}", c.status)
        allowed = self._allowed()
        uncited = [c.quote for c in sections.citations if c.n not in assembly.mapping]
        problems = check_generated(assembly.prose, evidence, self.region_names, self.model.lexicon.guard,
                                   reference=sections.body, allowed=allowed, prompt=self.writer.prompts.system,
                                   uncited=uncited, names=self.model.named_terms, question=turn.text,
                                   segmenter=self.retriever.bm25.tokenizer)
        checked = self._guard(text, cited, turn.text)
        problems += checked.problems
        backend = self.writer.backend
        if problems:
            self.llm_counts["guard_failed"] += 1
            for problem in dict.fromkeys(_kind(p) for p in problems):
                self.llm_problems[problem] += 1
            log.warning("LLM answer failed the guard (%s); extractive answer: %r", "; ".join(problems), turn.text)
            generation = Generation(backend=backend, outcome="guard_failed", problems=problems, llm_ms=round(llm_ms, 2),
                                    text=assembly.prose)
            return self._extractive(turn, generation)
        self.llm_counts["passed"] += 1
        timings = turn.timings
        timings["compose_ms"] = (turn.dressed_at - turn.compose_start) * 1000 - timings.get("retrieve_ms", 0.0)
        timings["render_ms"] = (time.perf_counter() - turn.dressed_at) * 1000 - llm_ms
        return Answer(
            id=turn.id, question=turn.text, answer=text, answerable=True, citations=checked.citations,
            region=turn.intent.region, latency_ms=round((time.perf_counter() - turn.start) * 1000, 2),
            kind=turn.draft.kind, assumed=self._assumed(turn.intent), retrieved=list(dict.fromkeys(turn.retrieved)),
            timings_ms={k_: round(v, 2) for k_, v in timings.items()}, composer=backend,
            generation=Generation(backend=backend, outcome="passed", llm_ms=round(llm_ms, 2), text=assembly.prose),
            history_used=turn.history_used,
        )

    def _with_note(self, answer: Answer, turn: _Turn) -> Answer:
        """The extractive answer that replaces shown text, with a note saying so (checked
        again: the guard runs on exactly the text sent)."""
        text = answer.answer + "\n\n" + self.writer.prompts("replaced_note")
        if not self._guard(text, answer.citations, turn.text).ok:
            return answer
        return answer.model_copy(update={"answer": text})

    def compose(self, intent: Intent, k: int | None = None, timings: dict[str, float] | None = None,
                retrieved: list[str] | None = None) -> Draft:
        """The composer the route picks, on this intent; the clauses when it has nothing to say
        (no set of the asked size, a document question its header does not answer)."""
        timings = timings if timings is not None else {}
        claimed = claimed_figures(intent, self.model)
        # a figure no text states: not confirmed — unless the question checks a claim and the
        # asked region's text has a sentence on what it is about (the correction answers it)
        checks = checks_claim(intent, self.model)
        unverified = any(f not in self.model.figures and not (checks and counterpart(intent, self.model, f))
                         for f in claimed)
        which = route(intent, unverified=unverified)
        if which is Route.NAMED_SET and (named := self.sets.compose(intent)) is None:
            which = route(replace(intent, count=None), unverified=unverified)  # answered as asked
        elif which is Route.NAMED_SET:
            return named
        composer = self.composers.get(which)
        first = None
        if composer is not None and (draft := composer(intent)) is not None:
            if not (which is Route.STATUS and self.documents.asks_beyond_status(intent)):
                return draft
            first = draft  # the status, then the clauses on what else was asked
        t0 = time.perf_counter()
        # how-to questions and asks for a deadline, phone, materials … look deeper: the one clause that
        # states a deadline ranks below clauses that merely repeat 申报
        deeper = intent.ask is Ask.HOWTO or bool(intent.asks & set(STRICT_ASKS))
        depth = k or (self.settings.retrieval_k * 2 if deeper else self.settings.retrieval_k)
        hits = self.search(intent, depth, timings)
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        if retrieved is not None:
            retrieved.extend(_interleave(hits))
        draft = self.clauses.compose(intent, hits)
        if first is not None:
            draft = first.followed_by(draft)
        if which is Route.DOCUMENT and (title := self.documents.unsigned(intent)):
            draft = replace(draft, notes=(title, *draft.notes))  # what the text says answers first
        return draft

    def _fallback(self, intent: Intent) -> Draft:
        draft = DraftBuilder("guard")
        draft.add(Paragraph.of(self.templates("guard_fallback")))
        draft.note(office_note(self.model, self.templates, intent.regions))
        draft.note(self.templates("coverage", regions=self.model.regions.covered()))
        return draft.build(Verdict.NOT_COVERED)

    def _guard(self, text: str, citations: list[Citation], question: str):
        """The guard on exactly the text that is sent (see ``verify.guard``)."""
        return guard(text, citations, self.model.clause_texts, question, self._allowed(), self.model.lexicon.instruction)

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
        intent = self.understand(self.validate(question), list(trim(history).turns))
        return _interleave(self.search(intent, k, {}))

    # ------------------------------------------------------------------ 补贴测算
    def check(self, profile: ProducerProfile) -> CheckResult:
        """补贴测算 for a profile from a form or the API: free-text fields are first reduced
        to values the knowledge knows, so the report never repeats what was typed."""
        profile = known_values(profile, self.model.lexicon.profile, self.model.regions.keys, self._place_name)
        draft = self.tables.report(profile)
        draft = self.caveats.dress(Intent(question="", text="", topic_text="", ask=Ask.SCENARIO), draft)
        rendered: Rendered = render(draft, self.model)
        verdicts = self.tables.verdicts(profile)
        reasons = {v.measure.id: [self.tables.reason(r) for r in v.reasons] for v in verdicts}
        return CheckResult(verdicts, rendered.text, rendered.citations, reasons)


    def _place_name(self, text: str) -> str | None:
        places = self.model.gazetteer.find(visible_text(text))
        return places[0].name if places else None


def _kind(problem: str) -> str:
    """A guard problem's kind, for counting ("marker [42] has no citation" → "marker [n] …")."""
    return re.sub(r"\d+", "n", problem.split(":")[0])


def _interleave(hits_by_region: dict) -> list[str]:
    """Clause ids of several regions' rankings, alternating, duplicates removed."""
    rankings = [[h.clause.clause_id for h in hits] for hits in hits_by_region.values()]
    merged: list[str] = []
    for i in range(max((len(r) for r in rankings), default=0)):
        merged.extend(r[i] for r in rankings if i < len(r))
    return list(dict.fromkeys(merged))
