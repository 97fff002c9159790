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
UNSEEN_WORD_WEIGHT = 2.0
VERY_COMMON_WORD_FREQ = 20000  # …and above which it says little even when the clauses use it
# A question word ("哪天", "建多大") is what is asked, not what the answer is about.
ASK_WORDS = [p for name, p in ASK_PATTERNS.items() if name not in ("status", "condition", "support")]

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿)|[一二两三四五六七八九十百千]+(?:万元|亿元)")
RATIO = re.compile(r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十]+")
COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:~\d+)?\s*(?:个|部|家|名|人|套|辆|亩|平方米|万人|余|多|大|天|条|项|年|倍)|[一二两三四五六七八九十百千]+(?:个|部|家|名|条|项|大|天|年)")
DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月|今年|去年|明年|年内|每年|之日起|上线播出后|之后")
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
    "office": re.compile(r"窗口|服务中心|部门|局|管委会|一站式"),
    "duration": re.compile(r"每年|每月|每季|有效期|\d+\s*(年|个月|天)|[一二两三四五六七八九十]+(年|个月|天)|最长|最短"),
}
# Words a user may use for what the text calls differently.
SYNONYMS = [
    {"补贴", "补助", "奖励", "资助", "扶持", "奖补", "支持", "资金", "钱", "优惠", "报销", "给钱"},
    {"拍摄", "取景", "拍", "拍戏", "拍片", "拍剧"},
    {"企业", "公司", "单位"},
    {"基地", "园区", "产业园", "影棚", "片场"},
    {"剧本", "编剧"},
    {"出海", "海外", "译制", "翻译", "国际"},
    {"住宿", "住", "公寓", "床位", "住处"},
    {"交通", "专线", "往返", "班车", "大巴", "接送"},
    {"落户", "注册", "新注册", "招引", "入驻"},
    {"上线", "播出", "播放", "上映"},
    {"研发", "技术研发", "研究开发"},
    {"人才", "毕业生", "就业", "培养", "培训"},
    {"展会", "交易会", "论坛", "活动"},
    {"发证", "发行许可", "许可"},
    {"投资", "总投资"},
    {"演员", "演职人员", "群众演员", "群演", "演职", "艺人"},
    {"规上", "上规", "规模以上", "升规"},
    {"贷款", "微短剧贷", "融资", "金融"},
    {"生效", "施行", "实施", "有效期", "印发", "出台", "正式"},
    {"免费", "不要钱", "不收费", "收费", "要钱", "花钱"},
    {"多久", "最短时间", "即申即享", "兑现"},
    {"费", "费用", "成本"},
    {"场地", "场景", "场所"},
    {"条件", "要求", "符合"},
    {"找谁", "窗口", "部门", "服务中心"},
]
# Words that name the domain itself: they say nothing about which clause answers.
GENERIC = {"微短剧", "短剧", "政策", "扶持政策", "相关", "方面", "现在", "目前", "具体", "一般",
           "有没有", "哪些", "什么", "多少", "规定", "问题", "情况", "介绍", "了解", "知道", "告诉",
           "想", "请", "帮", "查", "下", "一下", "地方", "官方", "文件", "资料", "内容", "如果",
           # colloquial filler: says how, not what, is asked
           "为啥", "咋", "咋样", "能不能", "可不可以", "是不是", "行不行", "要不要", "会不会",
           "搞", "弄", "整", "帮忙", "当地", "能补", "能拿", "能报", "能给", "可以拿", "拿到", "得到",
           "该", "去", "需要", "不是", "才能", "是否", "应该", "怎么样", "如何", "怎样", "哪儿",
           "我们", "我", "你们", "咱们", "大家", "本地", "这边", "那边", "里面", "的话", "不", "没"}


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

    def __init__(self, clauses: list[Clause], tokenizer: ChineseTokenizer,
                 key_topics: dict[str, list[str]] | None = None,
                 colloquial: dict[str, str] | None = None) -> None:
        self.tokenizer = tokenizer
        # Everyday words → the texts' words (glossary "colloquial": 上规 → 规模以上).
        self.colloquial = {word: set(formal.split()) for word, formal in (colloquial or {}).items()}
        # word → its synonyms, for kinds of support a question may name (knowledge/topics.yaml)
        self.key_topics = {w: group for group in (key_topics or {}).values() for w in group}
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
            # Everyday phrasing (每个, 开始) weighs little; other unseen words (外地, 上班,
            # jieba's odd joins like 最多能) count, but less than the clauses' own words.
            return 0.5 if general >= COMMON_WORD_FREQ else UNSEEN_WORD_WEIGHT
        if general >= VERY_COMMON_WORD_FREQ:
            return min(1.0, math.log((self.n + 1) / (df + 0.5)))
        return math.log((self.n + 1) / (df + 0.5))

    def near_words(self, word: str) -> list[str]:
        """Words the clauses use that are one character away from a two-character word
        no dictionary knows (补帖 → 补贴 / 补助): probably what was meant."""
        if (len(word) != 2 or word in self.df or word.isascii() or not word.isalpha()
                or word in GENERIC or word in self.colloquial or self.tokenizer.general_frequency(word)):
            return []
        return [w for w in self.df if len(w) == 2 and w[0] == word[0] and w[1] != word[1]]

    def correct_typos(self, text: str) -> tuple[str, list[str]]:
        """Replace a typo with the one word it must be (项木 → 项目); when several fit
        (补帖 → 补贴 / 补助), return them as extra search words so retrieval finds either."""
        extra: list[str] = []
        for word in dict.fromkeys(self.tokenizer.cut(text)):
            near = self.near_words(word)
            if len(near) == 1:
                text = text.replace(word, near[0])
            elif 1 < len(near) <= 4:
                extra.extend(near)
        return text, extra

    def is_unknown(self, word: str) -> bool:
        """A word the clauses never use that is the point of the question: a year they do
        not mention (2028) or a kind of support they never name (片酬, 税收, 租金)."""
        if re.fullmatch(r"(19|20)\d\d", word):
            return word not in self.df
        return word in self.key_topics

    def terms(self, text: str, drop: set[str] | frozenset[str] = frozenset()) -> dict[str, float]:
        """Content words of a question with idf weights (no regions, generic or question words).

        jieba's search mode yields a long word and its parts (拍摄基地, 拍摄, 基地): only the
        longest is kept as a term; :func:`credit` falls back to its parts.
        """
        words = [
            w for w in self.tokenizer.words(text)
            if w not in GENERIC and w not in drop and not any(p.search(w) for p in ASK_WORDS)
            and (not (w.isascii() and w.isalpha()) or (w in self.df and len(w) > 1))  # English via the glossary
        ]
        longest = sorted(set(words), key=len, reverse=True)
        kept: list[str] = []
        for word in longest:
            if not any(word in other for other in kept):
                kept.append(word)
        return {w: self.idf(w) for w in kept}


Colloquial = dict[str, set[str]]


def _variants(word: str, colloquial: Colloquial) -> set[str]:
    variants = {word} | colloquial.get(word, set())
    for group in SYNONYMS:
        if word in group:
            variants |= group
    return variants


def matched(word: str, text: str, colloquial: Colloquial) -> bool:
    return any(v in text for v in _variants(word, colloquial))


def credit(word: str, text: str, colloquial: Colloquial) -> float:
    """1 if ``word`` (or a synonym) is in ``text``; else the share of its parts that are
    (拍摄基地 → 拍摄 / 基地), so a compound the text words differently still counts."""
    text = text.lower()
    if matched(word, text, colloquial):
        return 1.0
    if len(word) >= 4:
        halves = [word[: len(word) // 2], word[len(word) // 2 :]]
        return 0.5 * sum(matched(h, text, colloquial) for h in halves)
    return 0.0


OFFICE = re.compile(r"窗口|服务中心|部门|局|管委会|一站式")
STATUS = re.compile(r"施行|有效期|出台|印发|征求意见|实施")
CONTRAST = re.compile(r"各有千秋|一个[^，。]{1,8}、一个|不同的是|与[^，。]{1,12}不同|区别|而[^，。]{0,4}是")
GRANTS = re.compile(r"给予|补助|补贴|奖励|资助|一事一议|免费|扶持奖励")


def ask_bonus(asks: set[str], sentence: str) -> float:
    bonus = 0.0
    if asks & {"amount", "ratio"} and (MONEY.search(sentence) or RATIO.search(sentence)):
        bonus += 1.5
    if "count" in asks and (COUNT.search(sentence) or MONEY.search(sentence)):
        bonus += 1.0
    if asks & {"date", "deadline"} and DATE.search(sentence):
        bonus += 1.0
    if "location" in asks and PLACE.search(sentence):
        bonus += 0.5
    if "office" in asks and OFFICE.search(sentence):
        bonus += 1.5
    if "status" in asks and STATUS.search(sentence):
        bonus += 1.5
    if "support" in asks and GRANTS.search(sentence):
        bonus += 1.0
    if "compare" in asks and CONTRAST.search(sentence):
        bonus += 1.5
    return bonus


def rank_sentences(terms: dict[str, float], asks: set[str], hits: list[Hit],
                   colloquial: Colloquial | None = None) -> list[Evidence]:
    """Every candidate span of the hits, scored, best first.

    Coverage counts a term found in the span or the clause's headings fully, and one
    found elsewhere in the same clause at 70%: a sentence of a clause about the topic
    answers a follow-up detail ("一共有几条？") even if it does not repeat the topic.
    """
    total = sum(terms.values()) or 1.0
    colloquial = colloquial or {}
    scored: list[Evidence] = []
    for rank, hit in enumerate(hits, 1):
        headings = " ".join(hit.clause.heading_path)
        clause_text = hit.clause.text
        in_clause = {w: credit(w, clause_text, colloquial) for w in terms}
        for sentence in sentences(clause_text):
            in_sentence = {w: credit(w, sentence, colloquial) for w in terms}
            in_headings = {w: credit(w, headings, colloquial) for w in terms}
            found = {w: max(in_sentence[w], in_headings[w], 0.7 * in_clause[w]) for w in terms}
            score = sum(terms[w] * max(in_sentence[w], 0.5 * in_headings[w], 0.3 * in_clause[w]) for w in terms)
            score += ask_bonus(asks, sentence) + 1.5 / rank
            coverage = sum(terms[w] * found[w] for w in terms) / total if terms else 1.0
            scored.append(Evidence(hit.clause, sentence, score, coverage, rank))
    long_first = "list" in asks
    scored.sort(key=lambda e: (-round(e.score, 1), e.rank, -len(e.sentence) if long_first else len(e.sentence)))
    return scored


def has_fact(ask: str, text: str) -> bool:
    """Does ``text`` hold the kind of fact the ask needs (a deadline, a form, a phone…)?"""
    if ask in ("amount", "ratio"):
        return bool(MONEY.search(text) or RATIO.search(text))
    if ask == "count":
        return bool(COUNT.search(text) or MONEY.search(text))
    pattern = FACT_PATTERNS.get(ask)
    return bool(pattern.search(text)) if pattern else True
