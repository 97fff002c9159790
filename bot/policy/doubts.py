"""Doubts about a new document: what a person should look at before its drafted rows are
trusted. A doubt is a line that reads like an instruction to a model (the lexicon's
``onboarding.doubts.instruction`` words and the question side's ``injection_pattern``), a
link, a phone number, an amount far above the rest of the document, or text of the file
that a reader could not see (dropped by :mod:`bot.ingest.visible`).

Every doubt is listed in the draft. A drafted row (measure or site) whose quote has one —
or whose clause lost hidden text — carries it in ``doubts`` and is *held*: the policy
model leaves it out of answers until a person marks it ``reviewed``
(:attr:`bot.policy.model.SubsidyMeasure.held`). Rows without doubts answer at once.

The outlier rule: every amount the document states (``8万元``, ``1亿元``) is a data point;
with at least ``outlier_min_figures`` of them, a row granting more than
``outlier_factor`` (10) times their median is an outlier. Policies grade their awards
within one or two orders of magnitude (5万, 10万, 20万, a cap of 100万 …); a figure ten
times the median is a typo, a threshold misread as an award, or planted.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from bot.ingest.detect import OnboardingWords
from bot.ingest.visible import Dropped
from bot.models import Clause
from bot.policy.draft import Drafted, clause_texts
from bot.policy.model import Site, SubsidyMeasure

UNITS = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|亿元|元)")
LABELS = {"instruction": "像是写给AI的指令", "link": "链接", "phone": "电话号码", "outlier": "金额远高于本文其他金额",
          "hidden": "看不见的文字（已删去）", "unread": "原文有金额或比例，但草拟的金额是“未明确”"}


@dataclass
class Doubt:
    """One thing in the file a person should look at."""

    kind: str  # instruction | link | phone | outlier | hidden | unread
    label: str  # what it is, in words
    detail: str  # what was found ("13800138000", "1000万元（中位数15万元的67倍）", the hidden text)
    text: str  # the line it is in (for hidden text: the visible rest of its paragraph)
    clause_id: str = ""
    rows: list[str] = field(default_factory=list)  # ids of the drafted rows it holds back

    def note(self) -> str:
        """How a row records it (``doubts`` in measures/<id>.yaml)."""
        return f"{self.label}：{self.detail}"


def find_doubts(clauses: list[Clause], drafted: Drafted, dropped: list[Dropped], words: OnboardingWords) -> list[Doubt]:
    """The document's doubts; the drafted rows they concern get them in ``doubts``
    (``drafted`` is updated in place)."""
    texts = clause_texts(clauses)
    doubts: list[Doubt] = []
    findings: dict[int, set[str]] = {}  # id(doubt) → what its line was found to have
    for clause_id, text in texts.items():
        for line in text.splitlines():
            found: dict[str, list[str]] = {}
            for kind, what in _line_doubts(line, words):
                found.setdefault(kind, []).append(what)
            for kind, whats in found.items():  # one doubt per kind and line
                doubts.append(Doubt(kind, LABELS[kind], "、".join(dict.fromkeys(whats)), _short(line, 120), clause_id))
                findings[id(doubts[-1])] = {(kind, w) for w in whats}
    median = _median_amount("\n".join(texts.values()), words)
    for item in dropped:
        home = next((cid for cid, text in texts.items() if item.context and _bare(item.context) in _bare(text)), "")
        doubts.append(Doubt("hidden", LABELS["hidden"], f"{_short(item.text, 80)}（{item.reason}）",
                            _short(item.context, 120), home))
    notes: dict[str, list[str]] = {}
    for row in [*drafted.measures, *drafted.sites]:
        own = set(_line_doubts(row.quote, words))
        outlier = _outlier(row, median, words) + _unread(row, words)
        for doubt in [*doubts, *outlier]:
            if doubt.clause_id != row.clause_id:
                continue
            # a line doubt holds the rows whose own quote has that finding; hidden text
            # every row of its clause; an outlier (or an unread figure) its own row
            if doubt.kind == "hidden" or findings.get(id(doubt), set()) & own or doubt in outlier:
                doubt.rows.append(row.id)
                notes.setdefault(row.id, []).append(doubt.note())
        doubts += outlier
    drafted.measures[:] = [_with_notes(m, notes) for m in drafted.measures]
    drafted.sites[:] = [_with_notes(s, notes) for s in drafted.sites]
    return _merged(doubts)


def _line_doubts(line: str, words: OnboardingWords) -> list[tuple[str, str]]:
    """(kind, what was found) for the instruction-like words, links and phone numbers."""
    out = []
    for kind, pattern in (("instruction", words.instruction), ("link", words.link), ("phone", words.phone)):
        for m in pattern.finditer(line.lower() if kind == "instruction" else line):
            out.append((kind, line[m.start():m.end()]))
    return out


def _outlier(row: SubsidyMeasure | Site, median: float | None, words: OnboardingWords) -> list[Doubt]:
    """A measure granting far more than the document's other amounts."""
    if median is None or not isinstance(row, SubsidyMeasure):
        return []
    granted = [f for part in (row.benefit.amount, row.benefit.cap) if part for f in _figures(part)]
    if not granted:
        return []
    text, value = max(granted, key=lambda f: f[1])
    if value <= words.outlier_factor * median:
        return []
    detail = f"{text}（本文所写金额的中位数为{_yuan(median)}，这是它的{value / median:,.0f}倍）"
    return [Doubt("outlier", LABELS["outlier"], detail, _short(row.quote, 120), row.clause_id)]


def _unread(row: SubsidyMeasure | Site, words: OnboardingWords) -> list[Doubt]:
    """A measure drafted as 未明确 whose quote states a sum or a share: answering it would
    say the text gives no figure, which is false — a person reads the figure first."""
    if not isinstance(row, SubsidyMeasure) or row.benefit.amount != "未明确" or row.benefit.ratio or row.benefit.cap:
        return []
    found = words.figure(row.quote)
    if not found:
        return []
    return [Doubt("unread", LABELS["unread"], found.group(0), _short(row.quote, 120), row.clause_id)]


def _with_notes(row, notes: dict[str, list[str]]):
    found = list(dict.fromkeys(notes.get(row.id, [])))
    return row.model_copy(update={"doubts": found}) if found else row


def _merged(doubts: list[Doubt]) -> list[Doubt]:
    """One entry per kind, finding and line."""
    seen: dict[tuple[str, str, str], Doubt] = {}
    for d in doubts:
        key = (d.kind, d.detail, d.text)
        if key in seen:
            seen[key].rows += [r for r in d.rows if r not in seen[key].rows]
        else:
            seen[key] = d
    return list(seen.values())


def _figures(text: str) -> list[tuple[str, float]]:
    return [(m.group(0), float(m.group(1)) * UNITS[m.group(2)]) for m in FIGURE.finditer(text)]


def _median_amount(text: str, words: OnboardingWords) -> float | None:
    values = [v for m in words.money.finditer(text) for _, v in _figures(m.group(0))]
    if len(values) < words.outlier_min_figures:
        return None
    return statistics.median(values)


def _yuan(value: float) -> str:
    for unit, size in (("亿元", 100_000_000), ("万元", 10_000)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}元"


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
