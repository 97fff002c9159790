"""HTTP API: contract, 422 / 403 / 429 paths, feedback rows, pages, escaping."""

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.web.app import create_app
from bot.web.security import RequestLimiter

pytestmark = pytest.mark.slow  # uses the real index (the `bot` fixture)

CONTRACT = {"id", "question", "answer", "answerable", "citations", "region", "latency_ms", "table", "history_used", "answer_id",
            "explain",
            "history_turn", "generation"}


@pytest.fixture()
def web(settings, bot, tmp_path):
    app_settings = Settings(data_dir=settings.data_dir, database_url=f"sqlite:///{tmp_path / 'fb.db'}",
                            allowed_origins="https://bureau.example.gov.cn", rate_limit_per_minute=5)
    app = create_app(app_settings, bot, with_ui=False)
    return TestClient(app)


def test_ask_follows_the_json_contract(web):
    r = web.post("/api/ask", json={"id": "q1", "question": "平原示范区剧本奖励多少？"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == CONTRACT and body["id"] == "q1" and body["answerable"] is True
    assert "5万元" in body["answer"] and "征求意见稿" in body["answer"]
    assert {"n", "doc_id", "title", "clause_id", "clause", "quote", "status"} <= set(body["citations"][0])
    assert body["history_used"] is None and body["explain"] is None  # no history sent, no explain asked
    explained = web.post("/api/ask", json={"question": "平原示范区剧本奖励多少？", "explain": True}).json()["explain"]
    assert explained["route"] == "table" and explained["findings"][0]["kind"] == "stated_with_figure"
    assert explained["frame"]["regions"] == ["平原示范区"] and "understand_ms" in explained["timings_ms"]
    turn = body["history_turn"]  # what the client sends back: the opening and the cited clause ids
    assert turn["role"] == "assistant" and len(turn["content"]) <= 200 and turn["refs"] == [
        c["clause_id"] for c in body["citations"]][:len(turn["refs"])]


def test_follow_up_history_carries_the_topic(web):
    history = [{"role": "user", "content": "在衢江取景有什么补贴？"}, {"role": "assistant", "content": "…"}]
    body = web.post("/api/ask", json={"question": "那平原示范区呢？", "history": history}).json()
    assert body["region"] == "平原示范区" and "接上文" in body["answer"] and "取景" in body["answer"]
    assert body["history_used"] == {"received": 2, "used": 2, "dropped": 0, "shortened": 0}


@pytest.mark.parametrize("payload", [{"question": ""}, {"question": "问" * 501}, {}, {"question": 42}])
def test_bad_questions_get_422_with_a_clear_message(web, payload):
    r = web.post("/api/ask", json=payload)
    assert r.status_code == 422
    assert any(ch in r.json()["detail"] for ch in "问请")


def test_other_origins_get_403_and_the_allowed_one_gets_cors(web):
    assert web.post("/api/ask", json={"question": "衢江有什么补贴"}, headers={"Origin": "https://evil.example"}).status_code == 403
    ok = web.post("/api/ask", json={"question": "衢江有什么补贴"}, headers={"Origin": "https://bureau.example.gov.cn"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://bureau.example.gov.cn"


def test_rate_limit_gives_429_with_a_chinese_message(web):
    codes = [web.post("/api/ask", json={"question": "衢江有什么补贴"}).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert "请求太频繁" in web.post("/api/ask", json={"question": "x"}).json()["detail"]


def test_rate_limiter_counts_per_client():
    limiter = RequestLimiter(2)
    assert limiter.hit("a") and limiter.hit("a") and not limiter.hit("a")
    assert limiter.hit("b")


def test_feedback_row_is_the_servers_record_of_the_answer_and_is_exported(web):
    asked = web.post("/api/ask", json={"question": "衢江有什么补贴"}).json()
    r = web.post("/api/feedback", json={"answer_id": asked["answer_id"], "helpful": False, "comment": "没说金额",
                                        "surface": "widget",
                                        # a client cannot choose what is stored as the bot's answer
                                        "answer": "伪造的回答", "citations": [{"clause_id": "forged"}]},
                 headers={"Origin": "https://bureau.example.gov.cn"})
    assert r.status_code == 201
    store = web.app.state.feedback
    row = store.all()[-1]
    assert (row.helpful, row.comment, row.page_origin, row.surface) == (False, "没说金额", "https://bureau.example.gov.cn", "widget")
    assert row.answer == asked["answer"] and row.citations == asked["citations"] and "forged" not in str(row.citations)
    exported = store.export_jsonl(only_negative=True)
    assert '"question": "衢江有什么补贴"' in exported[-1] and '"answerable": true' in exported[-1]


def test_a_vote_on_an_answer_the_server_never_gave_is_refused(web):
    r = web.post("/api/feedback", json={"answer_id": "made-up", "helpful": True})
    assert r.status_code == 404 and "无法评价" in r.json()["detail"]
    assert web.post("/api/feedback", json={"helpful": True, "answer": "…"}).status_code == 422


def test_widget_page_has_frame_ancestors_and_widget_js_is_served(web):
    page = web.get("/widget?title=<b>x</b>")
    assert "frame-ancestors 'self' https://bureau.example.gov.cn" in page.headers["content-security-policy"]
    assert "<b>x</b>" not in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text
    js = web.get("/widget.js")
    assert js.status_code == 200 and "iframe" in js.text


def test_source_page_anchors_every_clause_and_flags_the_draft(web):
    page = web.get("/sources/pingyuan-draft")
    assert page.status_code == 200
    assert 'id="pingyuan-draft:三(一)"' in page.text and "征求意见稿" in page.text
    assert "003_50c32f3f0336daeb.txt" in page.text
    assert web.get("/sources/nope").status_code == 404


def test_health_and_openapi(web):
    assert web.get("/api/health").json()["clauses"] > 100
    assert "/api/ask" in web.get("/openapi.json").json()["paths"]


def test_check_endpoint_returns_verdicts_with_citations(web):
    r = web.post("/api/check", json={"regions": ["平原示范区"], "script_selected_by": "省级", "shoot_share": 70,
                                     "plans": ["上线"]})
    assert r.status_code == 200
    body = r.json()
    award = next(m for m in body["measures"] if m["id"] == "py-shoot-award")
    assert award["verdict"] == "no" and "广电总局" in award["reasons"][0]
    assert body["citations"] and "征求意见稿" in body["report"]
    assert web.post("/api/check", json={"shoot_share": 300}).status_code == 422
