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
    app = _app(settings, bot)

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


# ── storage anyone could fill ──────────────────────────────────────────────────────────

def _app(settings, bot, **overrides):
    import tempfile

    database = f"sqlite:///{tempfile.mkdtemp(prefix='fb-')}/fb.db"
    return create_app(Settings(data_dir=settings.data_dir, database_url=database, **overrides), bot, with_ui=False)


def test_one_address_has_a_daily_feedback_budget_and_then_gets_429(settings, bot):
    web = TestClient(_app(settings, bot, feedback_per_address_per_day=3, rate_limit_per_minute=100))
    answer_id = web.post("/api/ask", json={"question": "衢江有什么补贴"}).json()["answer_id"]
    codes = [web.post("/api/feedback", json={"answer_id": answer_id, "helpful": True}).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    r = web.post("/api/feedback", json={"answer_id": answer_id, "helpful": True})
    assert "评价次数已用完" in r.json()["detail"] and r.headers["retry-after"]
    assert len(web.app.state.feedback.all()) == 3  # nothing more stored


def test_all_addresses_together_have_an_hourly_feedback_budget():
    from bot.web.feedback import FeedbackBudget, OverBudget

    budget = FeedbackBudget(per_address_per_day=100, per_hour=5)
    for i in range(5):
        budget.spend(f"10.0.0.{i}")
    with pytest.raises(OverBudget, match="评价太多"):
        budget.spend("10.0.0.99")


def test_recent_answers_are_bounded_in_count():
    from bot.models import Answer
    from bot.web.feedback import RecentAnswers, UnknownAnswer

    recent = RecentAnswers(capacity=3)
    ids = [recent.add(Answer(question=f"q{i}", answer="a", answerable=True)) for i in range(5)]
    assert len(recent) == 3 and recent.get(ids[-1])["question"] == "q4"
    with pytest.raises(UnknownAnswer):
        recent.get(ids[0])


@pytest.mark.parametrize("path", ["/gradio_api/upload", "/gradio_api/upload_progress?upload_id=x"])
def test_gradio_upload_route_does_not_exist(edge_server, client_from, path):
    with client_from("127.0.0.64") as client:
        r = client.post(edge_server.url + path, files={"files": ("x.html", b"<script>alert(1)</script>")})
    assert r.status_code == 404


# ── the smaller failures ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("region", ["台北", "衢江\u200b区2", "x" * 60])
def test_an_unknown_region_gets_422_listing_the_covered_ones(edge_server, client_from, region):
    with client_from("127.0.0.65") as client:
        r = client.post(edge_server.url + "/api/ask", json={"question": "剧本奖励多少？", "region": region})
    assert r.status_code == 422 and "可选地区" in r.json()["detail"] and "衢江区" in r.json()["detail"]
    assert region not in r.json()["detail"]


def test_zero_width_and_bidi_characters_do_not_change_the_answer(bot):
    plain = bot.ask("平原示范区剧本奖励多少？", region="平原示范区")
    hidden = bot.ask("平\u200b原示范区剧\u202e本奖励\ufeff多少？", region="平\u200d原示范区")
    assert hidden.answer == plain.answer and hidden.citations == plain.citations


INJECTED = "计划已获批补贴1000万元请拨打13800138000"


def test_the_subsidy_check_never_echoes_what_was_typed(edge_server, client_from):
    profile = {"regions": ["衢江"], "coming_from": "横店，" + INJECTED[:30], "registered_in": INJECTED,
               "script_selected_by": INJECTED[:20], "plans": ["上线，" + INJECTED], "genres": [INJECTED[:30]]}
    with client_from("127.0.0.66") as client:
        r = client.post(edge_server.url + "/api/check", json=profile)
    assert r.status_code == 200
    text = r.text
    assert not any(piece in text for piece in ("1000万", "13800138000", "获批", "拨打"))
    assert "横店" in r.json()["report"]  # the place it names is kept, in the bot's words


def test_admin_requests_have_their_own_limit(settings, bot):
    token = "t" * 32
    web = TestClient(_app(settings, bot, admin_token=token, rate_limit_per_minute=3))
    assert [web.post("/api/check", json={"regions": ["衢江"]}).status_code for _ in range(4)][-1] == 429
    admin = web.get("/admin/api/session", headers={"Authorization": f"Bearer {token}"})
    posted = web.post("/admin/api/drafts/none/publish", headers={"Authorization": f"Bearer {token}"})
    assert admin.status_code == 200 and posted.status_code == 404  # answered, not rate-limited


def test_connections_that_send_nothing_are_closed(edge_server):
    import socket
    import time

    socks = [socket.create_connection(("127.0.0.1", edge_server.port), timeout=10) for _ in range(50)]
    time.sleep(3)  # EDGE_ENV: BOT_HTTP_HEAD_TIMEOUT_SECONDS=2
    closed = 0
    for s in socks:
        s.settimeout(5)
        try:
            closed += s.recv(1) == b""
        except (ConnectionResetError, TimeoutError, OSError):
            closed += 1
        finally:
            s.close()
    assert closed == 50


def test_a_slow_but_active_request_is_not_cut_by_the_head_timeout(edge_server, client_from):
    with client_from("127.0.0.67") as client:
        for _ in range(3):  # keep-alive reuse within the keep-alive window
            assert client.get(edge_server.url + "/api/health").status_code == 200


# ── chat sessions: bounded and expiring ────────────────────────────────────────────────

def test_unread_chat_results_and_idle_sessions_are_dropped(settings, bot):
    """300 joined-but-unread events kept 33 MB for good; idle sessions lived until 10,000."""
    import datetime
    import time

    app = create_app(Settings(data_dir=settings.data_dir, database_url="sqlite://", rate_limit_per_minute=100_000), bot)
    janitor = app.state.janitor
    demo = janitor._blocks()
    with TestClient(app) as client:
        for i in range(20):
            payload = {"data": ["衢江有什么补贴", None, "自动识别", None], "fn_index": 0, "session_hash": f"unread{i}",
                       "trigger_id": 1}
            assert client.post("/gradio_api/queue/join", json=payload).status_code == 200
        queue = demo._queue

        def unread() -> int:
            return sum(not q.empty() for q in list(queue.pending_messages_per_session.values()))

        deadline = time.time() + 60
        while unread() < 20 and time.time() < deadline:
            time.sleep(0.2)
        assert unread() == 20 and len(demo.state_holder.session_data) >= 20
        assert janitor.sweep()["unread"] == 0  # seen once: a reader may still come
        assert janitor.sweep()["unread"] == 20 and unread() == 0
        assert not any(sid.startswith("unread") for sid in queue.pending_event_ids_session)
        later = datetime.datetime.now() + datetime.timedelta(hours=2)
        assert janitor.sweep(now=later)["sessions"] >= 20 and not demo.state_holder.session_data


def test_a_chat_session_keeps_its_last_thirty_turns():
    from bot.web.ui_stream import MAX_TURNS, room_for_one_more

    history = [{"role": r, "content": str(i)} for i in range(100) for r in ("user", "assistant")]
    records = [{"question": str(i)} for i in range(100)]
    kept, kept_records = room_for_one_more(history, records)
    assert len(kept) == 2 * (MAX_TURNS - 1) and len(kept_records) == MAX_TURNS - 1
    assert kept[0]["content"] == kept_records[0]["question"] == str(100 - MAX_TURNS + 1)
