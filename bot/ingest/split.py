"""Structure-aware splitting of a cleaned policy text into clauses.

A clause is one numbered provision, one list item, one Q&A block or one paragraph.
Labels follow the document's own numbering:

============================  ==========================  =====================
paragraph starts with          level                        label
============================  ==========================  =====================
``一、`` / ``第一条``            1 (heading)                  ``三`` / ``第一条``
``记者提问：``                  1 (Q&A block; the question)  ``问答一``, ``问答二``
``（一）``                      2                            ``三(一)``
``1.`` ``①`` ``一是``            3 (list item)                ``三(一)1`` ``问答一①`` ``二(一是)``
(nothing)                       plain paragraph              see below
============================  ==========================  =====================

A plain paragraph belongs to the heading above it while that heading has no numbered
children (``一、指导思想`` + its paragraph form clause ``一``); otherwise it is a clause of
its own, ``<parent>段<k>``, or ``段<n>`` where no numbered heading is open (news reports,
articles). ``## `` sub-headings, chapter lines (``第二章 …``) and ``<!-- section: X -->`` marks reset the numbering;
a section mark opens a clause labelled ``X``. ``<!-- region: R -->`` sets the region of
the paragraphs that follow. Clauses longer than ``max_chars`` are split at sentence
ends into parts ``clause_id#2``, ``#3`` … that share the clause id.

Numbering that starts again — an appendix (``附件1``) or a chapter whose ``一、`` repeats
one already used — is told apart by the part it is in: from the first repeated label on,
labels carry the part's name (``附件1·一(二)``, ``第二章·一``). Labels that do not repeat
keep their plain form, so adding an appendix never renames the clauses before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import split_sentences
from bot.models import Clause, PolicyDocument

CN = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# (pattern, level, kind); the first group is the marker's number.
MARKERS: list[tuple[re.Pattern[str], int, str]] = [
    (re.compile(rf"^(第[{CN}百]+条)"), 1, "article"),
    (re.compile(rf"^([{CN}]+)、"), 1, "heading"),
    (re.compile(r"^记者提问[：:]"), 1, "qa"),
    (re.compile(rf"^（([{CN}]+)）"), 2, "sub"),
    (re.compile(r"^(\d{1,2})[.．、](?!\d)"), 3, "item"),
    (re.compile(rf"^([{CIRCLED}])"), 3, "item"),
    (re.compile(rf"^([{CN}]是)"), 3, "item"),
]
SECTION_MARK = re.compile(r"^<!--\s*section:\s*(.+?)\s*-->$")
# a chapter line: "第二章 支持企业集聚发展" (a short line, maybe a Markdown heading)
CHAPTER = re.compile(rf"^#{{0,4}}\s*第[{CN}百零\d]+[章编]\s*[^。；;，,]{{0,20}}$")
REGION_MARK = re.compile(r"^<!--\s*region:\s*(.+?)\s*-->$")
TITLE_END = re.compile(r"[。：:！？]")
# a line that opens an appendix: "附件1", "附件2：申报表填写说明", "附件 二"
APPENDIX = re.compile(rf"^(附件\s*[\d{CN}]*)\s*(?:[：:]|$|\s)")
CHAPTER_NAME = re.compile(rf"第[{CN}百零\d]+[章编]")
PART_SEPARATOR = "·"


def _cn_number(n: int) -> str:
    return CN[n - 1] if n <= 10 else f"{CN[9]}{CN[n - 11]}" if n < 20 else str(n)


@dataclass
class _Open:
    """A clause being built."""

    level: int
    label: str
    title: str
    section: str
    region: str
    paragraphs: list[str] = field(default_factory=list)
    seq: int = 0
    children: int = 0
    plain_children: int = 0
    mark: bool = False  # opened by a <!-- section: X --> mark (the document's tail)
    lead_in: bool = False  # a plain paragraph ending in "：" that the list after it belongs to


def _match(paragraph: str) -> tuple[int, str, str] | None:
    for pattern, level, kind in MARKERS:
        m = pattern.match(paragraph)
        if m:
            return level, kind, (m.group(1) if m.groups() else "")
    return None


def _title(paragraph: str) -> str:
    """A heading's own words: up to the first sentence end (or the whole short line)."""
    m = TITLE_END.search(paragraph)
    return paragraph[: m.start()] if m else paragraph


def _qa_title(label: str, question: str) -> str:
    """问答一：请问衢江区在微短剧产业方面有哪些政策？ (greetings and thanks dropped)."""
    core = re.sub(r"^记者提问[：:]\s*(您好[，,]\s*)?", "", question)
    core = re.sub(r"谢谢[。！]?$", "", core).strip()
    return f"{label}：{core}"


def split_document(doc: PolicyDocument, max_chars: int = 320) -> list[Clause]:
    """Split a cleaned document into clauses carrying heading path and metadata."""
    finished: list[_Open] = []
    stack: list[_Open] = []  # open numbered headings / items, outermost first
    section, region, qa_count, plain_count = "", doc.region_key, 0, 0
    used: set[str] = set()  # every label given so far
    part, prefix = "", ""  # the part being read (附件1, 第二章 …) and its label prefix, once numbering restarted

    def close_to(level: int) -> None:
        while stack and stack[-1].level >= level:
            finished.append(stack.pop())

    def start_part(name: str) -> None:
        nonlocal part, prefix
        if name != part:
            part, prefix = name, ""

    def own_label(label: str) -> str:
        """A label that starts the numbering (一、, （一） without a parent), unique."""
        nonlocal prefix
        if prefix + label in used:
            base = _part_name(part) or "续"
            prefix, k = f"{base}{PART_SEPARATOR}", 2
            while prefix + label in used:
                prefix, k = f"{base}{k}{PART_SEPARATOR}", k + 1
        return prefix + label

    # Editorial marks may sit on the line right above their paragraph.
    body = re.sub(r"^(<!--.*?-->)[ \t]*\n(?!\n)", r"\1\n\n", doc.body, flags=re.M)
    for seq, raw in enumerate(body.split("\n\n")):
        paragraph = raw.strip()
        if not paragraph or paragraph.startswith("# "):
            continue
        if m := REGION_MARK.match(paragraph):
            region = m.group(1)
            continue
        if m := SECTION_MARK.match(paragraph):
            close_to(0)
            start_part(m.group(1))
            label = own_label(m.group(1))
            used.add(label)
            stack.append(_Open(1, label, m.group(1), section, region, seq=seq, mark=True))
            continue
        if paragraph.startswith("## ") or CHAPTER.match(paragraph):
            # a sub-heading, or a chapter line ("第二章 支持企业集聚发展", "### 第八章 附则")
            close_to(0)
            section, region = paragraph.lstrip("#").strip(), doc.region_key
            start_part(section)
            continue
        if (m := APPENDIX.match(paragraph)) and len(paragraph) <= 40 and not (stack and stack[0].mark):
            # an appendix opens a part of its own, like a sub-heading (its title lines are
            # not the last clause's words); in the document's tail section it is a line of it
            close_to(0)
            section, region = paragraph, doc.region_key
            start_part(re.sub(r"\s+", "", m.group(1)))
            continue

        marker = _match(paragraph)
        parent = next((o for o in reversed(stack) if marker is None or o.level < marker[0]), None)
        if marker and marker[0] == 3 and parent is None:
            lead = finished[-1] if finished and finished[-1].level == 4 and finished[-1].seq == seq - 1 else None
            if lead and re.search(r"[：:]$", lead.paragraphs[-1]):
                # "新区梳理发布了首批5处取景拍摄点位：" then "一是…", "二是…": the items
                # belong to the paragraph that announces them (段11(一是) …)
                finished.pop()
                lead.level, lead.title, lead.lead_in = 2, _title(lead.paragraphs[-1]), True
                stack.append(lead)
                parent = lead
            else:
                marker = None  # a list in an unnumbered section: plain paragraphs
        if marker:
            level, kind, number = marker
            close_to(level)
            if kind == "qa":
                qa_count += 1
                label = f"问答{_cn_number(qa_count)}"
            elif level == 1:
                label = own_label(number)
            elif level == 2:
                label = f"{parent.label}({number})" if parent else own_label(f"({number})")
            else:
                label = f"{parent.label}{number}" if number in CIRCLED else f"{parent.label}({number})"
            used.add(label)
            if parent:
                parent.children += 1
            title = _qa_title(label, paragraph) if kind == "qa" else _title(paragraph)
            stack.append(_Open(level, label, title, section, region, [paragraph], seq=seq))
            continue

        # A plain paragraph.
        if any(o.lead_in for o in stack):
            close_to(min(o.level for o in stack if o.lead_in))  # the announced list has ended
        top = stack[-1] if stack else None
        if top and top.level < 3 and top.children == 0:
            top.paragraphs.append(paragraph)
            continue
        holder = next((o for o in reversed(stack) if o.level < 3), None)
        close_to(3)
        if holder:
            holder.plain_children += 1
            holder.children += 1
            label = f"{holder.label}段{holder.plain_children}"
        else:
            plain_count += 1
            label = f"段{plain_count}"
        used.add(label)
        finished.append(_Open(4, label, "", section, region, [paragraph], seq=seq))
    close_to(0)

    clauses: list[Clause] = []
    by_label: dict[str, _Open] = {o.label: o for o in finished}
    for item in sorted(finished, key=lambda o: o.seq):
        if not item.paragraphs or (item.children and item.paragraphs == [item.title]):
            continue  # a bare heading ("三、实施措施"): its words live on in its children's paths
        path = _heading_path(item, by_label)
        name = " › ".join(path) if path else "导语"
        if item.level == 4 and item.label.startswith("段"):
            name = f"{item.section} › 第{item.label[1:]}段" if item.section else f"第{item.label[1:]}段"
        parts = _pack("\n".join(item.paragraphs), max_chars)
        clause_id = f"{doc.id}:{item.label}"
        for i, part in enumerate(parts, 1):
            clauses.append(
                Clause(
                    chunk_id=clause_id if i == 1 else f"{clause_id}#{i}",
                    clause_id=clause_id,
                    label=item.label,
                    clause=name,
                    heading_path=([item.section] if item.section else []) + path,
                    text=part,
                    region=item.region,
                    doc_id=doc.id,
                    title=doc.title,
                    status=doc.status,
                    validity=doc.validity,
                    source=doc.source,
                )
            )
    _check_unique(clauses)
    return clauses


def _part_name(part: str) -> str:
    """A short name for a part's labels: 附件1, 第二章, or the first words of a heading."""
    if m := APPENDIX.match(part + " "):
        return re.sub(r"\s+", "", m.group(1))
    if m := CHAPTER_NAME.search(part):
        return m.group(0)
    return re.sub(r"[\s#：:，,。、（）()《》“”]+", "", part)[:8]


def _heading_path(item: _Open, by_label: dict[str, _Open]) -> list[str]:
    """Titles of the numbered ancestors and of the clause itself."""
    # Ancestors are the labels this one extends: "三(一)1" → "三", "三(一)".
    ancestors = sorted(
        (o for lab, o in by_label.items() if o is not item and item.label.startswith(lab) and o.level < item.level),
        key=lambda o: len(o.label),
    )
    titles = [o.title for o in ancestors]
    if item.title:
        titles.append(item.title)
    return titles


def _pack(text: str, max_chars: int) -> list[str]:
    """Split text at sentence ends into parts of at most ~max_chars (never mid-sentence)."""
    if len(text) <= max_chars:
        return [text]
    parts, current = [], ""
    for line in text.split("\n"):
        for sentence in split_sentences(line):
            if current and len(current) + len(sentence) > max_chars:
                parts.append(current)
                current = ""
            current += sentence
        if current and len(current) > max_chars // 2:
            parts.append(current)
            current = ""
        elif current:
            current += "\n"
    if current.strip():
        parts.append(current.rstrip("\n"))
    return parts


def _check_unique(clauses: list[Clause]) -> None:
    seen: set[str] = set()
    for clause in clauses:
        if clause.chunk_id in seen:
            raise ValueError(f"duplicate chunk id {clause.chunk_id}")
        seen.add(clause.chunk_id)


def split_all(docs: list[PolicyDocument], max_chars: int = 320) -> list[Clause]:
    """Clauses of every document, in document order."""
    return [clause for doc in docs for clause in split_document(doc, max_chars)]
