"""Chinese BM25 over clause contexts (bm25s + jieba tokens).

The corpus is small (about a hundred clauses), so the index is built in memory when
the service starts (a few milliseconds) and always matches the clauses being served.
"""

from __future__ import annotations

import logging

import bm25s
import numpy as np

from bot.index.text import ChineseTokenizer
from bot.models import Clause


class BM25Index:
    """Sparse lexical search; ``search`` returns (chunk_id, score) best first."""

    def __init__(self, clauses: list[Clause], tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer
        # bm25s sets its own logger to DEBUG when imported ("Building index from tokens" in
        # a clerk's output): it follows the application's level like every other logger
        logging.getLogger("bm25s").setLevel(logging.NOTSET)
        self.ids = [c.chunk_id for c in clauses]
        self.regions = [c.region for c in clauses]
        corpus = [tokenizer.words(c.context) or ["∅"] for c in clauses]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)

    def search(self, query: str, k: int, regions: list[str] | None = None) -> list[tuple[str, float]]:
        tokens = [t for t in self.tokenizer.words(query) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        order = np.argsort(-scores)
        hits = []
        for i in order:
            if scores[i] <= 0:
                break
            if regions and self.regions[i] not in regions:
                continue
            hits.append((self.ids[i], float(scores[i])))
            if len(hits) == k:
                break
        return hits
