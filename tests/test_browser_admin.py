"""The admin page in a real browser (Playwright + Debian Chromium, server on 127.0.0.1):
a clerk enters the token, uploads an unseen county policy, checks what was detected, fixes
a field, marks a row reviewed and publishes; the chat then answers from the new document.
The wall time from choosing the file to the first correct answer is measured (issue 10:
under 2 minutes). Knowledge and index are copies in tmp dirs."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from support import needs_chromium, serve_app

from bot.config import PROJECT_ROOT, Settings

SHOTS = Path(os.environ.get("BOT_SCREENSHOTS") or tempfile.mkdtemp(prefix="bot-shots-"))
SHOTS = SHOTS if SHOTS.is_absolute() else PROJECT_ROOT / SHOTS
ONBOARDING = PROJECT_ROOT / "evals" / "onboarding"
TOKEN = "browser-admin-token-5d1c8e2a"
# evals/onboarding cty-01: 三（三） 按制作成本的20%，单部作品最高不超过50万元
QUESTION = "在黟县拍微短剧，制作成本能补多少？有没有封顶？"
BUDGET_SECONDS = 120

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("browser-admin") / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", target)
    return target


@pytest.fixture(scope="module")
def server(index_copy, knowledge, tmp_path_factory):
    """The whole app (Gradio chat included) with the admin page on, under uvicorn."""
    from bot.web.app import create_app

    data = index_copy()
    settings = Settings(knowledge_dir=knowledge, data_dir=data, admin_token=TOKEN, rate_limit_per_minute=200,
                        database_url=f"sqlite:///{tmp_path_factory.mktemp('fb') / 'fb.db'}")
    with serve_app(create_app(settings), timeout=60) as url:
        yield url


@pytest.fixture()
def page(browser):
    """A page that accepts the page's own confirm() questions and records every dialog
    (an alert would mean uploaded text ran as code)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    dialogs: list[tuple[str, str]] = []

    def answer(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    pg.on("dialog", answer)
    pg.dialogs = dialogs
    yield pg
    context.close()


def _enter(page, server):
    page.goto(server + "/admin")
    page.fill("#token", TOKEN)
    page.get_by_role("button", name="进入").click()
    page.locator("#desk").wait_for(state="visible", timeout=15000)


def _status(page, words: str, timeout: float = 90000):
    # expect(), not wait_for_function: the page's CSP forbids the eval the latter needs
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_contain_text(words, timeout=timeout)


def _upload(page, path: Path):
    page.set_input_files("#file", str(path))
    page.locator("#upload-button").click()
    _status(page, "已生成草稿")


def test_a_wrong_token_is_refused_on_the_page(page, server):
    page.goto(server + "/admin")
    page.fill("#token", "not-the-token")
    page.get_by_role("button", name="进入").click()
    _status(page, "管理令牌不正确", timeout=15000)
    assert page.locator("#desk").is_hidden() and page.locator("#login").is_visible()
    assert "token" not in page.url


def test_upload_fix_publish_then_the_chat_answers_within_two_minutes(page, server, knowledge):
    _enter(page, server)
    start = time.perf_counter()
    _upload(page, ONBOARDING / "county-measures.docx")
    drafted = time.perf_counter()

    # what bot add detected, the clause tree and the drafted rows, all waiting for review
    assert page.locator("#detail h2").inner_text() == "草稿：黟县关于促进微短剧产业高质量发展的若干措施（试行）"
    assert page.input_value("#meta-doc_number") == "黟政办〔2026〕12号"
    assert page.input_value("#meta-status") == "试行" and page.input_value("#meta-region") == "黟县"
    assert page.locator("#clauses li").count() > 20
    assert "单部作品最高不超过50万元" in page.locator("#measures").inner_text()
    assert page.locator("#measures .tag.todo").count() > 10 and page.locator("#sites tbody tr").count() >= 5
    assert not (knowledge / "docs" / "yixian-trial.md").exists()  # a draft is not in the knowledge dir
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin.png"))

    # fix a field and mark a row reviewed
    page.fill("#meta-validity", "本措施自2026年3月1日起施行，有效期3年")
    page.get_by_role("button", name="保存文件信息").click()
    _status(page, "文件信息已保存")
    first = page.locator("#measures tbody tr").first
    row_id = first.get_attribute("data-row")
    todo = page.locator("#measures .tag.todo").count()
    first.locator("input[type=checkbox]").check()
    _status(page, f"条目 {row_id} 已保存")
    assert page.locator("#measures .tag.todo").count() == todo - 1

    page.locator("#publish").click()
    _status(page, "已发布 yixian-trial")
    published = time.perf_counter()
    assert (knowledge / "docs" / "yixian-trial.md").exists()
    assert "有效期3年" in (knowledge / "docs" / "yixian-trial.md").read_text(encoding="utf-8")

    # the chat answers from the new document, without a restart
    chat = page.context.new_page()
    chat.goto(server + "/")
    chat.locator("#question textarea").fill(QUESTION)
    chat.locator("#send").click()
    chat.wait_for_function("(t => t.includes('20%') && t.includes('50万元'))"
                           "(document.querySelector('#chat').innerText)", timeout=60000)
    answered = time.perf_counter()
    chat.wait_for_function("document.querySelector('#sources').innerText.includes('黟县')", timeout=10000)
    # the page itself knows the new region without a restart: coverage line and region choices
    assert "黟县" in chat.locator("#coverage").inner_text()
    total = answered - start
    print(f"\nfile → first correct answer via the admin page: {total:.1f} s "
          f"(upload + draft {drafted - start:.1f} s, review {published - drafted:.1f} s incl. publish + index, "
          f"first answer {answered - published:.1f} s)")
    assert total < BUDGET_SECONDS
    assert all(kind == "confirm" for kind, _ in page.dialogs)  # no alert ever

    # remove it again: the chat stops answering from it
    page.locator("#documents tr[data-doc='yixian-trial']").get_by_role("button", name="删除").click()
    _status(page, "已删除 yixian-trial")
    assert not (knowledge / "docs" / "yixian-trial.md").exists()
    answer = httpx.post(server + "/api/ask", json={"question": QUESTION}, timeout=30).json()
    assert not any(c["doc_id"] == "yixian-trial" for c in answer["citations"])


def test_uploaded_text_is_shown_as_text_and_never_runs(page, server, tmp_path):
    hostile = tmp_path / "婺源<img src=x onerror=alert(1)>.txt"
    hostile.write_text(
        "婺源县关于支持微短剧发展的若干措施<img src=x onerror=alert(1)>\n"
        "一、支持取景拍摄\n"
        "（一）取景补贴<script>alert(2)</script>。对在婺源拍摄的微短剧剧组，按实际发生费用的30%给予补贴，"
        "单个剧组最高不超过10万元。\n"
        "二、附则\n本措施自2026年5月1日起施行。\n", encoding="utf-8")
    _enter(page, server)
    _upload(page, hostile)
    assert "<img src=x onerror=alert(1)>" in page.locator("#detail h2").inner_text()
    assert "<script>alert(2)</script>" in page.locator("#clauses").inner_text()
    assert page.locator("#detail img, #detail script").count() == 0
    page.locator("#detail").get_by_role("button", name="放弃草稿").click()
    _status(page, "草稿已放弃")
    page.wait_for_timeout(300)
    assert [kind for kind, _ in page.dialogs] == ["confirm"]


def test_a_place_the_gazetteer_does_not_know_is_placed_by_the_parent_field(page, server, tmp_path):
    """A brand-new county: the page says what to add, the clerk fills 所属市县, the draft
    registers the county as itself inside that city (never the city)."""
    path = tmp_path / "qinglan.txt"
    path.write_text("青岚县微短剧扶持措施\n一、拍摄补贴\n对在青岚县拍摄的微短剧，按实际发生费用的30%给予补贴，最高10万元。\n",
                    encoding="utf-8")
    _enter(page, server)
    page.set_input_files("#file", str(path))
    page.locator("#upload-button").click()
    _status(page, "所属市县", timeout=30000)  # the refusal names the page's field
    page.fill("#up-parent", "金华市")
    page.set_input_files("#file", str(path))
    page.locator("#upload-button").click()
    _status(page, "已生成草稿")
    assert page.input_value("#meta-region") == "青岚"
    assert "按原文登记为青岚县，位于金华市" in page.locator("#detail").inner_text()
