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
from bot.policy.regions import Level, RegionBook

# Figures a reader would act on: amounts, percentages, counts with a unit, dates, phone numbers.
FIGURE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿|%|部(?!门)|家|个|天|张|平方米|名|套|辆|亩|人|倍|年|月|日|号)"
    r"|(?<![\d.])\d{7,}|(?<![\d-])\d{3,4}-\d{7,8}"
    r"|百分之[一二三四五六七八九十]+"
)
ECHO_RUN = 12  # a run of the question this long, repeated in the answer, must come from a source


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quote_is_verbatim(quote: str, clause_text: str) -> bool:
    return bool(quote.strip()) and quote in clause_text


def unsupported_figures(text: str, sources: list[str]) -> list[str]:
    """Figures in ``text`` that no source contains (after width / space folding)."""
    folded = [_fold(s) for s in sources]
    missing = []
    for m in FIGURE.finditer(_fold(text)):
        figure = m.group(0)
        if not any(re.search(r"(?<![\d.])" + re.escape(figure), s) for s in folded):
            missing.append(figure)
    return list(dict.fromkeys(missing))


def echoed(question: str, text: str, sources: list[str]) -> str | None:
    """A run of the user's question repeated in ``text`` that no source contains."""
    q, t = _fold(question), _fold(text)
    folded = [_fold(s) for s in sources]
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


# ---------------------------------------------------------------------------------------
# Generated answers (the optional LLM composer, issue 12). The extractive guard above still
# runs last on the complete text; these checks read the model's prose the way a reader
# does: each statement with the clauses its [n] markers point to.

MARKER_GROUP = re.compile(r"(?:\[\d+\])+")
# Counts an answer may state that FIGURE leaves out; they must come from a cited clause or
# from the checked extractive answer (which counts the measures it lists).
COUNT = re.compile(r"(?<![\d.])\d+\s*(?:项|条|次|批|所|座|位|类|种|期|届|集|分钟|小时|周)")
# Contact details and links: only as the cited clauses give them.
CONTACT = re.compile(
    r"https?://[^\s）)\]」”]+|www\.[^\s）)\]」”]+|[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|(?<!\d)\d{3,4}[- ]\d{3,4}[- ]\d{3,4}(?!\d)|(?:微信|QQ|公众号)[号:：\s]*[A-Za-z0-9_-]{5,}"
)
QUOTED = re.compile(r"“([^”]{2,})”|「([^」]{2,})」|\"([^\"]{2,})\"")
TITLED = re.compile(r"《([^》]{2,})》")
ELLIPSIS = re.compile(r"…+|\.{3,}")
# A draft measure presented as in force (unless negated just before: 尚未正式印发).
IN_FORCE = re.compile(r"(?:已经?|正式)(?:印发|出台|发布|实施|施行|生效)|现行(?:有效)?|正在(?:实施|执行)|已落地")
NEGATION = re.compile(r"(?:尚未|未|没有|不是|并非|还没)\S{0,2}$")
DRAFT_WORD = "征求意见稿"
UNCITED_MAX = 30  # characters an uncited stretch of prose may have (a connective; twice that for a
# lead-in ending in "：")
CJK = re.compile(r"[\u4e00-\u9fff]")
LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.、)]|（[一二三四五六七八九十\d]+）)")


@dataclass(frozen=True)
class Evidence:
    """One numbered clause quote an LLM was given, as the guard needs it."""

    n: int
    quote: str
    title: str
    region: str  # region key of the clause
    draft: bool  # from a 征求意见稿


@dataclass(frozen=True)
class RegionNames:
    """Names of the covered regions (longest first) and each region's containing regions;
    national-level regions are left out (全国 is a word, not a misattribution)."""

    names: dict[str, str]  # name → region key
    parents: dict[str, frozenset[str]]

    @classmethod
    def from_book(cls, book: RegionBook) -> RegionNames:
        """The Chinese names (two characters or more) of every covered local region."""
        local = [k for k, r in book.regions.items() if r.level is not Level.NATIONAL]
        return cls({n: k for k in local for n in book.regions[k].names if len(n) >= 2 and CJK.search(n)},
                   {k: frozenset(book.parents(k)) for k in local})

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(name, region key) of every covered region named in ``text``, longest match first."""
        if not self.names:
            return []
        pattern = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        return [(m.group(0), self.names[m.group(0)]) for m in re.finditer(pattern, text)]


@dataclass(frozen=True)
class Segment:
    text: str
    cites: tuple[int, ...]  # the marker group that closes it (empty: uncited)
    context: tuple[tuple[str, str], ...] = ()  # regions named by a list's lead line


def segments(prose: str) -> list[Segment]:
    """The prose cut after each marker group: each piece is what its markers vouch for;
    text after a line's last marker is uncited."""
    out: list[Segment] = []
    for line in prose.splitlines():
        start = 0
        for m in MARKER_GROUP.finditer(line):
            out.append(Segment(line[start:m.start()], tuple(int(n) for n in re.findall(r"\d+", m.group(0)))))
            start = m.end()
        if line[start:].strip():
            out.append(Segment(line[start:], ()))
    return out


def _content_length(text: str) -> int:
    return len(re.sub(r"[\W_]+", "", text))


def _quoted(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in QUOTED.finditer(text)]


def _verbatim(span: str, sources: list[str]) -> bool:
    """Every part of a quoted span (split at an ellipsis) occurs in one source."""
    parts = [_fold(p) for p in ELLIPSIS.split(span) if _fold(p)]
    folded = [_fold(s) for s in sources]
    return any(all(p in s for p in parts) for s in folded) if parts else True


def _occurs(figure: str, sources: list[str]) -> bool:
    pattern = r"(?<![\d.])" + re.escape(_fold(figure))
    return any(re.search(pattern, _fold(s)) for s in sources)


def _money(text: str) -> set[str]:
    from bot.answer.intent import figures_in

    return set(figures_in(text))


def check_generated(prose: str, evidence: dict[int, Evidence], regions: RegionNames,
                    reference: str = "", allowed: list[str] = (), prompt: str = "") -> list[str]:
    """Problems of LLM-written ``prose`` whose ``[n]`` markers point into ``evidence``.

    * every marker points to a supplied clause, and some statement is cited at all;
    * every amount, percentage, date, count, phone number, link (digits or Chinese
      numerals) occurs in a clause its statement cites (a count of listed measures may
      also come from the checked ``reference`` answer);
    * text in “…” is verbatim from a cited clause and 《…》 names a cited document;
    * a region named beside a citation is the clause's region (or contains it), and a
      draft clause is never said to be in force;
    * no uncited stretch longer than a lead-in, and no run of the ``prompt`` repeated.
    """
    problems: list[str] = []
    if not prose.strip():
        return ["empty: no text generated"]
    all_quotes = [e.quote for e in evidence.values()]
    names = list(allowed)
    cited_any = False
    for segment in _segments_with_context(prose, regions):
        text = segment.text
        if not segment.cites:
            problems += _uncited(text, list(evidence.values()), regions, names, reference)
            continue
        unknown = [n for n in segment.cites if n not in evidence]
        if unknown:
            problems.append("marker not supplied: " + "、".join(f"[{n}]" for n in unknown))
        cited = [evidence[n] for n in segment.cites if n in evidence]
        if not cited:
            continue
        cited_any = True
        quotes = [e.quote for e in cited]
        sources = quotes + [e.title for e in cited]
        missing = unsupported_figures(text, sources)
        missing += [c for c in COUNT.findall(text) if not _occurs(c, sources + [reference])]
        missing += [c for c in CONTACT.findall(text) if not _occurs(c, quotes)]
        have = set().union(*(_money(s) for s in sources))
        missing += sorted(_money(text) - have)
        if missing:
            problems.append("unsupported figures: " + "、".join(dict.fromkeys(missing)))
        for span in _quoted(text):
            if not _verbatim(span, quotes + names):
                problems.append(f"quote not verbatim: {span[:30]!r}")
        for title in TITLED.findall(text):
            if not _verbatim(title, [e.title for e in cited] + quotes + names):
                problems.append(f"document not cited: 《{title[:30]}》")
        problems += _misattributed(segment, cited, regions)
        if any(e.draft for e in cited):
            problems += _in_force(text)
    if not cited_any:
        problems.append("no citation: the text cites no supplied clause")
    if prompt:
        leaked = echoed(prompt, prose, all_quotes + names)
        if leaked:
            problems.append(f"repeats the prompt: {leaked!r}")
    return list(dict.fromkeys(problems))


def _uncited(text: str, evidence: list[Evidence], regions: RegionNames, allowed: list[str],
             reference: str = "") -> list[str]:
    """Prose no marker vouches for: a short connective or lead-in, stating no figure (but
    the checked answer's count of what it lists), no region the clauses are not about,
    nothing in force when a clause is a draft."""
    problems = []
    limit = UNCITED_MAX * (2 if text.rstrip().endswith(("：", ":")) else 1)
    if _content_length(text) > limit:
        problems.append(f"uncited: {text.strip()[:40]!r}")
    counts = [c for c in COUNT.findall(text) if not _occurs(c, [reference])]
    for figure in [*unsupported_figures(text, []), *counts, *CONTACT.findall(text), *_money(text)]:
        problems.append(f"uncited figure: {figure}")
    quotes = [e.quote for e in evidence]
    for span in _quoted(text):
        if not _verbatim(span, quotes + allowed):
            problems.append(f"quote not verbatim: {span[:30]!r}")
    about = {e.region for e in evidence}
    for name, key in regions.mentions(QUOTED.sub("", text)):
        if not any(key == r or key in regions.parents.get(r, ()) for r in about):
            problems.append(f"region misattributed: {name} (no supplied clause is of it)")
    if any(e.draft for e in evidence):
        problems += _in_force(text)
    return problems


def _in_force(text: str) -> list[str]:
    """Words presenting a measure as in force, outside quotes and not negated."""
    own_words = QUOTED.sub("", text)
    return [f"draft presented as in force: {m.group(0)!r}" for m in IN_FORCE.finditer(own_words)
            if not NEGATION.search(own_words[max(0, m.start() - 4):m.start()])]


def _segments_with_context(prose: str, regions: RegionNames) -> list[Segment]:
    """:func:`segments`, with the regions a list's lead line ("衢江区：") carried to its
    items, and list items without a marker vouched for by the next item's markers (a
    model often cites a list once, at its end); any other unmarked text stays uncited."""
    out: list[Segment] = []
    lead: tuple[tuple[str, str], ...] = ()
    pending = ""  # unmarked list items waiting for the next item's markers
    for line in [*prose.splitlines(), ""]:
        item = bool(LIST_ITEM.match(line))
        if pending and not item:
            out.append(Segment(pending, ()))
            pending = ""
        if not line.strip():
            lead = ()
            continue
        pieces = segments(line)
        if pieces and item:
            if pieces[0].cites:
                pieces[0] = Segment(pending + pieces[0].text, pieces[0].cites)
                pending = ""
            if not pieces[-1].cites:
                pending += pieces.pop().text + "\n"
        out += [Segment(p.text, p.cites, lead if item and p.cites else ()) for p in pieces]
        if not item:
            lead = ()
        if not MARKER_GROUP.search(line) and line.rstrip().endswith(("：", ":")):
            lead = tuple(regions.mentions(line))
    return out


def _misattributed(segment: Segment, cited: list[Evidence], regions: RegionNames) -> list[str]:
    """A region named in a statement must be a cited clause's region or contain it, and
    each cited clause's region must be among those named (or contain one of them)."""
    quotes = "".join(e.quote for e in cited)
    named = [(name, key) for name, key in regions.mentions(segment.text) if name not in quotes]
    if not named:
        named = [(name, key) for name, key in segment.context if name not in quotes]
    keys = {key for _, key in named}
    if not keys:
        return []
    own = {e.region for e in cited if e.region in regions.parents}
    problems = []
    for name, key in named:
        if not any(key == r or key in regions.parents[r] for r in own):
            problems.append(f"region misattributed: {name} (cited clauses are of "
                            + "、".join(sorted(own)) + ")")
    for r in own:
        if not any(r == key or r in regions.parents.get(key, ()) for key in keys):
            problems.append(f"region misattributed: a clause of {r} presented as "
                            + "、".join(sorted(keys)) + "'s")
    return list(dict.fromkeys(problems))


def keeps_draft_caveat(text: str, cited: list[Evidence]) -> bool:
    """A text citing a draft clause says it is a draft."""
    return not any(e.draft for e in cited) or DRAFT_WORD in text
