"""Chinese text handling shared by indexing, retrieval and answering.

* :func:`to_simplified` — traditional → simplified (OpenCC) and NFKC width folding.
* :class:`ChineseTokenizer` — jieba with the project's domain dictionary
  (``knowledge/terms.txt``), stop words removed; used for BM25 and for term overlap.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff+]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (invalid Unicode that no UTF-8 document can hold, but
    a JSON escape can) replaced by U+FFFD, so UTF-8 encoders downstream never fail."""
    return LONE_SURROGATE.sub("\ufffd", text)


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def pinyin(text: str) -> tuple[str, ...]:
    """The toneless pinyin of each character ("郑州" → ("zheng", "zhou"))."""
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


def to_simplified(text: str) -> str:
    """NFKC-fold full-width forms and convert traditional characters to simplified."""
    text = unicodedata.normalize("NFKC", valid_unicode(text))
    return _opencc().convert(text)


class ChineseTokenizer:
    """jieba (search mode) with the domain dictionary; thread-safe, loaded lazily."""

    def __init__(self, user_dict: Path | None = None, stop_words: frozenset[str] = frozenset(),
                 words: frozenset[str] = frozenset()) -> None:
        """``words``: more domain words that must stay whole (the topics' terms: 拍摄权 in
        "拍摄权是免费的吗" is one word, never 拍摄 + 权是)."""
        self._user_dict = user_dict
        self.stop_words = stop_words
        self._words = words
        self._jieba = None
        self._tagger = None  # jieba's part-of-speech tagger, on first use
        self._general: dict[str, int] = {}
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                self._general = dict(tokenizer.FREQ)  # before the domain words are added
                if self._user_dict and self._user_dict.exists():
                    tokenizer.load_userdict(str(self._user_dict))
                for word in sorted(self._words):
                    if not tokenizer.FREQ.get(word):
                        tokenizer.add_word(word)
                self._jieba = tokenizer
        return self._jieba

    def general_frequency(self, word: str) -> int:
        """How common ``word`` is in general Chinese (jieba's dictionary count)."""
        self._load()
        return int(self._general.get(word, 0) or 0)

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """(word, part of speech) pairs, jieba's tags (n noun, v verb, r pronoun, m numeral …)."""
        import jieba.posseg

        tokenizer = self._load()
        with self._lock:
            if self._tagger is None:
                self._tagger = jieba.posseg.POSTokenizer(tokenizer)
        return [(p.word, p.flag) for p in self._tagger.cut(text)]

    def vocabulary(self) -> set[str]:
        """Words jieba knows (general dictionary and domain terms)."""
        return {w for w, f in self._load().FREQ.items() if f}

    def cut(self, text: str) -> list[str]:
        """Plain jieba segmentation (each character in exactly one word)."""
        return self._load().lcut(text)

    def words(self, text: str) -> list[str]:
        """Content words of ``text`` in order (search-mode cut: long words and their parts)."""
        text = text.lower()
        tokens = self._load().lcut_for_search(text)
        return [t for t in (t.strip() for t in tokens) if t and t not in self.stop_words and TOKEN_OK.search(t)]


def load_stop_words(lexicon: Path) -> frozenset[str]:
    """The lexicon's stop words (``knowledge/lexicon.yaml``: function and question words)."""
    import yaml

    if not lexicon.exists():
        return frozenset()
    data = yaml.safe_load(lexicon.read_text(encoding="utf-8")) or {}
    return frozenset(str(w) for w in data.get("stop_words", []))


def load_topic_words(topics: Path) -> frozenset[str]:
    """The Chinese terms of the topic taxonomy (``knowledge/topics.yaml``), two characters or more."""
    import yaml

    if not topics.exists():
        return frozenset()
    data = yaml.safe_load(topics.read_text(encoding="utf-8")) or {}
    terms = (str(t) for topic in data.values() if isinstance(topic, dict)
             for t in [*(topic.get("terms") or []), *(topic.get("weak") or [])])
    return frozenset(t for t in terms if len(t) >= 2 and not t.isascii())


@lru_cache(maxsize=4)
def get_tokenizer(knowledge_dir: Path) -> ChineseTokenizer:
    """The tokenizer for a knowledge directory: its domain dictionary and stop words."""
    return ChineseTokenizer(knowledge_dir / "terms.txt", load_stop_words(knowledge_dir / "lexicon.yaml"),
                            load_topic_words(knowledge_dir / "topics.yaml"))
