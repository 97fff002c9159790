"""Pages: readable sources (/sources/<doc_id>), the widget (/widget, /widget.js) and the
demo bureau page. Absolute URLs come from ``PUBLIC_URL``, never from the Host header."""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bot.config import PROJECT_ROOT
from bot.web.api import Problem
from bot.web.render import PageText, source_page

STATIC = Path(__file__).parent / "static"
DEMO_URL = "http://127.0.0.1:7860"  # the server address written in examples/bureau-site.html

router = APIRouter(tags=["pages"], responses={
    s: {"model": Problem, "description": d} for s, d in [(400, "unparseable request"), (403, "origin not allowed"), (422, "invalid request"), (429, "rate limit")]})


@router.get("/sources/{doc_id}", response_class=HTMLResponse,
            responses={404: {"description": "no such document", "content": {"text/html": {}}}})
def source(doc_id: str, request: Request) -> HTMLResponse:
    bot = request.app.state.provider.current()
    doc = next((d for d in bot.corpus.documents if d.id == doc_id), None)
    if doc is None:
        return HTMLResponse(f"<p>没有这份文件：{html.escape(doc_id)}</p>", status_code=404)
    return HTMLResponse(source_page(doc, [c for c in bot.corpus.clauses if c.doc_id == doc_id]))


@router.get("/widget", response_class=HTMLResponse)
def widget(request: Request, title: str = "") -> HTMLResponse:
    bot = request.app.state.provider.current()
    text = PageText.load(bot, bot.settings.knowledge_dir, bot.settings.prompts_dir)
    page = (STATIC / "widget.html").read_text(encoding="utf-8")
    page = page.replace("{{TITLE}}", html.escape((title or text("title"))[:40]))
    page = page.replace("{{COVERAGE}}", html.escape(text("widget_coverage")))
    disclaimer = (text("draft_notice").replace("**", "") + " " if text.drafts else "") + text("widget_disclaimer")
    page = page.replace("{{DISCLAIMER}}", html.escape(disclaimer))
    page = page.replace("{{PLACEHOLDER}}", html.escape(text.placeholder))
    page = page.replace("{{QUOTE_TOGGLE}}", json.dumps(text("quote_toggle"), ensure_ascii=False).replace("</", "<\\/"))
    page = page.replace("{{EXAMPLES}}", json.dumps(text.examples[:3], ensure_ascii=False).replace("</", "<\\/"))
    return HTMLResponse(page)


@router.get("/widget.js", response_class=Response,
            responses={200: {"description": "the widget script", "content": {"application/javascript": {}}}})
def widget_js() -> Response:
    return FileResponse(STATIC / "widget.js", media_type="application/javascript")


@router.get("/examples/bureau-site.html", response_class=HTMLResponse)
def bureau_demo(request: Request) -> HTMLResponse:
    """The demo host page, pointed at ``PUBLIC_URL`` (a same-site path when it is unset)."""
    page = (PROJECT_ROOT / "examples" / "bureau-site.html").read_text(encoding="utf-8")
    base = request.app.state.settings.public_url.rstrip("/")
    return HTMLResponse(page.replace(DEMO_URL, html.escape(base)))
