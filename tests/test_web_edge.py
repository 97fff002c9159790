"""The edge of a public deployment, against a real `bot serve` on 127.0.0.1 (issue 11,
points 4 and 5): rate limits that forwarded headers cannot dodge, the Gradio queue
limited and origin-checked, security headers on every page, URLs from PUBLIC_URL,
normalised origin matching, the own origin behind a trusted TLS proxy."""

import time

import pytest

ASK = {"question": "衢江有什么补贴"}
BUREAU = "https://bureau.example.gov.cn"


@pytest.fixture(scope="module")
def default_server(serve_bot):
    """`bot serve` as installed: no FORWARDED_ALLOW_IPS (uvicorn on its own trusted
    127.0.0.1), 20 POSTs a minute."""
    return serve_bot({"BOT_RATE_LIMIT_PER_MINUTE": "20"})


def _fresh_forwarded_for(url: str, client) -> list[int]:
    return [client.post(url + "/api/ask", json={}, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(30)]


def test_a_fresh_x_forwarded_for_from_loopback_does_not_reset_the_limit(default_server, client_from):
    with client_from("127.0.0.1") as client:
        codes = _fresh_forwarded_for(default_server.url, client)
    assert codes.count(429) >= 10, codes
    assert set(codes[:20]) == {422}  # the first 20 reached the app (empty question)


def test_a_fresh_x_forwarded_for_from_an_untrusted_client_does_not_reset_the_limit(edge_server, client_from):
    with client_from("127.0.0.11") as client:
        codes = _fresh_forwarded_for(edge_server.url, client)
    assert codes.count(429) >= 10, codes


def test_a_trusted_proxy_is_keyed_by_the_forwarded_client(edge_server, client_from):
    with client_from("127.0.0.77") as proxy:
        first = [proxy.post(edge_server.url + "/api/ask", json={}, headers={"X-Forwarded-For": "198.51.100.1"}).status_code
                 for _ in range(22)]
        other = proxy.post(edge_server.url + "/api/ask", json={}, headers={"X-Forwarded-For": "198.51.100.2"})
    assert first[:20] == [422] * 20 and first[20:] == [429, 429]
    assert other.status_code == 422  # another user behind the same proxy has its own budget


def _join(origin: str | None = None) -> tuple[dict, dict]:
    payload = {"data": ["衢江有什么补贴", [], "自动识别", []], "fn_index": 0, "session_hash": "abc123", "trigger_id": 1}
    return payload, ({"Origin": origin} if origin else {})


def test_gradio_queue_is_rate_limited(edge_server, client_from):
    payload, headers = _join()
    with client_from("127.0.0.12") as client:
        # 30 joins against a budget of 20: at least 5 refused even if a loaded machine lets
        # the budget refill by a few while they run
        codes = [client.post(edge_server.url + "/gradio_api/queue/join", json=payload, headers=headers).status_code
                 for _ in range(30)]
    assert codes.count(429) >= 5, codes
    assert 429 not in codes[:20]


def test_gradio_queue_rejects_foreign_origins(edge_server, client_from):
    payload, headers = _join("https://evil.example")
    with client_from("127.0.0.13") as client:
        r = client.post(edge_server.url + "/gradio_api/queue/join", json=payload, headers=headers)
        assert r.status_code == 403 and "未被允许" in r.json()["detail"]
        own = client.post(edge_server.url + "/gradio_api/queue/join", json=payload,
                          headers={"Origin": edge_server.url})
    assert own.status_code == 200


@pytest.mark.parametrize("path", ["/", "/sources/pingyuan-draft", "/docs", "/api/health", "/widget.js",
                                  "/examples/bureau-site.html"])
def test_every_page_has_security_headers_and_cannot_be_framed_by_others(edge_server, path, client_from):
    with client_from("127.0.0.14") as client:
        r = client.get(edge_server.url + path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and BUREAU not in csp and "*" not in csp.split("frame-ancestors")[1]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "SAMEORIGIN"


def test_only_the_widget_may_be_framed_by_the_allowed_origin(edge_server, client_from):
    with client_from("127.0.0.14") as client:
        r = client.get(edge_server.url + "/widget")
    assert f"frame-ancestors 'self' {BUREAU}" in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers


def test_demo_page_points_at_public_url_not_the_host_header(edge_server, client_from):
    with client_from("127.0.0.15") as client:
        page = client.get(edge_server.url + "/examples/bureau-site.html", headers={"Host": "evil.example.com"})
    assert page.status_code == 200
    assert 'src="https://policy.example.gov.cn/widget.js"' in page.text
    assert "evil.example.com" not in page.text


@pytest.mark.parametrize("origin", [BUREAU, BUREAU + "/", "https://BUREAU.example.gov.cn:443"])
def test_allowed_origin_matches_however_it_is_written(edge_server, origin, client_from):
    with client_from("127.0.0.16") as client:
        r = client.post(edge_server.url + "/api/ask", json=ASK, headers={"Origin": origin})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == origin


def test_own_origin_behind_a_trusted_tls_proxy(edge_server, client_from):
    headers = {"Host": "policy.internal", "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.9",
               "Origin": "https://policy.internal"}
    with client_from("127.0.0.77") as proxy:
        assert proxy.post(edge_server.url + "/api/ask", json=ASK, headers=headers).status_code == 200
    with client_from("127.0.0.17") as stranger:  # the same headers from anyone else are not believed
        assert stranger.post(edge_server.url + "/api/ask", json=ASK, headers=headers).status_code == 403


def test_limiter_keys_expire_so_memory_stays_bounded():
    from bot.web.security import RequestLimiter

    limiter = RequestLimiter(5, seconds=1)
    for i in range(30_000):
        limiter.hit(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert limiter.tracked_keys() >= 30_000
    time.sleep(2.2)  # a counter lives two windows (the sliding window weighs the previous one)
    limiter.hit("203.0.113.1")  # any later request sweeps the expired counters
    deadline = time.time() + 10
    while limiter.tracked_keys() > 1 and time.time() < deadline:
        time.sleep(0.1)
    assert limiter.tracked_keys() == 1
