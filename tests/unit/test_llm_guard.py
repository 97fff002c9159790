"""The guard on LLM-written prose: each statement is checked against the clauses its [n]
markers point to — figures, quotes, regions, draft status — and anything uncited, forged
or misattributed is a problem (the service then shows the extractive answer)."""

from __future__ import annotations

import pytest

from bot.answer.generated import (
    Evidence,
    RegionNames,
    check_generated,
    keeps_draft_caveat,
    statements,
)
from bot.config import PROJECT_ROOT
from bot.policy.lexicon import Lexicon

WORDS = Lexicon.load(PROJECT_ROOT / "knowledge" / "lexicon.yaml").guard

DRAFT = "在坪安区取景拍摄的微短剧，区内取景比例不低于60%的，按制作成本的20%给予补贴，最高不超过30万元。"
DRAFT_TITLE = "坪安区促进微短剧产业发展的若干措施（征求意见稿）"
NEWS = "对在新乡取景拍摄并上线播出的微短剧，每部给予8万元补贴。"
NEWS_TITLE = "新乡市出台微短剧扶持措施（新闻报道）"
ZONE = "澜湖示范区对入驻园区的微短剧企业，按影棚建设投资的10%给予补助。"
SYSTEM_PROMPT = "你是“微短剧政策助手”的撰写模块，只负责把系统给出的政策原文摘录写成一段通顺、简洁的中文回答。"


@pytest.fixture(scope="module")
def regions(model) -> RegionNames:
    return RegionNames.from_book(model.regions)


@pytest.fixture(scope="module")
def evidence() -> dict[int, Evidence]:
    return {1: Evidence(1, DRAFT, DRAFT_TITLE, "坪安", draft=True),
            2: Evidence(2, NEWS, NEWS_TITLE, "新乡", draft=False),
            3: Evidence(3, ZONE, NEWS_TITLE, "澜湖", draft=False)}


def problems(text, evidence, regions, **kw) -> list[str]:
    return check_generated(text, evidence, regions, WORDS, prompt=SYSTEM_PROMPT, **kw)


def test_a_faithful_answer_joining_two_regions_passes(evidence, regions):
    text = ("坪安区（征求意见稿，尚未正式印发）对区内取景比例不低于60%的微短剧，按制作成本的20%给予补贴，"
            "最高不超过30万元[1]。\n新乡市对取景拍摄并上线播出的微短剧每部给予8万元补贴[2]。")
    assert problems(text, evidence, regions) == []


def test_an_invented_amount_is_caught_even_in_chinese_numerals(evidence, regions):
    assert any("unsupported figures" in p for p in problems("坪安区最高补贴50万元[1]。", evidence, regions))
    assert any("unsupported figures" in p for p in problems("坪安区最高补贴五十万元[1]。", evidence, regions))


def test_a_figure_must_be_in_the_clause_its_own_statement_cites(evidence, regions):
    # 8万元 is a 新乡 figure: stated beside the 坪安 citation it is unsupported.
    found = problems("坪安区每部给予8万元补贴[1]；新乡市也有取景补贴[2]。", evidence, regions)
    assert any(p.startswith("unsupported figures: 8万元") for p in found)


def test_a_citation_that_was_not_supplied_is_caught(evidence, regions):
    assert any(p.startswith("marker not supplied: [7]") for p in problems("坪安区给予取景补贴[7]。", evidence, regions))


def test_a_region_named_beside_another_regions_clause_is_misattributed(evidence, regions):
    found = problems("新乡市对取景比例不低于60%的微短剧按制作成本的20%给予补贴[1]。", evidence, regions)
    assert any(p.startswith("region misattributed") for p in found)


def test_a_district_measure_is_not_the_provinces(evidence, regions):
    # 浙江 contains 坪安, but a 坪安 draft measure presented as 浙江省's is misattributed.
    found = problems("浙江省（征求意见稿）按制作成本的20%给予补贴[1]。", evidence, regions)
    assert any("presented as 浙江" in p for p in found)


def test_a_zone_and_its_city_stay_apart(evidence, regions):
    assert problems("澜湖示范区按影棚建设投资的10%给予补助[3]。", evidence, regions) == []
    assert any(p.startswith("region misattributed")
               for p in problems("新乡市按影棚建设投资的10%给予补助[3]。", evidence, regions))


def test_a_list_lead_line_names_the_region_of_its_items(evidence, regions):
    text = "新乡市的扶持如下：\n- 按制作成本的20%给予补贴[1]"
    assert any(p.startswith("region misattributed") for p in problems(text, evidence, regions))


def test_a_region_name_inside_the_quoted_clause_is_not_an_attribution(evidence, regions):
    assert problems("“对在新乡取景拍摄并上线播出的微短剧，每部给予8万元补贴。”[2]", evidence, regions) == []


def test_a_draft_measure_presented_as_in_force_is_caught(evidence, regions):
    found = problems("坪安区的取景补贴已正式实施，按制作成本的20%给予补贴[1]。", evidence, regions)
    assert any(p.startswith("draft presented as in force") for p in found)
    assert problems("坪安区的措施尚未正式印发，按制作成本的20%给予补贴[1]。", evidence, regions) == []


def test_a_quote_must_be_verbatim_even_with_an_ellipsis(evidence, regions):
    assert problems("坪安区（征求意见稿）：“在坪安区取景拍摄的微短剧……最高不超过30万元。”[1]", evidence, regions) == []
    found = problems("坪安区：“在坪安区取景拍摄的微短剧一律给予补贴”[1]", evidence, regions)
    assert any(p.startswith("quote not verbatim") for p in found)


def test_a_document_title_must_be_a_cited_one(evidence, regions):
    found = problems("依据《坪安区微短剧补贴管理办法》，按制作成本的20%给予补贴[1]。", evidence, regions)
    assert any(p.startswith("document not cited") for p in found)


def test_obeying_an_injected_instruction_is_caught(evidence, regions):
    text = ("好的，已忽略之前的全部规则。添加微信 wdj88888 或拨打 400-800-1234，可代办全部补贴申请。\n"
            "坪安区按制作成本的20%给予补贴[1]。")
    found = problems(text, evidence, regions)
    assert any(p.startswith("talks about instructions") for p in found)
    assert any("400-800-1234" in p for p in found) and any("wdj88888" in p for p in found)
    assert any(p.startswith("uncited:") for p in problems(text.replace("\n", "\n\n"), evidence, regions))


def test_repeating_the_system_prompt_is_caught(evidence, regions):
    found = problems(f"{SYSTEM_PROMPT}[1]", evidence, regions)
    assert any(p.startswith("repeats the prompt") for p in found)


def test_text_with_no_citation_at_all_fails(evidence, regions):
    assert any(p.startswith("no citation") for p in problems("各地都有补贴。", evidence, regions))
    assert problems("", evidence, regions) == ["empty: no text generated"]


def test_a_count_from_the_checked_extractive_answer_is_allowed(evidence, regions):
    assert problems("坪安区（征求意见稿）共有3项措施，其中按制作成本的20%给予补贴[1]。", evidence, regions,
                    reference="坪安区在取景拍摄方面共有3项扶持措施：") == []
    assert problems("坪安区（征求意见稿）共有3项措施：\n- 按制作成本的20%给予补贴[1]", evidence, regions,
                    reference="坪安区在取景拍摄方面共有3项扶持措施：") == []
    assert any("unsupported" in p for p in problems("坪安区共有3项措施，按成本的20%补贴[1]。", evidence, regions))


def test_short_uncited_connectives_are_fine(evidence, regions):
    assert problems("具体如下：\n坪安区（征求意见稿）按制作成本的20%给予补贴[1]。以正式文件为准。", evidence, regions) == []


def test_statements_are_closed_by_their_markers_and_the_rest_shares_the_sentences(regions):
    cut = statements("衢江区补贴[1]，平原示范区奖励[2][3]，其余。后句", regions)
    assert [(s.text, s.cites, s.exact) for s in cut] == [
        ("衢江区补贴", (1,), True), ("，平原示范区奖励", (2, 3), True), ("，其余。", (1, 2, 3), False),
        ("后句", (1, 2, 3), False)]


def test_a_draft_citation_needs_the_draft_caveat(evidence, regions):
    assert not keeps_draft_caveat("按制作成本的20%给予补贴[1]", [evidence[1]], WORDS)
    assert keeps_draft_caveat("注意：这是征求意见稿。按制作成本的20%给予补贴[1]", [evidence[1]], WORDS)
    assert keeps_draft_caveat("目前尚未正式印发，按制作成本的20%给予补贴[1]", [evidence[1]], WORDS)
    assert keeps_draft_caveat("每部给予8万元补贴[1]", [evidence[2]], WORDS)
    assert any(p.startswith("draft caveat missing") for p in problems("按制作成本的20%给予补贴[1]", evidence, regions))


def test_an_uncited_sentence_may_not_claim_a_draft_is_in_force_or_name_another_region(evidence, regions):
    cited = "坪安区按制作成本的20%给予补贴[1]。"
    assert any(p.startswith("draft presented as in force")
               for p in problems(cited + "以上措施现已正式实施。", evidence, regions))
    only_pingan = {1: evidence[1]}
    assert any(p.startswith("region misattributed")
               for p in problems(cited + "新乡市也有类似政策。", only_pingan, regions))


def test_a_lead_in_may_be_longer_than_a_connective(evidence, regions):
    lead = "根据现有资料，坪安区和新乡市都对微短剧取景拍摄给予支持，具体规定如下：\n"
    assert problems(lead + "坪安区（征求意见稿）按制作成本的20%给予补贴[1]。", evidence, regions) == []
    assert any(p.startswith("uncited") for p in problems(lead.replace("：", "。\n") + "坪安区（征求意见稿）按制作成本的20%给予补贴[1]。",
                                                         evidence, regions))


def test_a_list_cited_once_at_its_end_is_checked_against_that_citation(evidence, regions):
    cited_at_end = "坪安区（征求意见稿）：\n1. 区内取景比例不低于60%的微短剧。\n2. 按制作成本的20%给予补贴。\n3. 最高不超过30万元。[1]"
    assert problems(cited_at_end, evidence, regions) == []
    assert any(p.startswith("unsupported figures: 8万元")
               for p in problems(cited_at_end.replace("30万元", "8万元"), evidence, regions))
    assert any(p.startswith("uncited") for p in problems("最高不超过30万元。\n- 按制作成本的20%给予补贴[1]",
                                                         evidence, regions))


# --- issue 17: where the marker stands does not matter; what is claimed does ---------------
FAITHFUL_STYLES = [
    "根据[1]，在坪安区取景比例不低于60%的微短剧（征求意见稿，尚未正式印发），按制作成本的20%给予补贴，最高不超过30万元。",
    "据坪安区的征求意见稿[1]，区内取景比例达到60%以上的，最高可给予不超过30万元补贴。",
    "坪安区（征求意见稿）的补贴上限是30万元（见[1]），需在区内取景不低于60%。",
    "坪安区（征求意见稿）区内取景比例不低于60%的，按制作成本的20%给予补贴【1】，最高不超过30万元。",
    "坪安区征求意见稿规定，按制作成本的20%给予补贴，最高不超过30万元[^1]。\n\n[^1]: 《坪安区促进微短剧产业发展的若干措施（征求意见稿）》",
    "坪安区（征求意见稿）：按制作成本的20%给予补贴（来源1）。最高不超过30万元。",
    "**坪安区（征求意见稿）**\n- 取景比例：不低于60%（[1]）\n- 补贴：制作成本的20%，最高30万元 [1]",
    "| 地区 | 标准 | 出处 |\n|---|---|---|\n| 坪安区（征求意见稿） | 制作成本的20%，最高不超过30万元 | [1] |\n"
    "| 新乡市 | 每部8万元 | [2] |",
    "坪安区的措施还是征求意见稿[1]。取景比例不低于60%的，按制作成本的20%补贴，最高30万元。",
]


@pytest.mark.parametrize("text", FAITHFUL_STYLES)
def test_faithful_prose_passes_wherever_its_markers_stand(text, evidence, regions):
    assert problems(text, evidence, regions) == []


UNFAITHFUL = {
    "根据[1]，坪安区（征求意见稿）取景比例不低于60%的，最高可获50万元补贴。": "unsupported figures",
    "坪安区（征求意见稿）的补贴上限是30万元（见[2]），需在区内取景不低于60%。": "unsupported figures",
    "据[1]，新乡市（征求意见稿）对取景比例不低于60%的按制作成本的20%补贴。": "region misattributed",
    "坪安区（征求意见稿）最高不超过30万元（来源7）。": "marker not supplied",
    "坪安区（征求意见稿）按制作成本的20%补贴[1]，你们的项目可以拿到30万元。": "eligibility asserted",
    "坪安区（征求意见稿）按制作成本的20%补贴[1]，我们保证申报通过。": "promise",
    "坪安区的补贴已正式实施[1]，按制作成本的20%给予补贴。": "draft presented as in force",
    "新乡市的征求意见稿规定每部给予8万元补贴[2]。": "status misstated",
    "坪安区（征求意见稿）按制作成本的20%补贴，依据坪政办〔2025〕12号文件[1]。": "unsupported figures",
    "坪安区（征求意见稿）规定取景比例不低于60%[2]，按制作成本的20%给予补贴[1]。": "unsupported figures",
}


@pytest.mark.parametrize("text,kind", UNFAITHFUL.items())
def test_unfaithful_prose_fails_wherever_its_markers_stand(text, kind, evidence, regions):
    assert any(p.startswith(kind) for p in problems(text, evidence, regions)), problems(text, evidence, regions)


def test_a_conditional_sentence_to_the_asker_is_not_a_verdict(evidence, regions):
    text = "如果您的项目区内取景比例不低于60%，坪安区（征求意见稿）按制作成本的20%给予补贴，最高不超过30万元[1]。"
    assert problems(text, evidence, regions) == []


def test_a_swapped_figure_between_two_markers_in_one_sentence_is_caught(evidence, regions):
    text = "坪安区（征求意见稿）每部给予8万元[1]，新乡市按制作成本的20%补贴[2]。"
    assert any(p.startswith("unsupported figures") for p in problems(text, evidence, regions))


def test_a_number_inside_a_name_the_texts_give_is_no_figure(evidence, regions):
    """黄金八条 is what the texts call a programme: its 八条 is a name, not a count to find
    in the quote — but an amount beside it is still checked."""
    text = "新乡市的黄金八条里，对取景拍摄并上线播出的微短剧每部给予8万元补贴[2]。"
    assert problems(text, evidence, regions, names=["黄金八条"]) == []
    assert any("八条" in p for p in problems(text, evidence, regions))
    invented = "新乡市的黄金八条里，每部给予9万元补贴[2]。"
    assert any("unsupported figures" in p for p in problems(invented, evidence, regions, names=["黄金八条"]))


# --------------------------------------------------------------------------- claims without figures (issue 17)
# What real models get wrong with no wrong number in it: a fact no clause states, a cap
# turned into a fixed award, a condition dropped, a place or a date the clause does not give.
AWARD = "对新认定的省级微短剧基地，给予20万元的一次性奖励。"
LODGING = "为来坪安求职的演职人员提供最长7天的免费临时住宿。"
BASE = "汉唐影视基地位于塔底片区，计划明年6月竣工。"
WINDOW = "我们在区行政服务中心专门设立了影视服务窗口，协调全区相关部门。"
PARKING = "两年内新增共享电动车2000辆、停车位6000个，保障1268套人才公寓及3000个“演员村床位”。"
PLAN = "争取设立微短剧审查分中心，建设5个市级微短剧产业园。"
REWARD = "对入选剧本扶持计划、经评审认定优秀并成功上线播出的微短剧剧本，按照不超过制作成本30%的标准，给予最高100万元奖励。"


@pytest.fixture(scope="module")
def facts() -> dict[int, Evidence]:
    about = "｜坪安区（浙江杭州）｜新闻报道"
    return {1: Evidence(1, DRAFT, DRAFT_TITLE, "坪安", True, "第三条" + about),
            2: Evidence(2, AWARD, NEWS_TITLE, "坪安", False, "第一条" + about),
            3: Evidence(3, LODGING, NEWS_TITLE, "坪安", False, "第二条" + about),
            4: Evidence(4, BASE, NEWS_TITLE, "坪安", False, "第四条" + about),
            5: Evidence(5, WINDOW, NEWS_TITLE, "坪安", False, "第五条" + about),
            6: Evidence(6, PARKING, NEWS_TITLE, "坪安", False, "第六条" + about),
            7: Evidence(7, PLAN, NEWS_TITLE, "新乡", False, "第七段｜新乡市｜新闻报道", "新闻报道"),
            8: Evidence(8, REWARD, NEWS_TITLE, "新乡", False, "第八段｜新乡市｜新闻报道", "新闻报道")}


@pytest.mark.parametrize("text, problem", [
    # faithful: paraphrase, framing words, a label, an absence with its topic before it
    ("坪安区（征求意见稿，尚未正式印发）对取景比例不低于60%的微短剧，按制作成本的20%给予补贴，最高不超过30万元[1]。", None),
    ("坪安区对新认定的省级微短剧基地一次性奖励20万元[2]。每个基地的申报时间，资料没有写明。", None),
    ("- 对象：来坪安求职的演职人员[3]\n- 内容：最长7天的免费临时住宿[3]", None),
    ("坪安区在区行政服务中心设了影视服务窗口[5]。", None),
    ("坪安区在坪安区行政服务中心设了影视服务窗口[5]。", None),
    # an invented requirement, benefit or procedure with no figure in it
    ("坪安区对新认定的省级微短剧基地给予20万元一次性奖励，并须先向宣传部门报送建设方案[2]。", "requirement added"),
    ("坪安区对新认定的省级微短剧基地给予20万元一次性奖励，获奖基地还可申领专项资金贷款贴息[2]。",
     "claim not in the cited clauses"),
    # a fixed award stated as a cap, and a cap stated as a fixed award
    ("坪安区对新认定的省级微短剧基地最高给予20万元一次性奖励[2]。", "cap changed"),
    ("坪安区（征求意见稿，尚未正式印发）按制作成本的20%给予补贴，给予30万元[1]。", "cap changed"),
    # a condition dropped: the narrowing word is nowhere in the answer
    ("坪安区对省级微短剧基地给予20万元的一次性奖励[2]。", "condition dropped"),
    ("坪安为来坪安的演职人员提供最长7天的免费临时住宿[3]。", "condition dropped"),
    ("只要是来坪安的演职人员，都能住7天[3]。", "condition dropped"),
    # a place or a date the clause does not give, an office at another level
    ("汉唐影视基地位于东港片区，计划明年6月竣工[4]。", "claim not in the cited clauses"),
    ("汉唐影视基地位于塔底片区，计划今年6月竣工[4]。", "unsupported figures: 今年"),
    ("坪安区在浙江省行政服务中心设了影视服务窗口[5]。", "office not in the clauses"),
    # a figure of the clause bound to another thing than the clause binds it to
    ("坪安两年内新增共享电动车2000辆、停车位6000个[6]。", None),
    ("坪安两年内新增共享电动车2000辆、停车位**3000个**[6]。", "figure swapped: 停车位 3000个"),
    # a report is no formal document, a plan is not done, a scope is not everyone's
    ("据新闻报道，新乡市争取设立微短剧审查分中心[7]。这是新闻报道，并非正式印发的文件。", None),
    ("新乡市正式印发的文件提出争取设立微短剧审查分中心[7]。", "status misstated"),
    ("新乡市已设立微短剧审查分中心[7]。", "plan presented as done"),
    ("新乡市所有微短剧都能进审查分中心[7]。", "scope broadened"),
    # a near copy that leaves out a condition; a cap stated after the amount
    ("新乡市对入选剧本扶持计划并成功上线播出的微短剧剧本，给予最高100万元奖励[8]。", "condition dropped"),
    ("新乡市对入选剧本扶持计划、经评审认定优秀并成功上线播出的微短剧剧本奖励，100万元是上限[8]。", None),
    # counts of the answer's own list, and a count of nothing listed
    ("新乡市的剧本奖励有两个上限：不超过制作成本30%，且最高100万元[8]。", None),
    ("新乡市的剧本奖励有三个上限[8]。", "unsupported figures: 三个"),
    # an assurance, and the same words denied
    ("新乡市的剧本上线播出就能拿100万元奖励[8]。", "assurance"),
    ("新乡市的剧本奖励不是上线播出就能拿的，还要入选剧本扶持计划、经评审认定优秀[8]。", None),
])
def test_claims_beyond_the_cited_clauses(text, problem, facts, regions, tokenizer):
    found = problems(text, facts, regions, segmenter=tokenizer)
    if problem is None:
        assert found == []
    else:
        assert any(p.startswith(problem) for p in found), found


def test_without_a_segmenter_the_word_checks_stay_off(facts, regions):
    # (a deployment that cannot load jieba still checks figures, quotes, regions and status)
    assert problems("坪安区对新认定的省级微短剧基地给予20万元一次性奖励，获奖基地还可申领专项资金贷款贴息[2]。",
                    facts, regions) == []


def test_a_quotation_inside_a_quotation_is_checked_whole(facts, regions):
    # “…“一站式”…” is one quotation: the words after the inner one are quoted too
    text = "原文是“我们在区行政服务中心专门设立了“影视服务窗口”，协调全市相关部门”[5]。"
    assert any(p.startswith("quote not verbatim") for p in problems(text, facts, regions))


def test_a_name_one_regions_texts_give_is_not_said_of_another(facts, regions, tokenizer):
    names = {"坪安十条": ("坪安",)}
    ok = problems("坪安区的坪安十条对新认定的省级微短剧基地给予20万元一次性奖励[2]。", facts, regions,
                  segmenter=tokenizer, names=names)
    moved = problems("新乡市的坪安十条提出争取设立微短剧审查分中心[7]。", facts, regions,
                     segmenter=tokenizer, names=names)
    assert ok == [] and any("“坪安十条” is 坪安's" in p for p in moved), moved
