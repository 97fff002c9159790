"""The topic taxonomy (``knowledge/topics.yaml``) and how a text is mapped onto it.

A text's topics come first from the taxonomy's terms (longest match wins, each character
counted once: 拍摄基地 is 拍摄基地, not 取景拍摄 + 拍摄基地). Wording no term list has
("公司缺钱周转" → 贷款与金融) is mapped by the similarity of the question to each topic's
one-line description, with the same embedding model as retrieval: the best topic is
taken only when it stands out from the rest by a margin, so generic questions stay
topic-free.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.errors import KnowledgeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Topic:
    key: str
    name: str
    description: str
    terms: tuple[str, ...]
    weak: tuple[str, ...] = ()
    all_sites: bool = False  # a list on this topic shows every filming site of the region


@dataclass(frozen=True)
class TopicMatch:
    strong: tuple[str, ...]  # topic keys named outright, in order of appearance
    weak: tuple[str, ...]  # topics only suggested ("拍" → 取景拍摄)
    by_similarity: bool = False  # strong topics found by embedding similarity


class TopicBook:
    def __init__(self, topics: dict[str, Topic]) -> None:
        self.topics = topics
        entries = [(t.lower(), key, False) for key, topic in topics.items() for t in topic.terms]
        entries += [(t.lower(), key, True) for key, topic in topics.items() for t in topic.weak]
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        self._entries = entries
        parts = []
        for term, _, _ in entries:
            escaped = re.escape(term)
            # ASCII terms are words ("ai" must not match "said"), plurals included ("scripts")
            parts.append(rf"(?<![a-z]){escaped}(?:e?s)?(?![a-z])" if term.isascii() else escaped)
        self._re = re.compile("|".join(parts), re.IGNORECASE)
        self._lookup: dict[str, list[tuple[str, bool]]] = {}
        for term, key, weak in entries:
            self._lookup.setdefault(term, []).append((key, weak))
        self._vectors: np.ndarray | None = None
        self._embed = None

    @classmethod
    def load(cls, path: Path) -> TopicBook:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            topics = {
                str(key): Topic(str(key), str(spec["name"]), str(spec["description"]),
                                tuple(str(t) for t in spec.get("terms", [])), tuple(str(t) for t in spec.get("weak", [])),
                                bool(spec.get("all_sites", False)))
                for key, spec in data.items()
            }
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise KnowledgeError(f"{path}: malformed topic taxonomy ({exc!r})") from exc
        return cls(topics)

    def name(self, key: str) -> str:
        return self.topics[key].name if key in self.topics else key

    def match(self, text: str) -> TopicMatch:
        """Topics named in ``text`` (exact terms, longest first)."""
        lowered = text.lower()
        strong: list[str] = []
        weak: list[str] = []
        matches = list(self._re.finditer(lowered))
        for i, m in enumerate(matches):
            entries = self._entries_of(m.group(0))
            following = matches[i + 1] if i + 1 < len(matches) else None
            adjacent = following is not None and not lowered[m.end():following.start()].strip()
            if following and adjacent and all(not w for _, w in entries) and \
                    all(not w for _, w in self._entries_of(following.group(0))):
                continue  # "剧本版权", "script copyright": the last term is the head, the first qualifies it
            for key, is_weak in entries:
                target = weak if is_weak else strong
                if key not in target:
                    target.append(key)
        return TopicMatch(tuple(strong), tuple(k for k in weak if k not in strong))

    def _entries_of(self, found: str) -> list[tuple[str, bool]]:
        """The topics of a matched term (an English plural: of its singular)."""
        word = found.lower()
        for candidate in (word, word[:-1], word[:-2]):
            if candidate in self._lookup:
                return self._lookup[candidate]
        return []

    def ascii_siblings(self) -> dict[str, frozenset[str]]:
        """Latin-letter terms (ai, ip, fund …) → the Chinese terms of their topics."""
        out: dict[str, frozenset[str]] = {}
        for topic in self.topics.values():
            chinese = frozenset(t for t in topic.terms if not t.isascii())
            for term in topic.terms:
                if term.isascii():
                    out[term.lower()] = out.get(term.lower(), frozenset()) | chinese
        return out

    def terms_in(self, text: str) -> list[str]:
        """The topic terms (strong) that occur in ``text``."""
        lowered = text.lower()
        return [m.group(0) for m in self._re.finditer(lowered)
                if any(not weak for _, weak in self._entries_of(m.group(0)))]

    # ------------------------------------------------------------ similarity
    def use_embeddings(self, embed_query, embed_documents) -> None:
        """Enable the similarity fallback with the retrieval model's embeddings."""
        keys = list(self.topics)
        texts = [f"{self.topics[k].name}：{self.topics[k].description}" for k in keys]
        try:
            vectors = np.asarray(embed_documents(texts), dtype=np.float32)
        except Exception as exc:  # the fallback is an aid; exact terms still work
            log.warning("topic descriptions could not be embedded: %s", exc)
            return
        self._keys = keys
        self._vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        self._embed = embed_query

    def similar(self, text: str, margin: float, allowed: Sequence[str] | None = None) -> str | None:
        """The topic whose description ``text`` is closest to, if it beats the runner-up by
        ``margin`` (cosine); None when no topic stands out or embeddings are off."""
        if self._vectors is None or self._embed is None or not text.strip():
            return None
        vector = np.asarray(self._embed(text), dtype=np.float32)
        vector /= np.linalg.norm(vector) or 1.0
        scores = self._vectors @ vector
        order = np.argsort(-scores)
        if allowed is not None:
            order = [i for i in order if self._keys[i] in allowed]
        if len(order) < 2:
            return None
        best, second = order[0], order[1]
        return self._keys[best] if scores[best] - scores[second] >= margin else None
