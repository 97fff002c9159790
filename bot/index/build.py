"""Ingest → index: load the cleaned copies, split them, sync the vector store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.index.embeddings import make_embeddings
from bot.index.store import ClauseStore, SyncReport, make_client
from bot.ingest.load import load_documents
from bot.ingest.split import split_all
from bot.models import Clause, PolicyDocument


@dataclass
class Corpus:
    documents: list[PolicyDocument]
    clauses: list[Clause]


def load_corpus(settings: Settings) -> Corpus:
    """The documents answers come from: every cleaned copy except versions another
    document supersedes (those stay in knowledge/docs for the record)."""
    documents = [d for d in load_documents(settings.docs_dir) if d.is_current]
    return Corpus(documents, split_all(documents))


def open_store(settings: Settings) -> ClauseStore:
    return ClauseStore(make_client(settings), make_embeddings(settings), settings.collection_prefix)


def sync_index(
    settings: Settings,
    corpus: Corpus,
    store: ClauseStore,
    rebuild: bool = False,
    on_start: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Embed new / changed clauses and delete vanished ones (everything with ``rebuild``)."""
    start = time.perf_counter()
    if on_start:
        stored = {} if rebuild else store.stored_hashes()
        on_start(sum(stored.get(c.chunk_id) != c.content_hash for c in corpus.clauses))
    report = store.sync(corpus.clauses, rebuild=rebuild, batch_size=settings.embedding_batch_size,
                        progress=progress)
    report.seconds = time.perf_counter() - start
    return report
