"""Parse an uploaded file in a worker process with a memory cap and a deadline, so that one
file — a zip bomb that slips past the archive checks, a PDF with a pathological stream, an
XML tree that explodes in memory — costs at most that worker, never the server.

The worker is a fresh interpreter (``python -m bot.ingest.worker``), not a fork: nothing
the server has loaded (embedding model, index, Gradio) is copied into it, and it imports
only :mod:`bot.ingest.parse` and the parser the file needs. (multiprocessing's 'spawn' and
'forkserver' contexts would do the same but re-import the server's main script — the
``bot`` CLI — in every worker.) It sets ``RLIMIT_AS`` on itself before importing any
parser, then writes the :class:`~bot.ingest.parse.ParsedFile` as JSON on stdout.

Every way it can fail becomes an :class:`~bot.ingest.parse.UnreadableFile` with a message
a clerk can act on: the parser's own refusal, a ``MemoryError``, a worker killed by a
signal (the kernel's OOM killer, a crash in a C extension) and the deadline.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from bot.ingest.parse import ParsedFile, ParseLimits, UnreadableFile
from bot.ingest.visible import Dropped

log = logging.getLogger(__name__)
OUT_OF_MEMORY = 3  # the worker's exit code after a MemoryError
MEMORY_SUSPECT = 0.5  # a parse that failed past this share of the cap is taken as out of memory
PROJECT = Path(__file__).resolve().parents[2]


def parse_bounded(path: Path, limits: ParseLimits | None = None) -> ParsedFile:
    """:func:`~bot.ingest.parse.parse_file` in a worker process capped by ``limits``
    (memory, time). Raises :class:`UnreadableFile`."""
    limits = limits or ParseLimits()
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
                        "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "bot.ingest.worker", str(Path(path).resolve()), json.dumps(asdict(limits))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=limits.timeout_seconds, env=env,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the worker
        raise UnreadableFile(f"{path.name}: 文件解析超过 {limits.timeout_seconds:g} 秒仍未完成，已停止并拒绝 / "
                             f"reading the file took too long") from None
    try:
        result = json.loads(done.stdout.decode("utf-8")) if done.returncode == 0 else None
    except ValueError:
        result = None
    if result is None:
        log.warning("parse worker for %s exited with %s: %s", path.name, done.returncode,
                    done.stderr.decode("utf-8", "replace")[-500:])
        raise UnreadableFile(_failure(path, done.returncode, limits))
    if "error" in result:
        raise UnreadableFile(result["error"])
    parsed = result["parsed"]
    return ParsedFile(parsed["text"], parsed["kind"], parsed["hints"], parsed["headings"],
                      [Dropped(**d) for d in parsed["dropped"]])


def _failure(path: Path, code: int, limits: ParseLimits) -> str:
    if code == OUT_OF_MEMORY or code < 0:
        return (f"{path.name}: 文件解析所需内存超过上限（{limits.memory_bytes / 1024 ** 2:,.0f} MB），已停止并拒绝 / "
                f"reading the file needs too much memory")
    return f"{path.name}: 无法读取文件（解析进程异常退出，代码 {code}）/ cannot read the file"


def _main(argv: list[str]) -> int:
    path, limits = Path(argv[0]), ParseLimits(**json.loads(argv[1]))
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        from bot.ingest.parse import parse_file

        parsed = parse_file(path, limits)
        out = {"parsed": asdict(parsed)}
    except UnreadableFile as exc:
        # C parsers (libxml2) report a failed allocation as their own error ("unknown
        # error"): a parser that failed after using most of the cap ran out of memory
        if _peak_bytes() > MEMORY_SUSPECT * limits.memory_bytes:
            return OUT_OF_MEMORY
        out = {"error": str(exc)}
    except MemoryError:
        return OUT_OF_MEMORY
    sys.stdout.write(json.dumps(out, ensure_ascii=False))
    return 0


def _peak_bytes() -> int:
    """The worker's peak address space (what RLIMIT_AS caps)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
