"""The answer service: the one entry point the CLI, the HTTP API, the UI and evals call.

``PolicyBot.build()`` loads the knowledge, brings the vector index up to date (building
it on first use) and wires retrieval and composition; ``PolicyBot.ask()`` returns an
:class:`~bot.models.Answer` whose citations have been verified.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from bot.answer.compose import Composer, Draft, render
from bot.answer.evidence import TermWeights
from bot.answer.templates import get_templates
from bot.answer.verify import unsupported_figures, valid_citations
from bot.config import Settings, apply_offline_env, get_settings
from bot.errors import InvalidQuestion
from bot.index.bm25 import BM25Index
from bot.index.build import Corpus, load_corpus, open_store, sync_index
from bot.index.store import SyncReport
from bot.index.text import get_tokenizer
from bot.models import Answer
from bot.retrieve.hybrid import HybridRetriever
from bot.retrieve.query import Question, get_analyzer

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FOLLOW_UP = re.compile(r"^(那|那么|还有|再问|另外|and|what about|how about)|呢[？?]?$", re.IGNORECASE)




class PolicyBot:
    def __init__(self, settings: Settings, corpus: Corpus, retriever: HybridRetriever,
                 sync_report: SyncReport | None = None) -> None:
        self.settings = settings
        self.corpus = corpus
        self.retriever = retriever
        self.sync_report = sync_report
        self.analyzer = get_analyzer(settings.knowledge_dir)
        self.templates = get_templates(settings.prompts_dir)
        tokenizer = retriever.bm25.tokenizer
        self.composer = Composer(
            self.templates,
            TermWeights(corpus.clauses, tokenizer, _load_topics(settings), self.analyzer.colloquial),
            {d.id: d for d in corpus.documents},
            self.analyzer.regions,
            corpus.clauses,
        )
        # The full text of each clause (parts of a long clause joined), for quote checks.
        self.clause_texts: dict[str, str] = {}
        for clause in corpus.clauses:
            previous = self.clause_texts.get(clause.clause_id)
            self.clause_texts[clause.clause_id] = f"{previous}\n{clause.text}" if previous else clause.text
        self.measures = _load_measures(settings, corpus, self.clause_texts, self.analyzer)

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
        tokenizer = get_tokenizer(settings.knowledge_dir / "terms.txt")
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
            raise InvalidQuestion("问题必须是文本 / The question must be text.")
        text = CONTROL.sub("", question).strip()
        if not text:
            raise InvalidQuestion("问题不能为空 / The question is empty.")
        if len(text) > self.settings.max_question_chars:
            raise InvalidQuestion(
                f"问题太长了（{len(text)}字），请控制在{self.settings.max_question_chars}字以内 / "
                f"The question is too long (max {self.settings.max_question_chars} characters)."
            )
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
        """Answer one question. Raises :class:`InvalidQuestion` for unusable input."""
        start = time.perf_counter()
        text = self.validate(question)
        q = self._analyze(text, region)
        assumed = self._carry_over(q, history or [])
        timings: dict[str, float] = {"analyze_ms": (time.perf_counter() - start) * 1000}
        retrieved: list[str] = []
        t0 = time.perf_counter()
        table = self._comparison(q)
        if table is not None:
            draft = Draft(True, "compare")
            answer_text, citations = table.text, table.citations
        else:
            draft = self._draft(q, k, timings, retrieved)
            t0 = time.perf_counter()
            answer_text, citations = render(draft, self.templates, q.english and draft.answerable)
        citations = valid_citations(citations, self.clause_texts)
        answerable = draft.answerable
        if answerable and (not citations or unsupported_figures(answer_text, [c.quote for c in citations])):
            # Never let an unsupported statement out: fall back to an honest refusal.
            log.warning("answer failed verification, refusing: %r", text)
            draft = self.composer.refusal([], [], q.regions)
            answer_text, citations = render(draft, self.templates, q.english)
            answerable = False
        if assumed:
            answer_text = self.templates("assumed", assumed="，".join(assumed.values())) + "\n" + answer_text
        timings["compose_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(
            id=id,
            question=text,
            answer=answer_text,
            answerable=answerable,
            citations=citations,
            region=q.region,
            latency_ms=round((time.perf_counter() - start) * 1000, 2),
            kind=draft.kind,
            assumed=assumed,
            retrieved=list(dict.fromkeys(retrieved)),
            timings_ms={k_: round(v, 2) for k_, v in timings.items()},
        )

    def _comparison(self, q: Question):
        """Comparison questions ("各地对出海有什么支持？", two regions and one kind of
        support) are answered from the subsidy table as a Markdown table."""
        if self.measures is None or q.injection or not q.on_topic or (q.uncovered and not q.regions):
            return None
        if not self.measures.wants_comparison(q.search_text, q.regions):
            return None
        table = self.measures.compare(q.search_text, q.regions)
        return table if table.answerable else None

    def _analyze(self, text: str, region: str | None = None) -> Question:
        corrected, maybe_meant = self.composer.weights.correct_typos(text)
        q = self.analyzer.analyze(corrected, region)
        q.original = text
        q.expansions.extend(maybe_meant)
        return q

    def _draft(self, q: Question, k: int | None, timings: dict[str, float], retrieved: list[str]) -> Draft:
        if q.injection:
            return self.composer.decline("injection")
        if not q.on_topic:
            return self.composer.decline("offtopic")
        if q.uncovered and not q.regions:
            return self.composer.uncovered_place(q)
        t0 = time.perf_counter()
        hits_by_region = self._search(q, k or self.settings.retrieval_k, timings)
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        retrieved.extend(_interleave(hits_by_region))
        return self.composer.compose(q, hits_by_region)

    def _search(self, q: Question, k: int, timings: dict[str, float]) -> dict:
        """Hits per region the question names (or one unfiltered search)."""
        hits_by_region = {}
        for region in q.regions or [None]:
            scope = self.analyzer.regions.scope(region) if region else None
            # Within a region filter the region's name only favours clauses that repeat it.
            query = q.topic_text if scope else q.search_text
            result = self.retriever.search(query, k, scope)
            hits_by_region[region] = result.hits + self._status_hits(q, scope, result.hits)
            for name, value in result.timings_ms.items():
                timings[name] = timings.get(name, 0.0) + value
        return hits_by_region

    def _status_hits(self, q: Question, scope: list[str] | None, hits: list) -> list:
        """For "is it in force / valid?" questions, the clauses that state validity."""
        if "status" not in q.asks:
            return []
        from bot.retrieve.hybrid import Hit

        have = {h.clause.chunk_id for h in hits}
        return [Hit(c, 0.0) for c in self.corpus.clauses
                if (not scope or c.region in scope) and c.chunk_id not in have and re.search(r"有效期|之日起施行", c.text)]

    def retrieve(self, question: str, k: int = 10, history: list[dict] | None = None) -> list[str]:
        """Clause ids the answerer would look at, best first (for retrieval metrics)."""
        q = self._analyze(self.validate(question))
        self._carry_over(q, history or [])
        return _interleave(self._search(q, k, {}))

    def _carry_over(self, q: Question, history: list[dict]) -> dict[str, str]:
        """Fill in what a follow-up leaves out (region, topic) from the last user turn."""
        previous = next(
            (t.get("content") for t in reversed(history)
             if isinstance(t, dict) and t.get("role") == "user" and isinstance(t.get("content"), str)
             and t.get("content").strip()),
            None,
        )
        if not previous or q.injection:
            return {}
        prev = self.analyzer.analyze(previous)
        assumed: dict[str, str] = {}
        if not q.regions and not q.uncovered and prev.regions:
            q.regions = list(prev.regions)
            assumed["region"] = "、".join(self.analyzer.regions.labels.get(r, r) for r in q.regions)
        own_terms = self.composer.weights.terms(q.search_text, self.composer.place_words)
        if FOLLOW_UP.search(q.text) or not own_terms:
            q.topic = f"{q.topic} {prev.topic}"
            q.expansions.extend(prev.expansions)
            q.asks |= prev.asks
            q.on_topic = q.on_topic or prev.on_topic
            assumed["topic"] = f"“{prev.text}”"
        return assumed


def _load_measures(settings: Settings, corpus: Corpus, clause_texts: dict[str, str], analyzer):
    """The subsidy table, if the knowledge has one."""
    path = settings.knowledge_dir / "measures.yaml"
    if not path.exists():
        return None
    from bot.measures.book import MeasureBook
    from bot.measures.model import MeasureTable

    return MeasureBook(MeasureTable.load(path), clause_texts, corpus.documents, analyzer.regions.parents)


def _load_topics(settings: Settings) -> dict[str, list[str]]:
    import yaml

    path = settings.knowledge_dir / "topics.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["uncovered_if_absent"] if path.exists() else {}


def _interleave(hits_by_region: dict) -> list[str]:
    """Clause ids of several regions' rankings, alternating, duplicates removed."""
    rankings = [[h.clause.clause_id for h in hits] for hits in hits_by_region.values()]
    merged: list[str] = []
    for i in range(max((len(r) for r in rankings), default=0)):
        merged.extend(r[i] for r in rankings if i < len(r))
    return list(dict.fromkeys(merged))
