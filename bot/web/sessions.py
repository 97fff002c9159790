"""Bounded memory for the Gradio chat: sessions expire, unread results are dropped.

Gradio keeps every session's state (the chat shown, our per-turn records) until 10,000
sessions exist, and keeps a session's queued results until its page reads them — a
client that joins the queue and never reads made memory grow for good (300 such joins:
+33 MB). :class:`SessionJanitor` sweeps both, every ``interval`` seconds:

* a session unused for ``idle_seconds`` is forgotten (its page, if still open, starts a
  new conversation);
* results still unread at two sweeps in a row (``unread_seconds`` apart) are dropped,
  with the ids of their events.

Each session also keeps at most ``ui_stream.MAX_TURNS`` turns, and the queue holds at
most ``QUEUE_SIZE`` waiting events, and Gradio keeps ``SESSION_CAPACITY`` sessions at most (beyond: Gradio answers "queue full").
"""

from __future__ import annotations

import datetime
import logging
import threading
import weakref

from bot.web.provider import release_memory

log = logging.getLogger(__name__)
SESSION_CAPACITY = 1000  # sessions whose state is kept at all (Gradio's default: 10,000)
QUEUE_SIZE = 64  # events waiting for a worker


class SessionJanitor:
    def __init__(self, blocks, idle_seconds: float = 3600.0, unread_seconds: float = 60.0) -> None:
        self._blocks = weakref.ref(blocks)
        self.idle = datetime.timedelta(seconds=idle_seconds)
        self.unread_seconds = unread_seconds
        self._unread: set[str] = set()  # sessions with unread results at the last sweep

    def sweep(self, now: datetime.datetime | None = None) -> dict[str, int]:
        """One pass; returns how many sessions and unread queues were dropped."""
        blocks = self._blocks()
        if blocks is None:
            return {"sessions": 0, "unread": 0}
        now = now or datetime.datetime.now()
        holder = blocks.state_holder
        with holder.lock:
            idle = [sid for sid, used in list(holder.time_last_used.items()) if now - used > self.idle]
            for sid in idle:
                holder.session_data.pop(sid, None)
                holder.time_last_used.pop(sid, None)
        return {"sessions": len(idle), "unread": self._drop_unread(blocks)}

    def _drop_unread(self, blocks) -> int:
        queue = getattr(blocks, "_queue", None)
        if queue is None:
            return 0
        waiting = {sid for sid, messages in list(queue.pending_messages_per_session.items()) if not messages.empty()}
        stale = waiting & self._unread
        for sid in stale:
            queue.pending_messages_per_session.pop(sid, None)
            for event_id in queue.pending_event_ids_session.pop(sid, set()):
                queue.event_ids_to_events.pop(event_id, None)
        self._unread = waiting - stale
        return len(stale)

    def start(self) -> threading.Thread:
        """Sweep in a daemon thread until the Blocks are gone."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(self.unread_seconds):
                if self._blocks() is None:
                    return
                dropped = self.sweep()
                if any(dropped.values()):
                    log.info("chat sessions swept: %s", dropped)
                    release_memory()  # give the freed pages back

        thread = threading.Thread(target=run, name="gradio-janitor", daemon=True)
        thread.start()
        return thread


def bound(blocks) -> None:
    """Session capacity and queue size on ``blocks`` (before it is mounted)."""
    blocks.state_session_capacity = SESSION_CAPACITY
    blocks.queue(default_concurrency_limit=4, max_size=QUEUE_SIZE)
