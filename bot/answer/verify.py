"""Checks every answer must pass before it leaves the service.

* every citation's quote is a verbatim span of the clause it names;
* every amount, percentage or count in the answer text occurs in a cited quote.
"""

from __future__ import annotations

import re
import unicodedata

from bot.models import Citation

# Figures a reader would act on: amounts, percentages, counts with a unit.
FIGURE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿|%|部(?!门)|家|个|天|张|平方米|名|套|辆|亩|人|倍)"
    r"|百分之[一二三四五六七八九十]+"
)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quote_is_verbatim(quote: str, clause_text: str) -> bool:
    return bool(quote.strip()) and quote in clause_text


def unsupported_figures(answer: str, quotes: list[str]) -> list[str]:
    """Figures in ``answer`` that no quote contains (after width / space folding)."""
    folded_quotes = [_fold(q) for q in quotes]
    missing = []
    for m in FIGURE.finditer(_fold(answer)):
        figure = m.group(0)
        if not any(re.search(r"(?<![\d.])" + re.escape(figure), q) for q in folded_quotes):
            missing.append(figure)
    return missing


def valid_citations(citations: list[Citation], clause_texts: dict[str, str]) -> list[Citation]:
    """The citations whose quote is verbatim in their clause (others are dropped)."""
    return [c for c in citations if quote_is_verbatim(c.quote, clause_texts.get(c.clause_id, ""))]
