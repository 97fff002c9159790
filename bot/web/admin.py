"""The admin page (/admin): a clerk uploads a policy file, checks what `bot add` detected
and drafted, fixes a field or marks rows reviewed, then publishes it (or removes a
document); the running server answers from it at once, without a restart.

Off unless ``ADMIN_TOKEN`` is set (then the routes do not exist: 404). The page itself
is a static shell holding no data; every ``/admin/api`` request must carry
``Authorization: Bearer <token>`` (compared in constant time), and a request with the
token — or anything named like one — in its URL is refused with 401, since URLs end up
in browser history and logs. After 10 failed attempts in a minute a client gets 429.

Uploads become drafts (:mod:`bot.onboard.drafts`) in ``<data_dir>/admin/drafts``: a copy
of the knowledge directory with the new document added, never read by the answer
service. Publishing copies the draft's files into the knowledge directory and re-indexes
the way ``bot ingest`` does (only the new clauses are embedded); the new service is then
adopted by the app's :class:`~bot.web.provider.BotProvider`.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Scope

from bot.config import Settings
from bot.errors import BotError, StoreError
from bot.ingest.load import parse_document
from bot.models import DocStatus
from bot.onboard import drafts
from bot.onboard.add import AddOptions, parse_limits
from bot.onboard.library import NoSuchDocument, clause_tree, get_document, list_documents
from bot.policy.model import ConditionType, Site, SubsidyMeasure
from bot.policy.topics import TopicBook
from bot.web.guard import Allowance
from bot.web.security import RequestLimiter, client_key

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
API = "/admin/api"
UPLOAD = f"{API}/uploads"
NO_STORE = {"Cache-Control": "no-store"}
FAILURES_PER_MINUTE = 10
# Names a token is often passed under in a URL: refused even when the header is right.
URL_TOKEN_NAMES = {"token", "access_token", "admin_token", "auth", "authorization", "key", "api_key", "apikey"}

MISSING = "需要管理令牌：请在管理页输入 ADMIN_TOKEN（请求头 Authorization: Bearer …）/ admin token required"
WRONG = "管理令牌不正确 / wrong admin token"
IN_URL = ("管理令牌不能放在网址里（网址会留在浏览器历史和服务器日志中）：请在管理页输入，或放在 Authorization "
          "请求头中 / never put the admin token in a URL")
TOO_MANY_FAILURES = "令牌错误次数太多，请一分钟后再试 / too many wrong tokens, try again in a minute"
# bot add's messages name its command-line options; the page has fields of these names.
PAGE_WORDS = {"如不对请用 --status 重新添加或改 front matter": "如不对请在上方“状态”栏修改",
              "均为 reviewed: false：请逐条核对金额、条件与话题后改为 true": "均为待审：请逐条核对金额、条件与话题后勾选“已审核”",
              "审核前不用于回答：核对后改为 reviewed: true": "审核前不用于回答：核对后勾选“已审核”",
              "--region": "“地区”", "--parent": "“所属市县”", "--status": "“状态”", "--supersedes": "“取代旧版本”", "--id": "文档 id",
              "用 bot docs list 查看": "见文档列表", "bot docs show": "文档"}


class AdminDesk:
    """What the admin routes share: settings, the token, one lock for every change."""

    def __init__(self, settings: Settings, token: str) -> None:
        self.settings = settings
        self.token = token.encode("utf-8")
        self.lock = threading.Lock()  # one change (and its re-index) at a time
        self.failures = RequestLimiter(FAILURES_PER_MINUTE)

    @property
    def knowledge_dir(self) -> Path:
        return self.settings.knowledge_dir

    @property
    def drafts_dir(self) -> Path:
        return self.settings.data_dir / "admin" / "drafts"

    def accepts(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(value.strip().encode("utf-8"), self.token)

    def in_url(self, scope: Scope) -> bool:
        query = scope.get("query_string", b"").decode("latin-1")
        names = {k.lower() for k, _ in parse_qsl(query, keep_blank_values=True)}
        seen = unquote(query) + unquote(scope.get("path", ""))
        return bool(names & URL_TOKEN_NAMES) or (len(self.token) >= 8 and self.token.decode() in seen)


def _token(settings: Settings) -> str | None:
    value = settings.admin_token.get_secret_value().strip() if settings.admin_token else ""
    return value or None


def install(app: FastAPI, settings: Settings) -> None:
    """Add /admin and /admin/api to ``app`` when ``ADMIN_TOKEN`` is set (else nothing)."""
    token = _token(settings)
    if token is None:
        return
    if len(token) < 16:
        log.warning("ADMIN_TOKEN is short (%d characters): use a long random one", len(token))
    app.state.admin = AdminDesk(settings, token)
    app.include_router(pages)
    app.include_router(router)


def upload_allowance(settings: Settings) -> Allowance | None:
    """For the body guard: uploads with the right token may be larger and slower."""
    token = _token(settings)
    if token is None:
        return None
    desk = AdminDesk(settings, token)

    def allowance(scope: Scope) -> tuple[int, float] | None:
        if scope.get("path") == UPLOAD and scope.get("method") == "POST" and \
                desk.accepts(Headers(scope=scope).get("authorization")):
            return settings.admin_upload_max_bytes, settings.admin_upload_timeout_seconds
        return None

    return allowance


def require_token(request: Request) -> AdminDesk:
    """Every admin API request: the bearer token in its header, nowhere in its URL."""
    desk: AdminDesk = request.app.state.admin
    problem = None
    if desk.in_url(request.scope):
        problem = IN_URL
    elif not request.headers.get("authorization"):
        problem = MISSING
    elif not desk.accepts(request.headers.get("authorization")):
        problem = WRONG
    if problem:
        if not desk.failures.hit(client_key(request.scope)):
            raise HTTPException(429, TOO_MANY_FAILURES, headers={"Retry-After": "60", **NO_STORE})
        raise HTTPException(401, problem, headers={"WWW-Authenticate": "Bearer", **NO_STORE})
    return desk


Desk = Annotated[AdminDesk, Depends(require_token)]


def page_words(message: str) -> str:
    for cli, page in PAGE_WORDS.items():
        message = message.replace(cli, page)
    return message


def _status(exc: BotError) -> int:
    if isinstance(exc, NoSuchDocument | drafts.NoSuchDraft | drafts.NoSuchRow):
        return 404
    if isinstance(exc, StoreError):
        return 503
    return 422


class FriendlyRoute(APIRoute):
    """Expected failures (:class:`BotError`) become ``{"detail": message}`` with a status
    a page can act on; every admin answer is ``Cache-Control: no-store``."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except BotError as exc:
                return JSONResponse({"detail": page_words(str(exc))}, status_code=_status(exc), headers=NO_STORE)
            response.headers.update(NO_STORE)
            return response

        return run


pages = APIRouter(include_in_schema=False, route_class=FriendlyRoute)
router = APIRouter(prefix=API, include_in_schema=False, route_class=FriendlyRoute,
                   dependencies=[Depends(require_token)])


# ------------------------------------------------------------------------ the page
def _refuse_token_in_url(request: Request) -> None:
    if request.app.state.admin.in_url(request.scope):
        raise HTTPException(401, IN_URL, headers=NO_STORE)


@pages.get("/admin", dependencies=[Depends(_refuse_token_in_url)])
def admin_page() -> FileResponse:
    """The page shell (no data: everything it shows comes from /admin/api with the token)."""
    return FileResponse(STATIC / "admin.html", media_type="text/html", headers={"X-Robots-Tag": "noindex"})


@pages.get("/admin/admin.js")
def admin_script() -> FileResponse:
    return FileResponse(STATIC / "admin.js", media_type="application/javascript")


@pages.get("/admin/admin.css")
def admin_style() -> FileResponse:
    return FileResponse(STATIC / "admin.css", media_type="text/css")


# ------------------------------------------------------------------------ views
def _measure(m: SubsidyMeasure) -> dict:
    return {"id": m.id, "clause": m.clause_id.split(":", 1)[1], "title": m.title, "topics": m.topics,
            "amount": m.benefit.amount, "cap": m.benefit.cap, "ratio": m.benefit.ratio, "payment": m.benefit.payment,
            "money": m.money, "quote": m.quote, "reviewed": m.reviewed, "doubts": m.doubts, "held": m.held,
            "conditions": [{"type": c.type, "value": c.value, "text": c.text, "confirm": c.type == "free_text"}
                           for c in m.conditions]}


def _site(s: Site) -> dict:
    return {"id": s.id, "clause": s.clause_id.split(":", 1)[1], "name": s.name, "type": s.type,
            "status": s.status.value, "capacity": s.capacity, "services": s.services, "topics": s.topics,
            "quote": s.quote, "reviewed": s.reviewed, "doubts": s.doubts, "held": s.held}


def document_view(knowledge_dir: Path, doc_id: str, draft: drafts.Draft | None = None) -> dict:
    """Everything the page shows of one document (a draft's, or a published one)."""
    entry, clauses = get_document(knowledge_dir, doc_id)
    doc = entry.document
    problems = drafts.check_document(knowledge_dir, doc_id)
    return {
        "kind": "draft" if draft else "document",
        "key": draft.id if draft else doc.id,
        "draft": None if draft is None else {
            "id": draft.id, "filename": draft.filename, "uploaded_at": draft.uploaded_at,
            "detected": draft.detected, "review": [page_words(line) for line in draft.review],
            "dropped": draft.dropped, "doubts": draft.doubts},
        "editable": drafts.own_tables(knowledge_dir, doc_id),
        "document": {
            "id": doc.id, "title": doc.title, "issuer": doc.issuer, "doc_number": doc.doc_number, "date": doc.date,
            "status": doc.status.value, "region_key": doc.region_key, "region": "".join(dict.fromkeys(doc.region.values())),
            "validity": doc.validity, "offices": doc.offices, "source": doc.source, "supersedes": doc.supersedes,
            "superseded_by": doc.superseded_by},
        "clause_count": len({c.clause_id for c in clauses}),
        "clauses": clause_tree(clauses),
        "measures": [_measure(m) for m in entry.measures],
        "sites": [_site(s) for s in entry.sites],
        "unreviewed": entry.unreviewed,
        "held": [r.id for r in [*entry.measures, *entry.sites] if r.held],
        "problems": [{"severity": p.severity, "where": p.item or p.file, "message": page_words(p.message)}
                     for p in problems],
    }


def _library(desk: AdminDesk) -> dict:
    documents = [{"id": e.document.id, "title": e.document.title, "status": e.document.status.value,
                  "region_key": e.document.region_key, "date": e.document.date, "measures": len(e.measures),
                  "sites": len(e.sites), "unreviewed": e.unreviewed, "editable": e.own_table,
                  "supersedes": e.document.supersedes, "superseded_by": e.document.superseded_by}
                 for e in list_documents(desk.knowledge_dir)]
    waiting = []
    for d in drafts.list_drafts(desk.drafts_dir):
        entry = {"id": d.id, "doc_id": d.doc_id, "filename": d.filename, "uploaded_at": d.uploaded_at,
                 "title": "（草稿无法读取，请放弃）", "region_key": "", "status": ""}
        try:
            doc = parse_document((d.knowledge_dir / "docs" / f"{d.doc_id}.md").read_text(encoding="utf-8"))
            entry |= {"title": doc.title, "region_key": doc.region_key, "status": doc.status.value}
        except (BotError, OSError):
            pass  # a damaged draft is listed so that it can be discarded, not hidden
        waiting.append(entry)
    return {"documents": documents, "drafts": waiting}


def _reindex(request: Request) -> dict:
    """Bring the index up to date with the knowledge directory (as `bot ingest`) and
    serve the new service at once."""
    from bot.answer.service import PolicyBot

    bot = PolicyBot.build(request.app.state.settings)
    request.app.state.provider.adopt(bot)
    r = bot.sync_report
    return {"documents": len(bot.corpus.documents), "embedded": r.embedded, "deleted": r.deleted,
            "unchanged": r.unchanged, "seconds": round(r.seconds, 1)}


def _target(desk: AdminDesk, kind: str, key: str) -> tuple[Path, str, drafts.Draft | None]:
    """(knowledge dir, doc id, draft) of ``/drafts/<id>`` or ``/documents/<id>``."""
    if kind == "drafts":
        draft = drafts.load_draft(desk.drafts_dir, key)
        return draft.knowledge_dir, draft.doc_id, draft
    return desk.knowledge_dir, key, None


# ------------------------------------------------------------------------ API
Kind = Literal["drafts", "documents"]


class FieldChanges(BaseModel):
    """Front-matter fields to change (only those given)."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=300)
    issuer: str | None = Field(default=None, max_length=300)
    doc_number: str | None = Field(default=None, max_length=100)
    date: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, max_length=20)
    validity: str | None = Field(default=None, max_length=300)
    region: str | None = Field(default=None, max_length=40, description="drafts only: drafts the rows anew")


class ConditionIn(BaseModel):
    type: str = Field(max_length=40)
    value: str | int | bool | list[str] | None = None
    text: str = Field(max_length=500)


class RowChanges(BaseModel):
    """Row fields to change (only those given)."""

    model_config = ConfigDict(extra="forbid")
    reviewed: bool | None = None
    title: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    amount: str | None = Field(default=None, max_length=200)
    cap: str | None = Field(default=None, max_length=200)
    ratio: str | None = Field(default=None, max_length=200)
    payment: str | None = Field(default=None, max_length=100)
    type: str | None = Field(default=None, max_length=40)
    status: str | None = Field(default=None, max_length=20)
    capacity: str | None = Field(default=None, max_length=200)
    services: str | None = Field(default=None, max_length=300)
    topics: list[str] | None = Field(default=None, max_length=20)
    conditions: list[ConditionIn] | None = Field(default=None, max_length=30)


@router.get("/session")
def session(desk: Desk) -> dict:
    """The token is right; what the page's forms offer."""
    topics = TopicBook.load(desk.knowledge_dir / "topics.yaml")
    return {"ok": True, "statuses": [s.value for s in DocStatus], "condition_types": list(get_args(ConditionType)),
            "topics": sorted(topics.topics), "max_upload_bytes": desk.settings.admin_upload_max_bytes,
            "suffixes": [".txt", ".md", ".docx", ".pdf", ".html"]}


@router.get("/library")
def library(desk: Desk) -> dict:
    """Published documents and drafts waiting to be published."""
    return _library(desk)


async def _read_form(request: Request, limit: int):
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(422, "请用 multipart/form-data 上传，文件放在 file 字段 / send the file as multipart "
                                 "form data (field 'file')")
    parser = MultiPartParser(request.headers, request.stream(), max_files=1, max_fields=8, max_part_size=4096)
    parser.spool_max_size = limit  # the file stays in memory: nothing is written outside data_dir
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise HTTPException(422, f"上传内容无法读取（{exc.message}）/ unreadable upload") from None


def _text(form, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:200]


@router.post("/uploads", status_code=201)
async def upload(request: Request, desk: Desk) -> dict:
    """A policy file (multipart field ``file``; optional ``region``, ``parent``, ``status``,
    ``supersedes``) → a draft: detected fields, clause tree, drafted rows, what to review."""
    form = await _read_form(request, desk.settings.admin_upload_max_bytes)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise HTTPException(422, "请选择要上传的文件（字段 file）/ no file in the upload")
        data = await file.read()
        if not data:
            raise HTTPException(422, f"{file.filename}: 文件是空的 / the file is empty")
        options = AddOptions(region=_text(form, "region"), parent=_text(form, "parent"), status=_text(form, "status"),
                             supersedes=_text(form, "supersedes"))
        name = file.filename
    finally:
        await form.close()

    def stage() -> dict:
        with desk.lock:
            draft = drafts.stage(data, name, desk.knowledge_dir, desk.drafts_dir, options, parse_limits(desk.settings))
        return document_view(draft.knowledge_dir, draft.doc_id, draft)

    return await run_in_threadpool(stage)


@router.get("/{kind}/{key}")
def show(kind: Kind, key: str, desk: Desk) -> dict:
    knowledge_dir, doc_id, draft = _target(desk, kind, key)
    return document_view(knowledge_dir, doc_id, draft)


@router.patch("/{kind}/{key}")
def change_fields(kind: Kind, key: str, changes: FieldChanges, request: Request,
                  desk: Desk) -> dict:
    """Fix front-matter fields; on a draft a new region drafts its rows anew."""
    given = changes.model_dump(exclude_none=True)
    with desk.lock:
        knowledge_dir, doc_id, draft = _target(desk, kind, key)
        if draft is not None:
            drafts.change_fields(draft, desk.knowledge_dir, given, parse_limits(desk.settings))
            return document_view(draft.knowledge_dir, draft.doc_id, draft)
        if "region" in given:
            raise HTTPException(422, "已发布文档的地区不能直接修改：请删除后重新上传，并在“地区”栏填写 / "
                                     "remove and upload again to change the region")
        drafts.edit_document(knowledge_dir, doc_id, given)
        view = document_view(knowledge_dir, doc_id)
        view["index"] = _reindex(request)
        return view


@router.patch("/{kind}/{key}/rows/{row_id}")
def change_row(kind: Kind, key: str, row_id: str, changes: RowChanges, request: Request,
               desk: Desk) -> dict:
    """Fix a row (amount, conditions, topics …) or mark it reviewed."""
    given = changes.model_dump(exclude_none=True)
    with desk.lock:
        knowledge_dir, doc_id, draft = _target(desk, kind, key)
        drafts.edit_row(knowledge_dir, doc_id, row_id, given)
        view = document_view(knowledge_dir, doc_id, draft)
        if draft is None:
            view["index"] = _reindex(request)
        return view


@router.post("/{kind}/{key}/review-all")
def review_all(kind: Kind, key: str, request: Request, desk: Desk) -> dict:
    """Mark every row of the document reviewed."""
    with desk.lock:
        knowledge_dir, doc_id, draft = _target(desk, kind, key)
        drafts.review_all(knowledge_dir, doc_id)
        view = document_view(knowledge_dir, doc_id, draft)
        if draft is None:
            view["index"] = _reindex(request)
        return view


@router.post("/drafts/{key}/publish")
def publish(key: str, request: Request, desk: Desk) -> dict:
    """Write the draft into the knowledge directory and re-index: the chat answers from it
    from now on. If indexing fails the document is taken out again."""
    start = time.perf_counter()
    with desk.lock:
        draft = drafts.load_draft(desk.drafts_dir, key)
        written = drafts.publish(draft, desk.knowledge_dir)
        try:
            index = _reindex(request)
        except BaseException:
            drafts.withdraw(desk.knowledge_dir, draft.doc_id)
            raise
        drafts.discard(draft)
    doc = parse_document((desk.knowledge_dir / "docs" / f"{draft.doc_id}.md").read_text(encoding="utf-8"))
    log.warning("admin: published %s (%s)", doc.id, doc.title)
    return {"doc_id": doc.id, "title": doc.title, "written": [str(p.relative_to(desk.knowledge_dir)) for p in written],
            "index": index, "seconds": round(time.perf_counter() - start, 1)}


@router.delete("/{kind}/{key}")
def remove(kind: Kind, key: str, request: Request, desk: Desk) -> dict:
    """Discard a draft, or remove a published document (added by upload or `bot add`)
    and re-index; the version it replaced, if any, answers again."""
    with desk.lock:
        if kind == "drafts":
            drafts.discard(drafts.load_draft(desk.drafts_dir, key))
            return {"discarded": key}
        removed = drafts.withdraw(desk.knowledge_dir, key)
        index = _reindex(request)
    log.warning("admin: removed %s", key)
    return {"removed": [str(p.relative_to(desk.knowledge_dir)) for p in removed], "index": index}
