"""Feedback store failures (issue 11, point 6): a clear startup message, chat keeps
working, votes say they were not saved — in the API, the widget and the Gradio chat —
and no SQL or stack trace reaches a user."""

import pytest
from fastapi.testclient import TestClient
from support import launch_chromium, needs_chromium

from bot.config import Settings
from bot.web.app import create_app
from bot.web.feedback import FeedbackStore


def _vote(client, base: str = "") -> dict:
    """A 👎 on an answer the server just gave."""
    answer_id = client.post(base + "/api/ask", json={"question": "衢江有什么补贴"}).json()["answer_id"]
    return {"answer_id": answer_id, "helpful": False}

LEAKS = ("INSERT", "sqlite", "Traceback", "OperationalError", "readonly")


@pytest.fixture(scope="module")
def readonly_db(tmp_path_factory) -> str:
    """A feedback database that exists (with its table) but cannot be written."""
    path = tmp_path_factory.mktemp("ro") / "fb.db"
    FeedbackStore(f"sqlite:///{path}")
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_unwritable_feedback_store_gives_503_with_a_chinese_message_and_no_sql(settings, bot, readonly_db):
    app = create_app(Settings(data_dir=settings.data_dir, database_url=readonly_db), bot, with_ui=False)
    web = TestClient(app, raise_server_exceptions=False)
    r = web.post("/api/feedback", json=_vote(web))
    assert r.status_code == 503
    assert "评价暂时无法保存" in r.json()["detail"]
    assert not any(word in r.text for word in LEAKS)
    assert web.post("/api/ask", json={"question": "衢江有什么补贴"}).status_code == 200


def test_feedback_database_that_cannot_be_opened_still_serves_the_chat(serve_bot):
    served = serve_bot({"DATABASE_URL": "sqlite:////proc/1/no-such-dir/fb.db"})
    log = served.log()
    assert "反馈数据库无法打开" in log and "聊天照常" in log and "Traceback" not in log
    import httpx

    assert httpx.post(served.url + "/api/ask", json={"question": "衢江有什么补贴"}, timeout=30).status_code == 200
    with httpx.Client(timeout=30) as client:
        vote = client.post(served.url + "/api/feedback", json=_vote(client, served.url))
    assert vote.status_code == 503 and "评价暂时无法保存" in vote.json()["detail"]
    assert httpx.get(served.url + "/api/health", timeout=30).json()["feedback"] == "unavailable"


@pytest.mark.browser
@needs_chromium
def test_widget_and_chat_say_the_vote_was_not_saved(serve_bot, readonly_db):
    served = serve_bot({"DATABASE_URL": readonly_db})
    with launch_chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(served.url + "/widget")
        page.locator("#q").fill("平原示范区剧本奖励多少？")
        page.locator("button[type=submit]").click()
        page.locator(".msg.bot .cites").first.wait_for(timeout=30000)
        page.get_by_role("button", name="没帮助").first.click()
        # a locator wait: the widget's CSP forbids the eval a string predicate needs when it re-polls
        page.locator(".rate-status", has_text="未能保存").first.wait_for(timeout=10000)
        assert page.get_by_role("button", name="没帮助").first.get_attribute("aria-pressed") != "true"

        page.goto(served.url + "/")
        page.locator("#question textarea").fill("汉唐商业街项目投资多少？")
        page.locator("#send").click()
        page.wait_for_function("document.querySelector('#chat').innerText.includes('5.5亿元')", timeout=30000)
        page.locator("#chat button[aria-label='踩'], #chat button[aria-label='Dislike']").last.click()
        page.wait_for_function("document.body.innerText.includes('评价未能保存')", timeout=10000)
        text = page.locator("body").inner_text()
    assert not any(word in text for word in LEAKS)
