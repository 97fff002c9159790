"""Edge safety for every route, the Gradio queue included (pure ASGI middlewares).

* :class:`OriginPolicy` — which ``Origin`` may call the API / the chat queue and frame
  the widget, matched after normalising (case, trailing slash, default ports).
* :class:`EdgeGuard` — 403 for foreign origins on ``/api`` and ``/gradio_api`` (and on
  any POST); 429 past the per-client limit on every POST (``limits``' sliding-window
  counter in memory: a counter expires two windows after its last hit and any request
  sweeps the expired ones, so memory holds the clients of the last two minutes only).
* :class:`SecurityHeaders` — CSP with ``frame-ancestors`` (the admin page: its own files
  only, never framed), nosniff, referrer policy.
* :class:`NormalisedCORS` — Starlette's CORS with the same origin matching.
* :class:`Failsafe` — an unexpected error becomes the one 500 message, inside the
  security headers (so it carries them like any page), logged as one line.

The client address is ``scope["client"]``: uvicorn's own proxy-header handling is turned
off in ``bot serve`` and :func:`trusted_proxies` wraps the app in uvicorn's
``ProxyHeadersMiddleware`` only for the addresses in ``FORWARDED_ALLOW_IPS``, so an
``X-Forwarded-For`` from anyone else is ignored.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(value: str) -> str:
    """``HTTPS://Bureau.Example.gov.cn:443/`` → ``https://bureau.example.gov.cn``."""
    value = value.strip()
    if value in ("*", "null", ""):
        return value
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return value.lower().rstrip("/")
    if ":" in host:
        host = f"[{host}]"
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origins(value: str) -> list[str]:
    return [normalise_origin(o) for o in value.split(",") if o.strip()]


class OriginPolicy:
    """Allowed origins (``ALLOWED_ORIGINS``) plus the service's own origin."""

    def __init__(self, allowed: list[str], public_url: str = "") -> None:
        self.allowed = [normalise_origin(o) for o in allowed]
        self.any = "*" in self.allowed
        self.public = normalise_origin(public_url) if public_url else ""

    def own(self, scope: Scope) -> set[str]:
        """The origins this service is reached at: ``PUBLIC_URL``, and the scheme + Host
        of the request (the scheme is ``https`` behind a trusted TLS proxy)."""
        host = Headers(scope=scope).get("host", "")
        own = {normalise_origin(f"{scope.get('scheme', 'http')}://{host}")} if host else set()
        return own | ({self.public} if self.public else set())

    def allows(self, origin: str, scope: Scope) -> bool:
        origin = normalise_origin(origin)
        return self.any or origin in self.allowed or origin in self.own(scope)

    def frame_ancestors(self) -> str:
        if self.any:
            return "*"
        return " ".join(["'self'", *self.allowed])


class RequestLimiter:
    """``amount`` requests per client key per ``seconds``; keys expire with their window."""

    def __init__(self, amount: int, seconds: int = 60) -> None:
        self.item = RateLimitItemPerSecond(amount, seconds)
        self.storage = MemoryStorage()
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    def hit(self, key: str) -> bool:
        return self.limiter.hit(self.item, key)

    def tracked_keys(self) -> int:
        """How many counters the limiter holds now (for memory checks)."""
        return len(self.storage.storage)


def client_key(scope: Scope) -> str:
    """The client address; an IPv6 client is keyed by its /64 (one host owns a /64)."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


GRADIO_UPLOAD = "/gradio_api/upload"  # also /gradio_api/upload_progress
FOREIGN = "此网站未被允许调用本服务 / origin not allowed"
TOO_MANY = "请求太频繁，请稍后再试 / too many requests, try again in a minute"


NOT_FOUND = "Not Found"


class EdgeGuard:
    """Origin check and rate limit before anything else runs. Admin requests (``/admin``)
    count against their own limit, so anonymous traffic never blocks a publish; Gradio's
    file upload route does not exist here (the chat takes no files)."""

    def __init__(self, app: ASGIApp, origins: OriginPolicy, limiter: RequestLimiter,
                 admin_limiter: RequestLimiter | None = None) -> None:
        self.app, self.origins, self.limiter = app, origins, limiter
        self.admin_limiter = admin_limiter or limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        if method == "OPTIONS":  # CORS preflight: answered by the CORS middleware outside
            return await self.app(scope, receive, send)
        if path.startswith(GRADIO_UPLOAD):
            return await _json(404, NOT_FOUND)(scope, receive, send)
        guarded = method == "POST" or path.startswith(("/api/", "/gradio_api/"))
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if guarded and origin and not self.origins.allows(origin, scope):
            return await _json(403, FOREIGN)(scope, receive, send)
        # every POST, and any request that carries a body (a GET with a JSON body costs as much)
        has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
        limiter = self.admin_limiter if path == "/admin" or path.startswith("/admin/") else self.limiter
        if (method == "POST" or has_body) and not limiter.hit(client_key(scope)):
            return await _json(429, TOO_MANY, {"Retry-After": "60"})(scope, receive, send)
        await self.app(scope, receive, send)


# Gradio's front end needs inline scripts and styles (its config is inline) and
# evaluates code for some components; nothing is loaded from another origin.
APP_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
           "media-src 'self' blob: data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
           "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
WIDGET_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
              "form-action 'self'; frame-ancestors {ancestors}")
# The admin page runs only its own script and style files: no inline code, never framed.
ADMIN_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
             "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
            "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'self'")


class SecurityHeaders:
    """Headers on every response: CSP (the widget may be framed by ``ALLOWED_ORIGINS``,
    everything else only by this site), nosniff, referrer policy."""

    def __init__(self, app: ASGIApp, origins: OriginPolicy) -> None:
        self.app = app
        self.widget_csp = WIDGET_CSP.format(ancestors=origins.frame_ancestors())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path == "/widget":
            csp, frame = self.widget_csp, None
        elif path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            csp, frame = DOCS_CSP, "SAMEORIGIN"
        elif path == "/admin" or path.startswith("/admin/"):
            csp, frame = ADMIN_CSP, "DENY"
        else:
            csp, frame = APP_CSP, "SAMEORIGIN"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                if frame:
                    headers["X-Frame-Options"] = frame
            await send(message)

        await self.app(scope, receive, send_with_headers)


class NormalisedCORS(CORSMiddleware):
    """CORS whose origin test is :func:`normalise_origin` on both sides."""

    def __init__(self, app: ASGIApp, origins: OriginPolicy) -> None:
        super().__init__(app, allow_origins=["*"] if origins.any else origins.allowed,
                         allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
        self.policy = origins

    def is_allowed_origin(self, origin: str) -> bool:
        return self.policy.any or normalise_origin(origin) in self.policy.allowed


SERVER_ERROR = "服务出错了，请稍后再试 / something went wrong, please try again"


class Failsafe:
    """The last catch: an exception no route handled becomes a 500 with one message and the
    page's security headers (this sits inside :class:`SecurityHeaders`), logged as one line
    (the traceback at DEBUG). After the response has started, the connection is closed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:  # noqa: BLE001 — the edge: nothing may escape as a traceback
            log.error("500 on %s %s: %s: %s", scope.get("method"), scope.get("path"), type(exc).__name__,
                      str(exc)[:200].replace("\n", " "))
            log.debug("traceback", exc_info=True)
            if started:
                raise
            await _json(500, SERVER_ERROR)(scope, receive, send)


def trusted_proxies(value: str) -> list[str]:
    """``FORWARDED_ALLOW_IPS``: addresses / networks whose forwarded headers are trusted."""
    return [v.strip() for v in value.split(",") if v.strip()]
