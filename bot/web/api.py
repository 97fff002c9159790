"""The HTTP API under /api: ask, check, health, feedback. Thin: every route calls the
answer service through the app's :class:`~bot.web.provider.BotProvider`."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.conversation import HistoryUse
from bot.errors import FeedbackUnavailable, InvalidQuestion, StoreError
from bot.models import AnswerTable, Citation, Generation
from bot.policy.eligibility import ProducerProfile
from bot.web.feedback import OverBudget, UnknownAnswer
from bot.web.security import client_key
from bot.web.streaming import stream_response

# Turns a request may carry; the service keeps the newest that fit its budget
# (bot/conversation.py) and says in `history_used` what it left out.
MAX_HISTORY_TURNS = 200
UNAVAILABLE = "索引暂时不可用，请稍后再试 / the index is not available right now, try again shortly"


class Problem(BaseModel):
    """Every error answer: one message, Chinese first."""

    detail: str


ERRORS = {
    400: {"model": Problem, "description": "unparseable request"},
    403: {"model": Problem, "description": "origin not allowed"},
    408: {"model": Problem, "description": "request body not received in time"},
    413: {"model": Problem, "description": "request body too large"},
    422: {"model": Problem, "description": "invalid request (a clear message names the field)"},
    429: {"model": Problem, "description": "rate limit"},
}


class Turn(BaseModel):
    """One earlier turn. For an answer, send back the ``history_turn`` it carried (its
    opening and the clause ids it cited); a whole answer is accepted too, and cut."""

    role: Literal["user", "assistant"]
    content: str
    refs: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50, description="clause ids the answer cited (from its history_turn)")


class AskRequest(BaseModel):
    # At least one character that is neither white space nor a control character.
    question: str = Field(max_length=500, pattern=r"[^\s\x00-\x1f\x7f]",
                          description="问题，1–500字 / the question, 1–500 characters")
    id: str | None = Field(default=None, max_length=128)
    region: str | None = Field(default=None, max_length=64, description="assume this region, e.g. 衢江")
    k: int | None = Field(default=None, ge=1, le=50)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                description="earlier turns of the chat, oldest first: the user's questions and "
                                            "each answer's `history_turn`; the newest turns that fit the budget "
                                            "are used (see `history_used` in the answer)")
    stream: bool = Field(default=False, description="answer as server-sent events (see README)")
    explain: bool = Field(default=False, description="also return what each stage decided (frame, route, findings, "
                                                     "checks, timings) under `explain`")


class AskResponse(BaseModel):
    id: str | None
    question: str
    answer: str
    answerable: bool
    citations: list[Citation]
    region: str | None
    latency_ms: float
    table: AnswerTable | None = None
    history_used: HistoryUse | None = None
    history_turn: dict = Field(description="send this back as the assistant turn of the next question's history")
    generation: Generation | None = Field(default=None, description="with an LLM (BOT_LLM): what became of its text "
                                                                    "(outcome passed / guard_failed / error / skipped, "
                                                                    "and the problems found)")
    answer_id: str = Field(description="name this answer in POST /api/feedback")
    explain: dict | None = Field(default=None, description="with `\"explain\": true`: what each stage decided")


class FeedbackRequest(BaseModel):
    """A vote on an answer this server gave: its ``answer_id``, 👍/👎 and a short comment.
    The question, answer and citations stored with it are the server's own record."""

    answer_id: str = Field(max_length=64, description="the answer_id of the /api/ask answer being rated")
    helpful: bool
    comment: str | None = Field(default=None, max_length=500)
    page_origin: str | None = Field(default=None, max_length=512)
    surface: Literal["web", "widget", "api"] = "api"


class Saved(BaseModel):
    id: int


router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


STREAMED = {200: {"description": "the answer; with `\"stream\": true`, server-sent events (see README)",
                  "content": {"text/event-stream": {}}}}


@router.post("/ask", response_model=AskResponse, responses=STREAMED)
def ask(body: AskRequest, request: Request):
    """Answer one question with cited clauses (the same JSON as `bot ask --json`); with
    ``"stream": true`` as server-sent events (``delta`` … then ``answer``)."""
    provider = request.app.state.provider
    options = {"id": body.id, "region": body.region, "k": body.k, "history": [t.model_dump() for t in body.history]}
    if body.explain and not body.stream:
        options["explain"] = True
    recent = request.app.state.recent_answers

    def public(answer) -> dict:
        return answer.public() | {"answer_id": recent.add(answer)}

    try:
        if body.stream:  # the question is checked and searched before the stream starts
            return stream_response(provider.ask_stream(body.question, **options), public)
        answer = provider.ask(body.question, **options)
    except InvalidQuestion as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except StoreError:
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from None
    return public(answer)


@router.post("/check")
def check(profile: ProducerProfile, request: Request) -> dict:
    """补贴测算: the measures that apply to a project, might apply (what to confirm), or not."""
    result = request.app.state.provider.current().check(profile)
    return {"report": result.report, "citations": [c.model_dump() for c in result.citations],
            "measures": [{"id": v.measure.id, "region": v.measure.region, "title": v.measure.title,
                          "topics": v.measure.topics, "amount": v.measure.benefit.amount,
                          "verdict": v.verdict, "reasons": result.reasons[v.measure.id],
                          "clause_id": v.measure.clause_id}
                         for v in result.verdicts]}


class IndexProbe:
    """A real search on the served index, at most once a second (health checks are cheap)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[float, str, str | None] = (0.0, "", None)

    def problem(self, bot) -> str | None:
        name = bot.retriever.store.name
        with self._lock:
            at, probed, problem = self._last
            if probed == name and time.monotonic() - at < 1.0:
                return problem
            try:
                problem = None if bot.retriever.store.search("微短剧补贴", 1) else "the index returned nothing"
            except StoreError as exc:
                problem = str(exc)
            self._last = (time.monotonic(), name, problem)
            return problem


@router.get("/health", responses={503: {"model": Problem, "description": "cannot answer now"}})
def health(request: Request):
    """Which index is served, and whether it answers (a real search; 503 when it fails)."""
    provider = request.app.state.provider
    bot = provider.current()
    settings = request.app.state.settings
    body = {"status": "ok", "documents": len(bot.corpus.documents),
            "clauses": len({c.clause_id for c in bot.corpus.clauses}),
            "collection": bot.retriever.store.name, "embedding_backend": settings.embedding_backend,
            "reloading": provider.reloading, "llm": bot.llm_report(), "answer_checks": dict(bot.check_failures),
            "feedback": "ok" if request.app.state.feedback.available else "unavailable"}
    problem = request.app.state.probe.problem(bot)
    if problem:
        return JSONResponse({**body, "status": "unavailable", "detail": UNAVAILABLE}, status_code=503)
    return body


@router.post("/feedback", status_code=201, response_model=Saved,
             responses={404: {"model": Problem, "description": "unknown or expired answer_id"},
                        503: {"model": Problem, "description": "feedback store unavailable"}})
def add_feedback(body: FeedbackRequest, request: Request) -> dict:
    """Store 👍/👎 on an answer this server gave (looked up by ``answer_id``: its question,
    answer and citations are the server's record), with the embedding page's origin."""
    try:
        fields = request.app.state.recent_answers.get(body.answer_id)
        request.app.state.feedback_budget.spend(client_key(request.scope))
        origin = body.page_origin or (request.headers.get("origin") or "")[:512] or None
        saved = request.app.state.feedback.add(**fields, helpful=body.helpful, comment=body.comment,
                                               page_origin=origin, surface=body.surface)
    except UnknownAnswer as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except OverBudget as exc:
        raise HTTPException(status_code=429, detail=str(exc), headers={"Retry-After": "3600"}) from None
    except FeedbackUnavailable as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    return {"id": saved}
