"""Reading JSONL files (question batches, eval datasets) with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

from bot.errors import JsonlError


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for every non-blank line of ``path``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonlError(f"无法读取文件 / cannot read {path}: {exc}") from exc
    objects = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{path} 第{n}行不是合法 JSON / line {n} is not valid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise JsonlError(f"{path} 第{n}行不是 JSON 对象 / line {n} is not a JSON object")
        objects.append((n, obj))
    return objects
