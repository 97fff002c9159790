"""The web chat and the widget with an LLM on (the fake OpenAI-compatible server behind
ChatOpenAI): the streamed answer ends as the checked one, with its sources; an answer
that fails the guard is replaced in the page by the extractive one with a note."""

from __future__ import annotations

import pytest
from support import needs_chromium, serve_app

from bot.answer.llm import make_chat_model
from bot.config import Settings
from evals.fake_llm import FakeLLMServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def llm_server():
    with FakeLLMServer() as server:
        yield server


@pytest.fixture(scope="module")
def live(settings, bot, llm_server, tmp_path_factory):
    """The whole app, built while the bot answers through the fake LLM (the chat picks its
    streaming handler then); back to extractive answers afterwards."""
    from bot.web.app import create_app

    def use(model: str) -> None:
        llm = Settings(llm=f"openai:{model}", openai_base_url=llm_server.url, llm_max_retries=0)
        bot.use_llm(make_chat_model(llm), llm.llm)

    use("fake-faithful")
    try:
        app = create_app(Settings(data_dir=settings.data_dir, rate_limit_per_minute=200,
                                  database_url=f"sqlite:///{tmp_path_factory.mktemp('fb') / 'fb.db'}"), bot)
        with serve_app(app, timeout=30) as url:
            yield url, use
    finally:
        bot.use_llm(None)


def test_the_chat_streams_a_faithful_answer_and_shows_its_sources(browser, live):
    base, use = live
    use("fake-faithful")
    page = browser.new_page()
    page.goto(base + "/")
    page.locator("#question textarea").fill("平原示范区剧本奖励多少？")
    page.locator("#send").click()
    page.wait_for_function("document.querySelector('#sources').innerText.includes('征求意见稿')", timeout=30000)
    chat = page.locator("#chat").inner_text()
    assert "的规定是：" in chat and "5万元" in chat and "[1]" in chat  # the generated wording
    page.close()


def _widget_log(browser, base: str, question: str) -> str:
    """Ask the widget one question; the text of its log once the answer shows its sources."""
    page = browser.new_page()
    page.goto(base + "/widget")
    page.locator("#q").fill(question)
    page.locator("button[type=submit]").click()
    page.locator(".msg.bot .cites").first.wait_for(timeout=30000)
    text = page.locator("#log").inner_text()
    page.close()
    return text


def test_the_widget_replaces_an_answer_that_failed_the_guard(browser, live):
    base, use = live
    use("fake-invent_amount")
    text = _widget_log(browser, base, "平原示范区剧本奖励多少？")
    assert "88万" not in text and "已替换为政策原文摘录" in text and "5万元" in text


def test_the_widget_shows_a_faithful_generated_answer(browser, live):
    base, use = live
    use("fake-faithful")
    text = _widget_log(browser, base, "在衢江取景有什么补贴？")
    assert "衢江区的规定是：" in text and "新闻发布会" in text
