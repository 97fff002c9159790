"""Hostile files for the tests (issue 19): Word documents with text a reader cannot see,
built with python-docx plus raw XML edits, and a .docx zip bomb. Everything is written
into the folder the test gives."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

COUNTY = [
    ("h1", "婺源县关于支持微短剧产业发展的若干措施（试行）"),
    ("p", "婺政办〔2026〕3号"),
    ("h2", "一、支持取景拍摄"),
    ("p", "（一）取景补贴。对在婺源拍摄的微短剧剧组，按实际发生费用的30%给予补贴，单个剧组最高不超过10万元。"),
    ("p", "（二）剧本奖励。对县内企业创作的微短剧剧本，入选国家级扶持项目的，每部奖励20万元；入选省级扶持项目的，每部奖励10万元。"),
    ("h2", "二、培育市场主体"),
    ("p", "（一）落户奖励。对新注册、注册资本不低于200万元的微短剧企业，在县内连续缴纳社会保险满6个月的，给予一次性奖励5万元。"),
    ("p", "（二）重大项目。对总投资1亿元以上的基地建设项目，实行“一事一议”。"),
    ("h2", "三、附则"),
    ("p", "本措施自2026年5月1日起施行，有效期2年。"),
    ("p", "婺源县人民政府办公室"),
    ("p", "2026年4月20日"),
]


@dataclass
class Run:
    """A run of a Word paragraph and how it is (not) shown."""

    text: str
    vanish: bool = False
    spec_vanish: bool = False
    size_pt: float | None = None
    color: str | None = None  # "FFFFFF"
    shade: str | None = None  # the run's own background
    style: str | None = None  # a character style id (see hidden_style)


@dataclass
class Para:
    runs: list[Run | str]
    mark_hidden: bool = False  # w:pPr/w:rPr/w:vanish
    shade: str | None = None  # the paragraph's background
    heading: int | None = None


def word(path: Path, paragraphs: list[Para | tuple[str, str]], hidden_style: str | None = None,
         cell: tuple[list[Run | str], str] | None = None) -> Path:
    """A .docx of ``paragraphs`` (a ``(kind, text)`` pair is a plain heading / paragraph as in
    :data:`COUNTY`). ``hidden_style``: a character style of that id whose font is hidden.
    ``cell``: a one-cell table after the text, its runs and its shading."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    if hidden_style:
        from docx.enum.style import WD_STYLE_TYPE

        style = document.styles.add_style(hidden_style, WD_STYLE_TYPE.CHARACTER)
        style.font.hidden = True
        style.element.set(qn("w:styleId"), hidden_style)

    def add_runs(paragraph, runs):
        for spec in runs:
            spec = Run(spec) if isinstance(spec, str) else spec
            run = paragraph.add_run(spec.text)
            rpr = run._r.get_or_add_rPr()
            if spec.style:
                element = OxmlElement("w:rStyle")
                element.set(qn("w:val"), spec.style)
                rpr.insert(0, element)
            if spec.vanish:
                rpr.append(OxmlElement("w:vanish"))
            if spec.spec_vanish:
                rpr.append(OxmlElement("w:specVanish"))
            if spec.color:
                element = OxmlElement("w:color")
                element.set(qn("w:val"), spec.color)
                rpr.append(element)
            if spec.size_pt is not None:
                element = OxmlElement("w:sz")
                element.set(qn("w:val"), str(int(spec.size_pt * 2)))
                rpr.append(element)
            if spec.shade:
                rpr.append(_shading(spec.shade))

    for item in paragraphs:
        if isinstance(item, tuple):
            kind, text = item
            item = Para([text], heading={"h1": 1, "h2": 2}.get(kind))
        paragraph = document.add_heading("", item.heading) if item.heading else document.add_paragraph()
        add_runs(paragraph, item.runs)
        ppr = paragraph._p.get_or_add_pPr()
        if item.shade:
            ppr.append(_shading(item.shade))
        if item.mark_hidden:
            mark = OxmlElement("w:rPr")
            mark.append(OxmlElement("w:vanish"))
            ppr.append(mark)
    if cell is not None:
        runs, fill = cell
        table = document.add_table(rows=1, cols=1)
        tc = table.rows[0].cells[0]
        tcpr = tc._tc.get_or_add_tcPr()
        tcpr.append(_shading(fill))
        add_runs(tc.paragraphs[0], runs)
    document.save(str(path))
    return path


def _shading(fill: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    return element


def _with_body(path: Path, paragraphs: list[str], write_body) -> Path:
    """A .docx of ``paragraphs`` whose document.xml body is replaced by what
    ``write_body(out)`` streams into it (no tree of it is ever built here)."""
    import docx

    source = docx.Document()
    for text in paragraphs:
        source.add_paragraph(text)
    buffer = io.BytesIO()
    source.save(buffer)
    original = zipfile.ZipFile(buffer)
    xml = original.read("word/document.xml").decode("utf-8")
    body = xml.index("<w:body>") + len("<w:body>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, original.read(item))
        member = zipfile.ZipInfo("word/document.xml")
        member.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(member, "w", force_zip64=True) as out:
            out.write(xml[:body].encode("utf-8"))
            write_body(out)
            out.write(xml[body:].encode("utf-8"))
    return path


def zip_bomb(path: Path, gigabytes: float = 1.0, paragraphs: list[str] | None = None) -> Path:
    """A .docx whose word/document.xml inflates to ``gigabytes`` of one repeated character
    (about 1 MB on disk per GB: deflate's best ratio), behind a normal-looking archive."""
    chunk = ("补" * 350_000).encode("utf-8")  # ~1 MB

    def bomb(out) -> None:
        out.write(b"<w:p><w:r><w:t>")
        for _ in range(int(gigabytes * 1000)):
            out.write(chunk)
        out.write(b"</w:t></w:r></w:p>")

    return _with_body(path, paragraphs or [t for _, t in COUNTY], bomb)


def big_word(path: Path, megabytes: int) -> Path:
    """A .docx whose document.xml is ``megabytes`` of short, distinct paragraphs: within the
    archive limits when they are raised, but costly to hold as an XML tree."""

    def paragraphs(out) -> None:
        written, n = 0, 0
        while written < megabytes * 1024 * 1024:
            piece = f"<w:p><w:r><w:t>第{n}段微短剧补贴。</w:t></w:r></w:p>".encode()
            out.write(piece)
            written, n = written + len(piece), n + 1

    return _with_body(path, ["占位"], paragraphs)


def pss_mb(pid: int | str = "self") -> float:
    """Proportional set size of a process, in MB: shared pages counted once across the
    processes sharing them (a child between fork and exec shares all of its parent's
    pages; summing resident sizes would count them twice)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return rss_mb(pid)


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
