"""Page chrome: what a saved web page, a 公众号 article or a news page carries besides the
text itself — the site's information table (索引号 | 发布机构 | 文号 …), photo captions,
bylines and editors' lines, share and follow buttons, "related news" at the foot.

The information table is read into the file's hints (the text's 文号, date, title and
publisher as the page states them) and left out of the body; the other chrome is left
out. Every line left out is kept in ``ParsedFile.chrome`` so `bot add` can list it. The
remaining tables become row lines (:mod:`bot.ingest.tables`). The words are the lexicon's
``onboarding.chrome`` section (``knowledge/lexicon.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.ingest.parse import ParsedFile
from bot.ingest.tables import ROW, markdown_tables


@dataclass(frozen=True)
class ChromeWords:
    info_keys: dict[str, str]  # a label of the page's information table → the hint it fills
    line: re.Pattern[str]  # a short line that is only chrome (caption, byline, button)
    foot: re.Pattern[str]  # a heading after which the page holds only other articles
    max_chars: int

    @classmethod
    def from_section(cls, data: dict) -> ChromeWords:
        return cls(info_keys={str(k): str(v) for k, v in data["info_keys"].items()},
                   line=re.compile("|".join(f"(?:{p})" for p in data["lines"].values())),
                   foot=re.compile(data["foot"]), max_chars=int(data["max_chars"]))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _info(line: str, words: ChromeWords) -> dict[str, str] | None:
    """The fields of a row of the page's information table ("| 文号： | 无 | 主题词： | … |"),
    or None when the line is not one."""
    if not ROW.match(line):
        return None
    cells = _cells(line)
    found: dict[str, str] = {}
    labels = 0
    for i, cell in enumerate(cells):
        label = cell.rstrip("：:").strip()
        if cell.endswith(("：", ":")) or label in words.info_keys:
            labels += 1
            value = cells[i + 1] if i + 1 < len(cells) else ""
            if label in words.info_keys and value and value not in ("无", "—", "-", "/"):
                found.setdefault(words.info_keys[label], value)
    if labels < 2 and len(cells) >= 3 and not any(c.endswith(("：", ":")) for c in cells):
        return None  # a table's column headers ("序号 | 名称 | 类型 | 状态 …"), one of them a field's name
    return found if labels >= 2 or (labels and found) else None


def _at_foot(lines: list[str], i: int) -> bool:
    """Is line ``i`` in the last part of the page (most of the text above it)? A "推荐阅读"
    box above the article (a 公众号 header) is chrome itself, never the end of the text."""
    before = sum(len(x) for x in lines[:i])
    return before >= 0.6 * sum(len(x) for x in lines)


def strip_chrome(parsed: ParsedFile, words: ChromeWords) -> ParsedFile:
    """``parsed`` without its page chrome; the information table's fields become hints
    (the page's own hints, such as a ``<meta>`` title, win)."""
    kept: list[str] = []
    chrome: list[str] = []
    # a Markdown export's front matter names its fields in its own words (标题, 文号 …)
    hints = dict(parsed.hints) | {words.info_keys[k]: v for k, v in parsed.hints.items()
                                  if k in words.info_keys and words.info_keys[k] not in parsed.hints}
    lines = parsed.text.splitlines()
    for i, line in enumerate(lines):
        bare = line.strip()
        if (info := _info(bare, words)) is not None:
            for key, value in info.items():
                hints.setdefault(key, value)
            chrome.append(bare)
            continue
        if len(bare) <= words.max_chars and words.foot.fullmatch(bare):
            if kept and _at_foot(lines, i):
                chrome.extend(lines[i:])  # "相关新闻" and what follows: other articles
                break
            chrome.append(bare)  # the heading of a box of links above the text
            continue
        if len(bare) <= words.max_chars and words.line.search(bare):
            chrome.append(bare)
            continue
        kept.append(line)
    headings = [h for h in parsed.headings if h not in chrome]
    return replace(parsed, text="\n".join(markdown_tables(kept)), hints=hints, headings=headings, chrome=chrome)
