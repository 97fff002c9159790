"""The guard on LLM replies, measured (issue 17): a corpus of replies written the way real
chat models answer — faithful ones in many citation styles, unfaithful ones each with a
planted error — replayed through an OpenAI-compatible server as the model's answer to
the question it was written for (``evals/fake_llm.py``, model ``fake-corpus/<id>``).

A faithful reply must be shown (``generation.outcome == "passed"``); an unfaithful one
must be replaced. A reply whose clauses the bot no longer supplies is *stale* (the
corpus has drifted from retrieval) and counted apart, never as a guard verdict.

    python -m evals.fake_llm --port 8765 &
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 bot eval --dataset evals/datasets/llm_replies.jsonl \\
        --backend openai:fake-corpus
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.answer.llm import make_chat_model
from bot.config import Settings
from evals import runner
from evals.report import fmt, gate_text

METRIC_NAMES = ["faithful_accepted", "unfaithful_rejected", "replies_not_sent", "replies_stale"]


def load_gates(path: Path, corpus: Path | str = "llm_replies.jsonl") -> dict[str, dict]:
    """The gates of evals/gates.toml for a reply corpus: ``[replies]`` for
    ``llm_replies.jsonl``, ``[replies2]`` for ``llm_replies2.jsonl`` (each corpus its own
    writers, split and floors)."""
    suffix = re.sub(r"^llm_replies", "", Path(corpus).stem)
    return runner.load_gates(path, "replies" + suffix)


def is_reply_corpus(items: list[dict]) -> bool:
    return bool(items) and all("reply" in item and "faithful" in item for item in items)


@dataclass
class ReplyResult:
    id: str
    split: str
    faithful: bool
    kind: str  # the style of a faithful reply, the planted error of an unfaithful one
    outcome: str  # passed / guard_failed / error / skipped
    problems: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.outcome == "error" and any("stale" in p for p in self.problems)

    @property
    def right(self) -> bool:
        """Shown if faithful, replaced by the guard if not."""
        return self.outcome == "passed" if self.faithful else self.outcome == "guard_failed"


def run(bot, items: list[dict], spec: str, progress: Callable[[], None] | None = None,
        settings: Settings | None = None) -> tuple[list[ReplyResult], dict[str, dict]]:
    """Ask each item's question with the model replaying its reply (``settings``: where the
    server is, default the bot's); metrics per split."""
    results = []
    for item in items:
        bot.use_llm(make_chat_model(settings or bot.settings, f"{spec}/{item['id']}"), spec)
        answer = bot.ask(item["question"], id=item["id"])
        g = answer.generation
        results.append(ReplyResult(item["id"], item.get("split", "all"), bool(item["faithful"]), str(item["kind"]),
                                   g.outcome if g else "none", list(g.problems) if g else []))
        if progress:
            progress()
    bot.use_llm(None)
    by_split = {"all": aggregate(results)}
    for split in sorted({r.split for r in results} - {"all"}):
        by_split[split] = aggregate([r for r in results if r.split == split])
    return results, by_split


def _rate(right: int, n: int) -> float | None:
    return right / n if n else None


def aggregate(results: list[ReplyResult]) -> dict:
    """Accept / reject rates over the replies the guard judged (stale ones left out), per
    style and error kind, and the problems behind every wrong verdict."""
    judged = [r for r in results if not r.stale and r.outcome != "skipped"]
    faithful = [r for r in judged if r.faithful]
    unfaithful = [r for r in judged if not r.faithful]
    by_kind: dict[str, list[ReplyResult]] = defaultdict(list)
    for r in judged:
        by_kind[("faithful: " if r.faithful else "unfaithful: ") + r.kind].append(r)
    return {
        "faithful_accepted": _rate(sum(r.right for r in faithful), len(faithful)),
        "unfaithful_rejected": _rate(sum(r.right for r in unfaithful), len(unfaithful)),
        "replies_not_sent": sum(r.outcome == "skipped" for r in results),
        "replies_stale": sum(r.stale for r in results),
        "n": {"faithful": len(faithful), "unfaithful": len(unfaithful)},
        "by_kind": {k: {"n": len(rs), "right": sum(r.right for r in rs)} for k, rs in sorted(by_kind.items())},
        "problems_rejecting_faithful": dict(Counter(p.split(":")[0] for r in faithful if not r.right
                                                    for p in dict.fromkeys(r.problems)).most_common()),
        "wrong": [r.id for r in judged if not r.right],
    }


def write_report(out: Path, results: list[ReplyResult], by_split: dict[str, dict], gates: dict, meta: dict) -> Path:
    """metrics.json, results.jsonl and report.md in ``out``; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"meta": meta, "splits": by_split}, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(asdict(r) | {"right": r.right, "stale": r.stale}, ensure_ascii=False) + "\n")
    splits = [s for s in by_split if s != "all"] or ["all"]
    lines = [f"# LLM reply guard — {meta.get('run', '')}", "",
             f"Corpus `{meta.get('dataset')}`, composer `{meta.get('composer')}`, {len(results)} replies.", "",
             "| metric | " + " | ".join(splits) + " | gate |", "|---|" + "---|" * len(splits) + "---|"]
    for name in METRIC_NAMES:
        gate = gate_text(gates.get(name, {}))
        lines.append(f"| {name} | " + " | ".join(fmt(by_split[s].get(name)) for s in splits) + f" | {gate} |")
    lines += ["", "| style / error kind | right / n |", "|---|---|"]
    lines += [f"| {k} | {v['right']} / {v['n']} |" for k, v in by_split["all"]["by_kind"].items()]
    lines += ["", "Problems behind rejected faithful replies: " + (", ".join(
        f"{k} {v}" for k, v in by_split["all"]["problems_rejecting_faithful"].items()) or "none"),
        "", "Wrong verdicts: " + (", ".join(by_split["all"]["wrong"]) or "none")]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
