"""Server-sent events for ``POST /api/ask`` with ``"stream": true`` (format in README):

    event: delta    data: {"text": "…"}          append to the text shown
    event: answer   data: {<the /api/ask JSON>, "replaced": false}   the answer that stands
    event: error    data: {"detail": "…"}         the answer could not be finished

``answer`` comes last and is authoritative: its text replaces what the deltas built up
(they differ only when ``replaced`` is true: generated text failed the guard).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator

from fastapi.responses import StreamingResponse

from bot.answer.service import StreamEvent, TextDelta
from bot.models import Answer

log = logging.getLogger(__name__)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
STREAM_ERROR = "服务出错了，请稍后再试 / something went wrong, please try again"


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(events: Iterable[StreamEvent], public: Callable[[Answer], dict] = Answer.public) -> Iterator[str]:
    """``public`` turns the final answer into its JSON (the API adds its ``answer_id``)."""
    try:
        for event in events:
            if isinstance(event, TextDelta):
                yield sse("delta", {"text": event.text})
            else:
                yield sse("answer", public(event.answer) | {"replaced": event.replaced})
    except Exception:  # noqa: BLE001 — the status line is sent: say so in the stream
        log.exception("streamed answer failed")
        yield sse("error", {"detail": STREAM_ERROR})


def stream_response(events: Iterable[StreamEvent], public: Callable[[Answer], dict] = Answer.public
                    ) -> StreamingResponse:
    return StreamingResponse(answer_events(events, public), media_type="text/event-stream", headers=SSE_HEADERS)
