"""The bot as an OpenAI-compatible "model": ``POST /v1/chat/completions`` (streamed or
not) and ``GET /v1/models``, so the chat front-ends and gateways bureaus already run can
use it. Same answers as ``POST /api/ask``, from the same live index (the app's
:class:`~bot.web.provider.BotProvider`, so a re-index is followed); the app's origin check,
rate limit and body limits apply (``EdgeGuard`` and ``BodyGuard`` cover every POST).

* ``messages``: the last one is the question (a ``user`` message, checked like
  ``/api/ask``'s ``question``); earlier ``user`` / ``assistant`` turns are the history. OpenAI
  clients resend the bot's own long answers: the service keeps the newest turns that fit its
  budget and cuts each (``bot/conversation.py``), so a long conversation never fails;
  ``system`` messages are ignored — a caller's prompt does not change what the bot says.
* The answer text carries the ``[n]`` markers; the extra top-level fields ``citations``
  (the ``/api/ask`` citation objects), ``answerable`` and ``region`` carry the rest. A
  stream ends with a chunk holding them (``finish_reason: "stop"``), then ``[DONE]``.
* A stream sends only text that passed the guard: OpenAI clients cannot take text back,
  so with an LLM backend the first chunk comes once the answer is checked.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.errors import InvalidQuestion, StoreError
from bot.models import Answer
from bot.web.api import ERRORS, UNAVAILABLE, Problem
from bot.web.streaming import SSE_HEADERS

MODEL_ID = "weiduanju-policy-bot"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str = Field(pattern="^(system|developer|user|assistant|tool)$")
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; sampling parameters are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(default=MODEL_ID, max_length=128)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    region: str | None = Field(default=None, max_length=64, description="extension: assume this region, e.g. 衢江")


def _invalid(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    """The last user message, and the user / assistant turns before it (the history the
    service trims to its budget)."""
    if messages[-1].role != "user":
        raise _invalid("最后一条消息必须是用户的问题 / the last message must be the user's question")
    return messages[-1].text(), [{"role": m.role, "content": m.text()} for m in messages[:-1]
                                 if m.role in ("user", "assistant")]


def _extra(answer: Answer) -> dict:
    return {"citations": [c.model_dump() for c in answer.citations], "answerable": answer.answerable,
            "region": answer.region}


def completion(answer: Answer, model: str) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                                         "finish_reason": "stop"}]} | _extra(answer)


def chunks(answer: Answer, model: str) -> Iterator[str]:
    """The answer as ``chat.completion.chunk`` events: role, text line by line, then a
    last chunk with the citations, then ``[DONE]``."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model}

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        body = base | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]} | extra
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for line in answer.answer.splitlines(keepends=True):
        yield event({"content": line})
    yield event({}, "stop", **_extra(answer))
    yield "data: [DONE]\n\n"


router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)  # errors as /api: {"detail": "…"}
COMPLETION = {200: {"description": "a `chat.completion`; with `stream: true`, `chat.completion.chunk` "
                                   "server-sent events ending with `data: [DONE]`",
                    "content": {"text/event-stream": {}}},
              503: {"model": Problem, "description": "the index is not available right now"}}


@router.get("/models")
def models() -> dict:
    """The one model this server offers (any ``model`` name is accepted)."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                        "owned_by": "weiduanju-policy-bot"}]}


@router.post("/chat/completions", responses=COMPLETION)
def chat_completions(body: ChatRequest, request: Request):
    """OpenAI-compatible chat completion: the same answer as ``POST /api/ask``."""
    question, history = question_and_history(body.messages)
    try:  # checked before any byte is sent
        answer = request.app.state.provider.ask(question, region=body.region, history=history)
    except InvalidQuestion as exc:
        raise _invalid(str(exc)) from None
    except StoreError:
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from None
    if not body.stream:
        return completion(answer, body.model)
    return StreamingResponse(chunks(answer, body.model), media_type="text/event-stream", headers=SSE_HEADERS)
