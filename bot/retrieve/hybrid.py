"""Hybrid retrieval: dense (Chroma) + BM25, fused, restricted to the question's regions.

:class:`HybridRetriever` is a LangChain ``BaseRetriever`` (so it plugs into any chain);
the answer service calls :meth:`HybridRetriever.search` for scored clauses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.index.bm25 import BM25Index
from bot.index.store import ClauseStore
from bot.models import Clause


@dataclass
class Hit:
    clause: Clause
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    timings_ms: dict[str, float] = field(default_factory=dict)


def fuse_rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: Σ 1 / (k + rank)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, 1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return scores


def fuse_weighted(dense: list[tuple[str, float]], sparse: list[tuple[str, float]], alpha: float) -> dict[str, float]:
    """alpha · min-max(dense) + (1 − alpha) · min-max(bm25)."""

    def normalised(hits: list[tuple[str, float]]) -> dict[str, float]:
        if not hits:
            return {}
        values = [s for _, s in hits]
        lo, hi = min(values), max(values)
        return {i: (s - lo) / (hi - lo) if hi > lo else 1.0 for i, s in hits}

    d, s = normalised(dense), normalised(sparse)
    return {i: alpha * d.get(i, 0.0) + (1 - alpha) * s.get(i, 0.0) for i in {*d, *s}}


class HybridRetriever(BaseRetriever):
    """Dense + BM25 retrieval over policy clauses."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ClauseStore
    bm25: BM25Index
    clauses: dict[str, Clause]
    k: int = 5
    candidate_k: int = 20
    fusion: str = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5

    def search(self, query: str, k: int | None = None, regions: list[str] | None = None) -> SearchResult:
        """Top ``k`` clauses for ``query``; with ``regions``, only clauses about them."""
        k = k or self.k
        t0 = time.perf_counter()
        dense = self.store.search(query, self.candidate_k, regions)
        t1 = time.perf_counter()
        sparse = self.bm25.search(query, self.candidate_k, regions)
        t2 = time.perf_counter()
        if self.fusion == "weighted":
            fused = fuse_weighted(dense, sparse, self.dense_weight)
        else:
            fused = fuse_rrf([[i for i, _ in dense], [i for i, _ in sparse]], self.rrf_k)
        dense_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        bm25_rank = {i: r for r, (i, _) in enumerate(sparse, 1)}
        ordered = sorted(fused, key=lambda i: (-fused[i], dense_rank.get(i, 999)))
        hits = [
            Hit(self.clauses[i], fused[i], dense_rank.get(i), bm25_rank.get(i))
            for i in ordered
            if i in self.clauses
        ][:k]
        timings = {"dense_ms": (t1 - t0) * 1000, "bm25_ms": (t2 - t1) * 1000}
        return SearchResult(hits, timings)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        result = self.search(query, kwargs.get("k"), kwargs.get("regions"))
        return [
            Document(
                id=h.clause.chunk_id,
                page_content=h.clause.text,
                metadata={
                    "clause_id": h.clause.clause_id,
                    "clause": h.clause.clause,
                    "doc_id": h.clause.doc_id,
                    "title": h.clause.title,
                    "region": h.clause.region,
                    "status": h.clause.status,
                    "score": h.score,
                },
            )
            for h in result.hits
        ]
