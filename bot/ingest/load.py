"""Read the cleaned policy copies (``knowledge/docs/*.md``) with their front matter."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.models import PolicyDocument


def parse_document(text: str, origin: str = "<text>") -> PolicyDocument:
    """Parse one cleaned copy: ``---`` YAML front matter, then the Markdown body."""
    if not text.startswith("---"):
        raise KnowledgeError(f"{origin}: no front matter")
    try:
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{origin}: unreadable front matter ({exc})") from exc
    try:
        return PolicyDocument(**meta, body=body.strip("\n"))
    except Exception as exc:  # pydantic's ValidationError: name the file in the message
        raise KnowledgeError(f"{origin}: {exc}") from exc


def load_documents(docs_dir: Path) -> list[PolicyDocument]:
    """All cleaned copies in ``docs_dir``, sorted by file name."""
    paths = sorted(docs_dir.glob("*.md"))
    if not paths:
        raise KnowledgeError(f"no policy documents (*.md) in {docs_dir}")
    docs = [parse_document(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise KnowledgeError(f"duplicate document ids in {docs_dir}: {ids}")
    return docs


def retired_ids(docs_dir: Path) -> set[str]:
    """Ids of the documents another version supersedes (``superseded_by`` set)."""
    if not docs_dir.is_dir():
        return set()
    return {d.id for d in (parse_document(p.read_text(encoding="utf-8"), str(p)) for p in sorted(docs_dir.glob("*.md")))
            if not d.is_current}
