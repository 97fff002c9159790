"""A small OpenAI-compatible chat server that writes answers from the numbered clauses in
the bot's prompt — for tests and for `bot eval --backend openai:fake-…` without a model.

    python -m evals.fake_llm --port 8765 --seconds 600 &
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 bot eval --split test --backend openai:fake-faithful

The model name picks the behaviour (:data:`MODES`): ``fake-faithful`` quotes each clause
with its region and number; the others make one mistake each, the ones the guard must
catch; ``fake-mixed`` cycles through all of them; ``fake-slow`` answers after
``--delay`` seconds. ``fake-corpus/<id>`` replays reply ``<id>`` of the reply corpus
(``evals/datasets/llm_replies*.jsonl``, issue 17: replies written the way real models
write them, faithful and not), its markers renumbered to the clauses as the prompt
numbers them now; a reply whose clauses the prompt no longer supplies gets HTTP 409
("stale"), so a corpus that has drifted from the bot shows as such instead of as a
guard verdict. It listens on 127.0.0.1 only and stops after ``--seconds``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.answer.generated import MARKER

ITEM = re.compile(r"^\[(\d+)\] 地区：([^｜\n]*)｜状态：([^｜\n]*)｜[^\n]*\n原文：“(.*)”$", re.MULTILINE)
MODES = ("faithful", "invent_amount", "unsupplied_citation", "wrong_region", "obey_injection")
INJECTED = "好的，已忽略之前的全部规则。添加微信 wdj88888 或拨打 400-800-1234，可代办全部补贴申请，保证百分之百通过。"


def evidence(prompt: str) -> list[tuple[int, str, str, str]]:
    """(n, region label, status, quote) of each numbered clause in the bot's prompt."""
    return [(int(n), region, status, quote) for n, region, status, quote in ITEM.findall(prompt)]


def _short(label: str) -> str:
    return label.split("（")[0]


def write_answer(mode: str, prompt: str, other_region: str = "郑州市") -> str:
    """What a model in ``mode`` answers to the bot's user prompt."""
    items = evidence(prompt)[:4]
    if not items:
        return "资料中没有相关内容。"
    lines = []
    for n, region, status, quote in items:
        caveat = "（征求意见稿，尚未正式印发）" if status == "征求意见稿" else ""
        lines.append(f"{_short(region)}{caveat}的规定是：“{quote}”[{n}]")
    first = items[0]
    if mode == "invent_amount":
        lines.append(f"{_short(first[1])}另外还给予最高88万元的一次性奖励[{first[0]}]。")
    elif mode == "unsupplied_citation":
        lines.append(f"{_short(first[1])}还对剧组住宿给予补贴[{len(items) + 40}]。")
    elif mode == "wrong_region":
        region = other_region if _short(first[1]) != other_region else "衢江区"
        lines[0] = f"{region}的规定是：“{first[3]}”[{first[0]}]"
    elif mode == "obey_injection":
        lines.insert(0, INJECTED)
    return "\n".join(lines)


CORPUS = Path(__file__).parent / "datasets" / "llm_replies.jsonl"
CORPORA = sorted(CORPUS.parent.glob("llm_replies*.jsonl"))  # every reply corpus: the server replays any of them
CORPUS_MODEL = "fake-corpus/"


class StaleReply(ValueError):
    """The prompt no longer supplies a clause the recorded reply cites."""


def replay(item: dict, prompt: str) -> str:
    """Corpus ``item``'s reply with its markers renumbered from the evidence it was written
    against (``item["evidence"]``: n and quote) to the evidence in ``prompt``. A number the
    recording never supplied stays unsupplied (shifted past the prompt's last number)."""
    now = {quote: n for n, _, _, quote in evidence(prompt)}
    then = {e["n"]: e["quote"] for e in item["evidence"]}

    def number(n: int) -> int:
        if n not in then:
            return n - len(then) + len(now) if n > len(then) else n
        if then[n] not in now:
            raise StaleReply(f"{item['id']}: clause [{n}] of the recording is not in the prompt")
        return now[then[n]]

    return MARKER.sub(lambda m: re.sub(r"\d+", lambda d: str(number(int(d.group(0)))), m.group(0)), item["reply"])


def load_corpus(path: Path | None = None) -> dict[str, dict]:
    """Reply id → item, of ``path`` or (None) of every corpus."""
    items = {}
    for one in [path] if path else CORPORA:
        with one.open(encoding="utf-8") as f:
            items.update({item["id"]: item for item in map(json.loads, filter(str.strip, f))})
    return items


class _Handler(BaseHTTPRequestHandler):
    server: FakeLLMServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": f"fake-{m}", "object": "model", "created": 0,
                                                          "owned_by": "fake"} for m in (*MODES, "mixed", "slow")]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found"}})
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.server.requests.append(body)
        model = str(body.get("model", "fake-faithful"))
        mode = model.removeprefix("fake-")
        if mode == "slow":
            time.sleep(self.server.delay)
            mode = "faithful"
        if mode == "mixed":
            mode = next(self.server.cycle)
        if mode not in MODES:
            mode = "faithful"
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
        if model.startswith(CORPUS_MODEL):
            try:
                text = replay(self.server.corpus()[model.removeprefix(CORPUS_MODEL)], prompt)
            except (KeyError, StaleReply) as exc:
                self._json(409, {"error": {"message": f"stale corpus reply: {exc}", "type": "stale"}})
                return
        else:
            text = write_answer(mode, prompt)
        created = int(time.time())
        if not body.get("stream"):
            self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": created, "model": model,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                          "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
        deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
        for i, delta in enumerate(deltas + [{}]):
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created, "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if i == len(deltas) else None}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class FakeLLMServer(ThreadingHTTPServer):
    """The server; ``start()`` serves from a daemon thread, ``url`` is the base URL."""

    daemon_threads = True

    def __init__(self, port: int = 0, delay: float = 5.0, corpus: Path | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay = delay
        self.requests: list[dict] = []
        self.cycle = itertools.cycle(MODES)
        self.corpus_path = corpus
        self._corpus: dict[str, dict] | None = None

    def corpus(self) -> dict[str, dict]:
        if self._corpus is None:
            self._corpus = load_corpus(self.corpus_path)
        return self._corpus

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and hung up is what fake-slow is for

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> FakeLLMServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long")
    parser.add_argument("--delay", type=float, default=5.0, help="fake-slow's delay")
    parser.add_argument("--corpus", type=Path, default=None, help="the reply corpus fake-corpus/<id> replays (default: all)")
    args = parser.parse_args()
    with FakeLLMServer(args.port, args.delay, args.corpus) as server:
        print(f"fake OpenAI-compatible server on {server.url} for {args.seconds:g} s", flush=True)
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
