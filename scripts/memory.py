#!/usr/bin/env python
"""Memory under attack and over time (issue 19.4), against a real `bot serve` on 127.0.0.1:
RSS before, at peak and after

* one upload of a .docx zip bomb on the admin page (the server and its parse workers);
* 100 admin edits, each re-indexing in the server;
* 1,000 web-chat turns (20 sessions × 50 turns through Gradio's queue, as the page sends
  them), then 300 queue joins whose results nobody reads, then the janitor's sweeps (the
  server runs with a 30 s session expiry here, an hour by default).

    source scripts/env.sh
    .venv/bin/python scripts/memory.py --json docs/memory.json          # all three (~8 min)
    .venv/bin/python scripts/memory.py --only edits --edits 100         # one of them

Exit status 1 when a bound fails: peak over 1 GB for the upload, RSS growth over 10 %
across the edits, or memory not back within 10 % after the chat sweep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the hostile-file builders the tests use
from hostile import zip_bomb  # noqa: E402
from soak import served  # noqa: E402  (beside this script: one way to run `bot serve`)

TOKEN = "memory-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
CLERK_FILE = ROOT / "evals" / "onboarding" / "county-notice2.txt"
UNREAD_SECONDS = 3
IDLE_SECONDS = 30  # a session unused this long is forgotten (1 hour in production)


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def _tree(pid: int) -> list[int]:
    """The server and its children (the parse workers); a child forked and not yet exec'ed
    shares the server's memory and is left out (it would count it twice)."""
    out = [pid]
    try:
        mine = Path(f"/proc/{pid}/cmdline").read_bytes()
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            if Path(f"/proc/{child}/cmdline").read_bytes() != mine:
                out += _tree(int(child))
    except OSError:
        pass
    return out


class Sampler:
    """RSS of the server's process tree, 20 times a second, while a step runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> Sampler:
        self.before = _rss_mb(_tree(self.pid))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb(_tree(self.pid)))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join()
        self.after = _rss_mb(_tree(self.pid))
        self.peak = max(self.peak, self.before, self.after)

    def report(self, **extra) -> dict:
        return {"rss_before_mb": self.before, "rss_peak_mb": self.peak, "rss_after_mb": self.after,
                "growth": round((self.after - self.before) / self.before, 4), **extra}


def zip_bomb_upload(client: httpx.Client, url: str, pid: int, work: Path) -> dict:
    bomb = zip_bomb(work / "bomb.docx", gigabytes=1.0)
    with Sampler(pid) as s:
        r = client.post(url + "/admin/api/uploads", headers=ADMIN, files={"file": ("通知.docx", bomb.read_bytes())})
    return s.report(file_mb=round(bomb.stat().st_size / 2**20, 2), status=r.status_code,
                    message=r.json().get("detail", "")[:80])


def admin_edits(client: httpx.Client, url: str, pid: int, edits: int) -> dict:
    draft = client.post(url + "/admin/api/uploads", headers=ADMIN, files={"file": (CLERK_FILE.name, CLERK_FILE.read_bytes())})
    doc_id = client.post(url + f"/admin/api/drafts/{draft.json()['key']}/publish", headers=ADMIN).json()["doc_id"]
    row = client.get(url + f"/admin/api/documents/{doc_id}", headers=ADMIN).json()["measures"][0]["id"]
    client.post(url + "/api/ask", json={"question": "武夷山拍摄补贴多少"})
    statuses = []
    start = time.monotonic()
    with Sampler(pid) as s:
        for i in range(edits):
            r = client.patch(url + f"/admin/api/documents/{doc_id}/rows/{row}", headers=ADMIN, json={"reviewed": i % 2 == 0})
            statuses.append(r.status_code)
            client.post(url + "/api/ask", json={"question": "武夷山拍摄补贴多少"})
    return s.report(edits=edits, errors=sum(c != 200 for c in statuses),
                    seconds_per_edit=round((time.monotonic() - start) / edits, 2))


def _chat_turn(client: httpx.Client, url: str, session: str, question: str) -> None:
    """One turn as the page sends it (the question and the region; the chat so far is
    the server's state): join the queue, read the result stream."""
    payload = {"data": [question, None, "自动识别", None], "fn_index": 0, "session_hash": session, "trigger_id": 1}
    client.post(url + "/gradio_api/queue/join", json=payload).raise_for_status()
    with client.stream("GET", url + "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    if not message.get("success", True):
                        raise RuntimeError(f"chat turn failed: {message}")
                    return
    raise RuntimeError("no result")


def chat_turns(client: httpx.Client, url: str, pid: int, sessions: int, turns: int, unread: int) -> dict:
    questions = ["各地对微短剧有哪些扶持？", "那衢江呢？", "剧本奖励多少？", "住宿有补贴吗？", "那郑州呢？"]
    with Sampler(pid) as s:
        for _ in range(sessions):
            session = uuid.uuid4().hex[:10]
            for t in range(turns):
                _chat_turn(client, url, session, questions[t % len(questions)])
        after_turns = _rss_mb(_tree(pid))
        for n in range(unread):  # joined, never read
            payload = {"data": [questions[0], None, "自动识别", None], "fn_index": 0,
                       "session_hash": f"unread{n}", "trigger_id": 1}
            client.post(url + "/gradio_api/queue/join", json=payload)
        time.sleep(20)  # the results are computed and wait unread
        after_unread = _rss_mb(_tree(pid))
        time.sleep(IDLE_SECONDS + 3 * UNREAD_SECONDS)  # unread results dropped, idle sessions forgotten
    return s.report(turns=sessions * turns, unread_joins=unread, rss_after_turns_mb=after_turns,
                    rss_with_unread_mb=after_unread, session_idle_seconds=IDLE_SECONDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["bomb", "edits", "chat"], action="append")
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--unread", type=int, default=300)
    parser.add_argument("--data-dir", type=Path, default=None, help="an existing index to copy (default: data/)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    steps = args.only or ["bomb", "edits", "chat"]
    work = Path(tempfile.mkdtemp(prefix="memory-"))
    shutil.copytree(ROOT / "knowledge", work / "knowledge")
    source = args.data_dir or ROOT / "data"
    if source.exists():
        shutil.copytree(source, work / "data", ignore=shutil.ignore_patterns("feedback.db"))
    env = os.environ | {"BOT_DATA_DIR": str(work / "data"), "BOT_KNOWLEDGE_DIR": str(work / "knowledge"),
                        "DATABASE_URL": f"sqlite:///{work / 'fb.db'}", "ADMIN_TOKEN": TOKEN,
                        "BOT_RATE_LIMIT_PER_MINUTE": "1000000", "BOT_ADMIN_RATE_LIMIT_PER_MINUTE": "1000000",
                        "BOT_CHAT_UNREAD_SECONDS": str(UNREAD_SECONDS),
                        "BOT_CHAT_SESSION_IDLE_SECONDS": str(IDLE_SECONDS)}
    report: dict = {}
    with served(env, work) as (server, url), httpx.Client(timeout=600) as client:
        client.post(url + "/api/ask", json={"question": "衢江有什么补贴"})  # warm
        if "bomb" in steps:
            report["zip_bomb"] = zip_bomb_upload(client, url, server.pid, work)
        if "edits" in steps:
            report["admin_edits"] = admin_edits(client, url, server.pid, args.edits)
        if "chat" in steps:
            report["chat"] = chat_turns(client, url, server.pid, args.sessions, args.turns, args.unread)
    problems = []
    if "zip_bomb" in report and report["zip_bomb"]["rss_peak_mb"] > 1024:
        problems.append("zip bomb peak over 1 GB")
    if "admin_edits" in report and (report["admin_edits"]["growth"] > 0.10 or report["admin_edits"]["errors"]):
        problems.append("admin edits: RSS grew over 10 % or an edit failed")
    if "chat" in report and report["chat"]["growth"] > 0.10:
        problems.append("chat: memory not back within 10 %")
    report["verdict"] = "; ".join(problems) or "ok"
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
