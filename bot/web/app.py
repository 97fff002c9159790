"""One FastAPI app: the Gradio chat at /, the HTTP API under /api, the embeddable
widget (/widget, /widget.js) and readable source pages (/sources/<doc_id>)."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from bot.answer.service import PolicyBot
from bot.config import PROJECT_ROOT, Settings, apply_offline_env, get_settings
from bot.errors import InvalidQuestion
from bot.models import AnswerTable, Citation
from bot.policy.eligibility import ProducerProfile
from bot.web import openai_api
from bot.web.feedback import FeedbackStore
from bot.web.render import EXAMPLES, source_page
from bot.web.security import EdgeMiddleware, RateLimiter, parse_origins
from bot.web.streaming import stream_response

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


class Turn(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str = Field(max_length=4000)


class AskRequest(BaseModel):
    question: str = Field(description="问题，1–500字 / the question, 1–500 characters")
    id: str | None = None
    region: str | None = Field(default=None, description="assume this region, e.g. 衢江")
    k: int | None = Field(default=None, ge=1, le=50)
    history: list[Turn] = Field(default_factory=list, max_length=20, description="earlier turns of the chat")
    stream: bool = Field(default=False, description="answer as server-sent events (see README)")


class AskResponse(BaseModel):
    id: str | None
    question: str
    answer: str
    answerable: bool
    citations: list[Citation]
    region: str | None
    latency_ms: float
    table: AnswerTable | None = None


class FeedbackRequest(BaseModel):
    question: str = Field(max_length=2000)
    answer: str = Field(max_length=20000)
    helpful: bool
    answerable: bool | None = None
    citations: list[dict] = Field(default_factory=list, max_length=20)
    region: str | None = Field(default=None, max_length=64)
    comment: str | None = Field(default=None, max_length=2000)
    page_origin: str | None = Field(default=None, max_length=512)
    surface: str = Field(default="api", pattern="^(web|widget|api)$")


def create_app(settings: Settings | None = None, bot: PolicyBot | None = None, with_ui: bool = True) -> FastAPI:
    """Build the whole web app; builds the index first if it is missing."""
    apply_offline_env()
    settings = settings or get_settings()
    bot = bot or PolicyBot.build(settings)
    feedback = FeedbackStore(settings.database_url or f"sqlite:///{settings.data_dir / 'feedback.db'}")
    origins = parse_origins(settings.allowed_origins)

    app = FastAPI(title="微短剧政策助手 API", version="0.1.0",
                  description="Grounded answers on micro-drama filming and subsidy policies, with cited clauses.")
    app.state.bot, app.state.feedback = bot, feedback
    app.add_middleware(EdgeMiddleware, allowed_origins=origins, limiter=RateLimiter(settings.rate_limit_per_minute))
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors())
        return JSONResponse(status_code=422, content={"detail": f"请求格式不正确（{fields}） / invalid request ({fields})"})

    @app.post("/api/ask", response_model=AskResponse, tags=["api"])
    def ask(body: AskRequest) -> dict:
        """Answer one question with cited clauses (the same JSON as `bot ask --json`)."""
        try:
            if body.stream:
                return stream_response(bot.ask_stream(body.question, id=body.id, region=body.region, k=body.k,
                                                      history=[t.model_dump() for t in body.history]))
            answer = bot.ask(body.question, id=body.id, region=body.region, k=body.k,
                             history=[t.model_dump() for t in body.history])
        except InvalidQuestion as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return answer.public()

    app.include_router(openai_api.router(bot))

    @app.post("/api/check", tags=["api"])
    def check(profile: ProducerProfile) -> dict:
        """补贴测算: the measures that apply to a project, might apply (what to confirm), or not."""
        result = bot.check(profile)
        verdicts, report, citations = result.verdicts, result.report, result.citations
        return {"report": report, "citations": [c.model_dump() for c in citations],
                "measures": [{"id": v.measure.id, "region": v.measure.region, "title": v.measure.title,
                              "topics": v.measure.topics, "amount": v.measure.benefit.amount,
                              "verdict": v.verdict, "reasons": result.reasons[v.measure.id], "clause_id": v.measure.clause_id}
                             for v in verdicts]}

    @app.get("/api/health", tags=["api"])
    def health() -> dict:
        return {"status": "ok", "documents": len(bot.corpus.documents),
                "clauses": len({c.clause_id for c in bot.corpus.clauses}),
                "collection": bot.retriever.store.name, "embedding_backend": settings.embedding_backend,
                "llm": bot.llm_report()}

    @app.post("/api/feedback", status_code=201, tags=["api"])
    def add_feedback(body: FeedbackRequest, request: Request) -> dict:
        """Store 👍/👎 with the question, answer, citations and the embedding page's origin."""
        fields = body.model_dump()
        fields["page_origin"] = fields["page_origin"] or request.headers.get("origin")
        return {"id": feedback.add(**fields)}

    @app.get("/sources/{doc_id}", response_class=HTMLResponse, tags=["pages"])
    def source(doc_id: str) -> HTMLResponse:
        doc = next((d for d in bot.corpus.documents if d.id == doc_id), None)
        if doc is None:
            return HTMLResponse(f"<p>没有这份文件：{html.escape(doc_id)}</p>", status_code=404)
        return HTMLResponse(source_page(doc, [c for c in bot.corpus.clauses if c.doc_id == doc_id]))

    @app.get("/widget", response_class=HTMLResponse, tags=["pages"])
    def widget(title: str = "微短剧政策助手") -> HTMLResponse:
        page = (STATIC / "widget.html").read_text(encoding="utf-8")
        page = page.replace("{{TITLE}}", html.escape(title[:40]))
        page = page.replace("{{COVERAGE}}", html.escape("覆盖：" + bot.model.regions.covered()))
        page = page.replace("{{DISCLAIMER}}", html.escape("摘录政策原文，以正式文件和主管部门解释为准。"))
        page = page.replace("{{EXAMPLES}}", json.dumps(EXAMPLES[:3], ensure_ascii=False).replace("</", "<\\/"))
        return HTMLResponse(page)

    @app.get("/widget.js", tags=["pages"])
    def widget_js() -> Response:
        return FileResponse(STATIC / "widget.js", media_type="application/javascript")

    @app.get("/examples/bureau-site.html", response_class=HTMLResponse, tags=["pages"])
    def bureau_demo(request: Request) -> HTMLResponse:
        """The demo host page, pointed at this server."""
        page = (PROJECT_ROOT / "examples" / "bureau-site.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace("http://127.0.0.1:7860", str(request.base_url).rstrip("/")))

    if with_ui:
        import gradio as gr

        from bot.web.ui import CSS, build_ui

        app = gr.mount_gradio_app(app, build_ui(bot, feedback), path="/", css=CSS, footer_links=["api"])
    return app
