"""A bounded cache of loaded HNSW indexes for Chroma's embedded (Rust) API.

Chroma keeps every collection's HNSW index it has opened in memory, up to the number of
open files the process may have divided by five — 4,000 collections here. Every
re-index (each admin edit) makes a new generation, so a long-running server kept ~3 MB
per edit forever. Only the generation served and the one being built are ever queried:
two slots suffice, and an evicted index is simply read from disk again.

Chroma has no setting for this (its ``chroma_api_impl`` must be one of its own class
names), so the size is set on its API class once, before the first client starts.
"""

from __future__ import annotations

HNSW_CACHE_SIZE = 2  # the generation served and the one being built


def bound_hnsw_cache() -> None:
    """Make every embedded Chroma client started from now on cache ``HNSW_CACHE_SIZE``
    indexes at most (idempotent)."""
    from chromadb.api.rust import RustBindingsAPI

    if getattr(RustBindingsAPI, "_bot_bounded", False):
        return
    original = RustBindingsAPI.__init__

    def __init__(self, system) -> None:
        original(self, system)
        self.hnsw_cache_size = min(self.hnsw_cache_size, HNSW_CACHE_SIZE)  # read by start()

    RustBindingsAPI.__init__ = __init__
    RustBindingsAPI._bot_bounded = True
