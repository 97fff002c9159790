"""How `bot serve` runs uvicorn: keep-alive and request-head timeouts.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` seconds, but a
connection that never sends a request (or stops halfway through its head) is never timed
out: 50 such connections stayed open indefinitely. :class:`TimedHttpProtocol` closes a
connection that is not serving a request and has received nothing for
``http_head_timeout_seconds``.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.config import Settings


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
