"""Real browser tests: Playwright drives Debian Chromium against a live server."""

import functools
import http.server
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from support import free_port, needs_chromium, serve_app

from bot.config import PROJECT_ROOT, Settings

# Screenshots go to a temporary folder; set BOT_SCREENSHOTS=docs/screenshots to refresh
# the README's pictures on purpose (tests write nothing into the checkout otherwise).
SHOTS = Path(os.environ.get("BOT_SCREENSHOTS") or tempfile.mkdtemp(prefix="bot-shots-"))
SHOTS = SHOTS if SHOTS.is_absolute() else PROJECT_ROOT / SHOTS

LIVE: dict = {}  # the running app's feedback store, for assertions
pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def bureau_port():
    return free_port()


@pytest.fixture(scope="module")
def server(settings, bot, bureau_port, tmp_path_factory):
    """The whole app (Gradio UI included) under uvicorn on 127.0.0.1."""
    from bot.web.app import create_app

    app_settings = Settings(data_dir=settings.data_dir,
                            database_url=f"sqlite:///{tmp_path_factory.mktemp('fb') / 'fb.db'}",
                            allowed_origins=f"http://127.0.0.1:{bureau_port}", rate_limit_per_minute=200)
    app = create_app(app_settings, bot)
    LIVE["feedback"] = app.state.feedback
    with serve_app(app, timeout=30) as url:
        yield url


@pytest.fixture(scope="module")
def bureau_site(server, bureau_port, tmp_path_factory):
    """The demo host page, served from another origin, pointing at the live server."""
    root = tmp_path_factory.mktemp("bureau")
    page = (PROJECT_ROOT / "examples" / "bureau-site.html").read_text(encoding="utf-8")
    (root / "index.html").write_text(page.replace("http://127.0.0.1:7860", server), encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", bureau_port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{bureau_port}/index.html"
    httpd.shutdown()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


def _ask(page, text):
    box = page.locator("#question textarea")
    box.fill(text)
    page.locator("#send").click()


def _last_bot_message(page):
    return page.locator("#chat .message-row.bot-row, #chat [data-testid='bot']").last


def test_example_click_shows_answer_citation_and_sources_panel(page, server):
    page.goto(server + "/")
    page.get_by_role("button", name="在衢江取景有什么补贴？").click()
    page.wait_for_function("document.querySelector('#chat').innerText.includes('实际发生')", timeout=30000)
    assert "[1]" in page.locator("#chat").inner_text()
    page.wait_for_function("document.querySelector('#sources').innerText.includes('补贴取景拍摄')", timeout=10000)
    sources = page.locator("#sources").inner_text()
    assert "新闻发布会" in sources and "问答一" in sources
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat.png"), full_page=True)


def test_script_in_a_question_is_shown_as_text_and_never_runs(page, server):
    page.goto(server + "/")
    _ask(page, "<script>alert(1)</script>衢江有什么补贴")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('alert(1)')", timeout=30000)
    assert "<script>alert(1)</script>" in page.locator("#chat").inner_text()
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_follow_up_is_answered_for_the_carried_over_topic(page, server):
    page.goto(server + "/")
    _ask(page, "在衢江取景有什么补贴？")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('实际发生')", timeout=30000)
    _ask(page, "那平原示范区呢？")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('接上文')", timeout=30000)
    text = page.locator("#chat").inner_text()
    assert "5万元" in text and "征求意见稿" in text


def test_citation_link_opens_the_highlighted_clause(page, server):
    page.goto(server + "/")
    _ask(page, "平原示范区举办微短剧展会有什么补贴？")
    page.wait_for_function("document.querySelector('#sources').innerText.includes('支持举办主题产业活动')", timeout=30000)
    href = page.locator("#sources a").first.get_attribute("href")
    assert href.startswith("/sources/pingyuan-draft#")
    page.goto(server + href)
    highlighted = page.locator(".clause.highlight")
    assert highlighted.count() == 1
    assert "10万元" in highlighted.inner_text()
    assert "征求意见稿" in page.locator("body").inner_text()
    page.screenshot(path=str(SHOTS / "source-page.png"))


def test_bureau_page_bubble_opens_widget_and_answers(page, bureau_site):
    page.goto(bureau_site)
    page.locator("#wdj-bubble").click()
    frame = page.frame_locator("#wdj-frame")
    frame.locator("#q").fill("平原示范区剧本奖励多少？")
    frame.locator("button[type=submit]").click()
    frame.locator(".msg.bot .cites").first.wait_for(timeout=30000)
    text = frame.locator("#log").inner_text()
    assert "5万元" in text and "征求意见稿" in text
    page.screenshot(path=str(SHOTS / "widget.png"))


def test_widget_is_usable_on_a_375px_phone(browser, bureau_site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(bureau_site)
    page.locator("#wdj-bubble").click()
    box = page.locator("#wdj-frame").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    frame = page.frame_locator("#wdj-frame")
    frame.get_by_role("button", name="在衢江取景有什么补贴？").click()
    frame.locator(".msg.bot .cites").first.wait_for(timeout=30000)
    assert "实际发生" in frame.locator("#log").inner_text()
    page.screenshot(path=str(SHOTS / "widget-mobile.png"))
    context.close()


def test_subsidy_check_tab(page, server):
    page.goto(server + "/")
    page.get_by_role("tab", name="补贴测算").click()
    page.locator("#check-regions").get_by_label("平原示范区").check()
    page.locator("#check-run").click()
    page.wait_for_function("document.querySelector('#check-result').innerText.includes('适用')", timeout=30000)
    result = page.locator("#check-result").inner_text()
    assert "平原示范区" in result and "征求意见稿" in result
    assert "5万元" in result
    sources = page.locator("#check-sources")
    assert sources.locator("details").count() >= 1  # quotes fold until the user opens them
    sources.locator("details summary").first.click()
    opened = sources.locator("li").first.inner_text()
    assert "征求意见稿" in opened and "不低于" in opened and "5万元" in opened
    page.screenshot(path=str(SHOTS / "check-tab.png"), full_page=True)


def test_thumbs_down_in_the_chat_stores_feedback(page, server):
    before = len(LIVE["feedback"].all())
    page.goto(server + "/")
    _ask(page, "汉唐商业街项目投资多少？")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('5.5亿元')", timeout=30000)
    page.locator("#chat button[aria-label='踩'], #chat button[aria-label='Dislike']").last.click()  # zh-CN UI
    deadline = time.time() + 10
    while len(LIVE["feedback"].all()) == before and time.time() < deadline:
        time.sleep(0.2)
    row = LIVE["feedback"].all()[-1]
    assert len(LIVE["feedback"].all()) == before + 1
    assert row.helpful is False and row.question == "汉唐商业街项目投资多少？" and row.surface == "web"
    assert "5.5亿元" in row.answer and row.citations


# ── issue 9: list and comparison answers are real tables (cards on a phone); quotes fold;
# a not-covered answer names the regions that do cover the topic ───────────────────────

def _widget(browser, bureau_site, phone: bool):
    size = {"width": 375, "height": 740} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, locale="zh-CN")
    page = context.new_page()
    page.goto(bureau_site)
    page.locator("#wdj-bubble").click()
    return context, page, page.frame_locator("#wdj-frame")


def _widget_ask(frame, question):
    count = frame.locator(".msg.bot .rate").count()
    frame.locator("#q").fill(question)
    frame.locator("button[type=submit]").click()
    frame.locator(".msg.bot .rate").nth(count).wait_for(timeout=30000)
    return frame.locator(".msg.bot").last


def test_a_region_list_is_a_real_table_in_the_chat(page, server):
    page.goto(server + "/")
    _ask(page, "郑州有哪些扶持？")
    page.wait_for_selector("#chat table.answer-table", timeout=30000)
    table = page.locator("#chat table.answer-table").last
    assert table.locator("tr").count() >= 6  # a header and one row per measure
    assert "1亿元" in table.inner_text() and "| ---" not in page.locator("#chat").inner_text()
    page.wait_for_function("document.querySelector('#sources details') !== null", timeout=10000)
    quote = page.locator("#sources details").first
    assert not quote.evaluate("d => d.open")  # folded behind its number
    quote.locator("summary").click()
    assert quote.evaluate("d => d.open") and quote.locator("blockquote").inner_text()
    page.screenshot(path=str(SHOTS / "chat-table.png"), full_page=True)


def test_a_comparison_is_a_table_in_the_chat(page, server):
    page.goto(server + "/")
    _ask(page, "各地对微短剧出海有什么支持？")
    page.wait_for_selector("#chat table.answer-table", timeout=30000)
    text = page.locator("#chat table.answer-table").last.inner_text()
    assert "衢江" in text and "深圳" in text and "上海" in text


def test_a_topic_a_region_lacks_is_said_plainly_with_where_it_is_offered(page, server):
    page.goto(server + "/")
    _ask(page, "平原示范区对出海译制有补贴吗？")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('没有提到')", timeout=30000)
    text = _last_bot_message(page).inner_text()
    assert "其他地区" in text and "衢江" in text


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_widget_shows_lists_as_cards_with_folded_quotes(browser, bureau_site, phone):
    context, page, frame = _widget(browser, bureau_site, phone)
    answer = _widget_ask(frame, "郑州有哪些扶持？")
    assert answer.locator(".card").count() >= 5 and "1亿元" in answer.inner_text()
    assert "|---" not in answer.inner_text().replace(" ", "")  # no raw Markdown table
    folded = answer.locator(".cites details").first
    assert not folded.evaluate("d => d.open")
    folded.locator("summary").click()
    assert folded.evaluate("d => d.open")
    # the new answer starts in view (its top is inside the log)
    top = answer.evaluate("e => e.getBoundingClientRect().top - e.parentElement.getBoundingClientRect().top")
    assert top <= 40
    if phone:
        width = answer.evaluate("e => e.getBoundingClientRect().width")
        assert width <= 375
        page.screenshot(path=str(SHOTS / "widget-cards-mobile.png"))
    context.close()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_widget_comparison_and_not_covered_redirect(browser, bureau_site, phone):
    context, page, frame = _widget(browser, bureau_site, phone)
    compare = _widget_ask(frame, "衢江和平原示范区对企业落户的扶持有什么不同？")
    assert compare.locator(".card").count() >= 2
    text = compare.inner_text()
    assert "衢江" in text and "平原示范区" in text
    redirect = _widget_ask(frame, "平原示范区对出海译制有补贴吗？")
    text = redirect.inner_text()
    assert "没有提到" in text and "其他地区" in text and "衢江" in text
    assert "refused" in redirect.get_attribute("class")
    context.close()


# ── issue 19: a conversation never locks up after a long answer ───────────────────────

FOLLOW_UPS = ["那衢江呢？", "剧本奖励多少？", "住宿有补贴吗？", "那郑州呢？", "省级的呢？", "平原示范区取景补贴多少？",
              "需要什么条件？", "那个有上限吗？", "在哪里申请？", "换成余杭呢？"]


def test_widget_answers_ten_follow_ups_after_a_very_long_answer(browser, bureau_site):
    """The widget sends each answer's short history_turn, never the whole answer, and the
    server trims what it gets: an 8,000-character comparison does not block the next ten
    questions (before: 422 "history[1].content 太长" until the page was reloaded)."""
    context, page, frame = _widget(browser, bureau_site, phone=False)
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/ask") else None)
    long_answer = _widget_ask(frame, "各地对微短剧有哪些扶持？")
    assert len(long_answer.inner_text()) > 4000
    for question in FOLLOW_UPS:
        answer = _widget_ask(frame, question)  # waits for a rated answer: an error has no rating
        assert "太长" not in answer.inner_text() and "出错" not in answer.inner_text()
    assert frame.locator(".msg.bot .rate").count() == 1 + len(FOLLOW_UPS)
    history = sent[-1]["history"]
    assert len(history) == 6 and all(len(t["content"]) <= 400 for t in history)
    assert any(t["role"] == "assistant" and t["refs"] for t in history)
    # a vote names the answer by its id; the server stores its own record of that answer
    before = len(LIVE["feedback"].all())
    frame.get_by_role("button", name="有帮助").last.click()
    frame.locator(".msg.bot").last.locator(".rate-status", has_text="已记录").wait_for(timeout=10000)
    row = LIVE["feedback"].all()[-1]
    assert len(LIVE["feedback"].all()) == before + 1 and row.question == FOLLOW_UPS[-1] and row.surface == "widget"
    context.close()


def test_the_web_chat_answers_follow_ups_after_a_very_long_answer(page, server):
    """The page keeps the chat on the server: before, it sent the whole chat back with each
    question, and after an 8,000-character answer every next question was over 64 KB."""
    page.goto(server + "/")
    sent = []
    page.on("request", lambda r: sent.append(len(r.post_data or "")) if "queue/join" in r.url else None)
    _ask(page, "各地对微短剧有哪些扶持？")
    page.wait_for_selector("#chat table.answer-table", timeout=30000)
    for question, expected in [("那平原示范区呢？", "征求意见稿"), ("剧本奖励多少？", "万元"), ("那郑州呢？", "郑州")]:
        count = page.locator("#chat .message-row.bot-row, #chat [data-testid='bot']").count()
        _ask(page, question)
        page.wait_for_function(
            f"document.querySelectorAll(\"#chat .message-row.bot-row, #chat [data-testid='bot']\").length > {count}"
            " && !document.querySelector('#chat .pending, #chat .generating')", timeout=30000)
        assert expected in _last_bot_message(page).inner_text(), question
    assert sent and max(sent) < 2000  # the question and the region, never the chat
