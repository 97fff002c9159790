"""Ingest → index: load the cleaned copies, split them, sync the vector store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.errors import StoreError
from bot.index import live
from bot.index.embeddings import make_embeddings
from bot.index.store import ClauseStore, SyncReport, collection_name, make_client
from bot.ingest.load import load_documents
from bot.ingest.split import split_all
from bot.models import Clause, PolicyDocument

log = logging.getLogger(__name__)


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
    """The store on the live collection of the embedding model's family (the pointer's
    choice; an index built before pointers existed is used as it is)."""
    client = make_client(settings)
    embeddings = make_embeddings(settings)
    family = collection_name(settings.collection_prefix, embeddings)
    name = live.live_name(settings, family)
    if name is None or name not in live.generations(client, family):
        name = family  # no verified generation yet (or the store was moved aside)
    return ClauseStore(client, embeddings, settings.collection_prefix, name=name)


def sync_index(
    settings: Settings,
    corpus: Corpus,
    store: ClauseStore,
    rebuild: bool = False,
    on_start: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Bring the live index up to date with ``corpus`` without disturbing its readers.

    Nothing to do (the usual server start) → no write, no lock. Otherwise, under the
    ingest lock: a new generation is built beside the live collection (vectors of
    unchanged chunks copied, changed ones embedded; everything embedded with
    ``rebuild``), verified, and made live by switching the pointer; ``store`` is moved
    onto it and generations older than the previous one are deleted.
    """
    start = time.perf_counter()
    wanted = {c.chunk_id: c.content_hash for c in corpus.clauses}
    if not rebuild and _is_current(settings, store, wanted):
        return _report(corpus, 0, 0, start)
    with live.ingest_lock(settings):
        # Another ingest may have finished while this one waited for the lock.
        family = store.family
        current = live.live_name(settings, family)
        if current and current != store.name and current in live.generations(store.client, family):
            store.use(current)
        stored = store.stored_hashes()
        if not rebuild and stored == wanted and live.live_name(settings, family) == store.name:
            return _report(corpus, 0, 0, start)
        reuse = [] if rebuild else [i for i, h in wanted.items() if stored.get(i) == h]
        if on_start:
            on_start(len(wanted) - len(reuse))
        fresh = store.sibling(live.new_generation(family))
        try:
            fresh.copy_from(store, reuse)
            report = fresh.sync(corpus.clauses, batch_size=settings.embedding_batch_size, progress=progress)
            _verify(fresh, corpus)
        except Exception:
            _drop(fresh)
            raise
        previous = store.name if stored else fresh.name  # an empty collection serves nobody
        live.switch_pointer(settings, family, fresh.name, len(wanted))
        store.use(fresh.name)
        deleted = live.prune(settings, store.client, family, keep={fresh.name, previous})
        log.info("index %s is live (previous %s kept; deleted %s)", fresh.name, previous, deleted or "none")
    stale = len(set(stored) - set(wanted))
    return _report(corpus, report.embedded, stale, start)


def _is_current(settings: Settings, store: ClauseStore, wanted: dict[str, str]) -> bool:
    """The store is the live collection and holds exactly the wanted chunks."""
    pointer = live.live_name(settings, store.family)
    return (pointer is None or pointer == store.name) and store.stored_hashes() == wanted


def _verify(fresh: ClauseStore, corpus: Corpus) -> None:
    """A new generation must hold every chunk and find a clause by its own text."""
    count = fresh.count()
    if count != len(corpus.clauses):
        raise StoreError(f"new index {fresh.name} holds {count} chunks, expected {len(corpus.clauses)}")
    if corpus.clauses:
        probe = corpus.clauses[len(corpus.clauses) // 2]
        hits = fresh.search(probe.context, 3)
        if probe.chunk_id not in [i for i, _ in hits]:
            raise StoreError(f"new index {fresh.name} does not find {probe.chunk_id} by its own text")


def _drop(store: ClauseStore) -> None:
    try:
        store.client.delete_collection(store.name)
    except Exception as exc:  # pragma: no cover - best effort after a failed build
        log.warning("could not drop unfinished collection %s: %s", store.name, exc)


def _report(corpus: Corpus, embedded: int, deleted: int, start: float) -> SyncReport:
    total = len(corpus.clauses)
    return SyncReport(total, embedded, deleted, total - embedded, time.perf_counter() - start)
