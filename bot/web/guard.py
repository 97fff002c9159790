"""Limits on request bodies, for every route (the Gradio routes included).

A body is read here, before any route sees it: at most ``max_bytes`` (413 beyond), within
``timeout`` seconds (408 for a body that never finishes), and a JSON body must be text a
user can have typed — a lone surrogate (``"\\ud800"``, valid JSON escape, invalid Unicode)
gets 422 naming the field instead of failing deep inside the app — and nested at most
``MAX_JSON_DEPTH`` deep, measured before any parser runs (a body nested 20,000 deep made
the parser itself fail). FastAPI parses a body without a ``Content-Type`` as JSON too, so
those are checked the same way. A route that takes files
(the admin page's upload) may be granted a larger limit by ``larger(scope)`` — which sees
the request's headers, so it can grant it to authenticated requests only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import anyio
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# (max_bytes, timeout seconds) for this request, or None for the defaults
Allowance = Callable[[Scope], tuple[int, float] | None]

SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_JSON_DEPTH = 32  # the deepest request any route takes is 4 levels
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
TOO_DEEP = (f"请求格式不正确：JSON 嵌套过深（上限 {MAX_JSON_DEPTH} 层） / "
            f"invalid request: JSON nested deeper than {MAX_JSON_DEPTH} levels")


def json_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (strings skipped), without parsing it."""
    depth = deepest = 0
    for bracket in NOT_BRACKET.sub("", JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _reject(status: int, detail: str, unread_body: bool = True) -> JSONResponse:
    # A body not read to its end leaves the connection unusable: close it.
    return JSONResponse({"detail": detail}, status_code=status,
                        headers={"Connection": "close"} if unread_body else None)


def invalid_text_field(value: object, path: str = "") -> str | None:
    """The path of the first string (key or value) holding a lone surrogate, if any."""
    if isinstance(value, str):
        return path or "body" if SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and SURROGATE.search(key):
                return path or "body"
            if found := invalid_text_field(item, where):
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := invalid_text_field(item, f"{path}[{i}]"):
                return found
    return None


class BodyGuard:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float, larger: Allowance | None = None) -> None:
        self.app, self.max_bytes, self.timeout, self.larger = app, max_bytes, timeout, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is None and "chunked" not in headers.get("transfer-encoding", "").lower():
            return await self.app(scope, receive, send)  # no body
        max_bytes, timeout = (self.larger(scope) if self.larger else None) or (self.max_bytes, self.timeout)
        if length is not None:
            if not length.isdigit():
                return await _reject(400, "Content-Length 无效 / invalid Content-Length")(scope, receive, send)
            if int(length) > max_bytes:
                return await self._too_large(max_bytes, scope, receive, send)
        body = bytearray()
        try:
            with anyio.fail_after(timeout):
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body += message.get("body", b"")
                    if len(body) > max_bytes:
                        return await self._too_large(max_bytes, scope, receive, send)
                    more = message.get("more_body", False)
        except TimeoutError:
            detail = f"请求体在{timeout:g}秒内没有传完 / request body not received within {timeout:g} s"
            return await _reject(408, detail)(scope, receive, send)
        content_type = headers.get("content-type", "")
        if body and ("json" in content_type or not content_type):
            problem = _json_problem(bytes(body))
            if problem:
                return await _reject(422, problem, unread_body=False)(scope, receive, send)
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, max_bytes: int, scope: Scope, receive: Receive, send: Send) -> None:
        kb = max_bytes // 1024
        detail = f"请求太大（上限 {kb} KB） / request body too large (max {kb} KB)"
        await _reject(413, detail)(scope, receive, send)


def _json_problem(body: bytes) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "请求不是有效的 UTF-8 文本 / the request body is not valid UTF-8"
    if json_depth(text) > MAX_JSON_DEPTH:
        return TOO_DEEP
    try:
        data = json.loads(text)
    except ValueError:
        return None  # malformed JSON: the route answers it
    field = invalid_text_field(data)
    if field:
        return (f"请求格式不正确：{field} 含有无效的 Unicode 字符（孤立代理项） / "
                f"invalid request: {field} contains invalid Unicode (a lone surrogate)")
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # http.disconnect, when the client goes away

    return replay
