"""The conversation a follow-up is read against: what a client sends back, and the budget
the server holds it to.

A chat never locks because of its own past. Clients send the user turns and, for each
answer, the short :func:`history_turn` the answer carried (its opening and the clause ids it
cited) — never the full answer. A client that resends whole answers anyway (an OpenAI
client on ``/v1``, an old widget) is not refused: :func:`trim` keeps the newest turns that
fit the budget, cuts each to its limit, and says what it dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

MAX_TURNS = 12  # the newest turns kept (six question–answer pairs)
USER_TURN_CHARS = 500  # a user turn is a question: the question limit
ASSISTANT_TURN_CHARS = 400  # an answer's opening is all a follow-up needs
BUDGET_CHARS = 4000  # all kept turns together
MAX_REFS = 20  # clause ids an assistant turn may carry
SUMMARY_CHARS = 200


class HistoryUse(BaseModel):
    """What the server did with the history it received (in the answer's JSON)."""

    received: int  # turns received
    used: int  # turns kept, newest last
    dropped: int  # older turns left out (beyond MAX_TURNS or the character budget)
    shortened: int  # kept turns cut to their per-turn limit


@dataclass(frozen=True)
class Conversation:
    turns: tuple[dict, ...]
    use: HistoryUse | None  # None when no history was sent


def trim(history: list | None, user_chars: int = USER_TURN_CHARS) -> Conversation:
    """The newest well-formed turns within the budget, each cut to its role's limit."""
    if not history:
        return Conversation((), None)
    turns = [_clean(t) for t in history]
    valid = [t for t in turns if t is not None]
    kept: list[dict] = []
    shortened = 0
    used_chars = 0
    for turn in reversed(valid[-MAX_TURNS:]):
        limit = user_chars if turn["role"] == "user" else ASSISTANT_TURN_CHARS
        content = turn["content"]
        if len(content) > limit:
            content, shortened = content[:limit], shortened + 1
        if used_chars + len(content) > BUDGET_CHARS:
            break
        used_chars += len(content)
        kept.append({**turn, "content": content})
    kept.reverse()
    use = HistoryUse(received=len(history), used=len(kept), dropped=len(history) - len(kept), shortened=shortened)
    return Conversation(tuple(kept), use)


def _clean(turn: object) -> dict | None:
    """A turn as ``{"role", "content"[, "refs"]}``, or None for anything else."""
    if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
        return None
    content = turn.get("content")
    if not isinstance(content, str):
        return None
    refs = turn.get("refs") or []
    out: dict = {"role": turn["role"], "content": content}
    if turn["role"] == "assistant" and isinstance(refs, list):
        out["refs"] = [r for r in refs if isinstance(r, str) and len(r) <= 200][:MAX_REFS]
    return out


def summary(answer_text: str) -> str:
    """An answer's opening, as plain text: its first paragraph, cut at a sentence end."""
    for line in answer_text.splitlines():
        line = re.sub(r"\[\d+\]|\*\*|^[-#>\s|]+", "", line).strip()
        if line:
            break
    else:
        return ""
    if len(line) <= SUMMARY_CHARS:
        return line
    head = line[:SUMMARY_CHARS]
    end = max(head.rfind(p) for p in "。；！？")
    return head[:end + 1] if end > SUMMARY_CHARS // 3 else head + "…"


def history_turn(answer_text: str, clause_ids: list[str]) -> dict:
    """What a client sends back for an answer, as the assistant turn of its history."""
    return {"role": "assistant", "content": summary(answer_text), "refs": list(dict.fromkeys(clause_ids))[:MAX_REFS]}
