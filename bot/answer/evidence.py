"""Picking the sentences of retrieved clauses that answer a question.

Sentences are scored by the idf-weighted question terms they contain (with a few
domain synonyms, so 补贴 finds 补助), plus a bonus when they hold the kind of fact the
question asks for (an amount, a date, a count, a place) and a prior for the clause's
retrieval rank. Everything returned is a verbatim span of a clause.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.index.text import ChineseTokenizer
from bot.models import Clause
from bot.retrieve.hybrid import Hit
from bot.retrieve.query import ASK_PATTERNS

COMMON_WORD_FREQ = 5000  # jieba dictionary count above which a word is everyday Chinese
# A question word ("哪天", "建多大") is what is asked, not what the answer is about.
ASK_WORDS = [p for name, p in ASK_PATTERNS.items() if name not in ("status", "condition", "compare")]

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿)|[一二两三四五六七八九十百千]+(?:万元|亿元)")
RATIO = re.compile(r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十]+")
COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:~\d+)?\s*(?:个|部|家|名|人|套|辆|亩|平方米|万人|余|多|大)|[一二两三四五六七八九十百千]+(?:个|部|家|名|条|项|大)")
DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月|今年|去年|明年|年内")
PLACE = re.compile(r"片区|区内|境内|景区|街区|基地|园区|场馆|医院|商业街|工厂|影院|[省市区县镇村]")
SUPPORT = re.compile(r"补贴|补助|奖励|资助|扶持|支持|奖补|优惠|免费|资金")
FACT_PATTERNS = {
    "deadline": re.compile(r"截止|\d+月\d+日前|之前申报|前提交"),
    "form": re.compile(r"申请表|表格|下载|附件"),
    "contact": re.compile(r"电话|热线|\d{7,}|@|邮箱"),
    "address": re.compile(r"地址|\d+号|路\d+|办公时间"),
    "process": re.compile(r"申报|申请|即申即享|报备|窗口"),
    "date": DATE,
    "count": COUNT,
}
# Words a user may use for what the text calls differently.
SYNONYMS = [
    {"补贴", "补助", "奖励", "资助", "扶持", "奖补", "支持", "资金", "钱", "优惠"},
    {"拍摄", "取景", "拍", "拍戏"},
    {"企业", "公司"},
    {"基地", "园区", "产业园", "影棚"},
    {"剧本", "编剧"},
    {"出海", "海外", "译制", "翻译"},
    {"住宿", "住", "公寓", "床位"},
    {"交通", "专线", "往返"},
    {"落户", "注册", "新注册", "招引", "入驻"},
    {"上线", "播出", "播放"},
    {"研发", "技术研发"},
    {"人才", "毕业生", "就业", "培养"},
    {"展会", "交易会", "论坛", "活动"},
    {"发证", "发行许可", "许可"},
    {"投资", "总投资"},
]
# Words that name the domain itself: they say nothing about which clause answers.
GENERIC = {"微短剧", "短剧", "政策", "扶持政策", "相关", "方面", "现在", "目前", "具体", "一般",
           "有没有", "哪些", "什么", "多少", "规定", "问题", "情况", "介绍", "了解", "知道", "告诉",
           "想", "请", "帮", "查", "下", "一下", "地方", "官方", "文件", "资料", "内容", "如果"}


SPEAKER = re.compile(r"^[^：:，。]{2,24}回答[：:]")


def sentences(text: str) -> list[str]:
    """Verbatim sentences of a clause, without a Q&A speaker prefix ("…局长叶国祥回答：");
    the questions of a Q&A block are not evidence."""
    found = [SPEAKER.sub("", m.group(0).strip()) for m in SENTENCE.finditer(text)]
    return [s for s in found if len(s) >= 4 and not s.startswith("记者提问") and not s.endswith(("？", "?"))]


@dataclass
class Evidence:
    clause: Clause
    sentence: str
    score: float
    coverage: float  # share of the question's term weight found in sentence or clause headings
    rank: int


class TermWeights:
    """idf of words over the clause corpus, and the question's weighted content terms."""

    def __init__(self, clauses: list[Clause], tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer
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
        if df == 0 and self.tokenizer.general_frequency(word) >= COMMON_WORD_FREQ:
            return 0.5
        return math.log((self.n + 1) / (df + 0.5))

    def terms(self, text: str, drop: set[str] | frozenset[str] = frozenset()) -> dict[str, float]:
        """Content words of a question with idf weights (no regions, generic or question words).

        jieba's search mode yields a long word and its parts (拍摄基地, 拍摄, 基地): only the
        longest is kept as a term; :func:`credit` falls back to its parts.
        """
        words = [
            w for w in self.tokenizer.words(text)
            if w not in GENERIC and w not in drop and not any(p.search(w) for p in ASK_WORDS)
        ]
        longest = sorted(set(words), key=len, reverse=True)
        kept: list[str] = []
        for word in longest:
            if not any(word in other for other in kept):
                kept.append(word)
        return {w: self.idf(w) for w in kept}


def _variants(word: str) -> set[str]:
    for group in SYNONYMS:
        if word in group:
            return group | {word}
    return {word}


def matched(word: str, text: str) -> bool:
    return any(v in text for v in _variants(word))


def credit(word: str, text: str) -> float:
    """1 if ``word`` (or a synonym) is in ``text``; else the share of its parts that are
    (拍摄基地 → 拍摄 / 基地), so a compound the text words differently still counts."""
    text = text.lower()
    if matched(word, text):
        return 1.0
    if len(word) >= 4:
        halves = [word[: len(word) // 2], word[len(word) // 2 :]]
        return 0.5 * sum(matched(h, text) for h in halves)
    return 0.0


def ask_bonus(asks: set[str], sentence: str) -> float:
    bonus = 0.0
    if asks & {"amount", "ratio"} and (MONEY.search(sentence) or RATIO.search(sentence)):
        bonus += 1.5
    if "count" in asks and COUNT.search(sentence):
        bonus += 1.0
    if asks & {"date", "deadline"} and DATE.search(sentence):
        bonus += 1.0
    if "location" in asks and PLACE.search(sentence):
        bonus += 0.5
    return bonus


def rank_sentences(terms: dict[str, float], asks: set[str], hits: list[Hit]) -> list[Evidence]:
    """Every sentence of the hits, scored, best first."""
    total = sum(terms.values()) or 1.0
    scored: list[Evidence] = []
    for rank, hit in enumerate(hits, 1):
        headings = " ".join(hit.clause.heading_path)
        for sentence in sentences(hit.clause.text):
            in_sentence = {w: credit(w, sentence) for w in terms}
            in_headings = {w: credit(w, headings) for w in terms}
            found = {w: max(in_sentence[w], in_headings[w]) for w in terms}
            score = sum(terms[w] * max(in_sentence[w], 0.5 * in_headings[w]) for w in terms)
            score += ask_bonus(asks, sentence) + 1.5 / rank
            coverage = sum(terms[w] * found[w] for w in terms) / total if terms else 1.0
            scored.append(Evidence(hit.clause, sentence, score, coverage, rank))
    scored.sort(key=lambda e: (-e.score, e.rank))
    return scored


def has_fact(ask: str, text: str) -> bool:
    """Does ``text`` hold the kind of fact the ask needs (a deadline, a form, a phone…)?"""
    if ask in ("amount", "ratio"):
        return bool(MONEY.search(text) or RATIO.search(text))
    pattern = FACT_PATTERNS.get(ask)
    return bool(pattern.search(text)) if pattern else True
