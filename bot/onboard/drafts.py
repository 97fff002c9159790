"""Drafts for the admin page: an uploaded file is added (by the same `bot add` service) to a
private copy of the knowledge directory, reviewed and corrected there, then published —
so nothing unpublished is ever answered from, and publishing writes exactly the files
`bot add` would have written.

A draft lives in ``<data_dir>/admin/drafts/<draft id>/``: ``draft.json`` (the upload, its
options, what was detected, the edits made), ``upload/<file>`` (the file as received) and
``knowledge/`` (a copy of the knowledge directory taken at upload time, with the new
document added). Field and row edits (:func:`edit_document`, :func:`edit_row`,
:func:`review_all`) work the same on a draft's copy and on a published document's own
files; every edit is checked like `bot validate` before it is written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.errors import KnowledgeError
from bot.ingest.load import parse_document
from bot.ingest.parse import SUFFIXES, ParseLimits, UnreadableFile
from bot.models import DocStatus, PolicyDocument
from bot.onboard.add import AddOptions, AddReport, add_document, front_matter, mark_superseded
from bot.onboard.library import NoSuchDocument, get_document, remove_document
from bot.policy.model import Site, SubsidyMeasure, row_data
from bot.policy.regions import RegionBook
from bot.policy.topics import TopicBook
from bot.policy.validate import (
    Knowledge,
    Problem,
    document_problems,
    row_problems,
    rule_sections,
    stating_clauses_without_rows,
)

DRAFT_ID = re.compile(r"^[0-9]{14}-[0-9a-f]{8}$")
DOCUMENT_FIELDS = {"title": "标题", "issuer": "发文单位", "doc_number": "文号", "date": "日期", "status": "状态",
                   "validity": "施行日期与有效期"}
MEASURE_FIELDS = {"title": "名称", "amount": "金额", "cap": "上限", "ratio": "比例", "payment": "拨付方式"}
SITE_FIELDS = {"name": "名称", "type": "类型", "status": "状态", "capacity": "规模", "services": "服务"}


class DraftError(KnowledgeError):
    """An admin-page action that cannot be done as asked (the message says what to change)."""


class NoSuchDraft(DraftError):
    """The draft id names no draft (published, discarded or never made)."""


class NoSuchRow(DraftError):
    """The row id names no row of the document's own tables."""


@dataclass
class Draft:
    id: str
    folder: Path
    doc_id: str
    filename: str
    uploaded_at: str
    options: dict  # the AddOptions the file was added with (region, status, supersedes)
    detected: dict  # status_reason, missing, region_how, region_new
    review: list[str]  # what a person should check (bot add's list)
    written: list[str]  # files bot add wrote, relative to the knowledge copy
    edits: dict = field(default_factory=dict)  # front-matter fields changed since the upload
    dropped: list[dict] = field(default_factory=list)  # text a reader does not see: text, reason, context
    doubts: list[dict] = field(default_factory=list)  # what to look at: kind, label, detail, text, clause_id, rows

    @property
    def knowledge_dir(self) -> Path:
        return self.folder / "knowledge"

    @property
    def upload(self) -> Path:
        return self.folder / "upload" / self.filename

    def save(self) -> None:
        data = asdict(self) | {"folder": None}
        (self.folder / "draft.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# ------------------------------------------------------------------------ drafts
def safe_filename(name: str) -> str:
    """The upload's own name, reduced to something safe to keep as ``originals/<name>``:
    no folders, no leading dot, letters (Chinese included), digits and ``-_.（）()`` only."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    if suffix not in SUFFIXES:
        allowed = " ".join(s for s in SUFFIXES if s != ".htm")
        raise UnreadableFile(f"{base or '文件'}: 不支持的文件类型 {suffix or '(无扩展名)'}，请上传 {allowed} 文件 / "
                             f"unsupported file type")
    stem = re.sub(r"[^\w\-（）()]+", "_", stem).strip("._")[:80] or "upload"
    return stem + suffix


def stage(data: bytes, filename: str, knowledge_dir: Path, drafts_dir: Path, options: AddOptions,
          limits: ParseLimits | None = None) -> Draft:
    """Add an uploaded file to a fresh copy of ``knowledge_dir`` under ``drafts_dir`` (parsed
    in a worker bounded by ``limits``)."""
    name = safe_filename(filename)
    draft_id = f"{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
    folder = drafts_dir / draft_id
    (folder / "upload").mkdir(parents=True)
    try:
        (folder / "upload" / name).write_bytes(data)
        draft = Draft(draft_id, folder, "", name, datetime.now(UTC).isoformat(timespec="seconds"),
                      {k: v for k, v in asdict(options).items() if v}, {}, [], [])
        _add_into_copy(draft, knowledge_dir, options, limits)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    draft.save()
    return draft


def restage(draft: Draft, knowledge_dir: Path, region: str, limits: ParseLimits | None = None) -> Draft:
    """Add the upload again with another region (rows are drafted anew; field edits are
    kept). The old copy stays if the new region cannot be used."""
    options = AddOptions(**(draft.options | {"region": region.strip()}))
    old = draft.knowledge_dir
    aside = draft.folder / "knowledge.old"
    old.rename(aside)
    try:
        _add_into_copy(draft, knowledge_dir, options, limits)
        if draft.edits:
            edit_document(draft.knowledge_dir, draft.doc_id, draft.edits)
    except BaseException:
        shutil.rmtree(old, ignore_errors=True)
        aside.rename(old)
        raise
    shutil.rmtree(aside)
    draft.options = {k: v for k, v in asdict(options).items() if v}
    draft.save()
    return draft


def _add_into_copy(draft: Draft, knowledge_dir: Path, options: AddOptions, limits: ParseLimits | None) -> AddReport:
    shutil.copytree(knowledge_dir, draft.knowledge_dir)
    report = add_document(draft.upload, draft.knowledge_dir, options, limits)
    draft.doc_id = report.document.id
    draft.detected = {"status_reason": report.detected.status_reason, "missing": list(report.detected.missing),
                      "region_how": report.region.how, "region_new": report.region.entry is not None,
                      "overridden": list(report.overridden)}
    draft.review = [line.replace(f"docs/{draft.doc_id}.md 的 front matter 中补上", "上方文件信息中补上")
                    for line in report.review]
    draft.written = [str(p.relative_to(draft.knowledge_dir)) for p in report.written]
    draft.dropped = [asdict(d) for d in report.dropped]
    draft.doubts = [asdict(d) for d in report.doubts]
    return report


def change_fields(draft: Draft, knowledge_dir: Path, changes: dict[str, str], limits: ParseLimits | None = None) -> None:
    """Front-matter edits of a draft; a new region re-drafts the upload for that region."""
    changes = dict(changes)
    region = str(changes.pop("region", "") or "").strip()
    doc = parse_document((draft.knowledge_dir / "docs" / f"{draft.doc_id}.md").read_text(encoding="utf-8"))
    if region and region not in (doc.region_key, *doc.region.values()):
        restage(draft, knowledge_dir, region, limits)
    if changes:
        edit_document(draft.knowledge_dir, draft.doc_id, changes)
        draft.edits.update(changes)
        draft.save()


def load_draft(drafts_dir: Path, draft_id: str) -> Draft:
    folder = drafts_dir / draft_id
    if not DRAFT_ID.fullmatch(draft_id) or not (folder / "draft.json").is_file():
        raise NoSuchDraft(f"没有草稿 {draft_id[:40]}（可能已发布或已放弃）/ no such draft")
    data = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    return Draft(**(data | {"folder": folder}))


def list_drafts(drafts_dir: Path) -> list[Draft]:
    """Drafts waiting to be published, oldest first."""
    if not drafts_dir.is_dir():
        return []
    out = []
    for folder in sorted(drafts_dir.iterdir()):
        try:
            out.append(load_draft(drafts_dir, folder.name))
        except (NoSuchDraft, ValueError, TypeError):
            continue  # a half-made folder (a crash while staging) is not a draft
    return out


def discard(draft: Draft) -> None:
    shutil.rmtree(draft.folder)


def publish(draft: Draft, knowledge_dir: Path) -> list[Path]:
    """Copy the files `bot add` wrote for the draft into ``knowledge_dir`` (and mark the
    version it replaces). Refused, with nothing written, while the draft has errors or
    when the knowledge directory changed in a way that clashes with it."""
    errors = [p for p in check_document(draft.knowledge_dir, draft.doc_id) if p.severity == "error"]
    if errors:
        raise DraftError("草稿还有错误，未发布：" + "；".join(str(p) for p in errors[:5]) + " / the draft has errors")
    staged = draft.knowledge_dir
    doc = parse_document((staged / "docs" / f"{draft.doc_id}.md").read_text(encoding="utf-8"))
    old = knowledge_dir / "docs" / f"{doc.supersedes}.md" if doc.supersedes else None
    copies = []
    for rel in draft.written:
        source, target = staged / rel, knowledge_dir / rel
        if old is not None and target == old:
            continue
        if target.exists():
            if rel.startswith("regions/") or (rel.startswith("originals/") and _same(source, target)):
                continue  # registered / kept by another document meanwhile
            raise DraftError(f"{rel} 已存在（知识库在上传后有变化）：请放弃此草稿后重新上传 / already exists")
        copies.append((source, target))
    if old is not None:
        if not old.exists():
            raise DraftError(f"要取代的文档 {doc.supersedes} 已不在知识库中：请放弃此草稿后重新上传")
        current = parse_document(old.read_text(encoding="utf-8"), str(old))
        if not current.is_current:
            raise DraftError(f"{doc.supersedes} 已被 {current.superseded_by} 取代：请放弃此草稿后重新上传")
    written = []
    for source, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    if old is not None:
        mark_superseded(old, doc.id)
        written.append(old)
    return written


def _same(a: Path, b: Path) -> bool:
    return hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def withdraw(knowledge_dir: Path, doc_id: str) -> list[Path]:
    """Take a published document out again (the version it replaced answers again)."""
    return remove_document(knowledge_dir, doc_id)


# ------------------------------------------------------------------------ checks
def own_tables(knowledge_dir: Path, doc_id: str) -> bool:
    """True when the document's rows live in its own files (added by `bot add` or here);
    the shipped documents' rows are in measures.yaml / sites.yaml, edited by hand."""
    return (knowledge_dir / "measures" / f"{doc_id}.yaml").exists()


def check_document(knowledge_dir: Path, doc_id: str) -> list[Problem]:
    """`bot validate`'s checks for one document and its rows, errors first."""
    entry, clauses = get_document(knowledge_dir, doc_id)
    book = RegionBook.load(knowledge_dir / "regions.yaml")
    topics = TopicBook.load(knowledge_dir / "topics.yaml")
    rel = f"docs/{doc_id}.md"
    problems = document_problems(entry.document, rel, knowledge_dir, book)
    texts = _clause_texts(clauses)
    for table, rows in (("measures", entry.measures), ("sites", entry.sites)):
        for row in rows:
            for message in row_problems(row, texts, {doc_id}, set(book.regions), set(topics.topics)):
                problems.append(Problem(f"{table}/{doc_id}.yaml", row.id, message))
    if own_tables(knowledge_dir, doc_id):
        knowledge = Knowledge({doc_id: entry.document}, clauses, [("", m) for m in entry.measures], [])
        missing = stating_clauses_without_rows(knowledge, [doc_id], rule_sections(knowledge_dir))
        if missing:
            problems.append(Problem(f"measures/{doc_id}.yaml", "", f"{len(missing)} 个条款写有补贴/奖励等字样但没有条目"
                                    f"（{'、'.join(missing[:5])}）：确认是否漏了措施", "warning"))
    return sorted(problems, key=lambda p: p.severity != "error")


def _clause_texts(clauses) -> dict[str, str]:
    texts: dict[str, str] = {}
    for c in clauses:
        texts[c.clause_id] = f"{texts[c.clause_id]}\n{c.text}" if c.clause_id in texts else c.text
    return texts


def _require_own(knowledge_dir: Path, doc_id: str) -> None:
    if not (knowledge_dir / "docs" / f"{doc_id}.md").exists():
        raise NoSuchDocument(f"没有文档 {doc_id} / no such document")
    if not own_tables(knowledge_dir, doc_id):
        raise DraftError(f"{doc_id} 是随项目提供的文档，其条目在 measures.yaml / sites.yaml 中手工维护，"
                         f"不能在管理页修改 / shipped documents are edited by hand")


# ------------------------------------------------------------------------ edits
def edit_document(knowledge_dir: Path, doc_id: str, changes: dict[str, str]) -> PolicyDocument:
    """Change front-matter fields (title, issuer, 文号, date, status, validity)."""
    _require_own(knowledge_dir, doc_id)
    path = knowledge_dir / "docs" / f"{doc_id}.md"
    doc = parse_document(path.read_text(encoding="utf-8"), f"docs/{doc_id}.md")
    updates: dict[str, object] = {}
    for name, value in changes.items():
        if name not in DOCUMENT_FIELDS:
            raise DraftError(f"字段 {name} 不能在这里修改（可改：{'、'.join(DOCUMENT_FIELDS.values())}）")
        label = DOCUMENT_FIELDS[name]
        value = str(value).strip()
        if "\n" in value or "---" in value or len(value) > 300:
            raise DraftError(f"{label}：请写成一行（不超过300字，不含“---”）")
        if not value and name != "doc_number":
            raise DraftError(f"{label}不能为空（原文未写明的写“未说明”）")
        if name == "status":
            try:
                value = DocStatus(value)
            except ValueError:
                allowed = "、".join(s.value for s in DocStatus)
                raise DraftError(f"状态“{value}”无效，可选：{allowed}") from None
        updates[name] = value
    doc = doc.model_copy(update=updates)
    path.write_text(front_matter(doc) + doc.body.strip("\n") + "\n", encoding="utf-8")
    return doc


def review_all(knowledge_dir: Path, doc_id: str) -> int:
    """Mark every row of the document reviewed; returns how many changed."""
    _require_own(knowledge_dir, doc_id)
    changed = 0
    for table in ("measures", "sites"):
        path = knowledge_dir / table / f"{doc_id}.yaml"
        header, rows = _read_table(path)
        for row in rows:
            changed += not row.get("reviewed", True)
            row["reviewed"] = True
        _write_table(path, header, rows)
    return changed


def edit_row(knowledge_dir: Path, doc_id: str, row_id: str, changes: dict) -> SubsidyMeasure | Site:
    """Change one measure or site row (its amount, conditions, topics, reviewed flag …).
    The row is written only if it still passes `bot validate`'s row checks (every figure
    in its quote, topics from topics.yaml, condition words taken from the quote)."""
    _require_own(knowledge_dir, doc_id)
    for table, model, fields in (("measures", SubsidyMeasure, MEASURE_FIELDS), ("sites", Site, SITE_FIELDS)):
        path = knowledge_dir / table / f"{doc_id}.yaml"
        header, rows = _read_table(path)
        index = _find(rows, row_id)
        if index is None:
            continue
        row = _changed(copy.deepcopy(rows[index]), changes, table, fields)
        try:
            checked = model.model_validate(row)
        except ValidationError as exc:
            wrong = "；".join(f"{'.'.join(str(x) for x in e['loc'])}：{e['msg']}" for e in exc.errors()[:3])
            raise DraftError(f"条目 {row_id} 未保存：{wrong}") from None
        problems = _row_check(knowledge_dir, doc_id, checked)
        if problems:
            raise DraftError(f"条目 {row_id} 未保存：" + "；".join(problems))
        rows[index] = row_data(checked)
        _write_table(path, header, rows)
        return checked
    raise NoSuchRow(f"{doc_id} 没有条目 {row_id[:60]} / no such row")


def _find(rows: list, row_id: str) -> int | None:
    return next((i for i, r in enumerate(rows) if isinstance(r, dict) and r.get("id") == row_id), None)


def _changed(row: dict, changes: dict, table: str, fields: dict[str, str]) -> dict:
    for name, value in changes.items():
        if name == "reviewed":
            if not isinstance(value, bool):
                raise DraftError("reviewed 只能是 true 或 false")
            row["reviewed"] = value
        elif name == "topics":
            row["topics"] = _list(value)
        elif name == "conditions" and table == "measures":
            row["conditions"] = [_condition(c, row["quote"]) for c in (value or [])]
        elif name in fields:
            text = None if value is None else str(value).strip()
            if text and ("\n" in text or len(text) > 300):
                raise DraftError(f"{fields[name]}：请写成一行（不超过300字）")
            if table == "measures" and name in ("amount", "cap", "ratio", "payment"):
                row.setdefault("benefit", {})[name] = text or ("未明确" if name == "amount" else None)
            else:
                row[name] = text or None
        else:
            allowed = "、".join([*fields.values(), "话题", "已审核"] + (["条件"] if table == "measures" else []))
            raise DraftError(f"字段 {name} 不能修改（可改：{allowed}）")
    return row


def _list(value) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[、,，;；\s]+", str(value or ""))
    return [str(x).strip() for x in items if str(x).strip()]


def _condition(condition, quote: str) -> dict:
    """A condition from the page: the words must come from the quote; a value typed as
    text becomes a number or a list where it looks like one (``70``, ``国家级、省级``)."""
    if not isinstance(condition, dict):
        raise DraftError("条件格式不正确：每条要有 type、value、text")
    text = str(condition.get("text") or "").strip()
    if not text or text not in quote:
        raise DraftError(f"条件“{text[:30]}”不是原文（quote）里的文字：条件只能摘自原文")
    value = condition.get("value")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            value = None
        elif value.isdigit():
            value = int(value)
        elif value in ("true", "false"):
            value = value == "true"
        elif re.search(r"[、,，]", value):
            value = _list(value)
    return {"type": condition.get("type"), "value": value, "text": text}


def _row_check(knowledge_dir: Path, doc_id: str, row: SubsidyMeasure | Site) -> list[str]:
    entry, clauses = get_document(knowledge_dir, doc_id)
    regions = set(RegionBook.load(knowledge_dir / "regions.yaml").regions)
    topics = set(TopicBook.load(knowledge_dir / "topics.yaml").topics)
    return row_problems(row, _clause_texts(clauses), {doc_id}, regions, topics)


def _read_table(path: Path) -> tuple[str, list]:
    if not path.exists():
        return "", []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    header = "".join(line + "\n" for line in lines[:leading])  # "# Drafted by `bot add` …"
    try:
        rows = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise DraftError(f"{path.name}: YAML 格式错误（{str(exc).splitlines()[0]}）") from exc
    if not isinstance(rows, list):
        raise DraftError(f"{path.name}: 应为条目列表")
    return header, rows


def _write_table(path: Path, header: str, rows: list) -> None:
    if not path.exists() and not rows:
        return
    body = yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=1000) if rows else "[]\n"
    path.write_text(header + body, encoding="utf-8")
