"""Issue 10: a bureau adds a policy file with one command — parsed, cleaned, its region
registered, measures and sites drafted (reviewed: false), validated and indexed — and a
question about the new region is answered from its own clause. Everything in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hostile import COUNTY  # the county document the hostile-file tests vary
from support import tree_digest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import PROJECT_ROOT, Settings
from bot.ingest.detect import OnboardingWords, detect
from bot.ingest.parse import ParsedFile, UnreadableFile, join_broken_lines, parse_file
from bot.models import DocStatus
from bot.onboard.add import AddError, AddOptions, add_document
from bot.onboard.library import list_documents, remove_document
from bot.policy.validate import validate_knowledge

KNOWLEDGE = PROJECT_ROOT / "knowledge"
ONBOARDING = PROJECT_ROOT / "evals" / "onboarding"
runner = CliRunner()



def _width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line.rstrip())


def _docx(path: Path, paragraphs=COUNTY) -> Path:
    import docx

    document = docx.Document()
    for kind, text in paragraphs:
        if kind == "h1":
            document.add_heading(text, 1)
        elif kind == "h2":
            document.add_heading(text, 2)
        elif kind == "li":
            document.add_paragraph(text, style="List Number")
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.fixture()
def knowledge(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


# ------------------------------------------------------------------------ parsing
def test_word_headings_and_automatic_numbers_are_kept(tmp_path):
    path = _docx(tmp_path / "a.docx", [("h1", "某县微短剧措施"), ("h2", "一、支持拍摄"),
                                       ("li", "对剧组给予补贴。"), ("li", "对剧本给予奖励。")])
    parsed = parse_file(path)
    assert parsed.text.splitlines() == ["某县微短剧措施", "一、支持拍摄", "1.对剧组给予补贴。", "2.对剧本给予奖励。"]
    assert parsed.headings[:2] == ["某县微短剧措施", "一、支持拍摄"]


def test_a_text_pdf_is_read_in_paragraphs_without_page_numbers(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "a.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 12)
    lines = ["某县微短剧扶持措施（试行）", "一、支持取景拍摄", "（一）取景补贴。对在本县拍摄的微短剧剧组，按实际发生",
             "费用的30%给予补贴，单个剧组最高不超过10万元。", "- 1 -"]
    for i, line in enumerate(lines):
        page.drawString(50, 800 - 20 * i, line)
    page.save()
    assert parse_file(path).text.splitlines() == [
        "某县微短剧扶持措施（试行）", "一、支持取景拍摄",
        "（一）取景补贴。对在本县拍摄的微短剧剧组，按实际发生费用的30%给予补贴，单个剧组最高不超过10万元。"]


def test_a_ruled_table_in_a_pdf_is_read_row_by_row_and_its_places_are_sites(tmp_path, knowledge):
    """pypdf writes a drawn table one cell per line; its rows come back whole (the column
    headers name each cell), the header a page break repeats is read once, and an 附件's
    table of places drafts a site per row."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from bot.onboard.add import AddOptions, add_document

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
    rows = [["序号", "名称", "类型", "状态"], ["1", "青岚古镇", "古镇", "已开放"], ["2", "青岚湖湿地", "湿地", "在建"]]
    table = Table(rows)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    path = tmp_path / "sites.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph("青岚县支持微短剧拍摄若干措施", style), Paragraph("为落实浙江省、金华市部署，我县制定本措施。", style),
        Paragraph("一、拍摄补贴。对在青岚县拍摄的微短剧，按实际发生费用的30%给予补贴，最高10万元。", style),
        Paragraph("附件：青岚县重点拍摄场景名单", style), table])
    text = parse_file(path).text
    assert "| 1 | 青岚古镇 | 古镇 | 已开放 |" in text.splitlines()
    report = add_document(path, knowledge, AddOptions())
    assert {s.name: s.status.value for s in report.drafted.sites} == {"青岚古镇": "建成", "青岚湖湿地": "在建"}


def test_pdf_lines_are_joined_unless_a_sentence_or_item_ends():
    assert join_broken_lines(["（一）对在本县拍摄的微短剧剧组，按实", "际发生费用给予补贴。", "（二）对剧本给予奖励。", "12"]) == [
        "（一）对在本县拍摄的微短剧剧组，按实际发生费用给予补贴。", "（二）对剧本给予奖励。"]


def test_a_saved_government_page_gives_its_article_only():
    parsed = parse_file(ONBOARDING / "city-guide.html")
    lines = parsed.text.splitlines()
    assert lines[0] == "赣州市2026年度微短剧产业扶持资金申报指南"
    assert "1. 在赣州市行政区域内依法注册登记，税收征管关系和统计关系在赣州市，具有独立法人资格的微短剧创作、制作、发行、平台运营及相关服务企业；" in lines
    assert not any("无障碍浏览" in line or "网站标识码" in line for line in lines)
    assert parsed.hints["date"].startswith("2026-03-16")


def test_unsupported_or_empty_files_are_refused_with_a_clear_message(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"x")
    with pytest.raises(UnreadableFile, match="不支持的文件类型"):
        parse_file(tmp_path / "a.xls")
    (tmp_path / "b.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="几乎没有可读的中文"):
        parse_file(tmp_path / "b.txt")


# ------------------------------------------------------------------------ detection
@pytest.mark.parametrize(("title", "status"), [
    ("关于支持微短剧发展的实施意见（征求意见稿）", DocStatus.DRAFT),
    ("某县促进微短剧产业发展的若干措施（试行）", DocStatus.TRIAL),
    ("某市2026年度微短剧扶持资金申报指南", DocStatus.GUIDE),
    ("某县关于促进微短剧产业发展的若干措施", DocStatus.FINAL),
])
def test_status_is_read_from_the_title(title, status):
    text = f"{title}\n一、总则\n（一）对剧组给予补贴。"
    assert detect(ParsedFile(text, "txt"), OnboardingWords.load(KNOWLEDGE)).status is status


def test_front_matter_fields_come_from_the_text():
    parsed = parse_file(ONBOARDING / "county-measures.docx")
    found = detect(parsed, OnboardingWords.load(KNOWLEDGE))
    assert found.title == "黟县关于促进微短剧产业高质量发展的若干措施（试行）"
    assert found.doc_number == "黟政办〔2026〕12号"
    assert found.date == "2026-02-12" and found.issuer == "黟县人民政府办公室"
    assert found.status is DocStatus.TRIAL
    assert "自2026年3月1日起施行，有效期3年" in found.validity
    assert "黟县微短剧服务专窗" in found.offices and "县文化旅游体育局" in found.offices


# ------------------------------------------------------------------------ bot add
def test_add_writes_only_into_the_knowledge_dir_and_drafts_honest_rows(knowledge, tmp_path):
    report = add_document(_docx(tmp_path / "wuyuan.docx"), knowledge)
    doc = report.document
    assert doc.region_key == "婺源" and doc.region == {"province": "江西省", "city": "上饶市", "district": "婺源县"}
    assert doc.status is DocStatus.TRIAL and doc.doc_number == "婺政办〔2026〕3号" and doc.date == "2026-04-20"
    assert (knowledge / "originals" / "wuyuan.docx").exists()
    assert (knowledge / "docs" / f"{doc.id}.md").read_text(encoding="utf-8").startswith("---\nid: ")
    region = yaml.safe_load((knowledge / "regions" / "婺源.yaml").read_text(encoding="utf-8"))["covered"]["婺源"]
    assert region["adcode"] == "361130" and region["level"] == "district"
    rows = {m.clause_id.split(":")[1] + " " + m.benefit.amount: m for m in report.drafted.measures}
    # one row per tier; amounts as stated; no figure where the text gives none
    assert {"二(一) 每部奖励20万元", "二(一) 每部奖励10万元"} <= {k.replace("一(二)", "二(一)") for k in rows} or \
        {"一(二) 每部奖励20万元", "一(二) 每部奖励10万元"} <= set(rows)
    shoot = next(m for m in report.drafted.measures if m.clause_id.endswith("一(一)"))
    assert shoot.benefit.ratio == "按实际发生费用的30%" and shoot.benefit.cap == "单个剧组最高不超过10万元"
    settle = next(m for m in report.drafted.measures if m.clause_id.endswith("二(一)"))
    types = {c.type: c.value for c in settle.conditions}
    assert types["capital_min"] == "200万元" and types["social_insurance_months"] == 6 and "new_company" in types
    assert any(m.benefit.amount == "一事一议" for m in report.drafted.measures)
    assert all(not m.reviewed for m in report.drafted.measures)
    assert [p for p in validate_knowledge(knowledge) if p.severity == "error"] == []


def test_adding_the_same_file_twice_or_an_unknown_status_is_refused(knowledge, tmp_path):
    path = _docx(tmp_path / "wuyuan.docx")
    add_document(path, knowledge)
    with pytest.raises(AddError, match="已经添加过"):
        add_document(path, knowledge)
    with pytest.raises(AddError, match="不是有效状态"):
        add_document(path, knowledge, AddOptions(status="草案", doc_id="x"))


def test_a_new_version_supersedes_the_old_one_which_stays_on_record(knowledge, tmp_path):
    from bot.index.build import load_corpus
    from bot.policy.book import PolicyModel

    old = add_document(_docx(tmp_path / "v1.docx"), knowledge).document
    changed = [(k, t.replace("10万元", "15万元")) for k, t in COUNTY]
    new = add_document(_docx(tmp_path / "v2.docx", changed), knowledge, AddOptions(supersedes=old.id)).document
    assert new.title != old.title and new.supersedes == old.id  # answers name the version they cite
    entries = {e.document.id: e for e in list_documents(knowledge)}
    assert entries[old.id].document.superseded_by == new.id
    corpus = load_corpus(Settings(knowledge_dir=knowledge))
    assert old.id not in {d.id for d in corpus.documents} and new.id in {d.id for d in corpus.documents}
    model = PolicyModel.load(knowledge, corpus.documents, corpus.clauses)
    assert {m.doc_id for m in model.measures if m.region == "婺源"} == {new.id} and not model.problems
    # removing the new version brings the old one back
    removed = remove_document(knowledge, new.id)
    assert knowledge / "docs" / f"{new.id}.md" in removed
    assert next(e for e in list_documents(knowledge) if e.document.id == old.id).document.superseded_by is None


def test_a_shipped_document_cannot_be_removed_by_command(knowledge):
    with pytest.raises(Exception, match="measures.yaml"):
        remove_document(knowledge, "qujiang-press")


# ------------------------------------------------------------------------ validate
def test_the_shipped_knowledge_validates_without_errors():
    assert [str(p) for p in validate_knowledge(KNOWLEDGE) if p.severity == "error"] == []


def test_validate_names_file_row_and_fix(knowledge, monkeypatch):
    rows = yaml.safe_load((knowledge / "measures.yaml").read_text(encoding="utf-8"))
    bad = dict(rows[0], id="bad-row", quote="这句话不在条款里", topics=["不存在的话题"], region="火星")
    bad["benefit"] = dict(bad["benefit"], amount="99万元")
    (knowledge / "measures").mkdir(exist_ok=True)
    (knowledge / "measures" / "extra.yaml").write_text(yaml.safe_dump([bad], allow_unicode=True), encoding="utf-8")
    messages = [str(p) for p in validate_knowledge(knowledge) if p.item == "bad-row"]
    assert any("measures/extra.yaml [bad-row]: quote 不是" in m for m in messages)
    assert any("不存在的话题" in m for m in messages) and any("火星" in m for m in messages)
    assert any("数字 99 不在 quote 中" in m for m in messages)
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    from bot.config import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["validate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "bad-row" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------------ end to end
@pytest.mark.slow
def test_bot_add_then_a_question_about_the_new_region_is_answered_from_its_clause(
        settings, bot, tmp_path, monkeypatch):
    """The CLI path a bureau uses: `bot add FILE` into a knowledge copy, indexed
    incrementally; the new county's question cites the new document. Checkout untouched."""
    before = tree_digest(KNOWLEDGE)
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("feedback.db"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    from bot.config import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["add", str(_docx(tmp_path / "wuyuan.docx"))])
        assert result.exit_code == 0, result.output
        assert "婺源" in result.output and "待审" in result.output and "embedded" in result.output
        listed = runner.invoke(app, ["docs", "list"])
        assert "wuyuan-trial" in listed.output
        assert max(_width(line) for line in listed.output.splitlines()) <= 100  # fits a 100-column terminal
        assert "DEBUG" not in result.output + listed.output
    finally:
        get_settings.cache_clear()
    from bot.answer.service import PolicyBot

    fresh = PolicyBot.build(Settings(knowledge_dir=knowledge, data_dir=data))
    assert fresh.sync_report.embedded < 30  # only the new document's clauses
    answer = fresh.ask("在婺源县拍微短剧，剧组费用能补多少？")
    assert answer.answerable and "30%" in answer.answer and "10万元" in answer.answer
    assert answer.citations and {c.doc_id for c in answer.citations} == {"wuyuan-trial"}
    assert all(c.quote in fresh.model.clause_texts[c.clause_id] for c in answer.citations)
    assert tree_digest(KNOWLEDGE) == before


def _drafted(body: str):
    from bot.ingest.split import split_document
    from bot.models import PolicyDocument
    from bot.policy.draft import draft
    from bot.policy.topics import TopicBook

    doc = PolicyDocument(id="t", title="测试", issuer="x", region={}, region_key="衢江", date="2026",
                         status=DocStatus.FINAL, validity="x", source="t.txt", body=body)
    return draft("t", split_document(doc), TopicBook.load(KNOWLEDGE / "topics.yaml"), OnboardingWords.load(KNOWLEDGE))


def test_tiers_of_one_clause_are_rows_of_their_own_with_their_own_figure():
    rows = _drafted("一、支持基地\n\n（一）园区奖励。对新认定的国家级、省级文化产业园区，分别给予20万元、10万元的一次性奖励。").measures
    assert [(r.title, r.benefit.amount) for r in rows] == [("园区奖励（国家级）", "20万元"), ("园区奖励（省级）", "10万元")]
    assert all(r.quote == "对新认定的国家级、省级文化产业园区，分别给予20万元、10万元的一次性奖励。" for r in rows)


def test_a_ceiling_after_a_tier_joins_its_cap_and_conditions_keep_their_words():
    rows = _drafted("一、制作\n\n（一）制作成本补助。对在本区拍摄场景占全剧拍摄场景70%以上的作品，按制作成本的25%给予补助，"
                    "单部最高不超过80万元；同一企业年度累计最高不超过200万元。").measures
    assert len(rows) == 1
    row = rows[0]
    assert row.benefit.ratio == "按制作成本的25%" and "同一企业年度累计最高不超过200万元" in row.benefit.cap
    assert {c.type: c.value for c in row.conditions}["shoot_share_min"] == 70
    assert "200万元" in row.quote


def test_a_minimum_a_condition_sets_is_drafted_as_a_quantity_with_its_kind():
    rows = _drafted("一、拍摄\n\n（一）拍摄补贴。对在县内拍摄天数占总拍摄天数40%以上且不少于7天、县内实际拍摄支出达到"
                    "20万元以上的微短剧，按支出的25%给予补贴，单部最高40万元。\n\n（二）基地奖励。室内影棚面积达到1500平方米"
                    "以上、当年接待剧组不少于10个的，一次性奖励30万元。").measures
    minimums = {r.title: {(c.quantity, c.value) for c in r.conditions if c.type == "quantity_min"} for r in rows}
    assert minimums == {"拍摄补贴": {("shoot_days", "7"), ("local_spend", "20")},
                        "基地奖励": {("studio_area", "1500"), ("crews_hosted", "10")}}
    # every threshold is read by a typed condition: none is left over as 需确认 free text
    assert not [c for r in rows for c in r.conditions if c.type == "free_text"]


def test_an_upper_limit_or_a_time_window_is_not_a_minimum():
    rows = _drafted("一、办公\n\n（一）租金减免。入驻企业办公用房面积300平方米以内的部分，前2年免收租金。\n\n"
                    "（二）播放奖励。作品上线后90日内单一平台播放量达到1亿次的，奖励10万元。").measures
    assert not [c for r in rows for c in r.conditions if c.type == "quantity_min"]


def test_a_share_of_filming_days_written_as_不少于_a_percentage_is_typed():
    rows = _drafted("一、拍摄\n\n（一）拍摄补贴。对在县内拍摄天数不少于总拍摄天数50%的微短剧，按拍摄支出的20%给予补贴，最高30万元。").measures
    assert [(c.type, c.value) for r in rows for c in r.conditions if c.type == "shoot_share_min"] == [("shoot_share_min", 50)]
