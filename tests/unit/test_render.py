"""Render: a draft → Markdown with [n] markers numbered by first use, one citation per
clause (nearby quotes merged into one verbatim span), and a table answer as data too."""

from __future__ import annotations

from bot.answer.draft import Bullets, DraftBuilder, Paragraph, Row, Source, Span, Table, Verdict
from bot.answer.render import render

NATIONAL = Source("pingan-draft:二(二)", "区内企业创作的剧本入选国家级扶持项目的，给予5万元奖励；")
PROVINCIAL = Source("pingan-draft:二(二)", "入选省级扶持项目的，给予相应的资金支持。")
LODGING = Source("pingan-draft:一(二)", "为来区拍摄的剧组提供免费临时住宿，每个剧组最长7天。")
OVERSEAS = Source("xinxiang-news:段3", "对微短剧译制出海项目，给予最高50万元补贴。")


def test_citations_are_numbered_by_first_use(model):
    draft = (DraftBuilder("test")
             .add(Paragraph.of(Span("住宿。", LODGING), Span("出海。", OVERSEAS)))
             .add(Paragraph.of(Span("又是住宿。", LODGING)))
             .build(Verdict.ANSWERED))
    rendered = render(draft, model)
    assert rendered.text == "住宿。[1]出海。[2]\n又是住宿。[1]"
    assert [(c.n, c.clause_id) for c in rendered.citations] == [(1, LODGING.clause_id), (2, OVERSEAS.clause_id)]


def test_two_quotes_of_one_clause_are_one_citation_with_the_quotes_merged(model):
    draft = DraftBuilder("test").add(Bullets("剧本：", (Paragraph.of(Span("国家级", NATIONAL)),
                                                      Paragraph.of(Span("省级", PROVINCIAL))))).build(Verdict.ANSWERED)
    rendered = render(draft, model)
    (citation,) = rendered.citations
    assert citation.quote == NATIONAL.quote + PROVINCIAL.quote
    assert citation.quote in model.clause_texts[citation.clause_id]
    assert rendered.text == "剧本：\n- 国家级[1]\n- 省级[1]"


def test_a_quote_inside_an_earlier_one_reuses_its_citation(model):
    whole = Source(NATIONAL.clause_id, NATIONAL.quote + PROVINCIAL.quote)
    draft = DraftBuilder("test").add(Paragraph.of(Span("a", whole), Span("b", PROVINCIAL))).build(Verdict.ANSWERED)
    rendered = render(draft, model)
    assert rendered.text == "a[1]b[1]" and rendered.citations[0].quote == whole.quote


def test_a_citation_carries_the_document_clause_and_status(model):
    rendered = render(DraftBuilder("t").add(Paragraph.of(Span("x", OVERSEAS))).build(Verdict.ANSWERED), model)
    c = rendered.citations[0]
    assert (c.doc_id, c.title, c.clause, c.status) == (
        "xinxiang-news", model.documents["xinxiang-news"].title, "第3段", "新闻报道")


def test_a_table_is_markdown_and_data_with_one_citation_per_row(model):
    table = Table("对比：", ("地区", "措施", "出处"), (
        Row(("坪安", "住宿|免费"), LODGING),
        Row(("新乡", "出海"), OVERSEAS),
        Row(("坪安", "再次住宿"), LODGING),
    ))
    rendered = render(DraftBuilder("t").add(table).build(Verdict.ANSWERED), model)
    assert rendered.text.splitlines() == [
        "对比：", "",
        "| 地区 | 措施 | 出处 |",
        "|---|---|---|",
        "| 坪安 | 住宿｜免费 | [1] |",  # a pipe inside a cell cannot break the table
        "| 新乡 | 出海 | [2] |",
        "| 坪安 | 再次住宿 | [1] |",
    ]
    data = rendered.table
    assert (data.title, data.columns, data.citations) == ("对比：", ["地区", "措施", "出处"], [1, 2, 1])
    assert data.rows[0] == ["坪安", "住宿|免费"]


def test_notes_follow_the_blocks_after_a_blank_line(model):
    draft = (DraftBuilder("t").add(Paragraph.of("答案。")).note("说明一。").note(Span("说明二", LODGING))
             .build(Verdict.ANSWERED))
    assert render(draft, model).text == "答案。\n\n说明一。\n说明二[1]"


def test_an_english_question_gets_the_english_note_only_when_asked_for(model):
    draft = DraftBuilder("t").add(Paragraph.of("答案。")).build(Verdict.ANSWERED)
    assert render(draft, model, english=True, english_note="(Quoted.)").text.endswith("(Quoted.)")
    assert "(Quoted.)" not in render(draft, model).text
