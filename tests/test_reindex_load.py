"""Re-indexing a running server (issue 11, point 2): `bot ingest --rebuild` against the
data dir of a `bot serve` under load — no 5xx, answers keep their citations, the server
moves to the new index without a restart, and /api/health says which index it serves
(503 when it cannot answer). Two rebuilds at once: tests/test_reindex.py."""

import subprocess
import sys
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.index import live

QUESTIONS = ["平原示范区剧本奖励多少？", "在衢江取景有什么补贴？", "汉唐商业街项目投资多少？"]


def _load(url: str, stop: threading.Event, results: list) -> None:
    with httpx.Client(timeout=60) as client:
        i = 0
        while not stop.is_set():
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            try:
                r = client.post(url + "/api/ask", json={"question": question})
                body = r.json() if r.status_code == 200 else {}
                results.append((r.status_code, question, body.get("answerable"), len(body.get("citations", []))))
            except httpx.HTTPError as exc:
                results.append((599, question, None, repr(exc)))
            time.sleep(0.02)


@pytest.mark.slow
def test_rebuild_under_load_gives_no_5xx_and_the_server_moves_to_the_new_index(serve_bot):
    served = serve_bot({"BOT_RATE_LIMIT_PER_MINUTE": "100000", "BOT_INDEX_CHECK_SECONDS": "0.5"})
    before = httpx.get(served.url + "/api/health", timeout=30).json()["collection"]
    stop, results = threading.Event(), []
    workers = [threading.Thread(target=_load, args=(served.url, stop, results)) for _ in range(1)]
    for w in workers:
        w.start()
    try:
        env = served.env
        ingest = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--rebuild"], env=env,
                                capture_output=True, text=True, timeout=400)
        settings = Settings(data_dir=served.data_dir)
        family = before.split("-v")[0]
        after = live.live_name(settings, family)
        deadline = time.time() + 60
        health = {}
        while time.time() < deadline:
            health = httpx.get(served.url + "/api/health", timeout=30).json()
            if health["collection"] == after and not health["reloading"]:
                break
            time.sleep(0.5)
        time.sleep(2)  # a little traffic on the new index
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)

    assert ingest.returncode == 0 and "Traceback" not in ingest.stderr, ingest.stderr
    assert after and after != before and health["collection"] == after and health["status"] == "ok"
    codes = [r[0] for r in results]
    assert len(codes) > 50 and all(c == 200 for c in codes), [r for r in results if r[0] != 200][:5]
    assert all(answerable and cites > 0 for _, _, answerable, cites in results), \
        [r for r in results if not (r[2] and r[3])][:5]
    from bot.index.store import make_client

    names = live.generations(make_client(settings), family)
    assert after in names and len(names) <= 2
    assert {p.name for p in (served.data_dir / "chroma").iterdir() if live.UUID_DIR.match(p.name)} <= \
        _segments(served.data_dir / "chroma")


def _segments(chroma_dir) -> set[str]:
    import sqlite3

    with sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM segments")}


def test_health_is_503_and_ask_is_a_clear_503_when_the_index_cannot_answer(index_copy):
    from bot.answer.service import PolicyBot
    from bot.web.app import create_app

    settings = Settings(data_dir=index_copy())
    bot = PolicyBot.build(settings)
    web = TestClient(create_app(settings, bot, with_ui=False), raise_server_exceptions=False)
    assert web.get("/api/health").json()["collection"] == bot.retriever.store.name
    bot.retriever.store.client.delete_collection(bot.retriever.store.name)  # gone, and nothing replaces it
    time.sleep(1.1)  # health probes at most once a second
    health = web.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    r = web.post("/api/ask", json={"question": "浙江2024年有多少部微短剧获得发行许可？"})  # needs retrieval
    assert r.status_code == 503 and "索引暂时不可用" in r.json()["detail"]
    # the same before a stream starts, and on the OpenAI-compatible API
    streamed = web.post("/api/ask", json={"question": "浙江2024年有多少部微短剧获得发行许可？", "stream": True})
    assert streamed.status_code == 503 and "索引暂时不可用" in streamed.json()["detail"]
    v1 = web.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "浙江2024年有多少部微短剧获得发行许可？"}]})
    assert v1.status_code == 503 and "索引暂时不可用" in v1.json()["detail"]
    # questions the policy table answers do not need the vector index: they still work
    table = web.post("/api/ask", json={"question": "平原示范区剧本奖励多少？"})
    assert table.status_code == 200 and "5万元" in table.json()["answer"]
