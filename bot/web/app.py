"""One FastAPI app: the Gradio chat at /, the HTTP API under /api, the OpenAI-compatible
API under /v1, the embeddable widget (/widget, /widget.js) and readable source pages
(/sources/<doc_id>).

``create_app`` assembles the routers and the edge (outermost first): trusted proxy
headers → security headers → failsafe (500) → CORS → origin check and rate limit → body
limits."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.answer.service import PolicyBot
from bot.config import Settings, apply_offline_env, get_settings
from bot.web import admin, api, openai_api, pages
from bot.web.feedback import FeedbackBudget, RecentAnswers, open_feedback
from bot.web.guard import BodyGuard
from bot.web.provider import BotProvider
from bot.web.security import (
    EdgeGuard,
    Failsafe,
    NormalisedCORS,
    OriginPolicy,
    RequestLimiter,
    SecurityHeaders,
    parse_origins,
    trusted_proxies,
)


def validation_message(errors) -> str:
    """One line naming every bad field, in words a user understands."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())[1:]]
        field = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc).lstrip(".") or "body"
        limit = (error.get("ctx") or {}).get("max_length")
        kind = error.get("type", "")
        if kind == "string_too_long":
            parts.append(f"{field} 太长（上限 {limit} 字）")
        elif kind == "too_long":
            parts.append(f"{field} 条目太多（上限 {limit} 条）")
        elif kind == "missing":
            parts.append(f"缺少 {field}")
        elif kind == "string_pattern_mismatch" and field == "question":
            parts.append("问题不能为空")
        else:
            parts.append(field)
    fields = "；".join(parts)
    return f"请求格式不正确（{fields}） / invalid request ({', '.join(fields.split('；'))})"


# Chat routes take a conversation: OpenAI clients resend every earlier answer in full, so
# their bodies may be larger (the service then trims the history to its budget).
CHAT_ROUTES = ("/api/ask", "/v1/chat/completions")


def body_allowance(settings: Settings):
    """For the body guard: admin uploads (with the token), then the chat routes."""
    upload = admin.upload_allowance(settings)

    def allowance(scope) -> tuple[int, float] | None:
        if upload is not None and (granted := upload(scope)):
            return granted
        if scope.get("method") == "POST" and scope.get("path") in CHAT_ROUTES:
            return max(settings.max_chat_body_bytes, settings.max_body_bytes), settings.body_timeout_seconds
        return None

    return allowance


def _document_regions(app: FastAPI, provider: BotProvider) -> None:
    """The OpenAPI schema lists the covered regions a request's ``region`` may name (read
    at each request for the schema: a document published on the admin page adds one)."""
    build = app.openapi

    def openapi() -> dict:
        app.openapi_schema = None
        schema = build()
        keys = provider.current().model.regions.keys
        for name in ("AskRequest", "ChatRequest"):
            region = schema.get("components", {}).get("schemas", {}).get(name, {}).get("properties", {}).get("region")
            for option in (region or {}).get("anyOf", []):
                if option.get("type") == "string":
                    option["enum"] = keys
        return schema

    app.openapi = openapi


def feedback_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / 'feedback.db'}"


def create_app(settings: Settings | None = None, bot: PolicyBot | None = None, with_ui: bool = True) -> FastAPI:
    """Build the whole web app; builds the index first if it is missing."""
    apply_offline_env()
    settings = settings or get_settings()
    provider = BotProvider(settings, bot or PolicyBot.build(settings))
    feedback = open_feedback(feedback_url(settings))
    origins = OriginPolicy(parse_origins(settings.allowed_origins), settings.public_url)

    app = FastAPI(title="微短剧政策助手 API", version="0.1.0",
                  description="Grounded answers on micro-drama filming and subsidy policies, with cited clauses.")
    app.state.settings, app.state.provider, app.state.feedback = settings, provider, feedback
    app.state.limiter = RequestLimiter(settings.rate_limit_per_minute)
    app.state.recent_answers = RecentAnswers()
    app.state.feedback_budget = FeedbackBudget(settings.feedback_per_address_per_day, settings.feedback_per_hour)
    app.state.probe = api.IndexProbe()
    app.include_router(api.router)
    app.include_router(openai_api.router)  # /v1: the OpenAI-compatible API
    app.include_router(pages.router)
    admin.install(app, settings)  # /admin, only when ADMIN_TOKEN is set

    # add_middleware puts each one outside the ones added before it.
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds,
                       larger=body_allowance(settings))
    app.add_middleware(EdgeGuard, origins=origins, limiter=app.state.limiter,
                       admin_limiter=RequestLimiter(settings.admin_rate_limit_per_minute))
    if origins.allowed:
        app.add_middleware(NormalisedCORS, origins=origins)
    app.add_middleware(Failsafe)
    app.add_middleware(SecurityHeaders, origins=origins)
    if proxies := trusted_proxies(settings.forwarded_allow_ips):
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    _document_regions(app, provider)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_message(exc.errors())})


    if with_ui:
        import gradio as gr

        from bot.web.sessions import SessionJanitor
        from bot.web.ui import CSS, build_ui

        demo = build_ui(provider, feedback, app.state.feedback_budget)
        app = gr.mount_gradio_app(app, demo, path="/", css=CSS, footer_links=["api"])
        app.state.janitor = SessionJanitor(demo, settings.chat_session_idle_seconds, settings.chat_unread_seconds)
        app.state.janitor.start()
    return app
