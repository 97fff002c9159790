"""Check: the composed answer against what it should be, before the guard.

The guard (``verify.py``) decides whether an answer may be shown at all (verbatim quotes,
no unsupported figure). These checks read the answer the way a reviewer does and report
shape bugs — they never change or hide the answer; a failed check is logged and counted
(``PolicyBot.check_failures``, ``/api/health``, the eval report) so it gets fixed:

* the opening names the place asked about and states its finding;
* no "没有写明具体金额" beside a figure from the same clause;
* no clause quoted in full more than once;
* a length a phone screen can take.
"""

from __future__ import annotations

import re

from bot.answer.draft import Draft, Found
from bot.models import Citation

MAX_CHARS = 6000  # about four phone screens of Chinese text
NO_FIGURE = re.compile(r"没有写明具体金额|没有写明具体金额或比例")
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿|元|%)")
MARKER = re.compile(r"\[(\d+)\]")
MIN_REPEATED_QUOTE = 30


def check(text: str, draft: Draft, citations: list[Citation], place_names: dict[str, str]) -> list[str]:
    """Problems with the answer ``text`` rendered from ``draft`` (empty: none).
    ``place_names``: region key → the label answers use."""
    problems = []
    lines = [line for line in text.splitlines() if line.strip()]
    opening = " ".join(lines[:3])
    for finding in draft.subject_findings:
        label = place_names.get(finding.place, finding.place)
        if label and label not in opening and finding.kind is not Found.PREMISE_FALSE:
            problems.append(f"opening does not name {label}")
    quotes = {c.n: c.quote for c in citations}
    for line in lines:
        if NO_FIGURE.search(line) and any(FIGURE.search(quotes.get(int(n), "")) for n in MARKER.findall(line)):
            problems.append("'no figure' beside a figure of the same clause")
    for c in citations:
        if len(c.quote) >= MIN_REPEATED_QUOTE and text.count(c.quote) > 1:
            problems.append(f"clause quoted in full more than once: [{c.n}]")
    if len(text) > MAX_CHARS:
        problems.append(f"longer than {MAX_CHARS} characters ({len(text)})")
    return problems
