"""The guard on LLM-written prose (the optional composer, issues 12 and 17): read the
prose the way a reader does — each statement with the clauses its citation markers
point to — and list every claim no supplied clause supports.

Where a marker stands does not matter; what is claimed does:

* **Markers.** ``[1]``, ``【1】``, ``[^1]``, ``［1］``, ``[1,2]``, ``（[1]）``, ``（见[1]）``
  and ``（来源1）`` all name supplied clause 1 (:data:`MARKER`; the writer renumbers them
  to ``[n]`` before the check). A number that was not supplied is a problem.
* **Statements** (:func:`statements`). Prose is cut into blocks (a paragraph, a list item,
  a table), blocks into sentences (at 。！？；, never inside “…”), sentences at their
  marker groups. Text that a marker group closes is vouched for by exactly that group.
  The rest of a sentence — after a marker that opened it (根据[1]，…) or stood inside
  it — by all of the sentence's markers. A sentence without a marker by the nearest
  marked sentence before it in its block (else the first one after it); an unmarked list
  item or table row by the next marked one. Anything else is uncited: a short connective
  at most.
* **Content** (:func:`check_generated`). Every figure, count, link, phone and 文号 occurs
  in a clause its statement cites; “…” is verbatim; 《…》 names a cited document; a
  region named is the cited clauses' region (or contains it); a draft is never said to
  be in force, its status is stated, and only drafts are called drafts; the asker is
  never told they qualify (that is the stages' decision), nothing is promised, and the
  prose never talks about instructions. Words for all of this are in the lexicon's
  ``guard`` section.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.answer.verify import FIGURE, echoed, fold, unsupported_figures
from bot.policy.lexicon import GuardWords
from bot.policy.quantities import cn_number
from bot.policy.regions import Level, Place, RegionBook, Relation

# Every way models write "see clause n" (group "n": the number list). A number in parentheses
# counts only beside a source word (（来源1）), so list numbering such as （1） stays text.
MARKER = re.compile(
    r"[（(]\s*(?:见|详见|参见|出处|来源|依据)?\s*[:：]?\s*"
    r"(?:\[\^?|［|【)\s*(?P<a>\d+(?:\s*[,，、]\s*\d+)*)\s*(?:\]|］|】)\s*[）)]"
    r"|[（(]\s*(?:来源|出处|资料)\s*[:：]?\s*(?:资料)?\s*(?P<b>\d+(?:\s*[,，、]\s*\d+)*)\s*[）)]"
    r"|(?:\[\^?|［|【)\s*(?P<c>\d+(?:\s*[,，、]\s*\d+)*)\s*(?:\]|］|】)"
)
MARKER_GROUP = re.compile(r"(?:\[\d+\])+")
# markers that open their text: at a line's start (not a footnote "[1]: …") or after "："
OPENING = re.compile(r"(?m)^\s*(?:\[\d+\])+(?![:：\s])\S|：(?:\[\d+\])+[\u4e00-\u9fff]")
OPENED = re.compile(r"(?m)(?P<lead>^\s*|(?<=[。！？；：]))(?P<marks>(?:\[\d+\])+)(?![:：])(?P<text>[^\n\[]+)")
# Counts an answer may state that the figure pattern leaves out; they must come from a cited
# clause or from the checked extractive answer (which counts the measures it lists).
COUNT = re.compile(r"(?<![\d.])\d+\s*(?:项|条|次|批|所|座|位|类|种|期|届|集|分钟|小时|周)")
OTHER_QUOTES = re.compile(r"「[^」]{2,}」|\"[^\"]{2,}\"")
TITLED = re.compile(r"《([^》]{2,})》")
ELLIPSIS = re.compile(r"…+|\.{3,}")
UNCITED_MAX = 30  # characters an uncited stretch may have (a connective; twice that for a lead-in ending in "：")
CJK = re.compile(r"[\u4e00-\u9fff]")
LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.、)]|（[一二三四五六七八九十\d]+）|[一二三四五六七八九十]+、)")
TABLE_ROW = re.compile(r"^\s*\|")
HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S.*|\*\*[^*]+\*\*[：:]?)\s*$")
SENTENCE_END = "。！？!?；;"
OPEN_QUOTES, CLOSE_QUOTES = "“「『", "”」』"
TAIL = re.compile(r"[\s）)”」』]*(?:\[\d+\][\s）)]*)*")


def marker_numbers(match: re.Match) -> list[int]:
    """The clause numbers one :data:`MARKER` match names."""
    return [int(n) for n in re.findall(r"\d+", match.group("a") or match.group("b") or match.group("c"))]


def normalize_markers(text: str) -> str:
    """Every marker form as ``[n]`` (``【1、2】`` → ``[1][2]``), numbers unchanged."""
    return MARKER.sub(lambda m: "".join(f"[{n}]" for n in marker_numbers(m)), text)


class Segmenter(Protocol):
    """Word segmentation the guard reads a claim's words with (bot.index.text.ChineseTokenizer)."""

    def cut(self, text: str) -> list[str]: ...

    def tagged(self, text: str) -> list[tuple[str, str]]: ...

    def general_frequency(self, word: str) -> int: ...


@dataclass(frozen=True)
class Evidence:
    """One numbered clause quote an LLM was given, as the guard needs it."""

    n: int
    quote: str
    title: str
    region: str  # region key of the clause
    draft: bool  # from a 征求意见稿
    about: str = ""  # what the prompt says of the clause besides its text: heading, region, status
    status: str = ""  # the document's status (DocStatus value): a report is never a formal document


@dataclass(frozen=True)
class RegionNames:
    """The places prose can name, as the guard compares them with a clause's region: the
    covered regions (names two characters or more; national ones left out — 全国 is a
    word, not a misattribution) with the regions containing each, and, through ``find``
    (the gazetteer), any other place: ``"~name"`` with the covered regions it contains or
    lies in."""

    names: dict[str, str]  # name → region key
    parents: dict[str, frozenset[str]]
    find: Callable[[str], list[Place]] | None = None
    contains: dict[str, frozenset[str]] = field(default_factory=dict)  # "~name" → covered regions inside it
    within: dict[str, frozenset[str]] = field(default_factory=dict)  # "~name" → covered regions it lies in

    @classmethod
    def from_book(cls, book: RegionBook, find: Callable[[str], list[Place]] | None = None) -> RegionNames:
        """The Chinese names (two characters or more) of every covered local region."""
        local = [k for k, r in book.regions.items() if r.level is not Level.NATIONAL]
        return cls({n: k for k in local for n in book.regions[k].names if len(n) >= 2 and CJK.search(n)},
                   {k: frozenset(book.parents(k)) for k in local}, find)

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(name, key) of every place named in ``text``, in reading order."""
        if self.find is None:
            if not self.names:
                return []
            pattern = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
            return [(m.group(0), self.names[m.group(0)]) for m in re.finditer(pattern, text)]
        found = []
        for place in self.find(text):
            name = text[place.span[0]:place.span[1]] or place.name
            if place.relation is Relation.SAME and place.regions:
                found.append((name, place.regions[0]))
                continue
            key = "~" + place.name
            regions = frozenset(place.regions)
            if place.relation is Relation.CONTAINS:
                self.contains.setdefault(key, regions)
            elif place.relation in (Relation.INSIDE, Relation.INSIDE_PROVINCE):
                self.within.setdefault(key, regions)
            found.append((name, key))
        return found

    def holds(self, outer: str, inner: str) -> bool:
        """``outer`` is ``inner`` or contains it."""
        return (outer == inner or outer in self.parents.get(inner, ()) or outer in self.within.get(inner, ())
                or inner in self.contains.get(outer, ()))


# --------------------------------------------------------------------------- statements
@dataclass(frozen=True)
class Statement:
    """A stretch of prose and the clause numbers that vouch for it. ``exact``: a marker
    group closes it, so its clauses are exactly those (a region named must be theirs, and
    theirs must be named); otherwise it shares its sentence's or a neighbour's markers."""

    text: str
    cites: tuple[int, ...]
    exact: bool = False
    context: tuple[tuple[str, str], ...] = ()  # regions named by a lead line or heading
    label: bool = False  # a heading: names what follows, attributes nothing itself


def sentences(line: str) -> list[str]:
    """``line`` cut after each 。！？；outside quotation marks; closing brackets and the
    marker groups right after the end belong to the sentence they follow."""
    out, start, depth, i = [], 0, 0, 0
    while i < len(line):
        ch = line[i]
        depth += (ch in OPEN_QUOTES) - (ch in CLOSE_QUOTES and depth > 0)
        if ch in SENTENCE_END and depth == 0:
            end = i + 1
            while end < len(line) and line[end] in SENTENCE_END:
                end += 1
            end = TAIL.match(line, end).end()
            out.append(line[start:end])
            start = i = end
            continue
        i += 1
    if line[start:].strip():
        out.append(line[start:])
    return out


def _cites(text: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", text)))


def _sentence_statements(sentence: str, context: tuple, regions: RegionNames) -> list[Statement]:
    """A sentence's statements: each stretch a marker group closes, then the rest. A stretch
    that names no place is about the place named last before it in the sentence (余杭区设立
    基金[1]，并建设产业园[2]: both are 余杭's), else about the block's."""
    out, start, subject = [], 0, context
    for m in MARKER_GROUP.finditer(sentence):
        text = sentence[start:m.start()]
        out.append(Statement(text, _cites(m.group(0)), True, subject))
        subject = tuple(regions.mentions(unquoted(text))) or subject
        start = m.end()
    rest = sentence[start:]
    if _content_length(rest):  # not just the full stop after the last marker
        out.append(Statement(rest, _cites(sentence), False, subject))
    return out


def _block_statements(units: list[str], context: tuple, regions: RegionNames,
                      before: tuple[int, ...] = ()) -> list[Statement]:
    """Statements of one block; an unmarked sentence shares the markers of the nearest
    marked sentence before it in the block; one that opens the block ("也就是说，…") those
    of the block before (``before``) and of the nearest marked sentence after it; else it
    stays uncited (as a lead-in ending in "：" always does)."""
    cites = [_cites(u) for u in units]
    out = []
    for i, unit in enumerate(units):
        if cites[i]:
            out += _sentence_statements(unit, context, regions)
            continue
        if unit.rstrip().endswith(("：", ":")):  # a lead-in introduces what follows: a connective
            out.append(Statement(unit, ()))
            continue
        after = next((cites[j] for j in range(i + 1, len(units)) if cites[j]), ())
        donor = next((cites[j] for j in range(i - 1, -1, -1) if cites[j]), None) or \
            (tuple(dict.fromkeys(before + after)) if after else ())
        out.append(Statement(unit, donor, False, context if donor else ()))
    return out


@dataclass
class _Block:
    kind: str  # "para", "item", "table"
    lines: list[str]
    context: tuple[tuple[str, str], ...]

    def units(self) -> list[str]:
        """Table rows and list items are units of their own; a paragraph's are sentences."""
        if self.kind == "table":
            return self.lines
        return [s for line in self.lines for s in sentences(line)]


def _blocks(prose: str, regions: RegionNames) -> list[_Block]:
    """Paragraphs, list items (with their continuation lines) and tables, each with the
    regions named by the lead line or heading above it."""
    blocks: list[_Block] = []
    lead: tuple = ()
    heading: tuple = ()
    for line in prose.splitlines():
        if not line.strip():
            lead = ()
            blocks.append(_Block("gap", [], ()))
            continue
        unmarked = not MARKER_GROUP.search(line)
        if unmarked and HEADING.match(line):
            heading, lead = tuple(regions.mentions(line)), ()
            blocks.append(_Block("heading", [line], ()))
            continue
        kind = "table" if TABLE_ROW.match(line) else "item" if LIST_ITEM.match(line) else "para"
        context = (lead or heading) if kind != "para" else heading
        last = blocks[-1] if blocks else None
        if last and last.kind == kind and kind != "item":
            last.lines.append(line)
        elif last and last.kind == "item" and kind == "para" and line[:1] in (" ", "　", "\t"):
            last.lines.append(line)  # an indented line continues its list item
        else:
            blocks.append(_Block(kind, [line], context))
        if kind == "para" and unmarked and line.rstrip().endswith(("：", ":")):
            lead = tuple(regions.mentions(line))
        elif kind == "para":
            lead = ()
    return [b for b in blocks if b.kind != "gap"]


def opening_markers(prose: str) -> str:
    """Prose whose markers open what they vouch for ("[1]衢江区…。[2]除拍摄场地外…",
    "资料性质：[1]来自…；[2]出自…") with each marker moved to the end of the text it opens,
    so every statement reads as the others do. A writer opens with markers when a line
    starts with one (not a footnote's "[1]: …") or one follows "：" right before its text;
    then every marker that stands after a sentence's end, before text, opens the next."""
    if not OPENING.search(prose):
        return prose
    def move(m: re.Match) -> str:
        end = re.search(r"[。！？；]|$", m.group("text"))
        return f"{m.group('lead')}{m.group('text')[:end.start()]}{m.group('marks')}{m.group('text')[end.start():]}"
    return OPENED.sub(move, prose)


def statements(prose: str, regions: RegionNames) -> list[Statement]:
    """The prose as statements, each with the clause numbers that vouch for it."""
    prose = opening_markers(prose)
    out: list[Statement] = []
    pending: list[_Block] = []  # unmarked list items / tables waiting for the next marked one
    lead: tuple[int, ...] = ()  # the markers of a lead-in ("…目标是[1]：") over the list below it
    for block in _blocks(prose, regions):
        if block.kind == "heading":
            out += [Statement(u, (), label=True) for u in block.units()]
            lead = ()
            continue
        marked = bool(MARKER_GROUP.search("\n".join(block.lines)))
        if block.kind in ("item", "table") and not marked and lead:
            out += [Statement(u, lead, False, block.context) for u in block.units()]
            continue
        lead = _cites(block.lines[-1]) if block.kind == "para" and block.lines[-1].rstrip().endswith(("：", ":")) else ()
        if block.kind in ("item", "table") and not marked:
            pending.append(block)
            continue
        if pending and block.kind in ("item", "table"):
            donor = next(_cites(u) for u in block.units() if _cites(u))
            out += [Statement(u, donor, False, b.context) for b in pending for u in b.units()]
            pending = []
        else:
            out += [Statement(u, (), False, ()) for b in pending for u in b.units()]
            pending = []
        out += _block_statements(block.units(), block.context, regions,
                                 next((st.cites for st in reversed(out) if st.cites), ()))
    out += [Statement(u, (), False, ()) for b in pending for u in b.units()]
    # an unmarked lead-in stating a figure ("郑州市2025年前8个月的数据：") is vouched for by what it introduces
    return [Statement(st.text, out[i + 1].cites, False, st.context)
            if not st.cites and not st.label and st.text.rstrip().endswith(("：", ":")) and FIGURE.search(st.text)
            and i + 1 < len(out) and out[i + 1].cites else st for i, st in enumerate(out)]


# --------------------------------------------------------------------------- checks
def _content_length(text: str) -> int:
    return len(re.sub(r"[\W_]+", "", text))


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Where quotations stand (quotation marks included): the outermost “…”, a quotation
    inside one (“…等“一站式”服务…”) being part of it; 「…」 and "…" too."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "“":
            start = i if depth == 0 else start
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
            if depth == 0 and i - start > 2:
                spans.append((start, i + 1))
    spans += [m.span() for m in OTHER_QUOTES.finditer(text) if not any(a <= m.start() < b for a, b in spans)]
    return sorted(spans)


def _quoted(text: str) -> list[str]:
    return [text[a + 1:b - 1] for a, b in _quote_spans(text)]


def unquoted(text: str) -> str:
    """``text`` without its quotations: what the prose says in its own words."""
    out, at = [], 0
    for a, b in _quote_spans(text):
        out.append(text[at:a])
        at = b
    return "".join(out) + text[at:]


def _verbatim(span: str, sources: list[str]) -> bool:
    """Every part of a quoted span (split at an ellipsis) occurs in one source."""
    parts = [fold(p) for p in ELLIPSIS.split(span) if fold(p)]
    folded = [fold(s) for s in sources]
    return any(all(p in s for p in parts) for s in folded) if parts else True


def _occurs(figure: str, sources: list[str]) -> bool:
    pattern = r"(?<![\d.])" + re.escape(fold(figure))
    return any(re.search(pattern, fold(s)) for s in sources)


def _number(numeral: str) -> float:
    """"两" → 2, "十二" → 12, "6" → 6: a count's number, in Chinese numerals or digits."""
    return float(numeral) if numeral.isdigit() else cn_number(numeral.replace("两", "二"))


def _digits(count: str) -> str:
    """"七天" → "7天", "两年" → "2年": a count in Chinese numerals, in digits."""
    numeral = re.match(r"[两二三四五六七八九十百千]+", count).group(0)
    return f"{_number(numeral):g}{count[len(numeral):]}"


def _money(text: str) -> set[str]:
    from bot.answer.intent import figures_in

    return set(figures_in(text))


WRONG_CLAUSE_RUN = 12  # characters (punctuation left out) copied from a clause the statement does not cite
PART = re.compile(r"[^，,；;。！？!?]+")
COPY_RUN, COPY_MIN, COPY_SHARE = 3, 8, 0.6  # a near copy: runs of 3+ characters, 8 at least and 60 % of it
PART_END = re.compile(r"[，,；;。！？!?|（）()]")
AMOUNT = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万元|亿元|元|万|亿|%)")  # what a cap word can bound
CAP_BEFORE, CAP_AFTER = 10, 4  # characters before an amount (最高不超过…) and after it (…封顶, …是上限) a cap word may stand
OFFICE_LEAD = re.compile(r"^.*(?:只有|包括|找|在|向|由|到|是|、)")  # words before an office's name
LEVELS = "省市区县镇"  # the level word before an office's name (区行政服务中心)
PLACE_POS = "ns"  # jieba's part of speech of a place name (the domain dictionary tags sites so too)
COUNTED_WORD = re.compile(r"[这那该此]?[两二三四五六七八九十\d]+[个项条点类种处块笔]")
OWN_NAME_MIN = 4  # characters of a name that belongs to its regions (一站式 is a word, 黄金10条 a name)
BACK_REFERENCE = re.compile(r"这个|那个|这一|这|该|此|以上|上述|前述")
LABEL = re.compile(r"^\s*(?:[-*•·]|\d+[.、)])?\s*\**[\u4e00-\u9fff]{1,8}\**\s*[：:]")  # "- 费用范围：…"
NEGATION_REACH = 8  # characters before a claim a negation of it may stand in (尚未正式印发)
ABSENCE_LEAD = 4  # characters before an absence word that still open its part (资料均没有写明)
ABSENCE_TAIL = 2  # …and after it, for the part to need the one before as its topic (…，资料没有写明)


def _left_out(mine: str, theirs: str) -> list[str]:
    """What a near copy of a clause part (``mine`` of ``theirs``) leaves out between two
    stretches it copies: "对首次达到规模以上的企业" of "对首次达到规模以上的影视企业" leaves out
    "影视". Nothing when ``mine`` is no near copy, or a left-out stretch is in brackets."""
    a, b = re.sub(r"[\s*]", "", mine), re.sub(r"[\s*]", "", theirs)
    blocks = [m for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
              if m.size >= COPY_RUN]
    if sum(m.size for m in blocks) < max(COPY_MIN, COPY_SHARE * len(a)):
        return []
    return [b[x.b + x.size:y.b] for x, y in itertools.pairwise(blocks)
            if y.a == x.a + x.size and y.b > x.b + x.size and not re.search(r"[（）()]", b[x.b + x.size:y.b])]


@dataclass(frozen=True)
class Checker:
    """What one generated answer is checked against."""

    evidence: dict[int, Evidence]
    regions: RegionNames
    words: GuardWords
    reference: str = ""  # the checked extractive answer (its counts of listed measures)
    allowed: tuple[str, ...] = ()  # knowledge text the prose may quote (labels, titles)
    uncited: tuple[str, ...] = ()  # quotes supplied to the model that the prose does not cite
    names: tuple[str, ...] = ()  # names the texts give in quotation marks (“黄金十二条”), longest first: their numbers are no figures
    question: str = ""
    segmenter: Segmenter | None = None  # words of the prose (jieba); None: no check of words
    prose: str = ""  # the whole answer (a condition may be stated in another line than its figure)
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # a quoted name → the regions whose texts use it

    def figures(self, text: str, sources: list[str], quotes: list[str]) -> list[str]:
        """Figures, counts, contacts and 文号 in ``text`` that ``sources`` do not hold."""
        text = self.unnamed(text)
        missing = unsupported_figures(text, sources)
        missing += [c for c in COUNT.findall(text) if not self.counted(c, sources + [self.reference])]
        missing += [c for c in self.words.contact.findall(text) if not _occurs(c, quotes)]
        missing += [d for d in self.words.doc_number.findall(text) if not _occurs(d, sources + list(self.allowed))]
        missing += sorted(_money(text) - set().union(*(_money(s) for s in sources)))
        missing += [c for c in self.words.count_words.findall(unquoted(text))
                    if not _occurs(c, sources) and not self.counted(_digits(c), sources + [self.reference])]
        missing += [t for t in self.words.time.findall(unquoted(text)) if not any(t in q for q in quotes)]
        return list(dict.fromkeys(missing))

    def name_owner(self, s: Statement) -> list[str]:
        """A name only some regions' texts give (“黄金10条” is 余杭's, “黄金十二条” 衢江's)
        said of a place none of them is, holds or lies in: a measure moved to another region."""
        problems, holds = [], self.regions.holds
        quotes = "".join(self.evidence[n].quote for n in s.cites if n in self.evidence)
        for part in PART.findall(s.text):
            if self.words.absence.search(part) or self.words.denial.search(part):
                continue
            for name, regions in self.owners.items():
                # a name of four characters or more, of local texts only, that the cited clauses do not use
                if name not in part or len(name) < OWN_NAME_MIN or name in quotes \
                        or not all(r in self.regions.parents for r in regions):
                    continue
                about = [key for _, key in self.regions.mentions(unquoted(part).replace(name, " "))] or \
                    [key for _, key in s.context] or [self.evidence[n].region for n in s.cites if n in self.evidence]
                if about and not any(holds(a, r) or holds(r, a) for a in about for r in regions):
                    problems.append(f"region misattributed: “{name}” is {'、'.join(regions)}'s")
        return list(dict.fromkeys(problems))

    def enumerated(self, count: str, s: Statement) -> bool:
        """A count of the answer's own list, not of the texts: "以上两条[1][2]" over as many
        cited clauses, or "6个方向：A、B、…" followed by as many items."""
        m = re.fullmatch(r"(\d+|[两二三四五六七八九十]+)\s*(.*)", count)
        if not m or not self.words.list_units.match(m.group(2)):  # 项, 条, 个方向, 项工程 …
            return False
        number = int(_number(m.group(1)))
        at = s.text.find(count)
        if len(s.cites) >= number:
            return True
        if BACK_REFERENCE.search(s.text[max(0, at - 3):at]):  # "这两项", "以上两条": what the answer listed before
            listed = len(MARKER_GROUP.findall(self.prose[:max(0, self.prose.find(s.text))] or self.prose))
            items = len(re.findall(r"(?m)^\s*(?:[-*•·]|\d+[.、)])", self.prose))
            return max(listed, items) >= number
        after = s.text[at + len(count):]
        lead = re.search(r"[：:]|分别是|分别为|包括|即", after)
        if not lead:
            return False
        items = [i for i in re.split(r"[、，,；;]|以及|和|及|与|且", after[lead.end():]) if _content_length(i) >= 2]
        return len(items) >= number

    def unnamed(self, text: str) -> str:
        """``text`` without the names the texts give in quotation marks (黄金十二条 is a name)."""
        for name in self.names:
            text = text.replace(name, " ")
        return text

    def counted(self, count: str, sources: list[str]) -> bool:
        """A count occurs in ``sources``, a list's count in any of the list units (5条 = 5项)."""
        number, unit = re.match(r"(\d+)\s*(.*)", count).groups()
        if not self.words.list_units.fullmatch(unit):
            return _occurs(count, sources)
        return any(re.search(rf"(?<![\d.]){number}\s*(?:{self.words.list_units.pattern})", fold(s)) for s in sources)

    def cited(self, s: Statement) -> list[str]:
        """Problems of a statement that markers vouch for."""
        unknown = [n for n in s.cites if n not in self.evidence]
        problems = ["marker not supplied: " + "、".join(f"[{n}]" for n in unknown)] if unknown else []
        cited = [self.evidence[n] for n in s.cites if n in self.evidence]
        if not cited:
            return problems
        quotes = [e.quote for e in cited]
        missing = [f for f in self.figures(s.text, quotes + [e.title for e in cited], quotes)
                   if not self.enumerated(f, s)]
        if missing:
            problems.append("unsupported figures: " + "、".join(missing))
        problems += self.quotes(s.text, quotes)
        problems += [f"document not cited: 《{t[:30]}》" for t in TITLED.findall(s.text)
                     if not _verbatim(t, [e.title for e in cited] + quotes + list(self.allowed))]
        problems += self.other_clause(s, quotes)
        problems += self.misattributed(s, cited)
        problems += self.unsupported_words(s, cited)
        problems += self.dropped(s, quotes)
        problems += self.swapped(s.text, quotes)
        problems += self.bounds(s.text, quotes)
        return problems + self.status(s.text, cited) + self.unstated(s.text, quotes)

    def bounds(self, text: str, quotes: list[str]) -> list[str]:
        """An amount or rate capped (最高, 不超过, …封顶) in the prose exactly where its cited
        clauses cap it: a fixed award stated as a cap, or a cap as a fixed award, is a changed
        figure."""
        def capped(source: str, m: re.Match) -> bool:  # a cap word beside the amount, in its part of the sentence
            before = PART_END.split(source[max(0, m.start() - CAP_BEFORE):m.start()])[-1]
            after = PART_END.split(source[m.end():m.end() + CAP_AFTER])[0]
            return bool(self.words.cap.search(before) or self.words.cap.search(after))

        own, sources = fold(unquoted(text)), [fold(q) for q in quotes]
        problems = []
        for m in AMOUNT.finditer(own):
            pattern = r"(?<![\d.])" + re.escape(m.group(0))
            stated = [capped(q, f) for q in sources for f in re.finditer(pattern, q)]
            if not stated or capped(own, m) == any(stated):
                continue
            granted = self.words.grant.search(own[max(0, m.start() - CAP_BEFORE):m.end() + CAP_AFTER])
            if capped(own, m) or all(stated) and granted:  # "最高20万元" for 20万元; "给予5万元" for 最高5万元
                problems.append(f"cap changed: {m.group(0)} is {'a cap' if any(stated) else 'fixed'} in the clause")
        return problems

    def content_words(self, text: str) -> set[str]:
        """Words of two characters or more that say something of a clause (no framing word, no cap)."""
        return {w for w in self.segmenter.cut(text) if len(w) >= 2 and CJK.search(w)
                and w not in self.words.claims.discourse and not self.words.cap.fullmatch(w)}

    def dropped(self, s: Statement, quotes: list[str]) -> list[str]:
        """A statement restating a clause part that narrows who a measure is for (新认定的园区,
        来衢江求职的演职人员) while the answer never says the narrowing word: the condition
        is dropped, the measure made broader than it is."""
        if self.segmenter is None:
            return []
        own, rules = self.content_words(unquoted(s.text)), self.words.claims
        problems = []
        prose_parts = PART.findall(MARKER_GROUP.sub("", unquoted(s.text)))
        for part in (p for q in quotes for p in PART.findall(q)):
            for gap in (g for mine in prose_parts for g in _left_out(mine, part)):
                if set(self.segmenter.cut(gap)) & rules.condition_marks and gap.strip("、，") not in self.prose:
                    problems.append(f"condition dropped: {gap!r} ({part[:30]})")
            starts = set(itertools.accumulate(len(w) for w in self.segmenter.cut(part)))  # a word starts after each
            for word in rules.qualifiers:
                at = part.find(word)  # a word of the part, not the tail of a longer one (辖区内 holds no 区内)
                if at >= 0 and (at == 0 or at in starts) and word not in self.prose \
                        and len((self.content_words(part) - {word}) & own) >= rules.restates:
                    problems.append(f"condition dropped: {word!r} ({part[:30]})")
        return list(dict.fromkeys(problems))

    def swapped(self, text: str, quotes: list[str]) -> list[str]:
        """A figure the clause gives, bound to another thing than the clause binds it to
        (停车位3000个 where the clause says 停车位6000个 and 3000个“演员村床位”): a noun of
        the prose's part is, in the clause, in parts giving figures of the same unit, none
        of them this figure."""
        if self.segmenter is None:
            return []
        def unit(figure: str) -> str:
            return re.sub(r"^[\d.]+", "", figure)

        clause_parts = [(p, {unit(f) for f in FIGURE.findall(p)}) for p in (fold(p) for q in quotes for p in PART.findall(q))]
        problems = []
        for part in PART.findall(fold(unquoted(text)).replace("*", "")):
            figures = [m.group(0) for m in FIGURE.finditer(part)]
            if not figures:
                continue
            nouns = dict.fromkeys(w for w, pos in self.segmenter.tagged(part) if pos.startswith("n") and len(w) >= 2
                                  and w not in self.words.claims.discourse)  # in reading order: the same problems each run
            for figure in figures:
                for noun in nouns:
                    bound = [p for p, units in clause_parts if noun in p and unit(figure) in units]
                    if bound and not any(re.search(r"(?<![\d.])" + re.escape(figure), p) for p in bound):
                        problems.append(f"figure swapped: {noun} {figure} (the clause gives {noun} another figure)")
        return list(dict.fromkeys(problems))

    def unsupported_words(self, s: Statement, cited: list[Evidence]) -> list[str]:
        """Words of a cited statement that neither its clauses (their text, title, heading,
        region) nor the question nor the checked answer's lines citing them have, weighed
        (``guard.claims`` in the lexicon): a framing word, a function word, a common verb
        or a very common word weighs nothing, a rare noun two, any other word one. More
        than ``most`` in one statement is a claim no cited clause makes — an invented
        requirement, benefit or fact with no figure in it. A word whose every character is
        in the cited text is a paraphrase (营收 for 营业收入); a list item's label
        (费用范围：…) names what follows."""
        if self.segmenter is None:
            return []
        quotes = "".join(e.quote for e in cited)
        marks = tuple(f"[{e.n}]" for e in cited)
        named = "".join([quotes, *(e.title + e.about for e in cited)])  # where a place may come from
        said = "".join([named, self.question,
                        *(line for line in self.reference.splitlines() if any(m in line for m in marks))])
        text = MARKER_GROUP.sub("", self.claimed(LABEL.sub("", s.text, count=1)))
        missing: dict[str, int] = {}
        for word, pos in self.segmenter.tagged(text):
            if pos == PLACE_POS and len(word) >= 2 and word not in named and not self.regions.mentions(word):
                missing.setdefault(word, 2)  # a place the question names is no source (东港片区的汉唐商业街)
            elif len(word) >= 2 and CJK.search(word) and word not in said and not set(word) <= set(quotes):
                missing.setdefault(word, self.weight(word, pos))
        if sum(missing.values()) > self.words.claims.most:
            return ["claim not in the cited clauses: " + "、".join(w for w, n in missing.items() if n)]
        return []

    def weight(self, word: str, pos: str) -> int:
        """How much a word from no cited clause says (see :meth:`unsupported_words`)."""
        rules, w = self.words.claims, self.words
        frequency = self.segmenter.general_frequency(word)
        if word in rules.discourse or rules.skip_pos.search(pos) or frequency > rules.common \
                or COUNTED_WORD.fullmatch(word):  # "这两项": a count, checked as one
            return 0
        if any(p.fullmatch(word) for p in (w.cap, w.draft, w.absence)):  # checked on their own (bounds, status)
            return 0
        if pos[:1] in ("v", "a") and pos != "vn" and frequency > rules.common_verb:
            return 0
        return 2 if pos in ("n", "nz", "vn") and frequency <= rules.rare else 1

    def other_clause(self, s: Statement, quotes: list[str]) -> list[str]:
        """A run of the statement copied from a supplied clause it does not cite."""
        def bare(text: str) -> str:
            return re.sub(r"[\W_]+", "", fold(text))

        own = bare(s.text)
        if len(own) < WRONG_CLAUSE_RUN:
            return []
        cited = [bare(q) for q in [*quotes, *self.allowed]]
        others = [bare(e.quote) for n, e in self.evidence.items() if n not in s.cites] + [bare(q) for q in self.uncited]
        for i in range(len(own) - WRONG_CLAUSE_RUN + 1):
            run = own[i:i + WRONG_CLAUSE_RUN]
            if any(run in o for o in others) and not any(run in c for c in cited):
                return [f"cites the wrong clause: {run!r} is from a clause it does not cite"]
        return []

    def uncited_problems(self, s: Statement) -> list[str]:
        """Prose no marker vouches for: a short connective or lead-in, stating no figure
        (but the checked answer's count of what it lists), no region the clauses are not
        about, nothing in force when a clause is a draft."""
        text, evidence = s.text, list(self.evidence.values())
        limit = UNCITED_MAX * (2 if text.rstrip().endswith(("：", ":")) else 1)
        titles = [e.title for e in evidence] + list(self.allowed)
        own = self.claimed(TITLED.sub(lambda m: "" if _verbatim(m.group(1), titles) else m.group(0), text))
        about_sources = self.segmenter is not None and self.words.source_talk.search(own) \
            and not self.unsupported_words(s, evidence)  # "这两条都来自研究文章，不是正式文件": says what the texts are
        problems = [f"uncited: {text.strip()[:40]!r}"] if _content_length(own) > limit and not about_sources else []
        unnamed = self.unnamed(text)
        counts = [c for c in COUNT.findall(unnamed) if not self.counted(c, [self.reference])]
        figures = [*unsupported_figures(unnamed, []), *counts, *self.words.contact.findall(text),
                   *self.words.doc_number.findall(text), *_money(text)]
        problems += [f"uncited figure: {f}" for f in dict.fromkeys(figures)]
        problems += self.quotes(text, [e.quote for e in evidence])
        about = {e.region for e in evidence}
        for name, key in ([] if s.label else self.regions.mentions(self.claimed(text))):
            if not any(self.regions.holds(key, r) or self.regions.holds(r, key) for r in about):
                problems.append(f"region misattributed: {name} (no supplied clause is of it)")
        return problems + self.status(text, evidence) + self.unstated(text, [e.quote for e in evidence])

    def claimed(self, text: str) -> str:
        """``text`` without quotations and without the parts (between commas) that say the
        material has nothing on something — nor the part just before one that opens with
        it, its topic ("各阶段的金额，资料没有写明"): what the prose itself claims."""
        parts = PART.findall(unquoted(text))
        absent = [self.words.absence.search(p) for p in parts]
        topic = [i + 1 < len(parts) and bool(m := absent[i + 1]) and m.start() <= ABSENCE_LEAD
                 and _content_length(parts[i + 1][m.end():]) <= ABSENCE_TAIL for i in range(len(parts))]
        return "，".join(p for p, a, t in zip(parts, absent, topic, strict=True) if not a and not t)

    def quotes(self, text: str, quotes: list[str]) -> list[str]:
        return [f"quote not verbatim: {span[:30]!r}" for span in _quoted(text)
                if not _verbatim(span, quotes + list(self.allowed))]

    def misattributed(self, s: Statement, cited: list[Evidence]) -> list[str]:
        """A place named must be a cited clause's region, contain it, or lie inside it (a
        region's measure applies in its parts); where the markers close the statement,
        each cited clause's region must also be named (or contain one named). A sentence
        saying the material has nothing on a place attributes nothing to it."""
        quotes = "".join(e.quote for e in cited)
        named = self.regions.mentions(self.claimed(s.text)) or list(s.context)
        own = {e.region for e in cited if e.region in self.regions.parents}
        if not named:
            return []
        holds = self.regions.holds
        # a name the cited clause itself contains is its content, not an attribution
        problems = [f"region misattributed: {name} (cited clauses are of {'、'.join(sorted(own))})"
                    for name, key in named if name not in quotes and not any(holds(key, r) or holds(r, key) for r in own)]
        # a place inside the clause's region (a district of its city) is a fact: only as a clause names it
        denied = {name for part in PART.findall(self.claimed(s.text)) if self.words.denial.search(part)
                  for name, _ in self.regions.mentions(part[self.words.denial.search(part).end():])}
        problems += [f"place not in the clauses: {name} (in {'、'.join(sorted(own))}, not named by the cited clauses)"
                     for name, key in named if name not in quotes and name not in denied and key not in own
                     and any(holds(r, key) for r in own) and not any(holds(key, r) for r in own)]
        keys = {key for _, key in named}
        # the prose attributes (and the clause's region must be among the names) only where it
        # names a place the cited clause does not: 杭州余杭区 for a clause of 余杭区 is fine
        if s.exact and any(name not in quotes for name, _ in named):
            problems += [f"region misattributed: a clause of {r} presented as "
                         f"{'、'.join(sorted(n for n, _ in named))}'s"
                         for r in sorted(own) if not any(holds(r, key) for key in keys)]
        return list(dict.fromkeys(problems))

    def status(self, text: str, cited: list[Evidence]) -> list[str]:
        """A draft is never in force; only a draft is called one; a news report, press
        conference or article is never presented as the formal document it reports on; what
        a clause plans (建设, 争取设立) is never said to be done (已建成) unless it says so."""
        own = self.claimed(text)
        problems = []
        if any(e.draft for e in cited):
            problems += [f"draft presented as in force: {m.group(0)!r}" for m in self.words.in_force.finditer(own)
                         if not self.negated(own, m.start())]
        elif cited and self.words.draft.search(own) \
                and not any(self.words.draft.search(e.title + e.quote) for e in cited):
            problems.append(f"status misstated: {self.words.draft.search(own).group(0)!r} of a text that is not a draft")
        if cited and all(self.words.reported.fullmatch(e.status) for e in cited):
            said = "".join(e.quote + e.title for e in cited)
            problems += [f"status misstated: a {cited[0].status} presented as a formal document ({m.group(0)!r})"
                         for m in self.words.formal.finditer(own) if m.group(0) not in said and not self.denied(own, m)]
        quotes = "".join(e.quote for e in cited)
        problems += [f"plan presented as done: {m.group(0)!r}" for m in self.words.done.finditer(own)
                     if m.group(0) not in quotes and not self.denied(own, m)]
        return problems

    def negated(self, text: str, at: int) -> bool:
        """A negation or a question just before ``at`` (尚未正式印发, 何时正式出台, 不是…就能领)."""
        return bool(self.words.negation.search(text[max(0, at - NEGATION_REACH):at]))

    def denied(self, text: str, m: re.Match) -> bool:
        """``m`` negated or denied earlier in its part of the sentence ("不是深圳市发布的政策文件")."""
        before = PART_END.split(text[:m.start()])[-1]
        return self.negated(before, len(before)) or bool(self.words.denial.search(before))

    def unstated(self, text: str, quotes: list[str]) -> list[str]:
        """Claims no clause makes unless it says so itself (outside quotation marks):
        that anyone qualifies or nothing is required, a requirement (只有…才能, 需先), that a
        region has the same measure as another, a promise."""
        own, w = unquoted(text), self.words
        said = "".join(quotes)
        problems = []
        for office in w.organization.finditer(self.claimed(text)):  # its last six characters name it (影视服务中心)
            name = OFFICE_LEAD.sub("", office.group(0))  # "各项中只有广电总局" names 广电总局
            core = name[-6:]
            if BACK_REFERENCE.search(core):  # "这个窗口": the office named before, not a new one
                continue
            if not any(core in source for source in (said, *self.allowed)) or not self.office_level(name, said):
                problems.append(f"office not in the clauses: {name!r}")
                break
        for kind, pattern in (("condition dropped", w.universal), ("requirement added", w.requirement),
                              ("scope broadened", w.broadened), ("promise", w.promise), ("parity claimed", w.parity),
                              ("assurance", w.assured)):
            if kind == "parity claimed" and len({e.region for e in self.evidence.values()}) < 2:
                continue  # one region's measures: "同样" compares nothing across regions
            where = self.claimed(text) if kind in ("parity claimed", "scope broadened") else own
            m = pattern.search(where)
            denied = kind == "assurance" and m and self.negated(where, m.start())
            if m and m.group(0) not in said and not denied:  # "不是拍完就能领的" assures nothing
                problems.append(f"{kind}: {m.group(0)!r}")
        return problems

    def office_level(self, office: str, said: str) -> bool:
        """An office named with its place (衢州市行政服务中心) is the clauses' office at the
        clauses' level: "衢江区行政服务中心" for the clauses' "区行政服务中心" is, a city's
        "市行政服务中心" for a district's is another door."""
        places = self.regions.mentions(office)
        if not places:
            return True
        name = places[-1][0]
        rest = office[office.rfind(name) + len(name):]
        level, tail = (rest[0], rest[1:]) if rest[:1] and rest[0] in LEVELS else (name[-1:], rest)
        if not tail or name + rest in said or level + tail in said:
            return True
        return not any(m.start() > 0 and said[m.start() - 1] in LEVELS for m in re.finditer(re.escape(tail), said))

    def claims(self, text: str) -> list[str]:
        """Telling the asker they qualify (the stages decide that, never the model), and
        talk about instructions."""
        own, w = unquoted(text), self.words
        problems = []
        qualifies = w.qualifies.search(own)
        verdict = w.addressee.search(own) or _content_length(own) <= w.verdict_max
        if qualifies and verdict and not w.conditional.search(own):
            problems.append(f"eligibility asserted: {qualifies.group(0)!r}")
        if w.meta.search(own):
            problems.append(f"talks about instructions: {w.meta.search(own).group(0)!r}")
        return problems


def check_generated(prose: str, evidence: dict[int, Evidence], regions: RegionNames, words: GuardWords,
                    reference: str = "", allowed: list[str] = (), prompt: str = "",
                    uncited: list[str] = (), names: Iterable[str] = (), question: str = "",
                    segmenter: Segmenter | None = None) -> list[str]:
    """Problems of LLM-written ``prose`` whose markers point into ``evidence`` (empty: it
    may be shown). ``prompt``: the system prompt, which the prose must not repeat;
    ``uncited``: quotes the model was given and did not cite; ``names``: the names the
    texts give in quotation marks (a mapping to the regions whose texts give each, to check
    whose a name is); ``segmenter``: for the words of a claim."""
    if not prose.strip():
        return ["empty: no text generated"]
    prose = normalize_markers(prose)
    checker = Checker(evidence, regions, words, reference, tuple(allowed), tuple(uncited),
                      tuple(sorted(names, key=len, reverse=True)), question, segmenter, prose,
                      dict(names) if isinstance(names, Mapping) else {})
    problems: list[str] = []
    cited_any = False
    for s in statements(prose, regions):
        cited_any |= any(n in evidence for n in s.cites)
        problems += checker.cited(s) if s.cites else checker.uncited_problems(s)
        problems += checker.name_owner(s)
        problems += checker.claims(s.text)
    if not cited_any:
        problems.append("no citation: the text cites no supplied clause")
    cited = [e for n, e in evidence.items() if f"[{n}]" in prose]
    if not keeps_draft_caveat(prose, cited, words):
        problems.append("draft caveat missing: a draft clause is cited without saying it is a draft")
    leaked = echoed(prompt, prose, [e.quote for e in evidence.values()] + list(allowed)) if prompt else None
    if leaked:
        problems.append(f"repeats the prompt: {leaked!r}")
    return list(dict.fromkeys(problems))


def keeps_draft_caveat(text: str, cited: list[Evidence], words: GuardWords) -> bool:
    """A text citing a draft clause says, in its own words, that it is a draft."""
    return not any(e.draft for e in cited) or bool(words.draft.search(unquoted(text)))
