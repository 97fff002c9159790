"""Safe re-index (issue 11, point 2): a new generation is built aside and switched in by
a pointer; unchanged vectors are copied, not re-embedded; old generations and orphan HNSW
folders go; a second ingest waits or says why it cannot run; a damaged store is moved
aside by `bot ingest --rebuild`, and `bot serve` on it says what to do."""

import os
import sqlite3
import subprocess
import sys

import pytest
from filelock import FileLock

from bot.config import Settings
from bot.index import live
from bot.index.build import load_corpus, open_store, sync_index


def _small_corpus(settings, n=8):
    corpus = load_corpus(settings)
    corpus.clauses = [c for c in corpus.clauses if c.doc_id == "pingyuan-draft"][:n]
    return corpus


def _folders(chroma_dir) -> set[str]:
    return {p.name for p in chroma_dir.iterdir() if p.is_dir() and live.UUID_DIR.match(p.name)}


def _segments(chroma_dir) -> set[str]:
    with sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM segments")}


def test_reingest_switches_to_a_new_generation_and_keeps_only_the_previous_one(tmp_path):
    settings = Settings(data_dir=tmp_path)
    corpus = _small_corpus(settings)
    store = open_store(settings)
    sync_index(settings, corpus, store)
    first = store.name
    assert live.live_name(settings, store.family) == first

    reader = open_store(settings)  # what a running server holds
    corpus.clauses[0] = corpus.clauses[0].model_copy(update={"text": corpus.clauses[0].text + "（修订）"})
    report = sync_index(settings, corpus, open_store(settings))
    assert report.embedded == 1  # the other vectors were copied from the live generation
    second = live.live_name(settings, store.family)
    assert second != first
    assert reader.name == first and reader.search("跟着短剧游农谷", 1)  # still answers from the old one

    third = sync_index(settings, corpus, open_store(settings), rebuild=True)
    assert third.embedded == len(corpus.clauses)
    names = live.generations(open_store(settings).client, store.family)
    assert first not in names and len(names) == 2  # the live one and the previous one
    assert open_store(settings).name == live.live_name(settings, store.family) != second
    assert _folders(settings.chroma_dir) <= _segments(settings.chroma_dir)  # no orphan HNSW folder


def test_nothing_changed_means_no_new_generation_and_no_lock(tmp_path):
    settings = Settings(data_dir=tmp_path)
    corpus = _small_corpus(settings, 3)
    sync_index(settings, corpus, open_store(settings))
    name = live.live_name(settings, open_store(settings).family)
    with FileLock(str(tmp_path / "ingest.lock")):  # another ingest is running: a reader is not blocked
        report = sync_index(settings, corpus, open_store(settings))
    assert report.embedded == 0 and live.live_name(settings, open_store(settings).family) == name


def test_two_rebuilds_at_once_take_turns_and_leave_one_live_generation(tmp_path):
    import threading

    settings = Settings(data_dir=tmp_path)
    corpus = _small_corpus(settings, 6)
    sync_index(settings, corpus, open_store(settings))
    errors, reports = [], []

    def rebuild():
        try:
            reports.append(sync_index(settings, corpus, open_store(settings), rebuild=True))
        except Exception as exc:  # the failure this test is about
            errors.append(exc)

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and [r.embedded for r in reports] == [6, 6]
    store = open_store(settings)
    assert store.name == live.live_name(settings, store.family) and store.count() == 6
    assert len(live.generations(store.client, store.family)) == 2
    assert _folders(settings.chroma_dir) <= _segments(settings.chroma_dir)


def _cli(args, data_dir, **env):
    environment = os.environ | {"BOT_DATA_DIR": str(data_dir)} | env
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=environment, timeout=300)


def test_a_second_ingest_says_another_one_is_running(index_copy):
    data_dir = index_copy()
    with FileLock(str(data_dir / "ingest.lock")):
        proc = _cli(["ingest", "--rebuild"], data_dir, BOT_INGEST_LOCK_TIMEOUT="1")
    assert proc.returncode == 1
    assert "另一个 `bot ingest` 正在更新" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_damaged_store_is_explained_by_serve_and_rebuilt_by_ingest_rebuild(index_copy):
    data_dir = index_copy()
    db = data_dir / "chroma" / "chroma.sqlite3"
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)

    serve = _cli(["serve", "--port", "1"], data_dir)
    assert serve.returncode == 1 and "bot ingest --rebuild" in serve.stderr and "Traceback" not in serve.stderr
    plain = _cli(["ingest"], data_dir)
    assert plain.returncode == 1 and "索引已损坏" in plain.stderr and "Traceback" not in plain.stderr

    rebuilt = _cli(["ingest", "--rebuild"], data_dir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "已移到" in rebuilt.stderr and list(data_dir.glob("chroma.broken-*"))
    answer = _cli(["ask", "平原示范区剧本奖励多少？", "--json"], data_dir)
    assert answer.returncode == 0 and '"answerable": true' in answer.stdout
