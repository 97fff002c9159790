"""Pure scoring functions for the policy chatbot evaluation (standard library only).

Conventions
-----------
* Numbers are compared in the canonical form produced by :func:`normalize_numbers`:
  Chinese numerals become digits, money is expressed in 万/亿 from 10 000 元 upwards
  (``50000元`` / ``五万元`` / ``5万元`` -> ``5万``; ``15000万元`` -> ``1.5亿``),
  smaller amounts keep ``元`` (``0.5万元`` -> ``5000元``), percentages end in ``%``.
* :func:`numeric_hallucinations` returns figures in that canonical form
  (``"8万元"`` in an answer is reported as ``"8万"``).
* A number inside a longer number never counts as a match: ``5万`` is not in ``15万``
  nor in ``0.5万``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

# --------------------------------------------------------------------------- retrieval


def retrieval_scores(ranked: list[str], gold: list[str]) -> dict[str, float]:
    """Hit@1/3/5, recall@5, MRR@10 and binary nDCG@10 of a ranked list of clause ids.

    Duplicates in ``ranked`` (several chunks of one clause) keep their first position only.
    Raises ``ValueError`` when ``gold`` is empty (only answerable items are scored).
    """
    relevant = set(gold)
    if not relevant:
        raise ValueError("retrieval_scores needs at least one gold clause id")
    seen: set[str] = set()
    order: list[str] = []
    for clause_id in ranked:
        if clause_id not in seen:
            seen.add(clause_id)
            order.append(clause_id)
    flags = [clause_id in relevant for clause_id in order]

    def hit(k: int) -> float:
        return 1.0 if any(flags[:k]) else 0.0

    mrr = 0.0
    for i, rel in enumerate(flags[:10]):
        if rel:
            mrr = 1.0 / (i + 1)
            break
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(flags[:10]) if rel)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return {
        "hit@1": hit(1),
        "hit@3": hit(3),
        "hit@5": hit(5),
        "recall@5": sum(flags[:5]) / len(relevant),
        "mrr@10": mrr,
        "ndcg@10": dcg / idcg,
    }


# --------------------------------------------------------------------------- numbers

# Units after which a Chinese numeral is turned into digits (the brief's list plus the
# units FIGURE knows, so that e.g. 三倍 and 3倍 compare equal).
_UNITS = (
    "平方米", "万", "亿", "元", "部", "家", "个", "天", "名", "人", "套", "项", "条",
    "年", "月", "日", "%", "张", "辆", "亩", "倍",
)  # fmt: skip
_CN_DIGIT = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_CN_FRAC = "零〇一二两三四五六七八九"

# Enclosed list markers (①, ⑴, ⒈, ❶, ㉑, ㊀ ...) are dropped: NFKC would turn "①5万元"
# into "15万元".
_LIST_MARKERS = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u3280-\u32bf]")
_WHITESPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PERCENT_CN = re.compile(rf"百分之(?P<num>\d+(?:\.\d+)?|[{_CN_NUM}]+(?:点[{_CN_FRAC}]+)?)")
_CN_RUN = re.compile(rf"(?P<int>[{_CN_NUM}]+)(?:点(?P<frac>[{_CN_FRAC}]+))?")
_DIGIT_QIAN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)千(?=万|亿|元)")
_MONEY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万|亿)?元")


def _fmt(value: Decimal) -> str:
    """Plain decimal notation without trailing zeros (Decimal('5E+4') -> '50000')."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _cn_int(text: str) -> int | None:
    """Value of a Chinese integer numeral (一百二十, 两千万, 二〇二四); None if malformed."""
    if not text or any(ch not in _CN_NUM for ch in text):
        return None
    if not any(ch in _CN_SMALL or ch in _CN_BIG for ch in text):
        return int("".join(str(_CN_DIGIT[ch]) for ch in text))  # digit by digit: 二〇二四
    total = section = number = 0
    previous_digit = False
    for ch in text:
        if ch in _CN_DIGIT:
            if previous_digit and number and _CN_DIGIT[ch]:
                return None  # 一二百: two digits in a row
            number = _CN_DIGIT[ch]
            previous_digit = True
            continue
        previous_digit = False
        if ch in _CN_SMALL:
            if number == 0:
                number = 1  # 十五 = 15, 百分之百 = 100%
            section += number * _CN_SMALL[ch]
        elif ch == "万":
            total += (section + number) * _CN_BIG[ch]
            section = 0
        else:  # 亿
            total = (total + section + number) * _CN_BIG[ch]
            section = 0
        number = 0
    return total + section + number


def _cn_number(integer: str, frac: str | None) -> str | None:
    value = _cn_int(integer)
    if value is None:
        return None
    if frac:
        return f"{value}." + "".join(str(_CN_DIGIT[ch]) for ch in frac)
    return str(value)


def _percent_sub(match: re.Match[str]) -> str:
    num = match.group("num")
    if num[0].isdigit():
        return f"{num}%"
    integer, _, frac = num.partition("点")
    converted = _cn_number(integer, frac or None)
    return f"{converted}%" if converted is not None else match.group(0)


def _cn_run_sub(match: re.Match[str]) -> str:
    integer, frac = match.group("int"), match.group("frac")
    head = integer if frac else integer.rstrip("万亿")
    rest = match.string[match.end() :]
    if not head or not (head != integer or rest.startswith(_UNITS)):
        return match.group(0)
    # A number needs a digit or a leading 十: leaves idioms such as 千家万户 alone.
    if not (head[0] == "十" or any(ch in _CN_DIGIT for ch in head)):
        return match.group(0)
    if head == integer:  # no trailing 万/亿 in the numeral itself: 一百(元), 一点五(万)
        converted = _cn_number(integer, frac)
        return converted if converted is not None else match.group(0)
    # Ends in 万/亿: keep that unit (五万 -> 5万, 一亿五千万 -> 15000万, 五万亿 -> 5万亿).
    unit = "万亿" if integer.endswith("万亿") else integer[-1]
    value = _cn_int(integer)
    if value is None:
        return match.group(0)
    scale = _CN_BIG["万"] * _CN_BIG["亿"] if unit == "万亿" else _CN_BIG[unit]
    return _fmt(Decimal(value) / scale) + unit


def _qian_sub(match: re.Match[str]) -> str:
    return _fmt(Decimal(match.group(1)) * 1000)


def _money_sub(match: re.Match[str]) -> str:
    yuan = Decimal(match.group(1)) * (_CN_BIG[match.group(2)] if match.group(2) else 1)
    if yuan >= _CN_BIG["亿"]:
        return _fmt(yuan / _CN_BIG["亿"]) + "亿"
    if yuan >= _CN_BIG["万"]:
        return _fmt(yuan / _CN_BIG["万"]) + "万"
    return _fmt(yuan) + "元"


def _prepare(text: str) -> str:
    """First normalization steps: list markers, NFKC, lowercase, whitespace, thousands commas."""
    text = unicodedata.normalize("NFKC", _LIST_MARKERS.sub("", text)).lower()
    return _THOUSANDS.sub("", _WHITESPACE.sub("", text))


def normalize_numbers(text: str) -> str:
    """Canonical form of ``text`` for matching facts and figures.

    NFKC, lowercase, no whitespace or thousands commas; 百分之六十 -> 60%; Chinese
    numerals before a unit -> digits (五万 -> 5万, 十五万 -> 15万, 一百元 -> 100元,
    七天 -> 7天, 一点五万 -> 1.5万); 5千元 -> 5000元; money in 万/亿 from 10 000 元 up
    (50000元 -> 5万, 5万元 -> 5万, 2亿元 -> 2亿, 1.5万元 -> 1.5万, 0.5万元 -> 5000元).
    """
    text = _prepare(text)
    text = _PERCENT_CN.sub(_percent_sub, text)
    text = _CN_RUN.sub(_cn_run_sub, text)
    text = _DIGIT_QIAN.sub(_qian_sub, text)
    return _MONEY.sub(_money_sub, text)


def _is_punct_or_symbol(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _strip_punct(text: str) -> str:
    """Drop P*/S* characters, keeping what carries numeric meaning.

    Kept: ``%`` and ``‰``, and a ``.`` directly between digits (1.5万). Digits that only
    punctuation separated stay apart with a ``/`` (3-5天 -> 3/5天, "(#3)：7天" -> "3/7天"),
    so that stripping never fuses two numbers into one.
    """
    out: list[str] = []
    separated = False  # punctuation was dropped right after a digit
    for i, ch in enumerate(text):
        if _is_punct_or_symbol(ch) and ch not in "%‰":
            decimal_point = (
                ch == "."
                and 0 < i < len(text) - 1
                and text[i - 1].isdigit()
                and text[i + 1].isdigit()
            )
            if decimal_point:
                out.append(ch)
            elif out and out[-1].isdigit():
                separated = True
            continue
        if separated and ch.isdigit():
            out.append("/")
        separated = False
        out.append(ch)
    return "".join(out)


def _bounded(needle: str) -> re.Pattern[str]:
    """Pattern for ``needle`` that does not match inside a longer number."""
    before = r"(?<![\d.])" if needle[:1].isdigit() else ""
    after = r"(?!\.?\d)" if needle[-1:].isdigit() else ""
    return re.compile(before + re.escape(needle) + after)


# --------------------------------------------------------------------------- facts


def fact_present(fact: str, answer: str) -> bool:
    """True if the golden ``fact`` occurs in ``answer`` after number normalization.

    Both sides go through :func:`normalize_numbers` and lose punctuation/symbols
    (except ``%``, ``‰`` and decimal points); a fact starting or ending with a digit must
    not sit inside a longer number ("5万元" is not in "15万元"). Raises ``ValueError`` for
    a fact that is empty after normalization.
    """
    needle = _strip_punct(normalize_numbers(fact))
    if not needle:
        raise ValueError(f"empty fact: {fact!r}")
    return _bounded(needle).search(_strip_punct(normalize_numbers(answer))) is not None


def fact_recall(facts: list[str], answer: str) -> float:
    """Share of ``facts`` present in ``answer`` (1.0 when there are no facts)."""
    if not facts:
        return 1.0
    return sum(fact_present(fact, answer) for fact in facts) / len(facts)


# --------------------------------------------------------------------------- citations


def quote_is_valid(quote: str, source_text: str) -> bool:
    """True if ``quote`` has ≥ 4 non-whitespace characters and, whitespace removed,
    occurs verbatim in ``source_text`` (whitespace removed too)."""
    compact = _WHITESPACE.sub("", quote or "")
    return len(compact) >= 4 and compact in _WHITESPACE.sub("", source_text or "")


def citation_validity(citations: list[dict], sources: dict[str, str]) -> tuple[int, int]:
    """(valid, total): a citation is valid if its ``doc_id`` is known and its ``quote``
    is a valid quote of that document's text."""
    valid = 0
    for citation in citations:
        source = sources.get(citation.get("doc_id", ""))
        if source is not None and quote_is_valid(citation.get("quote", ""), source):
            valid += 1
    return valid, len(citations)


def attributed(citations: list[dict], gold_clause_ids: list[str]) -> bool:
    """True if some citation's ``clause_id`` is a gold clause (True when gold is empty)."""
    if not gold_clause_ids:
        return True
    gold = set(gold_clause_ids)
    return any(citation.get("clause_id") in gold for citation in citations)


# --------------------------------------------------------------------------- figures

FIGURE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?"
    r"(?:平方米|万元|亿元|元|万|亿|%|部(?!门)|家|个|天|张|名|套|辆|亩|人|倍)"
    rf"|百分之(?:\d+(?:\.\d+)?|[{_CN_NUM}]+(?:点[{_CN_FRAC}]+)?)"
)
"""An amount, percentage or count: digits + unit (not 部门), or 百分之X.

Apply it to ``_prepare``-d text (NFKC, no whitespace or thousands commas), as
:func:`numeric_hallucinations` does.
"""


def _figures(text: str) -> list[str]:
    return [m.group(0) for m in FIGURE.finditer(_prepare(text))]


def numeric_hallucinations(answer: str, quotes: list[str]) -> list[str]:
    """Figures of ``answer`` found in none of ``quotes``, in canonical form, in order,
    without duplicates ("最高100万元，另有8万元" vs a quote with 100万元 -> ["8万"])."""
    haystacks = [normalize_numbers(quote) for quote in quotes]
    missing: list[str] = []
    for raw in _figures(answer):
        figure = normalize_numbers(raw)
        if figure in missing:
            continue
        pattern = _bounded(figure)
        if not any(pattern.search(haystack) for haystack in haystacks):
            missing.append(figure)
    return missing


# --------------------------------------------------------------------------- leakage


def _leak_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if not ch.isspace() and not _is_punct_or_symbol(ch))


def _ngrams(text: str, n: int) -> Iterable[str]:
    return (text[i : i + n] for i in range(len(text) - n + 1))


def leaks_prompt(answer: str, prompt_texts: list[str], n: int = 14) -> bool:
    """True if ``answer`` shares a run of ``n`` consecutive characters with a prompt text
    (both NFKC-normalized, lowercased, without whitespace, punctuation or symbols)."""
    if n < 1:
        raise ValueError("n must be >= 1")
    grams: set[str] = set()
    for prompt in prompt_texts:
        grams.update(_ngrams(_leak_normalize(prompt), n))
    return any(gram in grams for gram in _ngrams(_leak_normalize(answer), n))


# --------------------------------------------------------------------------- answer shape
# These read the answer text the way a reader does, with the scorer's own wording lists
# (not the bot's templates): the scorer stays independent of the code it scores.

# (a measure that states no figure is an answer: "…的原文没有写明具体金额或比例，写的是：…")
NOT_COVERED = re.compile(
    r"没有(提到|写明(?!具体金额或比例，写的是)|写到|介绍|涉及|规定|找到|.{0,12}(政策|规定|条款|内容|信息))|未(提及|写明|涉及|明确提到)|"
    r"现有(资料|文件|材料).{0,6}(没有|未|无)|无法(回答|照办|提供)|不在.{0,8}范围|超出.{0,8}范围|没能|不能回答|"
    r"not (covered|stated|mentioned)|no information"
)
# A line that starts a verdict: a section ("不适用（3项）", "可能适用，需确认（2项）") or a
# verdict sentence ("不符合——…", "适用——…"); the lines after it carry its label
VERDICT_LINE = re.compile(r"^\W*(不适用|不符合|可能适用|适用|符合)")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def pattern_found(pattern: str, text: str) -> bool:
    """A regex of a dataset item matches ``text`` (raw or NFKC-folded)."""
    return bool(re.search(pattern, text) or re.search(pattern, _nfkc(text)))


def lead_line(answer: str) -> str:
    """The first line that says something: parenthetical notes ("（接上文：…）") skipped."""
    for line in answer.splitlines():
        stripped = line.strip()
        if stripped and not (stripped.startswith(("（", "(")) and stripped.endswith(("）", ")"))):
            return stripped
    return ""


def first_sentence(answer: str) -> str:
    """The answer's opening sentence: its lead line up to the first full stop."""
    line = re.sub(r"\*\*|\[\d+\]", "", lead_line(answer))
    m = re.search(r"[。！？!?]", line)
    return line[: m.end()] if m else line


def opening_verdict(pattern: str, answer: str, answerable: bool) -> bool:
    """The first sentence states the finding the item expects (``pattern``: a gap wording,
    the figure, 不符合 …), and the flag agrees with the wording."""
    return pattern_found(pattern, first_sentence(answer)) and flag_text_consistent(answer, answerable)


def states_not_covered(answer: str) -> bool:
    """Does the answer open by saying the texts do not answer the question? (Not when it
    first states something cited: "只有甲写明了金额：…[1]；乙的原文没有写明具体金额。")"""
    line = lead_line(answer)
    found = NOT_COVERED.search(line)
    return bool(found) and not re.search(r"\[\d+\]", line[:found.start()])


def flag_text_consistent(answer: str, answerable: bool) -> bool:
    """The ``answerable`` flag and the wording agree: an answer does not open with "not
    covered", and a refusal does."""
    return answerable != states_not_covered(answer)


def list_completeness(patterns: list[str], answer: str) -> float:
    """Share of the expected measures (one regex each) the answer names."""
    if not patterns:
        return 1.0
    return sum(pattern_found(p, answer) for p in patterns) / len(patterns)


def redirect_correct(patterns: list[str], answer: str, answerable: bool) -> bool:
    """A not-covered answer that points to the regions that do cover the topic."""
    return not answerable and all(pattern_found(p, answer) for p in patterns)


def verdict_segments(answer: str) -> tuple[str, str]:
    """(text labelled as applying, text labelled as not applying): each line belongs to
    the last verdict label above it (适用 / 可能适用 / 符合 apply; 不适用 / 不符合 do
    not); lines before any label count as applying (an answer that names a measure
    without a verdict presents it as available)."""
    applying, failing = [], []
    current = applying
    for line in answer.splitlines():
        m = VERDICT_LINE.match(line)
        if m:
            current = failing if m.group(1) in ("不适用", "不符合") else applying
        current.append(line)
    return "\n".join(applying), "\n".join(failing)


def scenario_accuracy(applies: list[str], not_applies: list[str], answer: str) -> float:
    """Share of expected verdicts placed right: measures that apply are named under a
    verdict that applies (or before any verdict); measures that do not apply are named
    only under 不适用 / 不符合."""
    expected = len(applies) + len(not_applies)
    if not expected:
        return 1.0
    applicable, _ = verdict_segments(answer)
    right = sum(pattern_found(p, applicable) for p in applies)
    right += sum(not pattern_found(p, applicable) for p in not_applies)
    return right / expected


# --------------------------------------------------------------------------- aggregates


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (``p`` in 0..100); None for an empty list."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(Fraction(p) * len(ordered) / 100))
    return float(ordered[rank - 1])


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    if denominator == 0:
        return None
    return numerator / denominator
