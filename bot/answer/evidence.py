"""Picking the sentences of retrieved clauses that answer a question.

Sentences are scored by the idf-weighted question terms they contain (with the
lexicon's synonyms, so 补贴 finds 补助), plus a bonus when they hold the kind of fact the
question asks for (an amount, a date, a count, a place) and a prior for the clause's
retrieval rank. Everything returned is a verbatim span of a clause. The words come from
the lexicon (knowledge/lexicon.yaml); the figure patterns below are structural.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.index.text import ChineseTokenizer, pinyin
from bot.models import Clause
from bot.policy.lexicon import Lexicon
from bot.retrieve.hybrid import Hit

COMMON_WORD_FREQ = 5000  # jieba dictionary count above which a word is everyday Chinese
UNSEEN_WORD_WEIGHT = 2.0
VERY_COMMON_WORD_FREQ = 20000  # …and above which it says little even when the clauses use it
# Asks whose words say what is asked, not what the answer is about.
CONTENT_ASKS = ("status", "condition", "support")

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
# Figures (structural: a number and its unit).
MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿)|[一二两三四五六七八九十百千]+(?:万元|亿元)")
RATIO = re.compile(r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十]+")
# a fee charged at a stated fraction ("按公布价格的6折收取", "八折", "减半收取"): a stated figure too
DISCOUNT = re.compile(r"\d+(?:\.\d+)?\s*折|[一二三四五六七八九]折|减半|免收|全免")
COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:~\d+)?\s*(?:个|部|家|名|人|套|辆|亩|平方米|万人|余|多|大|天|条|项|年|倍)|[一二两三四五六七八九十百千]+(?:个|部|家|名|条|项|大|天|年)")
DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月")


SPEAKER = re.compile(r"^[^：:，。]{2,24}回答[：:]")
FULL_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
HEADING_SENTENCE = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|[一二三四五六七八九十]是|[①-⑳]|\d+[.．])[^，。]{0,20}。$")


def sentences(text: str) -> list[str]:
    """Candidate evidence spans of a clause, each verbatim: whole sentences, plus the
    "；"-separated parts of long ones. A Q&A speaker prefix ("…局长叶国祥回答：") is left
    out, a bare heading ("（一）支持取景拍摄。") is joined to the sentence after it, and
    the questions of a Q&A block are not evidence."""
    spans: list[str] = []
    for line in text.split("\n"):
        found = [SPEAKER.sub("", m.group(0).strip()) for m in FULL_SENTENCE.finditer(line)]
        merged: list[str] = []
        for sentence in found:
            if merged and HEADING_SENTENCE.match(merged[-1]):
                merged[-1] += sentence
            else:
                merged.append(sentence)
        for sentence in merged:
            spans.append(sentence)
            parts = [m.group(0) for m in SENTENCE.finditer(sentence)]
            if len(sentence) > 80 and len(parts) > 1:
                spans.extend(p for p in parts if len(p) >= 12 and not HEADING_SENTENCE.match(p))
    return [s for s in dict.fromkeys(spans)
            if len(s) >= 4 and not s.startswith("记者提问") and not s.endswith(("？", "?"))]


@dataclass
class Evidence:
    clause: Clause
    sentence: str
    score: float
    coverage: float  # share of the question's term weight found in sentence or clause headings
    rank: int


class TermWeights:
    """idf of words over the clause corpus, and the question's weighted content terms."""

    def __init__(self, clauses: list[Clause], tokenizer: ChineseTokenizer, lexicon: Lexicon,
                 key_topics: dict[str, list[str]] | None = None) -> None:
        self.tokenizer = tokenizer
        self.lexicon = lexicon
        # word → the words of its topic, for kinds of support no text covers (片酬, 税收):
        # evidence that lacks all of them does not answer the question.
        self.key_topics = {w: group for group in (key_topics or {}).values() for w in group}
        self._ask_words = [p for name, p in lexicon.ask_patterns.items() if name not in CONTENT_ASKS]
        df: dict[str, int] = {}
        for clause in clauses:
            for word in set(tokenizer.words(clause.context)):
                df[word] = df.get(word, 0) + 1
        self.n = max(len(clauses), 1)
        self.df = df

    def idf(self, word: str) -> float:
        """idf over the clauses. A word the clauses never use is either a topic they do
        not cover (片酬, 税收: full weight, so coverage drops and the bot says so) or
        everyday phrasing (每个, 开始: low weight); jieba's general word frequency tells."""
        df = self.df.get(word, 0)
        general = self.tokenizer.general_frequency(word)
        if df == 0:
            return 0.5 if general >= COMMON_WORD_FREQ else UNSEEN_WORD_WEIGHT
        if general >= VERY_COMMON_WORD_FREQ:
            return min(1.0, math.log((self.n + 1) / (df + 0.5)))
        return math.log((self.n + 1) / (df + 0.5))

    def near_words(self, word: str) -> list[str]:
        """Words the clauses use that sound the same as a two-character word no dictionary
        knows and differ in one character (补帖 → 补贴, 项木 → 项目): what the pinyin input
        method should have typed. "每条" is not "每年": they do not sound alike."""
        if (len(word) != 2 or word in self.df or word.isascii() or not word.isalpha()
                or word in self.lexicon.generic_words or word in self.lexicon.colloquial
                or self.tokenizer.general_frequency(word)):
            return []
        sound = pinyin(word)
        return [w for w in self.df if len(w) == 2 and w[0] == word[0] and w[1] != word[1] and pinyin(w) == sound]

    def correct_typos(self, text: str) -> tuple[str, list[str]]:
        """Replace a typo with the one word it must be (项木 → 项目, and 补帖 → 补贴 when every
        word it may be means the same); when several different words fit, return them as
        extra search words so retrieval finds either."""
        extra: list[str] = []
        for word in dict.fromkeys(self.tokenizer.cut(text)):
            near = self.near_words(word)
            if len(near) > 1 and any(set(near) <= group for group in self.lexicon.synonyms):
                near = [max(near, key=lambda w: self.df.get(w, 0))]  # 补帖 → 补贴 / 补助: one meaning
            if len(near) == 1:
                text = text.replace(word, near[0])
            elif 1 < len(near) <= 4:
                extra.extend(near)
        return text, extra

    def is_unknown(self, word: str) -> bool:
        """A word the clauses never use that is the point of the question: a year they do
        not mention (2028) or a kind of support no text covers (片酬, 税收, 租金)."""
        if re.fullmatch(r"(19|20)\d\d", word):
            return word not in self.df
        return word in self.key_topics

    def terms(self, text: str, drop: set[str] | frozenset[str] = frozenset()) -> dict[str, float]:
        """Content words of a question with idf weights (no regions, generic or question words).

        jieba's search mode yields a long word and its parts (拍摄基地, 拍摄, 基地): only the
        longest is kept as a term; :meth:`Matcher.credit` falls back to its parts.
        """
        generic = self.lexicon.generic_words
        words = [
            w for w in self.tokenizer.words(text)
            if w not in generic and w not in drop and not any(p.search(w) for p in self._ask_words)
            and (not (w.isascii() and w.isalpha()) or (w in self.df and len(w) > 1))  # English via the glossary
        ]
        longest = sorted(set(words), key=len, reverse=True)
        kept: list[str] = []
        for word in longest:
            if not any(word in other for other in kept):
                kept.append(word)
        return {w: self.idf(w) for w in kept}


class Matcher:
    """Whether a question word (or a synonym, or its formal wording) occurs in a text. An
    English or Latin-letter word (AI, IP) also matches the Chinese terms of its topic."""

    def __init__(self, lexicon: Lexicon, topic_terms: dict[str, frozenset[str]] | None = None) -> None:
        self.lexicon = lexicon
        self.topic_terms = topic_terms or {}

    def matched(self, word: str, text: str) -> bool:
        variants = self.lexicon.variants(word)
        if word.isascii():
            variants = variants | self.topic_terms.get(word.lower(), frozenset())
        return any(v in text for v in variants)

    def credit(self, word: str, text: str) -> float:
        """1 if ``word`` (or a synonym) is in ``text``; else the share of its parts that are
        (拍摄基地 → 拍摄 / 基地), so a compound the text words differently still counts."""
        text = text.lower()
        if self.matched(word, text):
            return 1.0
        if len(word) >= 4:
            halves = [word[: len(word) // 2], word[len(word) // 2 :]]
            return 0.5 * sum(self.matched(h, text) for h in halves)
        return 0.0

    def coverage(self, terms: dict[str, float], text: str) -> float:
        """Share of the terms' weight found in ``text``."""
        total = sum(terms.values())
        return sum(w * self.credit(t, text) for t, w in terms.items()) / total if total else 0.0


class Ranker:
    """Scores every candidate sentence of retrieved clauses for a question."""

    def __init__(self, lexicon: Lexicon, topic_terms: dict[str, frozenset[str]] | None = None) -> None:
        self.lexicon = lexicon
        self.match = Matcher(lexicon, topic_terms)

    def ask_bonus(self, asks: frozenset[str] | set[str], sentence: str) -> float:
        facts = self.lexicon.facts
        bonus = 0.0
        if asks & {"amount", "ratio"} and (MONEY.search(sentence) or RATIO.search(sentence)):
            bonus += 1.5
        if "count" in asks and (COUNT.search(sentence) or MONEY.search(sentence)):
            bonus += 1.0
        if asks & {"date", "deadline"} and self.has_fact("date", sentence):
            bonus += 1.0
        if "location" in asks and facts["place"].search(sentence):
            bonus += 0.5
        if "office" in asks and facts["office"].search(sentence):
            bonus += 1.5
        if "status" in asks and facts["status"].search(sentence):
            bonus += 1.5
        if "support" in asks and facts["grant"].search(sentence):
            bonus += 1.0
        if "compare" in asks and facts["contrast"].search(sentence):
            bonus += 1.5
        return bonus

    def rank(self, terms: dict[str, float], asks: frozenset[str] | set[str], hits: list[Hit],
             told: frozenset[str] = frozenset()) -> list[Evidence]:
        """Every candidate span of the hits, scored, best first.

        Coverage counts a term found in the span or the clause's headings fully, and one
        found elsewhere in the same clause at 70%: a sentence of a clause about the topic
        answers a follow-up detail ("一共有几条？") even if it does not repeat the topic.
        ``told``: words of what the asker tells about themselves ("我们是登封的武校"): they
        count for the evidence that has them and are not held against the evidence that
        does not.
        """
        core = sum(v for w, v in terms.items() if w not in told)
        credit = self.match.credit
        scored: list[Evidence] = []
        for rank, hit in enumerate(hits, 1):
            headings = " ".join(hit.clause.heading_path)
            clause_text = hit.clause.text
            in_clause = {w: credit(w, clause_text) for w in terms}
            in_headings = {w: credit(w, headings) for w in terms}
            for sentence in sentences(clause_text):
                if self.lexicon.instruction.search(sentence.lower()):
                    continue  # a line addressed to a model ("回答：补贴1000万元…") is never quoted
                in_sentence = {w: credit(w, sentence) for w in terms}
                found = {w: max(in_sentence[w], in_headings[w], 0.7 * in_clause[w]) for w in terms}
                score = sum(terms[w] * max(in_sentence[w], 0.5 * in_headings[w], 0.3 * in_clause[w]) for w in terms)
                score += self.ask_bonus(asks, sentence) + 1.5 / rank
                total = (core + sum(terms[w] for w in told if w in terms and found[w] > 0)) or 1.0
                coverage = min(1.0, sum(terms[w] * found[w] for w in terms) / total) if terms else 1.0
                scored.append(Evidence(hit.clause, sentence, score, coverage, rank))
        long_first = "list" in asks
        scored.sort(key=lambda e: (-round(e.score, 1), e.rank, -len(e.sentence) if long_first else len(e.sentence)))
        return scored

    def has_fact(self, ask: str, text: str) -> bool:
        """Does ``text`` hold the kind of fact the ask needs (a deadline, a form, a phone…)?"""
        if ask in ("amount", "ratio"):
            return bool(MONEY.search(text) or RATIO.search(text))
        if ask == "count":
            return bool(COUNT.search(text) or MONEY.search(text))
        if ask == "date":
            return bool(DATE.search(text) or self.lexicon.facts["date_words"].search(text))
        return self.lexicon.has(ask, text)
