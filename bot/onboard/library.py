"""`bot docs list | show | remove`: the documents in the knowledge directory, what each
one holds (clauses, drafted and reviewed rows) and taking one out again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.ingest.load import load_documents
from bot.ingest.split import split_document
from bot.models import Clause, PolicyDocument
from bot.onboard.add import mark_superseded
from bot.policy.model import Site, SubsidyMeasure, load_rows


class NoSuchDocument(KnowledgeError):
    """The id names no document in knowledge/docs."""


@dataclass
class DocumentEntry:
    document: PolicyDocument
    measures: list[SubsidyMeasure]
    sites: list[Site]
    own_table: bool  # rows live in measures/<id>.yaml (added by `bot add`), not the shipped table

    @property
    def unreviewed(self) -> int:
        return sum(not r.reviewed for r in [*self.measures, *self.sites])


def list_documents(knowledge_dir: Path) -> list[DocumentEntry]:
    """Every document, current and superseded, with its table rows."""
    docs = load_documents(knowledge_dir / "docs")
    measures = _all_rows(knowledge_dir, "measures", SubsidyMeasure)
    sites = _all_rows(knowledge_dir, "sites", Site)
    return [DocumentEntry(d, [m for m in measures if m.doc_id == d.id], [s for s in sites if s.doc_id == d.id],
                          (knowledge_dir / "measures" / f"{d.id}.yaml").exists()) for d in docs]


def get_document(knowledge_dir: Path, doc_id: str) -> tuple[DocumentEntry, list[Clause]]:
    """One document with its clauses (the tree `bot docs show` prints)."""
    for entry in list_documents(knowledge_dir):
        if entry.document.id == doc_id:
            return entry, split_document(entry.document)
    ids = "、".join(e.document.id for e in list_documents(knowledge_dir))
    raise NoSuchDocument(f"没有文档 {doc_id}；现有：{ids} / no such document")


def remove_document(knowledge_dir: Path, doc_id: str) -> list[Path]:
    """Remove a document added by `bot add` and everything written for it; the version it
    superseded (if any) answers again. Documents whose rows live in the shipped tables
    (measures.yaml / sites.yaml) are refused: those files are edited by hand."""
    entry, _ = get_document(knowledge_dir, doc_id)
    doc = entry.document
    shipped = [r.id for r in load_rows(knowledge_dir / "measures.yaml", SubsidyMeasure) if r.doc_id == doc_id]
    shipped += [r.id for r in load_rows(knowledge_dir / "sites.yaml", Site) if r.doc_id == doc_id]
    if shipped:
        raise KnowledgeError(f"{doc_id} 的条目写在 measures.yaml / sites.yaml 中（{len(shipped)} 条，如 {shipped[0]}）："
                             f"请先手工删除这些条目再移除文档 / rows in the shipped tables reference it")
    others = [d for d in load_documents(knowledge_dir / "docs") if d.id != doc_id]
    removed: list[Path] = []
    for path in (knowledge_dir / "docs" / f"{doc_id}.md", knowledge_dir / "measures" / f"{doc_id}.yaml",
                 knowledge_dir / "sites" / f"{doc_id}.yaml"):
        if path.exists():
            path.unlink()
            removed.append(path)
    original = knowledge_dir / "originals" / doc.source
    if original.exists() and not any(d.source == doc.source for d in others):
        original.unlink()
        removed.append(original)
    region_file = knowledge_dir / "regions" / f"{doc.region_key}.yaml"
    if region_file.exists() and not any(d.region_key == doc.region_key for d in others):
        region_file.unlink()
        removed.append(region_file)
    for other in others:
        if other.superseded_by == doc_id:
            mark_superseded(knowledge_dir / "docs" / f"{other.id}.md", None)
    return removed


def _all_rows(knowledge_dir: Path, name: str, model) -> list:
    rows = load_rows(knowledge_dir / f"{name}.yaml", model)
    folder = knowledge_dir / name
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            rows += load_rows(path, model)
        except KnowledgeError:
            continue  # shown by bot validate
    return rows


def clause_tree(clauses: list[Clause]) -> list[str]:
    """One line per clause, indented by depth: "  三(一)  剧本入选奖励 …"."""
    lines = []
    seen = set()
    for c in clauses:
        if c.clause_id in seen:
            continue
        seen.add(c.clause_id)
        depth = max(len(c.heading_path) - 1, 0)
        text = c.text.replace("\n", " ")
        lines.append(f"{'  ' * depth}{c.label}  {text[:48]}{'…' if len(text) > 48 else ''}")
    return lines


def front_matter_text(doc: PolicyDocument) -> str:
    fields = doc.model_dump(exclude={"body"}, exclude_none=True)
    fields["status"] = doc.status.value
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
