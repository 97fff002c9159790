"""Issue 10 (4): the admin page's API. Off without ADMIN_TOKEN; the token is checked on
every request and refused in a URL; an upload becomes a draft nobody is answered from,
is corrected under bot validate's checks, published (re-indexed in-process: the running
app answers from it at once) and removed again. Knowledge and index live in tmp dirs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from support import tree_digest

from bot.config import PROJECT_ROOT, Settings
from bot.onboard.drafts import safe_filename
from bot.web.app import create_app
from bot.web.security import RequestLimiter

pytestmark = pytest.mark.slow  # builds a real index (the session `bot` fixture, copied)

KNOWLEDGE = PROJECT_ROOT / "knowledge"
ONBOARDING = PROJECT_ROOT / "evals" / "onboarding"
TOKEN = "test-admin-token-7f3a9c1e5b"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPLOAD_LIMIT = 100_000
CITY_QUESTION = "在赣州拍剧，制作成本补助按多少算？一部最多多少？"  # evals/onboarding cg-01


@pytest.fixture(scope="module")
def dirs(index_copy, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the shipped knowledge and of the session index (no re-embedding)."""
    knowledge = tmp_path_factory.mktemp("admin") / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    return knowledge, index_copy()


@pytest.fixture(scope="module")
def admin_app(dirs):
    knowledge, data = dirs
    settings = Settings(knowledge_dir=knowledge, data_dir=data, admin_token=TOKEN, admin_upload_max_bytes=UPLOAD_LIMIT,
                        database_url=f"sqlite:///{data / 'fb.db'}", rate_limit_per_minute=1000)
    return create_app(settings, with_ui=False)


@pytest.fixture()
def admin(admin_app) -> TestClient:
    admin_app.state.admin.failures = RequestLimiter(10)  # each test its own budget of wrong tokens
    return TestClient(admin_app)


def _ask(client: TestClient, question: str = CITY_QUESTION) -> dict:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def _upload(client: TestClient, name: str, data: bytes, headers=AUTH, **fields):
    return client.post("/admin/api/uploads", headers=headers, files={"file": (name, data)}, data=fields)


# ------------------------------------------------------------------------ switched off
@pytest.mark.parametrize("token", [None, "", "   "])
def test_admin_page_does_not_exist_without_a_token(settings, bot, tmp_path, token):
    app = create_app(Settings(data_dir=settings.data_dir, admin_token=token,
                              database_url=f"sqlite:///{tmp_path / 'fb.db'}"), bot, with_ui=False)
    client = TestClient(app)
    for path in ("/admin", "/admin/admin.js", "/admin/api/session", "/admin/api/library"):
        assert client.get(path, headers={"Authorization": "Bearer "}).status_code == 404, path
    assert client.post("/admin/api/uploads", files={"file": ("a.txt", b"x")}).status_code == 404


# ------------------------------------------------------------------------ the token
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/admin/api/session"), ("GET", "/admin/api/library"), ("GET", "/admin/api/documents/qujiang-press"),
    ("PATCH", "/admin/api/documents/qujiang-press"), ("DELETE", "/admin/api/documents/qujiang-press"),
    ("POST", "/admin/api/drafts/20260101000000-0badc0de/publish"), ("POST", "/admin/api/uploads"),
])
def test_every_admin_request_needs_the_right_token(admin, dirs, method, path):
    for headers, message in [({}, "需要管理令牌"), ({"Authorization": "Bearer wrong-token"}, "管理令牌不正确"),
                             ({"Authorization": f"Basic {TOKEN}"}, "管理令牌不正确"),
                             ({"Authorization": f"Bearer {TOKEN}x"}, "管理令牌不正确")]:
        r = admin.request(method, path, headers=headers, json={} if method == "PATCH" else None)
        assert r.status_code == 401, (headers, r.text)
        assert message in r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"
    assert (dirs[0] / "docs" / "qujiang-press.md").exists()


def test_a_token_in_the_url_is_refused_even_with_the_right_header(admin):
    for url in (f"/admin/api/library?token={TOKEN}", "/admin/api/library?access_token=x",
                f"/admin/api/library?q={TOKEN}", f"/admin/api/documents/{TOKEN}", f"/admin?token={TOKEN}"):
        r = admin.get(url, headers=AUTH)
        assert r.status_code == 401, url
        assert "网址" in r.json()["detail"]
    assert admin.get("/admin/api/library", headers=AUTH).status_code == 200


def test_repeated_wrong_tokens_are_slowed_down(admin):
    codes = [admin.get("/admin/api/library", headers={"Authorization": f"Bearer guess-{i}"}).status_code
             for i in range(11)]
    assert codes == [401] * 10 + [429]
    assert "太多" in admin.get("/admin/api/library").json()["detail"]


def test_the_page_is_a_static_shell_under_a_strict_csp(admin):
    page = admin.get("/admin")
    assert page.status_code == 200 and "管理令牌" in page.text
    assert "衢江" not in page.text and "<script>" not in page.text  # no data, no inline code
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    script = admin.get("/admin/admin.js")
    assert script.status_code == 200 and "Authorization" in script.text
    assert "innerHTML" not in script.text and "?token" not in script.text  # texts go in as textContent
    api = admin.get("/admin/api/session", headers=AUTH)
    assert api.headers["cache-control"] == "no-store" and "试行" in api.json()["statuses"]


# ------------------------------------------------------------------------ upload → publish → remove
def test_upload_review_publish_answer_then_remove(admin, admin_app, dirs):
    knowledge, data = dirs
    checkout = tree_digest(KNOWLEDGE)
    before = tree_digest(knowledge)
    assert not any(c["doc_id"].startswith("ganzhou") for c in _ask(admin)["citations"])

    r = _upload(admin, "city-guide.html", (ONBOARDING / "city-guide.html").read_bytes())
    assert r.status_code == 201, r.text
    view = r.json()
    doc, key = view["document"], view["key"]
    assert view["kind"] == "draft" and view["editable"]
    assert doc["title"] == "赣州市2026年度微短剧产业扶持资金申报指南"
    assert doc["status"] == "申报指南" and doc["region_key"] == "赣州" and "江西省" in doc["region"]
    assert view["clause_count"] > 10 and any("制作成本" in line for line in view["clauses"])
    assert view["measures"] and all(not m["reviewed"] for m in view["measures"]) and view["sites"]
    assert view["draft"]["review"] and not [p for p in view["problems"] if p["severity"] == "error"]
    shoot = next(m for m in view["measures"] if "25%" in m["money"])

    # a draft changes nothing that answers: the knowledge dir is as it was, the bot does not know it
    assert tree_digest(knowledge) == before
    assert (data / "admin" / "drafts" / key / "knowledge" / "docs" / f"{doc['id']}.md").exists()
    assert not any(c["doc_id"] == doc["id"] for c in _ask(admin)["citations"])
    listed = admin.get("/admin/api/library", headers=AUTH).json()
    assert [d["id"] for d in listed["drafts"]] == [key] and doc["id"] not in {d["id"] for d in listed["documents"]}

    # fix a field; a wrong value is refused with a message that says what to do
    bad = admin.patch(f"/admin/api/drafts/{key}", headers=AUTH, json={"status": "草案"})
    assert bad.status_code == 422 and "正式文件" in bad.json()["detail"]
    fixed = admin.patch(f"/admin/api/drafts/{key}", headers=AUTH, json={"validity": "2026年度"}).json()
    assert fixed["document"]["validity"] == "2026年度"
    # a row: a figure the quote does not state, or condition words it does not contain, are refused
    row = f"/admin/api/drafts/{key}/rows/{shoot['id']}"
    bad = admin.patch(row, headers=AUTH, json={"amount": "最高99万元"})
    assert bad.status_code == 422 and "99" in bad.json()["detail"] and "quote" in bad.json()["detail"]
    bad = admin.patch(row, headers=AUTH, json={"conditions": [{"type": "free_text", "text": "编造的条件"}]})
    assert bad.status_code == 422 and "原文" in bad.json()["detail"]
    marked = admin.patch(row, headers=AUTH, json={"reviewed": True}).json()
    assert next(m for m in marked["measures"] if m["id"] == shoot["id"])["reviewed"] is True
    assert admin.patch(f"/admin/api/drafts/{key}/rows/nope", headers=AUTH, json={"reviewed": True}).status_code == 404
    everything = admin.post(f"/admin/api/drafts/{key}/review-all", headers=AUTH).json()
    assert everything["unreviewed"] == 0

    published = admin.post(f"/admin/api/drafts/{key}/publish", headers=AUTH)
    assert published.status_code == 200, published.text
    done = published.json()
    doc_id = done["doc_id"]
    assert doc_id == doc["id"] and 0 < done["index"]["embedded"] < 80  # only the new clauses
    assert f"docs/{doc_id}.md" in done["written"] and not (data / "admin" / "drafts" / key).exists()
    rows = yaml.safe_load((knowledge / "measures" / f"{doc_id}.yaml").read_text(encoding="utf-8"))
    assert rows and all(r["reviewed"] for r in rows)
    assert "validity: 2026年度" in (knowledge / "docs" / f"{doc_id}.md").read_text(encoding="utf-8")

    # the running app answers from it now, from its own clause, quoting verbatim
    answer = _ask(admin)
    assert answer["answerable"] and "25%" in answer["answer"] and "80万元" in answer["answer"]
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {doc_id}
    # the streamed /api/ask and the OpenAI-compatible /v1 follow the swap too
    events = admin.post("/api/ask", json={"question": CITY_QUESTION, "stream": True}).text.strip().split("\n\n")
    name, data = events[-1].split("\n", 1)
    final = json.loads(data.removeprefix("data: "))
    assert name == "event: answer" and (final["answer"], final["citations"]) == (answer["answer"], answer["citations"])
    v1 = admin.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": CITY_QUESTION}]}).json()
    assert v1["choices"][0]["message"]["content"] == answer["answer"] and v1["citations"] == answer["citations"]
    texts = admin_app.state.provider.current().model.clause_texts
    assert all(c["quote"] in texts[c["clause_id"]] for c in answer["citations"])
    assert admin.get(f"/sources/{doc_id}").status_code == 200
    shown = admin.get(f"/admin/api/documents/{doc_id}", headers=AUTH).json()
    assert shown["kind"] == "document" and shown["editable"] and shown["unreviewed"] == 0

    removed = admin.delete(f"/admin/api/documents/{doc_id}", headers=AUTH)
    assert removed.status_code == 200 and removed.json()["index"]["deleted"] > 0
    assert not any(c["doc_id"] == doc_id for c in _ask(admin)["citations"])
    assert not (knowledge / "docs" / f"{doc_id}.md").exists()
    assert tree_digest(knowledge) == before and tree_digest(KNOWLEDGE) == checkout


def test_a_new_region_drafts_the_rows_again_and_a_draft_can_be_discarded(admin, dirs):
    r = _upload(admin, "county-measures.txt", (ONBOARDING / "county-measures.txt").read_bytes(), status="试行")
    assert r.status_code == 201, r.text
    view = r.json()
    assert view["document"]["region_key"] == "黟县" and "status" in view["draft"]["detected"]["overridden"]
    moved = admin.patch(f"/admin/api/drafts/{view['key']}", headers=AUTH, json={"region": "休宁县", "issuer": "某办公室"})
    assert moved.status_code == 200, moved.text
    redrafted = moved.json()
    assert redrafted["document"]["region_key"] == "休宁" and redrafted["document"]["issuer"] == "某办公室"
    assert {m["id"].split("-")[0] for m in redrafted["measures"]} == {redrafted["document"]["id"].split("-")[0]}
    assert admin.delete(f"/admin/api/drafts/{view['key']}", headers=AUTH).json() == {"discarded": view["key"]}
    assert admin.get(f"/admin/api/drafts/{view['key']}", headers=AUTH).status_code == 404
    assert not (dirs[0] / "regions" / "休宁.yaml").exists()


# ------------------------------------------------------------------------ refusals
def test_bad_uploads_get_a_clear_message(admin, dirs):
    before = tree_digest(dirs[0])
    cases = [
        (_upload(admin, "table.xls", b"x" * 100), 422, "不支持的文件类型"),
        (_upload(admin, "note.txt", b"hello world"), 422, "几乎没有可读的中文"),
        (_upload(admin, "empty.docx", b""), 422, "空"),
        (_upload(admin, "broken.docx", b"PK not really a word file" * 20), 422, "无法读取"),
        (admin.post("/admin/api/uploads", headers=AUTH, files={"document": ("a.txt", "黟县".encode())}), 422, "请选择"),
        (admin.post("/admin/api/uploads", headers=AUTH, json={"file": "x"}), 422, "multipart"),
        (_upload(admin, "huge.pdf", b"%" * (UPLOAD_LIMIT + 1)), 413, "上限"),
        # the larger limit is granted to the right token only
        (_upload(admin, "big.txt", "微".encode() * 30_000, headers={}), 413, "上限"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["detail"] and "Traceback" not in response.text
    assert admin.get("/admin/api/library", headers=AUTH).json()["drafts"] == []
    assert tree_digest(dirs[0]) == before


def test_unknown_ids_are_404_and_shipped_documents_are_read_only(admin, dirs):
    for path in ("/admin/api/drafts/..%2F..%2Fknowledge", "/admin/api/drafts/20260101000000-0badc0de",
                 "/admin/api/documents/no-such-doc"):
        assert admin.get(path, headers=AUTH).status_code == 404, path
    shipped = admin.get("/admin/api/documents/qujiang-press", headers=AUTH).json()
    assert shipped["measures"] and not shipped["editable"]
    row = shipped["measures"][0]["id"]
    for r in (admin.patch(f"/admin/api/documents/qujiang-press/rows/{row}", headers=AUTH, json={"reviewed": False}),
              admin.patch("/admin/api/documents/qujiang-press", headers=AUTH, json={"title": "改"}),
              admin.delete("/admin/api/documents/qujiang-press", headers=AUTH)):
        assert r.status_code == 422 and ("手工" in r.json()["detail"]), r.text
    assert (dirs[0] / "docs" / "qujiang-press.md").exists()


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/评审.docx", "评审.docx"), ("..\\..\\a.TXT", "a.txt"), (".hidden.md", "hidden.md"),
    ("政策 <b>x.html", "政策_b_x.html"), ("a<b>/c.docx", "c.docx"), ("若干措施（试行）.pdf", "若干措施（试行）.pdf"),
])
def test_upload_names_are_kept_safe(name, safe):
    assert safe_filename(name) == safe
