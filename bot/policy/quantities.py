"""Quantities a condition sets a minimum for ("县内拍摄不少于7天", "县内实际拍摄支出须达到20万元
以上", "室内影棚面积1500平方米以上") and a producer may state about their own case ("在宁城拍了8天",
"县内花了60万", "1800平方米的影棚"). The kinds and their words are data: the lexicon's
``quantities`` section. This module reads numbers out of the matches, nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}
# a unit word after the number, read as a factor of the kind's own unit (money: 万元)
MONEY_FACTOR = {"亿": 10000.0, "万": 1.0, "千": 0.1, "元": 0.0001}


@dataclass(frozen=True)
class Quantity:
    """One kind of quantity (lexicon ``quantities.<kind>``)."""

    kind: str
    label: str  # how an answer names it ("在当地拍摄的天数")
    money: bool  # figures in 万元 (a 亿 / 元 after the number is scaled)
    # a text's minimum and the asker's own figure: each group a number (money: groups in
    # pairs, the number then its unit word 万 / 亿 / 元); the first group that matched counts
    clause: re.Pattern[str] | None
    asked: re.Pattern[str] | None

    def minimum(self, text: str) -> tuple[float, re.Match[str]] | None:
        """The minimum ``text`` sets for this quantity, with the match (None when it sets none)."""
        return _first(self.clause, text, self.money)

    def stated(self, text: str) -> float | None:
        """The asker's own figure for this quantity in ``text`` (None when not stated)."""
        found = _first(self.asked, text, self.money)
        return found[0] if found else None


def _first(pattern: re.Pattern[str] | None, text: str, money: bool) -> tuple[float, re.Match[str]] | None:
    if pattern is None:
        return None
    for m in pattern.finditer(text):
        groups = m.groups()
        # money: groups in pairs (number, unit word); else every group is a number
        pairs = list(zip(groups[::2], groups[1::2], strict=False)) if money else [(g, None) for g in groups]
        number, unit = next(((n, u) for n, u in pairs if n), (None, None))
        value = number_of(number or "")
        if value is None:
            continue
        if unit:
            value *= MONEY_FACTOR.get(unit[0], 1.0)
        return value, m
    return None


def number_of(text: str) -> float | None:
    """"8" → 8.0, "1,800" → 1800.0, "十二" → 12.0, "二十" → 20.0; None when not a number."""
    text = text.replace(",", "").replace("，", "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not text or any(c not in CN_DIGITS and c not in "十百千" for c in text):
        return None
    return cn_number(text)


def cn_number(text: str) -> float:
    """A number in Chinese numerals (digits and 十/百/千 only): "十二" → 12.0, "三百五" → 305.0."""
    total, digit = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
    return float(total + digit)


def load_quantities(data: dict | None) -> dict[str, Quantity]:
    """The lexicon's ``quantities`` section, compiled (kind → Quantity)."""
    out = {}
    for kind, entry in (data or {}).items():
        out[str(kind)] = Quantity(
            kind=str(kind), label=str(entry["label"]), money=bool(entry.get("money", False)),
            clause=re.compile(entry["clause"], re.IGNORECASE) if entry.get("clause") else None,
            asked=re.compile(entry["asked"], re.IGNORECASE) if entry.get("asked") else None,
        )
    return out
