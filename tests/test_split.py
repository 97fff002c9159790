"""Clause ids are stable and follow each document's own numbering."""

from bot.config import PROJECT_ROOT
from bot.ingest.load import load_documents, parse_document
from bot.ingest.split import split_all, split_document

DOCS = PROJECT_ROOT / "knowledge" / "docs"


def _clauses():
    return split_all(load_documents(DOCS))


def test_pingyuan_measures_have_their_numbered_clause_ids():
    ids = [c.clause_id for c in _clauses() if c.doc_id == "pingyuan-draft"]
    for label in ["三(一)", "三(二)", "三(三)", "三(四)", "三(五)", "四(一)", "四(二)", "四(三)", "附则"]:
        assert f"pingyuan-draft:{label}" in ids
    subsidy = next(c for c in _clauses() if c.clause_id == "pingyuan-draft:三(一)")
    assert "最高不超过5万元资助" in subsidy.text
    assert subsidy.clause == "三、实施措施 › （一）支持取景拍摄"


def test_qujiang_support_policy_items_are_one_clause_each():
    items = {c.clause_id: c.text for c in _clauses() if c.clause_id.startswith("qujiang-press:问答一")}
    for n, name in zip("①②③④⑤⑥", ["鼓励剧本创作", "扶持产业发展", "补贴取景拍摄", "上线播出奖励", "支持研发创新", "鼓励作品出海"], strict=False):
        assert items[f"qujiang-press:问答一{n}"].startswith(f"{n}{name}")


def test_qujiang_plan_projects_and_qa_blocks():
    ids = {c.clause_id for c in _clauses() if c.doc_id == "qujiang-press"}
    assert {"qujiang-press:二(一是)", "qujiang-press:二(五是)", "qujiang-press:三(四是)",
            "qujiang-press:问答二", "qujiang-press:问答三(三是)"} <= ids


def test_journal_clauses_carry_the_region_they_are_about():
    by_text = {c.text[:4]: c.region for c in _clauses() if c.doc_id == "zhengzhou-journal"}
    assert by_text["广东深圳"] == "深圳"
    assert by_text["浙江杭州"] == "余杭"
    assert by_text["上海：国"] == "上海"
    shenzhen = [c for c in _clauses() if "深圳市2025年7月1日" in c.text]
    assert [c.region for c in shenzhen] == ["深圳"]


def test_every_clause_text_is_verbatim_in_its_cleaned_document():
    docs = {d.id: d.body for d in load_documents(DOCS)}
    for clause in _clauses():
        for paragraph in clause.text.split("\n"):
            assert paragraph in docs[clause.doc_id]


def test_long_clauses_split_at_sentence_ends_and_share_the_clause_id():
    parts = [c for c in _clauses() if c.clause_id == "qujiang-press:问答二"]
    assert len(parts) > 1
    assert [p.chunk_id for p in parts][1] == "qujiang-press:问答二#2"
    assert all(p.text.endswith(("。", "！", "？")) for p in parts)


def test_splitter_on_a_small_document():
    doc = parse_document(
        "---\nid: t\ntitle: T\nissuer: I\nregion: {province: P}\nregion_key: 衢江\ndate: '2025'\n"
        "status: 正式文件\nvalidity: V\nsource: s.txt\n---\n"
        "一、总则\n\n为了测试。\n\n二、措施\n\n（一）补贴。给予1万元。\n\n1.第一项。\n\n2.第二项。\n\n（二）奖励。给予2万元。\n"
    )
    labels = [c.label for c in split_document(doc)]
    assert labels == ["一", "二(一)", "二(一)(1)", "二(一)(2)", "二(二)"]


def _small(body: str):
    return parse_document("---\nid: t\ntitle: T\nissuer: I\nregion: {province: P}\nregion_key: 衢江\ndate: '2025'\n"
                          "status: 正式文件\nvalidity: V\nsource: s.txt\n---\n" + body)


def test_an_appendix_that_restarts_its_numbering_gets_clause_ids_of_its_own():
    doc = _small("一、支持拍摄\n\n（一）取景补贴。给予5万元。\n\n二、附则\n\n本措施自2026年1月1日起施行。\n\n"
                 "附件1\n\n实施细则\n\n一、适用范围\n\n（一）本细则适用于县内企业。\n\n二、奖励标准\n\n（一）剧本奖励。每部奖励10万元。\n\n"
                 "附件2：申报表填写说明\n\n一、填写要求\n")
    clauses = split_document(doc)
    assert [c.label for c in clauses] == ["一(一)", "二", "段1", "附件1·一(一)", "附件1·二(一)", "附件2·一"]
    by_label = {c.label: c for c in clauses}
    assert by_label["二"].text == "二、附则\n本措施自2026年1月1日起施行。"  # the appendix is not the 附则's words
    assert by_label["附件1·二(一)"].heading_path == ["附件1", "二、奖励标准", "（一）剧本奖励"]


def test_a_chapter_that_repeats_a_number_is_told_apart_and_earlier_ids_do_not_move():
    first = "第一章 总则\n\n一、目的\n\n为了测试。\n\n"
    doc = _small(first + "第二章 措施\n\n一、补贴\n\n（一）给予1万元。\n")
    assert [c.label for c in split_document(doc)] == ["一", "第二章·一(一)"]
    assert [c.label for c in split_document(_small(first))] == ["一"]
