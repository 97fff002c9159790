"""Answers from the policy table: complete lists, honest "not covered" with what other
regions offer, amounts only where the text states one, comparisons as tables, 补贴测算
verdicts, and totals that are never summed."""

from __future__ import annotations

from bot.answer.draft import Bullets, Found, Paragraph, Source, Table, Verdict
from bot.answer.render import render
from bot.answer.verify import unsupported_figures
from bot.policy.eligibility import ProducerProfile


def source_of(measure) -> Source:
    return Source(measure.clause_id, measure.quote)


def rows(model, region: str, topic: str | None = None):
    return model.measures_for([region], [topic] if topic else [])


# ----------------------------------------------------------------- lists

def test_a_region_and_topic_list_is_complete_and_every_row_is_cited(understand, tables, model):
    draft = tables.list(understand("坪安在剧本方面有哪些扶持？"))
    expected = rows(model, "坪安", "剧本")
    assert len(expected) == 2
    assert draft.verdict is Verdict.ANSWERED
    assert set(draft.sources()) == {source_of(m) for m in expected}


def test_a_region_list_without_a_topic_is_a_table_of_every_measure(understand, tables, model):
    draft = tables.list(understand("坪安有哪些扶持政策？"))
    table = next(b for b in draft.blocks if isinstance(b, Table))
    expected = rows(model, "坪安")
    assert len(table.rows) == len(expected) == 7
    assert {r.source for r in table.rows} == {source_of(m) for m in expected}


def test_a_region_list_also_names_the_regions_filming_sites(understand, tables, text_of):
    draft = tables.list(understand("坪安有哪些扶持政策？"))
    assert "坪安影视城" in text_of(draft) and "云栖数字影棚" in text_of(draft)


def test_a_list_never_takes_rows_from_a_sibling_region(understand, tables, model):
    draft = tables.list(understand("新乡有哪些扶持政策？"))
    cited = {s.clause_id for s in draft.sources()}
    assert cited == {m.clause_id for m in rows(model, "新乡")}


def test_rows_that_state_no_figure_carry_the_no_figure_note(understand, tables, templates, text_of):
    draft = tables.list(understand("坪安在剧本方面有哪些扶持？"))  # one row: 相应的资金支持
    assert templates("no_figure_note") in text_of(draft)


def test_a_topic_the_region_lacks_is_not_covered_and_names_the_regions_that_have_it(
        understand, tables, model, templates, text_of):
    draft = tables.list(understand("新乡有哪些住宿支持？"))
    assert draft.verdict is Verdict.NOT_COVERED
    text = text_of(draft)
    assert templates("not_covered_topic_in", region=model.regions.label("新乡"), topic="住宿") in text
    redirect = next(b for b in draft.blocks if isinstance(b, Bullets) and b.title == templates("redirect_lead", topic="住宿"))
    lodging = rows(model, "坪安", "住宿")
    assert [item.spans[0].source for item in redirect.items] == [source_of(m) for m in lodging]
    assert all(f"【{model.regions.label('坪安')}】" in item.spans[0].text for item in redirect.items)
    assert "新乡市文化广电和旅游局" in text  # the office to ask


# ----------------------------------------------------------------- amounts

def test_an_amount_question_is_answered_with_the_row_that_states_it(understand, tables, model):
    draft = tables.list(understand("新乡出海补贴最高多少？"))
    assert draft.verdict is Verdict.ANSWERED and draft.kind == "table:amount"
    assert list(dict.fromkeys(draft.sources())) == [source_of(m) for m in rows(model, "新乡", "出海")]
    (finding,) = draft.subject_findings  # the answer opens with the figure, cited
    assert finding.kind is Found.FIGURE and finding.sentence.spans[0].source == draft.sources()[0]


def test_an_amount_question_whose_support_states_no_figure_quotes_what_it_states_instead(
        understand, tables, model, templates, text_of):
    # 一事一议给予资金支持: the text answers "how much" without a figure — answered, said so
    draft = tables.list(understand("坪安建拍摄基地能补贴多少钱？"))
    assert draft.verdict is Verdict.ANSWERED
    (finding,) = draft.subject_findings
    assert finding.kind is Found.NO_FIGURE
    first = finding.sentence
    assert isinstance(first, Paragraph)
    # the opening says first that no figure is given, then what the text states instead
    assert first.spans[0].text == templates("no_figure_asked", region=model.regions.label("坪安"), basis="")
    (base,) = rows(model, "坪安", "拍摄基地")
    assert first.spans[1].source == source_of(base)  # what the text says instead, quoted
    assert text_of(draft).count("没有写明具体金额") == 1  # said once, in the opening
    others = [m for m in model.measures if m.region != "坪安"]
    cited = [item.spans[0].source for b in draft.blocks if isinstance(b, Bullets) for item in b.items]
    assert not any(source_of(m) in cited for m in others)  # no other region's figures beside it


def test_an_amount_question_answered_only_by_a_service_is_not_covered_and_redirects_to_figures(
        understand, tables, model, templates):
    draft = tables.list(understand("坪安住宿保障能补多少钱？"))
    assert draft.verdict is Verdict.NOT_COVERED
    (finding,) = draft.subject_findings
    assert finding.kind is Found.NOT_IN_TEXTS
    first = finding.sentence  # said not covered, unlike a support measure with no figure
    assert first.spans[0].text == templates("no_money_asked", region=model.regions.label("坪安"), basis="")
    redirects = [b for b in draft.blocks if isinstance(b, Bullets)]
    for block in redirects:  # what other regions pay, only rows with a figure
        assert all(item.spans[0].source in [source_of(m) for m in model.measures if tables.has_figure(m)]
                   for item in block.items)


# ----------------------------------------------------------------- compare

def test_a_comparison_is_a_table_of_each_regions_rows_with_document_status(understand, tables, model, templates):
    draft = tables.compare(understand("坪安和新乡的取景补贴有什么区别？"))
    assert draft.verdict is Verdict.ANSWERED
    (table,) = [b for b in draft.blocks if isinstance(b, Table)]
    assert table.columns == tuple(templates.items("columns_compare"))
    expected = model.measures_for(["坪安", "新乡"], ["取景拍摄"])
    assert [r.source for r in table.rows] == [source_of(m) for m in expected]
    assert [(r.cells[0], r.cells[-1]) for r in table.rows] == [
        (model.regions.label("坪安"), "征求意见稿"), (model.regions.label("新乡"), "新闻报道")]


def test_which_region_gives_more_opens_with_each_ones_highest_sum_and_the_higher(understand, tables, model, templates):
    draft = tables.compare(understand("坪安和新乡的取景补贴哪个高？"))
    (finding,) = draft.subject_findings
    first = finding.sentence.spans
    assert first[0].text == templates("compare_higher", region=model.regions.label("坪安"))
    assert "30万元" in first[1].text and "8万元" in first[2].text  # 坪安's cap, then 新乡's sum
    assert [first[1].source, first[2].source] == [
        source_of(m) for r in ("坪安", "新乡") for m in rows(model, r, "取景拍摄")[:1]]


def test_which_gives_more_has_no_verdict_when_a_region_states_no_sum(understand, tables):
    draft = tables.compare(understand("坪安和新乡的住宿哪个给得多？"))
    assert not draft.subject_findings  # 坪安's lodging states no sum: nothing to set beside


def test_which_gives_more_says_when_only_one_region_states_a_sum(understand, tables, model, templates):
    draft = tables.compare(understand("坪安和新乡的出海补贴哪个多？"))
    (finding,) = draft.subject_findings
    spans = finding.sentence.spans
    assert spans[0].text == templates("compare_only", region=model.regions.label("新乡"))
    assert spans[1].source == source_of(rows(model, "新乡", "出海")[0])
    assert templates("compare_no_rows", region=model.regions.label("坪安")) in [s.text for s in spans]


def test_a_gap_in_a_region_with_few_measures_says_what_its_texts_do_say(understand, tables, model, templates):
    draft = tables.list(understand("澜湖有住宿补贴吗？"))
    assert draft.verdict is Verdict.NOT_COVERED
    said = templates("region_has", region=model.regions.label("澜湖"), topics=model.topics.name("拍摄基地"))
    assert Paragraph.of(said) in draft.blocks  # its topics named, none of its figures beside the gap


def test_a_scenario_on_a_topic_the_region_has_nothing_on_is_a_region_gap(understand, tables, templates):
    draft = tables.scenario(understand("我们5个人去新乡拍，有没有像坪安那样的住宿支持？"))
    (finding,) = draft.subject_findings
    assert finding.kind is Found.NOT_IN_TEXTS and draft.verdict is Verdict.NOT_COVERED


def test_a_comparison_of_a_cost_ratio_with_a_fixed_amount_warns_they_differ(understand, tables, templates, text_of):
    draft = tables.compare(understand("坪安和新乡的取景补贴有什么区别？"))
    assert templates("cost_ratio_note") in text_of(draft)


# ----------------------------------------------------------------- scenarios (补贴测算)

def sections(draft) -> dict[str, list[Source]]:
    """Verdict section title → the sources of its items."""
    found = {}
    for block in draft.blocks:
        if isinstance(block, Bullets) and block.title:
            found[block.title] = [item.spans[0].source for item in block.items]
    return found


def section_title(templates, key: str, count: int) -> str:
    return templates("scenario_section", label=templates(key), count=count)


def test_a_scenario_opens_with_the_verdicts_on_the_figures_asked_in_the_order_asked(understand, tables, model):
    # 5万 (national script award: the script was only selected at province level) is asked first
    draft = tables.scenario(understand("我们坪安注册的公司，剧本入选省级扶持项目，取景比例70%，能拿5万和30万吗？"))
    opened = [f.sentence.spans[0].source for f in draft.subject_findings]
    national, filming = rows(model, "坪安", "剧本")[0], rows(model, "坪安", "取景拍摄")[0]
    assert opened[:2] == [source_of(national), source_of(filming)]
    assert draft.subject_findings[0].kind is Found.NOT_MET


def test_a_scenario_sorts_measures_into_applies_and_to_confirm(understand, tables, model, templates):
    intent = understand("我们的剧本入选了国家级扶持项目，公司在坪安注册，能拿哪些补贴？")
    found = sections(tables.scenario(intent))
    national, provincial = rows(model, "坪安", "剧本")
    # a 国家级 selection counts for the 省级 measure too (a higher level satisfies a lower one)
    assert found[section_title(templates, "scenario_applies", 2)] == [source_of(national), source_of(provincial)]
    maybe = found[section_title(templates, "scenario_maybe", 2)]
    assert source_of(rows(model, "坪安", "企业落户")[0]) in maybe  # new company? capital? to confirm


def test_a_scenario_lists_a_measure_whose_condition_fails_as_not_applicable_with_the_reason(
        tables, model, templates, text_of):
    draft = tables.report(ProducerProfile(regions=["坪安"], company="new", capital_wan=50))
    (new_company,) = rows(model, "坪安", "企业落户")
    no = sections(draft)[section_title(templates, "scenario_no", 1)]
    assert no == [source_of(new_company)]
    assert "注册资本不低于100万元" in text_of(draft)  # the failing condition, in the text's words


def test_a_scenario_names_the_stated_facts_in_the_bots_own_words(tables, templates, text_of):
    draft = tables.report(ProducerProfile(regions=["坪安"], company="new", capital_wan=50))
    assert templates("fact_new_company") in text_of(draft)
    assert "50" not in text_of(draft).split("\n")[0]  # the user's figures are not repeated


def test_a_scenario_never_totals_what_applies(tables, templates, text_of):
    draft = tables.report(ProducerProfile(regions=["坪安"], script_selected_by="国家级", registered_in="坪安"))
    assert templates("scenario_note") in text_of(draft)


def test_a_scenario_checks_the_measures_of_the_province_the_region_lies_in(tables, model):
    verdicts = tables.verdicts(ProducerProfile(regions=["坪安"], company="new"))
    assert {v.measure.region for v in verdicts} == {"坪安", "浙江"}


# ----------------------------------------------------------------- totals

def test_a_total_lists_every_row_and_contains_no_sum(understand, tables, model):
    intent = understand("在坪安拍剧，所有补贴加起来一共能拿多少？")
    draft = tables.list(intent)
    assert draft.kind == "table:total"
    assert set(draft.sources()) == {source_of(m) for m in rows(model, "坪安")}
    rendered = render(draft, model)
    # every figure in the answer is one a cited quote states: no invented total
    assert unsupported_figures(rendered.text, [c.quote for c in rendered.citations]) == []


def test_a_region_question_with_no_region_named_gets_an_overview_by_topic(understand, tables, model, text_of):
    draft = tables.list(understand("有哪些扶持政策？"))
    assert draft.kind == "table:overview"
    for region in ("坪安", "新乡", "澜湖", "浙江"):
        assert model.regions.label(region) in text_of(draft)
