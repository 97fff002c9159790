"""Read a policy file as a bureau sends it (.txt, .md, .docx, .pdf, saved .html) into plain
text in reading order: one paragraph per line, headings and list numbers kept.

Every parser returns a :class:`ParsedFile`; nothing here changes wording. Word's automatic
list numbers are not part of a paragraph's text, so they are computed from the numbering
definitions and written in front of the item (``1.``), as Word shows them; an HTML ``<ol>``
is numbered as a browser shows it. Text a reader does not see (hidden Word runs, 1-pt or
white-on-white text, ``display:none`` HTML; see :mod:`bot.ingest.visible`) is left out and
listed in :attr:`ParsedFile.dropped`. Text files are decoded in the encoding they were
written in (detected with charset-normalizer: GBK / GB18030 / Big5 are common in bureaus).

A .docx is a zip archive: its members are checked against :class:`ParseLimits` before
anything is inflated. Parsing itself may still take memory; `bot add` and the admin page
therefore run :func:`parse_file` in a capped worker process (:mod:`bot.ingest.worker`).
The parsers are imported on first use (each is an optional weight for the rest of the bot).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import KnowledgeError
from bot.ingest.clean import tidy_spacing
from bot.ingest.tables import ROW as TABLE_ROW
from bot.ingest.tables import row_text
from bot.ingest.visible import DocxVisibility, Dropped, drop_hidden_html

SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
CN = "一二三四五六七八九十"
# A line that starts a new paragraph in text whose lines a PDF broke.
MARKER = re.compile(rf"^(第[{CN}百]+条|[{CN}]+、|（[{CN}]+）|\d{{1,2}}[.．、](?!\d)|（\d{{1,2}}）|[①-⑳]|[{CN}]是)")
SENTENCE_END = re.compile(r"[。！？；：:!?;]$")
PAGE_NUMBER = re.compile(r"^[-—－\s]*\d{1,3}[-—－\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
OWN_NUMBER = re.compile(r"[〔［\[]\d{4}[〕］\]]\s*\d+\s*号$")
MB = 1024 * 1024
# Archive members smaller than this are not held to the ratio limit: they cannot inflate
# to much, and small XML parts (styles, settings) legitimately compress very well.
RATIO_FLOOR_BYTES = MB
CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950"}


class UnreadableFile(KnowledgeError):
    """A file `bot add` cannot read (wrong type, damaged, scanned PDF without text, too
    large once unpacked)."""


@dataclass(frozen=True)
class ParseLimits:
    """How much one file may cost to read (``Settings.parse_*``)."""

    max_unzipped_bytes: int = 100 * MB  # all members of an archive (.docx), uncompressed
    max_zip_ratio: float = 100.0  # uncompressed : compressed, per member of 1 MB or more
    max_zip_members: int = 10_000
    max_text_chars: int = 2_000_000  # the extracted text (a policy is well under 100,000)
    memory_bytes: int = 1024 * MB  # address space of the parse worker (RLIMIT_AS)
    timeout_seconds: float = 60.0  # wall time of the parse worker


@dataclass
class ParsedFile:
    """Plain text of a file (one paragraph per line) and what the file itself says about
    its metadata (an HTML page's title, date and publisher; a Word heading); ``dropped``
    is the text left out because a reader does not see it."""

    text: str
    kind: str  # txt, md, docx, pdf, html
    hints: dict[str, str] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)  # paragraphs styled as headings
    dropped: list[Dropped] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)  # page chrome left out (bot/ingest/chrome.py)


def parse_file(path: Path, limits: ParseLimits | None = None) -> ParsedFile:
    """The text of ``path`` in reading order. Raises :class:`UnreadableFile`."""
    limits = limits or ParseLimits()
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(
            f"{path.name}: 不支持的文件类型 {suffix or '(无扩展名)'}，请提供 .txt .md .docx .pdf 或 .html / "
            f"unsupported file type")
    if not path.is_file():
        raise UnreadableFile(f"{path}: 文件不存在 / file not found")
    try:
        if suffix == ".txt":
            parsed = ParsedFile(read_text(path), "txt")
        elif suffix == ".md":
            parsed = parse_markdown(read_text(path))
        elif suffix == ".docx":
            check_archive(path, limits)
            parsed = _parse_docx(path)
        elif suffix == ".pdf":
            parsed = _parse_pdf(path)
        else:
            parsed = _parse_html(read_text(path))
    except UnreadableFile:
        raise
    except MemoryError:
        raise UnreadableFile(f"{path.name}: 文件解析所需内存超过上限，已拒绝 / the file needs too much memory "
                             f"to read") from None
    except Exception as exc:  # a damaged file: say which and why, never a traceback
        raise UnreadableFile(f"{path.name}: 无法读取文件（{type(exc).__name__}: {exc}）/ cannot read the file") from exc
    if len(parsed.text) > limits.max_text_chars:
        raise UnreadableFile(f"{path.name}: 文字超过 {limits.max_text_chars:,} 字，不像一份政策文件，已拒绝 / "
                             f"too much text")
    parsed.text = "\n".join(line for line in (tidy_spacing(x).strip() for x in parsed.text.splitlines()) if line)
    if len(re.findall(r"[\u4e00-\u9fff]", parsed.text)) < 20:
        raise UnreadableFile(f"{path.name}: 文件中几乎没有可读的中文文字（扫描件需先做文字识别）/ no text found "
                             f"(a scanned PDF needs OCR first)")
    return parsed


def check_archive(path: Path, limits: ParseLimits) -> None:
    """Refuse a zip archive whose members would inflate beyond ``limits`` — read from the
    central directory, before anything is decompressed. (``zipfile`` never returns more
    than a member's declared size, so the declared sizes bound what a parser can get.)"""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name}: 无法读取文件，不是有效的 Word 文件（{exc}）/ not a valid .docx") from None
    if len(members) > limits.max_zip_members:
        raise UnreadableFile(f"{path.name}: 压缩包内有 {len(members):,} 个文件，超过上限 {limits.max_zip_members:,}，"
                             f"已拒绝 / too many archive members")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise UnreadableFile(f"{path.name}: 解压后共 {total / MB:,.0f} MB，超过上限 {limits.max_unzipped_bytes / MB:,.0f} MB"
                             f"（可能是“压缩炸弹”），已拒绝 / the archive unpacks to more than the limit")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_FLOOR_BYTES and ratio > limits.max_zip_ratio:
            raise UnreadableFile(f"{path.name}: 压缩包成员 {member.filename[:60]} 的压缩比为 {ratio:,.0f}:1，超过上限 "
                                 f"{limits.max_zip_ratio:,.0f}:1（可能是“压缩炸弹”），已拒绝 / compression ratio too high")


def read_text(path: Path) -> str:
    """A text file (.txt, .md, .html) decoded in its own encoding."""
    return decode_text(path.read_bytes(), path.name)


def decode_text(data: bytes, name: str = "文件") -> str:
    """UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are taken as they say; other
    bytes are decoded in the encoding charset-normalizer detects. Chinese documents
    detected as another language's encoding (short texts can be) are read as GB18030 when
    that decodes them."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                          (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    detected = (best.encoding if best is not None else "").replace("_", "").lower()
    if detected in CHINESE_ENCODINGS:
        # GB18030 is a superset of GBK and GB2312: characters outside them still decode
        return data.decode("gb18030" if detected.startswith("gb") else detected)
    for encoding in ("gb18030", detected):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableFile(f"{name}: 文字编码无法识别（请另存为 UTF-8）/ unknown text encoding")


# ------------------------------------------------------------------------- docx
def _parse_docx(path: Path) -> ParsedFile:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    numbering = _DocxNumbering(document)
    visibility = DocxVisibility(document)
    lines: list[str] = []
    headings: list[str] = []
    dropped: list[Dropped] = []
    body = document.element.body
    styles: dict[str | None, object] = {}  # a paragraph style looked up once (python-docx scans them all)
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text, hidden = visibility.paragraph(child)
            dropped += hidden
            text = text.strip()
            if not text:
                continue
            if child.style not in styles:
                styles[child.style] = docx.text.paragraph.Paragraph(child, document).style
            paragraph_style = styles[child.style]
            number = numbering.label(child, paragraph_style.element if paragraph_style is not None else None)
            if number and not MARKER.match(text):
                text = f"{number}{text}"
            style = (paragraph_style.name if paragraph_style is not None else "") or ""
            if style.lower().startswith(("heading", "title")) or style.startswith("标题"):
                headings.append(text)
            lines.append(text)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    fill = visibility.cell_fill(cell._tc)
                    parts = []
                    for p in cell._tc.findall(qn("w:p")):
                        text, hidden = visibility.paragraph(p, fill)
                        dropped += hidden
                        parts.append(text)
                    cells.append("\n".join(parts).strip())
                if any(cells):
                    lines.append(row_text(cells))  # one table text for every format (bot/ingest/tables.py)
    hints = {}
    core = document.core_properties
    if core.title:
        hints["title"] = core.title.strip()
    return ParsedFile("\n".join(lines), "docx", hints, headings, dropped)


class _DocxNumbering:
    """Word's automatic list numbers: counters per list and level, formatted as Word shows
    them (``1.``, ``（一）``)."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → (fmt, text, start)
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for node in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in node.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(qn("w:val")), {}).items():
                self.formats[(num.get(qn("w:numId")), ilvl)] = spec

    def label(self, paragraph, style=None) -> str:
        """The number Word shows before ``paragraph`` ("" when it is not in a numbered list);
        the numbering may be set on the paragraph or on its style ("List Number")."""
        qn = self._qn
        num_pr = None
        for element in (paragraph, style):
            props = element.find(qn("w:pPr")) if element is not None else None
            num_pr = props.find(qn("w:numPr")) if props is not None else None
            if num_pr is not None and num_pr.find(qn("w:numId")) is not None:
                break
        if num_pr is None:
            return ""
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        key = (num_id.get(qn("w:val")) if num_id is not None else "", int(ilvl.get(qn("w:val"))) if ilvl is not None else 0)
        fmt, text, start = self.formats.get(key, ("decimal", "%1.", 1))
        if fmt in ("bullet", "none"):
            return ""
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for (other_id, other_level) in list(self.counters):  # a deeper level restarts
            if other_id == key[0] and other_level > key[1]:
                del self.counters[(other_id, other_level)]
        value = self.counters[key]
        shown = _cn_count(value) if fmt.startswith(("chinese", "ideograph", "japaneseCounting")) else str(value)
        return re.sub(r"%\d", shown, text)


def _cn_count(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return f"十{CN[n - 11]}"
    tens, ones = divmod(n, 10)
    return f"{CN[tens - 1]}十{CN[ones - 1] if ones else ''}"


# --------------------------------------------------------------------- markdown
FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*\n", re.S)
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.+)$")


def parse_markdown(text: str) -> ParsedFile:
    """A Markdown export: its front matter is metadata (hints), never body text; a heading
    that carries its number ("## 一、总则") is that numbered line, other headings keep their
    marks; emphasis and links are plain text; a footnote's text joins the line that marks
    it ("10亿次[^1]" → "10亿次（注：以平台数据为准）"). Tables are rows, as in every format."""
    import yaml

    hints: dict[str, str] = {}
    if m := FRONT_MATTER.match(text):
        try:
            data = yaml.safe_load(m.group(1))
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            hints = {str(k).strip(): str(v).strip() for k, v in data.items() if v not in (None, "") and not isinstance(v, (dict, list))}
            text = text[m.end():]
    notes: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if d := FOOTNOTE_DEF.match(line.strip()):
            notes[d.group(1)] = d.group(2).strip().rstrip("。")
        else:
            body.append(line)
    lines, headings = [], []
    for line in body:
        line = re.sub(r"\[\^([^\]]+)\]", lambda f: f"（注：{notes[f.group(1)]}）" if f.group(1) in notes else "", line)
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)  # images
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # links: their text
        line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda e: e.group(1) or e.group(2), line)
        if h := re.match(r"^(#{1,6})\s+(.+)$", line.strip()):
            title = h.group(2).strip()
            headings.append(title)
            line = title if MARKER.match(title) or h.group(1) == "#" else line.strip()
        lines.append(line)
    return ParsedFile("\n".join(lines), "md", hints, headings)


# -------------------------------------------------------------------------- pdf
def _parse_pdf(path: Path) -> ParsedFile:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [[tidy_spacing(ln).strip() for ln in (page.extract_text() or "").splitlines()] for page in reader.pages]
    # a table drawn on the page reads as rows ("| 名称 | 类型 | 状态 |"), not one cell per line
    for i, tables in enumerate(_pdf_tables(path, len(pages))):
        for table in tables:
            pages[i] = with_table(pages[i], table)
    furniture = page_furniture(pages)
    hints = {}
    meta = reader.metadata
    if meta is not None and meta.title:
        hints["title"] = str(meta.title).strip()
    if furniture:
        hints["furniture"] = "\n".join(sorted(furniture))
    # a 文号 a 红头 notice repeats on every page is the text's own: its first line stays
    first = {ln for ln in furniture if OWN_NUMBER.search(ln)}
    raw = []
    for line in (ln for lines in pages for ln in lines):
        if line in first:
            first.discard(line)
        elif line in furniture:
            continue
        raw.append(line)
    return ParsedFile("\n".join(join_broken_lines(raw)), "pdf", hints)


def _pdf_tables(path: Path, count: int) -> list[list[list[list[str]]]]:
    """Each page's ruled tables as rows of cells (pdfplumber finds them by their lines);
    none when the file cannot be read that way (the text is still read with pypdf)."""
    try:
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            return [[[[(c or "").replace("\n", "") for c in row] for row in t if any(row)] for t in page.extract_tables()]
                    for page in pdf.pages[:count]]
    except Exception:  # a damaged or unusual file: its text is read as it is  # noqa: BLE001
        return [[] for _ in range(count)]


def with_table(lines: list[str], table: list[list[str]]) -> list[str]:
    """``lines`` with the run of whole lines that holds ``table``'s cells (pypdf writes a
    ruled table one cell, or one wrapped part of a cell, per line) replaced by one Markdown
    row per table row; unchanged when the cells are not found in that order on whole lines."""
    cells = "".join(re.sub(r"\s+", "", c) for row in table for c in row)
    if len(table) < 2 or not cells:
        return lines
    bare = [re.sub(r"\s+", "", line) for line in lines]
    starts, flat = [], ""
    for b in bare:
        starts.append(len(flat))
        flat += b
    at = flat.find(cells)
    if at < 0 or at not in starts:
        return lines
    first = starts.index(at)
    end = at + len(cells)
    last = next((i for i in range(first, len(lines)) if starts[i] + len(bare[i]) == end), None)
    if last is None:
        return lines
    rows = ["| " + " | ".join(c.strip() for c in row) + " |" for row in table]
    return [*lines[:first], *rows, *lines[last + 1:]]


def page_furniture(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Running headers and footers: a line among the first or last ``edge`` lines of at
    least two pages (and of most pages when there are many) — a running title, the 文号
    a 红头 notice repeats, a page number. Never a sentence of the body."""
    if len(pages) < 2:
        return set()
    seen: dict[str, int] = {}
    for lines in pages:
        kept = [ln for ln in lines if ln]
        for line in set(kept[:edge] + kept[-edge:]):
            seen[line] = seen.get(line, 0) + 1
    least = max(2, len(pages) // 2)
    return {ln for ln, n in seen.items() if n >= least and not PAGE_NUMBER.match(ln) and len(ln) <= 40
            and not SENTENCE_END.search(ln)}


def _width(line: str) -> float:
    """Printed width in full-width characters (Latin letters and digits are half width)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in line)


def _unbalanced(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in ("《》", "（）", "“”", "(）", "〔〕"))


def join_broken_lines(lines: list[str]) -> list[str]:
    """Paragraphs from the lines of a PDF page: a line continues the previous paragraph
    when the previous one ran to the full line width (or left a bracket open) without
    ending a sentence, and this one does not start a numbered item; page numbers are
    dropped. Without enough lines to know the width, a previous line of 15 characters
    or more counts as full."""
    lines = [tidy_spacing(raw).strip() for raw in lines]
    lines = [ln for ln in lines if ln and not PAGE_NUMBER.match(ln)]
    widths = sorted(_width(ln) for ln in lines)
    full = widths[int(len(widths) * 0.8)] * 0.85 if len(widths) >= 12 else None
    paragraphs: list[str] = []
    last = ""  # the previous line as printed
    for line in lines:
        ran_on = (_width(last) >= full) if full else len(paragraphs[-1] if paragraphs else "") >= 15
        row = TABLE_ROW.match(line) or TABLE_ROW.match(last)  # a table's rows stand alone
        if paragraphs and not row and not SENTENCE_END.search(last) and not MARKER.match(line) \
                and (ran_on or _unbalanced(paragraphs[-1])):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        last = line
    return paragraphs


# ------------------------------------------------------------------------- html
def _parse_html(html: str) -> ParsedFile:
    import lxml.html
    import trafilatura

    tree = lxml.html.fromstring(html)
    dropped = drop_hidden_html(tree)
    hints = {}
    for name, key in (("ArticleTitle", "title"), ("PubDate", "date"), ("ContentSource", "issuer"),
                      ("SiteName", "site"), ("og:title", "title"), ("author", "author"), ("og:site_name", "site")):
        values = tree.xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
        if values and values[0].strip() and key not in hints:
            hints[key] = values[0].strip()
    # a 公众号 article names its account above the text (the publisher of a report)
    account = " ".join(t.strip() for t in tree.xpath('//*[@id="js_name"]//text()') if t.strip())
    if account and "publisher" not in hints:
        hints["publisher"] = account
    # trafilatura writes an <ol>'s numbers itself ("1. "), as a browser shows them
    markdown = trafilatura.extract(lxml.html.tostring(tree, encoding="unicode"), output_format="markdown",
                                   include_formatting=True, include_tables=True, include_links=False,
                                   favor_recall=True) or ""
    if not markdown.strip():
        raise UnreadableFile("网页中找不到正文 / no article body found in the page")
    lines = []
    headings = []
    title = hints.get("title") or (tree.xpath("//h1//text()") or [""])[0].strip()
    if title:
        hints["title"] = title
    for line in markdown.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1", line)  # Markdown escapes ("1\\.")
        line = re.sub(r"^[-*+]\s+", "", line)  # bullets of unnumbered lists
        line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
        if line.startswith("#"):
            line = line.lstrip("#").strip()
            headings.append(line)
        lines.append(line)
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
        headings.insert(0, title)
    info = " ".join(t.strip() for t in tree.xpath('//*[contains(@class,"info") or contains(@class,"meta")]//text()'))
    if "date" not in hints and (m := re.search(r"\d{4}-\d{1,2}-\d{1,2}", info)):
        hints["date"] = m.group(0)
    return ParsedFile("\n".join(lines), "html", hints, headings, dropped)
