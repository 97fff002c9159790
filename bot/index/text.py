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

# Function words and question words that carry no topic (kept short on purpose: BM25's
# idf already discounts frequent words; these are the ones idf cannot see in questions).
STOP_WORDS = frozenset(
    """的 了 和 与 及 或 在 是 有 吗 呢 吧 啊 呀 么 嘛 哪 哪些 哪个 什么 多少 怎么 怎样 如何 为什么
    请问 请 我 我们 你 你们 他们 它 这 那 这个 那个 这些 那些 一下 能 能否 可以 会 要 想 给 对 把 被
    就 都 也 还 又 再 很 最 更 等 个 之 其 所 以 于 为 从 到 向 由 上 下 中 里 吗？ 呢？ 啥 咋 多大
    ？ ? ！ ! ， , 。 、 ： : ； ; “ ” " ' ‘ ’ （ ） ( ) 《 》 — - · … /""".split()
)
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


def to_simplified(text: str) -> str:
    """NFKC-fold full-width forms and convert traditional characters to simplified."""
    text = unicodedata.normalize("NFKC", valid_unicode(text))
    return _opencc().convert(text)


class ChineseTokenizer:
    """jieba (search mode) with the domain dictionary; thread-safe, loaded lazily."""

    def __init__(self, user_dict: Path | None = None) -> None:
        self._user_dict = user_dict
        self._jieba = None
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
                self._jieba = tokenizer
        return self._jieba

    def general_frequency(self, word: str) -> int:
        """How common ``word`` is in general Chinese (jieba's dictionary count)."""
        self._load()
        return int(self._general.get(word, 0) or 0)

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
        return [t for t in (t.strip() for t in tokens) if t and t not in STOP_WORDS and TOKEN_OK.search(t)]


@lru_cache(maxsize=4)
def get_tokenizer(user_dict: Path | None = None) -> ChineseTokenizer:
    return ChineseTokenizer(user_dict)
