"""Answer wording, loaded from ``prompts/answer.yaml`` (no user-facing strings in code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import KnowledgeError


def read_prompt_file(path: Path, what: str) -> dict:
    """A YAML file of ``prompts/``; a clear :class:`KnowledgeError` naming ``what`` if unreadable."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot read {what} ({exc})") from exc


class Templates:
    def __init__(self, data: dict) -> None:
        self._data = data

    @classmethod
    def load(cls, prompts_dir: Path) -> Templates:
        return cls(read_prompt_file(prompts_dir / "answer.yaml", "the answer wording"))

    def __call__(self, key: str, **values: object) -> str:
        return str(self._data[key]).format(**values)

    def items(self, key: str) -> list[str]:
        return [str(v) for v in self._data[key]]

    def mapping(self, key: str) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._data[key].items()}

    def missing(self, ask: str) -> str:
        return self._data["missing"].get(ask, ask)


@lru_cache(maxsize=4)
def get_templates(prompts_dir: Path) -> Templates:
    return Templates.load(prompts_dir)
