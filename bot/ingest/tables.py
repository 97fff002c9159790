"""Tables as text a reader (and the drafter) can follow: one line per row.

Every reader writes a table as Markdown rows ("| 档次 | 播放量 | 奖励 |"): a Word table, a
web page's ``<table>``, a Markdown export. Here a header row — cells without figures above
rows with figures — names each cell of the rows below it, so a tier reads whole:
"档次：一档，播放量：1亿次（含）以上，奖励：5万元。" A bare number under a header that
gives the unit takes it ("奖励金额（万元）" over "10" → "奖励金额：10万元"). A table without such a header keeps its
cells in order ("甲，乙"). The separator row ("|---|") is dropped.
"""

from __future__ import annotations

import re

ROW = re.compile(r"^\|.*\|$")
SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
FIGURE = re.compile(r"\d")
# a header that gives its column's unit ("奖励金额（万元）"): a bare number under it takes the unit
HEADER_UNIT = re.compile(r"^(.+?)\s*[（(]\s*((?:万|亿|千|百)?(?:元|次|人|个|部|集|平方米|㎡|天|小时)|[%％])\s*[)）]$")
BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def cells(row: str) -> list[str]:
    """The cells of a Markdown row, trimmed; a merged cell repeated by the reader once."""
    parts = [c.strip() for c in row.strip().strip("|").split("|")]
    out: list[str] = []
    for part in parts:
        if part and (not out or part != out[-1]):
            out.append(part)
        elif not part:
            out.append("")
    return out


def row_text(row: list[str]) -> str:
    return "|" + "|".join(c.replace("|", "／").replace("\n", "；") for c in row) + "|"


def table_lines(rows: list[list[str]], marked: bool = False) -> list[str]:
    """One line per row; a header row names the cells of the rows below it. ``marked``: the
    table marks its first row as the header (Markdown's "|---|" under it, a page's <th>)."""
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        return []
    header = rows[0]
    has_header = len(rows) > 1 and len(header) >= 2 and not any(FIGURE.search(c) for c in header) \
        and (marked or any(FIGURE.search(c) for r in rows[1:] for c in r))
    out = []
    for row in rows[1:] if has_header else rows:
        if has_header and row == header:
            continue  # the header a table repeats after a page break
        if has_header:
            names = header + [""] * (len(row) - len(header))
            parts = [_named(h, c) for h, c in zip(names, row, strict=False) if c]
        else:
            parts = list(dict.fromkeys(c for c in row if c))
        if parts:
            line = "，".join(parts)
            out.append(line if re.search(r"[。；;]$", line) else line + "。" if has_header else line)
    return out


def _named(header: str, cell: str) -> str:
    """"奖励：5万元"; a bare number under a header that gives the unit reads with it
    ("奖励金额（万元）" over "10" → "奖励金额：10万元"), as a reader of the table takes it."""
    if not header or header == cell:
        return cell
    unit = HEADER_UNIT.match(header)
    if unit and BARE_NUMBER.match(cell):
        return f"{unit.group(1)}：{cell}{unit.group(2)}"
    return f"{header}：{cell}"


def markdown_tables(lines: list[str]) -> list[str]:
    """``lines`` with every block of Markdown table rows written as row lines."""
    out: list[str] = []
    block: list[list[str]] = []
    marked = False  # a separator row right under the first row marks it as the header
    for line in lines:
        bare = line.strip()
        if ROW.match(bare):
            if SEPARATOR.match(bare.replace(" ", "")):
                marked = marked or len(block) == 1
            else:
                block.append(cells(bare))
            continue
        if block:
            out += table_lines(block, marked)
            block, marked = [], False
        out.append(line)
    return out + table_lines(block, marked)
