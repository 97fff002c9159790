"""Edge safety: allowed origins (CORS / 403 / frame-ancestors) and per-client rate limits."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def parse_origins(value: str) -> list[str]:
    return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]


def own_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


class RateLimiter:
    """Sliding one-minute window per client key (thread-safe, in memory)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True


class EdgeMiddleware(BaseHTTPMiddleware):
    """403 for API calls from origins not allowed; 429 past the rate limit; CSP for /widget."""

    def __init__(self, app, allowed_origins: list[str], limiter: RateLimiter) -> None:
        super().__init__(app)
        self.allowed = allowed_origins
        self.limiter = limiter

    def origin_allowed(self, request: Request, origin: str) -> bool:
        return "*" in self.allowed or origin.rstrip("/") in self.allowed or origin == own_origin(request)

    async def dispatch(self, request: Request, call_next) -> Response:
        path = request.url.path
        if path.startswith(("/api/", "/v1/")):  # /v1: the OpenAI-compatible API
            origin = request.headers.get("origin")
            if origin and not self.origin_allowed(request, origin):
                return JSONResponse({"detail": "此网站未被允许调用本服务 / origin not allowed"}, status_code=403)
            if request.method == "POST":
                client = request.client.host if request.client else "unknown"
                if not self.limiter.allow(client):
                    return JSONResponse(
                        {"detail": "请求太频繁，请稍后再试 / too many requests, try again in a minute"},
                        status_code=429,
                        headers={"Retry-After": "60"},
                    )
        response = await call_next(request)
        if path == "/widget":
            ancestors = " ".join(["'self'", *(o for o in self.allowed if o != "*")]) if "*" not in self.allowed else "*"
            response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
