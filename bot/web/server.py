"""How `bot serve` runs: memory arenas, keep-alive and request-head timeouts.

:func:`limit_malloc_arenas` runs first: glibc gives every thread that allocates its own
malloc arena (up to 8 per core); Chroma's and uvicorn's threads then kept freed memory
apart, and RSS grew ~45 MB over the first re-indexes and stayed there. Two arenas keep
RSS within 5 % over 100 admin edits (docs/RELIABILITY.md).

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` seconds, but a
connection that never sends a request (or stops halfway through its head) is never timed
out: 50 such connections stayed open indefinitely. :class:`TimedHttpProtocol` closes a
connection that is not serving a request and has received nothing for
``http_head_timeout_seconds``.
"""

from __future__ import annotations

import asyncio
import ctypes

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.config import Settings

M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """At most ``arenas`` malloc arenas in this process (glibc; nothing elsewhere). Call
    before the threads start."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        pass


class TimedHttpProtocol(HttpToolsProtocol):
    head_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._last_data = self.loop.time()
        self._head_timer = self.loop.call_later(self.head_timeout, self._close_if_silent)

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.cancel()
        super().connection_lost(exc)

    def _close_if_silent(self) -> None:
        if self.transport.is_closing():
            return
        serving = self.cycle is not None and not self.cycle.response_complete
        silent = self.loop.time() - self._last_data
        if not serving and silent >= self.head_timeout:
            self.transport.close()
            return
        wait = self.head_timeout if serving else self.head_timeout - silent
        self._head_timer = self.loop.call_later(max(wait, 0.1), self._close_if_silent)


def serve(app, host: str, port: int, settings: Settings) -> None:
    """Run ``app`` with the timeouts of ``settings`` (forwarded headers are the app's job)."""
    protocol = type("TimedHttpProtocol", (TimedHttpProtocol,), {"head_timeout": settings.http_head_timeout_seconds})
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, http=protocol,
                timeout_keep_alive=settings.http_keep_alive_seconds)
