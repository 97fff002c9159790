"""`bot validate`: is the knowledge directory consistent? One function for the CLI, the
tests and `bot add` — every message names the file, the row or document, and what to fix.

Checked: each cleaned copy's front matter (fields, status values, region key, original
present, superseding links) and its wording against the original; clause ids unique;
every measure and site row (unique id, known document, clause, region and topics, quote
verbatim in its clause, every figure of the row in its quote, no figure where the text
gives none); region files (level, code).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import KnowledgeError
from bot.ingest.clean import unfaithful_sentences
from bot.ingest.load import parse_document
from bot.ingest.split import split_document
from bot.models import Clause, PolicyDocument
from bot.policy.model import Site, SubsidyMeasure
from bot.policy.regions import Level, RegionBook
from bot.policy.topics import TopicBook

NUMBER = re.compile(r"\d+(?:\.\d+)?")
REQUIRED = ("id", "title", "issuer", "date", "status", "validity", "source", "region_key")
# A clause states a measure when it grants money, a service or a facility to someone.
STATES_A_MEASURE = re.compile(r"给予|补助|补贴|资助|奖励|免费|扶持奖励|一事一议|基金|服务窗口|一站式服务|即申即享|微短剧贷")


@dataclass(frozen=True)
class Problem:
    file: str  # relative to the knowledge directory
    item: str  # document id, row id or clause id ("" for the whole file)
    message: str  # what is wrong and what to do
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file} [{self.item}]" if self.item else self.file
        return f"{where}: {self.message}"


@dataclass
class Knowledge:
    """What validate read: documents (current and superseded), clauses, rows."""

    documents: dict[str, PolicyDocument]
    clauses: list[Clause]
    measures: list[tuple[str, SubsidyMeasure]]  # (file, row)
    sites: list[tuple[str, Site]]


def validate_knowledge(knowledge_dir: Path) -> list[Problem]:
    """Every problem of the knowledge directory, errors first."""
    problems: list[Problem] = []
    try:
        book = RegionBook.load(knowledge_dir / "regions.yaml")
    except KnowledgeError as exc:
        return [Problem("regions.yaml", "", f"地区文件无法读取：{exc}")]
    try:
        topics = TopicBook.load(knowledge_dir / "topics.yaml")
    except KnowledgeError as exc:
        return [Problem("topics.yaml", "", f"话题文件无法读取：{exc}")]
    problems += _region_problems(knowledge_dir, book)
    knowledge = read_knowledge(knowledge_dir, book, problems)
    texts = _clause_texts(knowledge.clauses)
    known_docs = set(knowledge.documents)
    seen: dict[str, str] = {}
    for file, row in [*knowledge.measures, *knowledge.sites]:
        if row.id in seen:
            problems.append(Problem(file, row.id, f"条目 id 重复（另见 {seen[row.id]}）：改成唯一的 id"))
        seen.setdefault(row.id, file)
        for message in row_problems(row, texts, known_docs, set(book.regions), set(topics.topics)):
            problems.append(Problem(file, row.id, message))
        if row.doc_id in knowledge.documents and row.clause_id in texts:
            clause_region = next(c.region for c in knowledge.clauses if c.clause_id == row.clause_id)
            if row.region in book.regions and clause_region in book.regions and \
                    row.region not in book.scope(clause_region):
                problems.append(Problem(file, row.id, f"region {row.region} 与条款所属地区 {clause_region} 不符"))
    added = [d for d in knowledge.documents if (knowledge_dir / "measures" / f"{d}.yaml").exists()]
    rules = rule_sections(knowledge_dir)
    for doc_id in added:
        missing = stating_clauses_without_rows(knowledge, [doc_id], rules)
        if missing:
            problems.append(Problem(f"measures/{doc_id}.yaml", "", f"{len(missing)} 个条款写有补贴/奖励等字样但没有条目"
                                    f"（{'、'.join(missing[:5])}）：确认是否漏了措施", "warning"))
    pending: dict[str, list[str]] = {}
    for file, row in [*knowledge.measures, *knowledge.sites]:
        if not row.reviewed:
            pending.setdefault(file, []).append(row.id)
    for file, ids in pending.items():
        problems.append(Problem(file, "", f"{len(ids)} 条草拟条目尚未审核（reviewed: false，如 {ids[0]}）："
                                          f"逐条核对金额、条件和话题后改为 true", "warning"))
    for file, row in [*knowledge.measures, *knowledge.sites]:
        if row.held:
            problems.append(Problem(file, row.id, f"有疑点，审核前不用于回答（{'；'.join(row.doubts)[:120]}）："
                                                  f"核对原文后改为 reviewed: true", "warning"))
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.item))


def read_knowledge(knowledge_dir: Path, book: RegionBook, problems: list[Problem]) -> Knowledge:
    """Documents, their clauses and the table rows, each file on its own (a broken file is
    a problem, not a crash)."""
    docs_dir = knowledge_dir / "docs"
    documents: dict[str, PolicyDocument] = {}
    clauses: list[Clause] = []
    for path in sorted(docs_dir.glob("*.md")) if docs_dir.is_dir() else []:
        rel = str(path.relative_to(knowledge_dir))
        try:
            doc = parse_document(path.read_text(encoding="utf-8"), rel)
        except KnowledgeError as exc:
            problems.append(Problem(rel, path.stem, f"front matter 无法读取：{exc}"))
            continue
        if doc.id in documents:
            problems.append(Problem(rel, doc.id, "文档 id 重复：每个文档要有自己的 id"))
            continue
        documents[doc.id] = doc
        problems += document_problems(doc, rel, knowledge_dir, book)
        try:
            clauses += split_document(doc)
        except ValueError as exc:
            problems.append(Problem(rel, doc.id, f"条款编号重复（{exc}）：检查正文编号是否重复"))
    if not documents:
        problems.append(Problem("docs", "", "没有任何文档（docs/*.md）：先用 bot add 添加"))
    for doc in documents.values():
        rel = f"docs/{doc.id}.md"
        for link, name in ((doc.superseded_by, "superseded_by"), (doc.supersedes, "supersedes")):
            if link and link not in documents:
                problems.append(Problem(rel, doc.id, f"{name}: {link} 不存在：改成已有文档的 id 或删除这一行"))
    measures = _rows(knowledge_dir, "measures", SubsidyMeasure, problems)
    sites = _rows(knowledge_dir, "sites", Site, problems)
    return Knowledge(documents, clauses, measures, sites)


def document_problems(doc: PolicyDocument, rel: str, knowledge_dir: Path, book: RegionBook) -> list[Problem]:
    out = []
    for name in REQUIRED:
        if not str(getattr(doc, name) or "").strip():
            out.append(Problem(rel, doc.id, f"front matter 缺少 {name}：补上（原文未写明的写“未说明”）"))
    if Path(rel).stem != doc.id:
        out.append(Problem(rel, doc.id, f"文件名应为 docs/{doc.id}.md（与 id 一致）"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", doc.id):
        out.append(Problem(rel, doc.id, "id 只能用小写字母、数字和连字符"))
    if doc.region_key not in book.regions:
        out.append(Problem(rel, doc.id, f"region_key {doc.region_key!r} 不是已收录地区：先在 regions/ 中登记，"
                                        f"或改成 {'、'.join(book.keys)} 之一"))
    for region in re.findall(r"<!--\s*region:\s*(.+?)\s*-->", doc.body):
        if region not in book.regions:
            out.append(Problem(rel, doc.id, f"正文中的 <!-- region: {region} --> 不是已收录地区"))
    original = knowledge_dir / "originals" / doc.source
    if not original.exists():
        out.append(Problem(rel, doc.id, f"source: originals/{doc.source} 不存在：放回原件或改正文件名"))
    else:
        bad = unfaithful_sentences(f"---\n---\n{doc.body}", original_text(original))
        for sentence in bad[:5]:
            out.append(Problem(rel, doc.id, f"正文句子不在原件中（清洗不得改动文字）：{sentence[:40]}"))
    return out


def original_text(path: Path) -> str:
    """The text of an original as received, in its own encoding (a GBK .txt as GBK); a
    .docx / .pdf / .html through its parser."""
    from bot.ingest.parse import parse_file, read_text

    if path.suffix.lower() in (".txt", ".md"):
        return read_text(path)
    return parse_file(path).text


def row_problems(row: SubsidyMeasure | Site, texts: dict[str, str], documents: set[str], regions: set[str],
                 topics: set[str]) -> list[str]:
    """What is wrong with one measure or site row (empty: nothing)."""
    out = []
    if row.doc_id not in documents:
        out.append(f"doc_id {row.doc_id!r} 不存在：改成 docs/ 中文档的 id")
    if not row.clause_id.startswith(row.doc_id + ":"):
        out.append(f"clause_id {row.clause_id!r} 不属于文档 {row.doc_id}")
    elif row.clause_id not in texts:
        out.append(f"clause_id {row.clause_id!r} 不存在：用 bot docs show {row.doc_id} 查看条款编号")
    elif row.quote not in texts[row.clause_id]:
        out.append(f"quote 不是 {row.clause_id} 的原文：从条款中逐字复制")
    if row.region not in regions:
        out.append(f"region {row.region!r} 不是已收录地区")
    unknown = [t for t in row.topics if t not in topics]
    if unknown:
        out.append(f"topics {unknown} 不在 topics.yaml 中：改用已有话题")
    data = row.model_dump(mode="json", exclude={"quote", "id", "clause_id", "doc_id", "notes", "doubts"})
    if isinstance(row, SubsidyMeasure):  # a document-wide condition is checked against its own clause
        data["conditions"] = [c for c in data.get("conditions", []) if not c.get("clause_id")]
        for c in (c for c in row.conditions if c.clause_id):
            if c.clause_id not in texts or c.text not in texts[c.clause_id]:
                out.append(f"条件“{c.text}”不是 {c.clause_id} 的原文：从条款中逐字复制")
    fields = json.dumps(data, ensure_ascii=False)
    missing = [n for n in dict.fromkeys(NUMBER.findall(fields)) if n not in row.quote]
    if missing:
        out.append(f"数字 {'、'.join(missing)} 不在 quote 中：金额、条件只能写原文里的数字")
    if isinstance(row, SubsidyMeasure) and "实际发生" in row.quote:
        figures = NUMBER.findall(" ".join(x or "" for x in (row.benefit.amount, row.benefit.ratio, row.benefit.cap)))
        if not figures and row.benefit.amount != "按实际发生":
            out.append("原文写的是按实际发生：amount 应为“按实际发生”")
    return out


def stating_clauses_without_rows(knowledge: Knowledge, doc_ids: Iterable[str],
                                 background: re.Pattern[str] | None = None) -> list[str]:
    """Clauses of ``doc_ids`` that state a measure (grant words) but have no measure row —
    not those of a section that sets rules or lists materials (``background``: 申报条件,
    申报材料, 附则 …), where "奖励" is a word of a condition, not a measure."""
    wanted = set(doc_ids)
    covered = {row.clause_id for _, row in knowledge.measures}
    return sorted({c.clause_id for c in knowledge.clauses
                   if c.doc_id in wanted and STATES_A_MEASURE.search(c.text) and c.clause_id not in covered
                   and not (background and background.search(" ".join(c.heading_path)))})


def rule_sections(knowledge_dir: Path) -> re.Pattern[str] | None:
    """The onboarding words' sections that set rules rather than grant (None if unreadable)."""
    from bot.ingest.detect import OnboardingWords

    try:
        words = OnboardingWords.load(knowledge_dir)
    except KnowledgeError:
        return None
    return re.compile(f"(?:{words.background_sections.pattern})|(?:{words.application_sections.pattern})")


def _rows(knowledge_dir: Path, name: str, model: type[BaseModel], problems: list[Problem]) -> list:
    files = [knowledge_dir / f"{name}.yaml"]
    folder = knowledge_dir / name
    if folder.is_dir():
        files += sorted(folder.glob("*.yaml"))
    rows = []
    for path in files:
        if not path.exists():
            continue
        rel = str(path.relative_to(knowledge_dir))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            problems.append(Problem(rel, "", f"YAML 格式错误：{str(exc).splitlines()[0]}（检查缩进和引号）"))
            continue
        if not isinstance(data, list):
            problems.append(Problem(rel, "", "应为条目列表（每条以“- id:”开头）"))
            continue
        for i, item in enumerate(data, 1):
            item_id = str(item.get("id", f"第{i}条")) if isinstance(item, dict) else f"第{i}条"
            try:
                rows.append((rel, model.model_validate(item)))
            except ValidationError as exc:
                for error in exc.errors()[:3]:
                    loc = ".".join(str(x) for x in error["loc"])
                    problems.append(Problem(rel, item_id, f"字段 {loc}：{error['msg']}"))
    return rows


def _region_problems(knowledge_dir: Path, book: RegionBook) -> list[Problem]:
    out = []
    folder = knowledge_dir / "regions"
    base = yaml.safe_load((knowledge_dir / "regions.yaml").read_text(encoding="utf-8")) or {}
    shipped = set(base.get("covered") or {})
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        rel = str(path.relative_to(knowledge_dir))
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in data.get("covered") or {}:
            if key in shipped:
                out.append(Problem(rel, str(key), f"地区 {key} 已在 regions.yaml 中：删除这个重复的登记", "warning"))
    for key, region in book.regions.items():
        if region.level is not Level.NATIONAL and not region.code:
            out.append(Problem("regions", key, "缺少 adcode（或开发区的 within 城市代码）：从行政区划代码补上"))
        if region.adcode and not re.fullmatch(r"\d{6}", region.adcode):
            out.append(Problem("regions", key, f"adcode {region.adcode} 应为 6 位数字"))
    return out


def _clause_texts(clauses: list[Clause]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for c in clauses:
        texts[c.clause_id] = f"{texts[c.clause_id]}\n{c.text}" if c.clause_id in texts else c.text
    return texts
