"""Answer wording, loaded from ``prompts/answer.yaml`` (no prompt strings in code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


class Templates:
    def __init__(self, data: dict) -> None:
        self._data = data

    @classmethod
    def load(cls, prompts_dir: Path) -> Templates:
        return cls(yaml.safe_load((prompts_dir / "answer.yaml").read_text(encoding="utf-8")))

    def __call__(self, key: str, **values: object) -> str:
        return str(self._data[key]).format(**values)

    def missing(self, ask: str) -> str:
        return self._data["missing"].get(ask, ask)


@lru_cache(maxsize=4)
def get_templates(prompts_dir: Path) -> Templates:
    return Templates.load(prompts_dir)
