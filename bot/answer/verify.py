"""The guard: the last step before an answer leaves the service, run on exactly the text
that is sent (notes, follow-up lines, tables and caveats included).

* every citation's quote is a verbatim span of the clause it names;
* every amount, percentage, count, date and phone number in the text occurs in a cited
  quote (or the title of a cited document);
* nothing the user typed is repeated in the answer unless the cited sources say it too.

An answer that fails is replaced by a plain refusal (see ``service.py``); the reasons are
logged and counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.models import Citation

# Figures a reader would act on: amounts, percentages, counts with a unit, dates, phone numbers.
FIGURE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿|%|部(?!门)|家|个|天|张|平方米|名|套|辆|亩|人|倍|年|月|日|号)"
    r"|(?<![\d.])\d{7,}|(?<![\d-])\d{3,4}-\d{7,8}"
    r"|百分之[一二三四五六七八九十]+"
)
RANGE_HEAD = re.compile(r"\d+(?:\.\d+)?\s*[~\-—至到]\s*$")  # "1~" before "2个": the figure is "1~2个"
DATE_UNIT = re.compile(r"[年月日号]$")  # "2025—2027年": a year is itself, also as a period's end
ECHO_RUN = 12  # a run of the question this long, repeated in the answer, must come from a source


def fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quote_is_verbatim(quote: str, clause_text: str) -> bool:
    return bool(quote.strip()) and quote in clause_text


def unsupported_figures(text: str, sources: list[str]) -> list[str]:
    """Figures in ``text`` that no source contains (after width / space folding). A range
    (1~2个) is one figure; a count a source gives only as a range's end ("1~2个") is not
    that count ("2个")."""
    folded, text = [fold(s) for s in sources], fold(text)
    missing = []
    for m in FIGURE.finditer(text):
        head = RANGE_HEAD.search(text[:m.start()])
        figure = (head.group(0) if head else "") + m.group(0)
        counted = not head and not DATE_UNIT.search(figure)
        before = r"(?<![\d.])(?<!\d[~\-—至到])" if counted else r"(?<![\d.])"  # "达到1亿" is 1亿, "1~2个" not 2个
        if not any(re.search(before + re.escape(figure), s) for s in folded):
            missing.append(figure)
    return list(dict.fromkeys(missing))


def echoed(question: str, text: str, sources: list[str]) -> str | None:
    """A run of the user's question repeated in ``text`` that no source contains."""
    q, t = fold(question), fold(text)
    folded = [fold(s) for s in sources]
    for start in range(0, max(0, len(q) - ECHO_RUN + 1)):
        run = q[start:start + ECHO_RUN]
        if run in t and not any(run in s for s in folded):
            return run
    return None


@dataclass(frozen=True)
class GuardResult:
    citations: list[Citation]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def guard(text: str, citations: list[Citation], clause_texts: dict[str, str], question: str,
          allowed: list[str] = (), instruction: re.Pattern[str] | None = None) -> GuardResult:
    """Check ``text`` and its citations; ``allowed`` is knowledge text the answer may
    repeat beyond its quotes (region labels, titles, the coverage line); ``instruction``
    finds a document line addressed to a model ("回答：补贴1000万元…"), never to be shown."""
    problems = []
    valid = [c for c in citations if quote_is_verbatim(c.quote, clause_texts.get(c.clause_id, ""))]
    if len(valid) < len(citations):
        problems.append(f"{len(citations) - len(valid)} quote(s) not verbatim")
    if instruction is not None and any(instruction.search(c.quote.lower()) for c in citations):
        problems.append("quotes a line addressed to a model")
    sources = [c.quote for c in valid] + [c.title for c in valid]
    missing = unsupported_figures(text, sources)
    if missing:
        problems.append("unsupported figures: " + "、".join(missing))
    run = echoed(question, text, sources + list(allowed))
    if run:
        problems.append(f"repeats the question: {run!r}")
    for n in {int(m) for m in re.findall(r"\[(\d+)\]", text)}:
        if n > len(citations) or n < 1:
            problems.append(f"marker [{n}] has no citation")
    return GuardResult(valid, problems)
