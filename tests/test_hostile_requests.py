"""Hostile requests, second round (issue 19): every attack with its expected status, and
nothing stored, nothing echoed. Against a real `bot serve` (the edge server) unless the
attack needs a fault injected into the app."""

import logging

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.web.app import create_app

pytestmark = pytest.mark.slow

NESTED = "[" * 20_000 + "]" * 20_000
ROUTES = [("GET", "/api/health"), ("POST", "/api/ask"), ("POST", "/api/feedback"), ("POST", "/api/check"),
          ("POST", "/v1/chat/completions"), ("POST", "/gradio_api/queue/join"), ("GET", "/"), ("GET", "/widget")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("content_type", ["application/json", None])
def test_json_nested_20000_deep_gets_422_with_security_headers_on_every_route(edge_server, client_from, method,
                                                                              path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    with client_from("127.0.0.61") as client:
        r = client.request(method, edge_server.url + path, content=NESTED, headers=headers)
        assert r.status_code == 422 and "嵌套过深" in r.json()["detail"]
        assert r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
        assert client.get(edge_server.url + "/api/health").status_code == 200  # still serving


def test_a_moderately_nested_but_valid_request_still_works(edge_server, client_from):
    with client_from("127.0.0.62") as client:
        r = client.post(edge_server.url + "/api/ask", json={"question": "衢江有什么补贴",
                                                            "history": [{"role": "user", "content": "衢江"}]})
    assert r.status_code == 200


def test_requests_with_bodies_are_rate_limited_whatever_their_method(edge_server, client_from):
    with client_from("127.0.0.63") as client:
        codes = [client.request("GET", edge_server.url + "/api/health", content=NESTED).status_code for _ in range(25)]
    assert 429 in codes and codes.count(422) <= 20  # EDGE_ENV: 20 a minute


def test_an_unexpected_error_is_a_500_with_the_pages_headers_and_one_log_line(settings, bot, caplog, monkeypatch):
    app = create_app(Settings(data_dir=settings.data_dir, database_url="sqlite://"), bot, with_ui=False)

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(app.state.provider, "ask", broken)
    web = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO):
        r = web.post("/api/ask", json={"question": "衢江有什么补贴"})
    assert r.status_code == 500 and r.json()["detail"].startswith("服务出错了")
    assert "boom" not in r.text
    assert r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0].getMessage() and not errors[0].exc_info
