"""Plain helpers shared by several test files: a free port on 127.0.0.1, an ASGI app served
by uvicorn in a thread, Debian Chromium driven by Playwright, and a digest of a folder tree.

Import it as ``from support import ...``: pytest's default (prepend) import mode puts
``tests/`` on ``sys.path`` before it imports ``tests/conftest.py`` or any test file here."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(app, timeout: float = 30, **config) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a daemon thread and yield its
    base URL once it has started (RuntimeError if not within ``timeout`` seconds); stop it on
    exit. ``config`` goes to ``uvicorn.Config`` (e.g. ``proxy_headers=False``)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port} within {timeout} s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def launch_chromium() -> Iterator:
    """A Playwright browser running Debian Chromium headless (the test is skipped when
    Playwright is not installed); closed on exit."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def tree_digest(folder: Path) -> str:
    """A SHA-256 over every file below ``folder``: its relative path and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()
