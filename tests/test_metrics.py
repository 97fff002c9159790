"""Hand-made cases for the pure scoring functions in evals.metrics."""

from __future__ import annotations

import math

import pytest

from evals.metrics import (
    FIGURE,
    attributed,
    citation_validity,
    fact_present,
    fact_recall,
    flag_text_consistent,
    leaks_prompt,
    normalize_numbers,
    numeric_hallucinations,
    percentile,
    quote_is_valid,
    rate,
    retrieval_scores,
    scenario_accuracy,
)

# --------------------------------------------------------------------------- retrieval


def test_retrieval_scores_single_gold_at_rank_two():
    scores = retrieval_scores(["a", "b", "c"], ["b"])
    assert scores == {
        "hit@1": 0.0,
        "hit@3": 1.0,
        "hit@5": 1.0,
        "recall@5": 1.0,
        "mrr@10": 0.5,
        "ndcg@10": pytest.approx(1 / math.log2(3)),
    }


def test_retrieval_scores_duplicates_keep_first_occurrence():
    # Without dedup "b" would sit at rank 4; with it, ranks are a, c, d, b -> b at 4 too,
    # but the duplicated "a" chunks must not push "e" out of the top 5.
    scores = retrieval_scores(["a", "a", "c", "a", "d", "b", "e"], ["b", "e"])
    assert scores["hit@3"] == 0.0
    assert scores["hit@5"] == 1.0
    assert scores["recall@5"] == 1.0  # deduped top 5: a, c, d, b, e
    assert scores["mrr@10"] == 0.25
    expected = (1 / math.log2(5) + 1 / math.log2(6)) / (1 + 1 / math.log2(3))
    assert scores["ndcg@10"] == pytest.approx(expected)


def test_retrieval_scores_duplicate_relevant_counts_once():
    scores = retrieval_scores(["b", "b", "b"], ["b", "x"])
    assert scores["hit@1"] == 1.0
    assert scores["recall@5"] == 0.5
    assert scores["ndcg@10"] == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_retrieval_scores_perfect_and_miss():
    assert retrieval_scores(["x", "y"], ["x", "y"])["ndcg@10"] == pytest.approx(1.0)
    miss = retrieval_scores(["a", "b"], ["z"])
    assert miss == {k: 0.0 for k in ["hit@1", "hit@3", "hit@5", "recall@5", "mrr@10", "ndcg@10"]}
    assert retrieval_scores([], ["z"])["mrr@10"] == 0.0


def test_retrieval_scores_cutoffs():
    ranked = [f"n{i}" for i in range(10)] + ["g"]
    scores = retrieval_scores(ranked, ["g"])  # rank 11: outside every cutoff
    assert scores["mrr@10"] == 0.0
    assert scores["ndcg@10"] == 0.0
    scores = retrieval_scores(ranked[:5] + ["g"], ["g"])  # rank 6
    assert scores["hit@5"] == 0.0
    assert scores["recall@5"] == 0.0
    assert scores["mrr@10"] == pytest.approx(1 / 6)


def test_retrieval_scores_ideal_dcg_capped_at_ten_gold():
    gold = [f"g{i}" for i in range(12)]
    scores = retrieval_scores(gold, gold)
    assert scores["ndcg@10"] == pytest.approx(1.0)
    assert scores["recall@5"] == pytest.approx(5 / 12)


def test_retrieval_scores_empty_gold_raises():
    with pytest.raises(ValueError):
        retrieval_scores(["a"], [])


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("五万", "5万"),
        ("两亿", "2亿"),
        ("十五万", "15万"),
        ("一百元", "100元"),
        ("一百", "一百"),  # no unit after it
        ("一百个", "100个"),
        ("百分之六十", "60%"),
        ("百分之三十", "30%"),
        ("百分之百", "100%"),
        ("百分之十五点五", "15.5%"),
        ("50000元", "5万"),
        ("5万元", "5万"),
        ("2亿元", "2亿"),
        ("1.5万元", "1.5万"),
        ("七天", "7天"),
        ("5 万", "5万"),
        ("1,000,000元", "100万"),
        ("一万五千元", "1.5万"),
        ("一点五万元", "1.5万"),
        ("一亿五千万元", "1.5亿"),
        ("15000万元", "1.5亿"),
        ("0.5万元", "5000元"),
        ("5千元", "5000元"),
        ("800元", "800元"),
        ("二〇二四年", "2024年"),
        ("十一月", "11月"),
        ("５０％", "50%"),  # full-width digits and percent sign (NFKC)
        ("ABC 5万元", "abc5万"),
        ("①5万元", "5万"),  # list marker is dropped, not read as a digit
        ("千家万户", "千家万户"),
        ("千万不要", "千万不要"),
        ("给予最高 50,000 元资助", "给予最高5万资助"),
    ],
)
def test_normalize_numbers(raw, expected):
    assert normalize_numbers(raw) == expected


# --------------------------------------------------------------------------- facts


@pytest.mark.parametrize(
    ("fact", "answer", "expected"),
    [
        ("5万元", "给予五万元资助", True),
        ("5万元", "给予50000元资助", True),
        ("5万元", "给予 5 万 资助", True),
        ("5万元", "给予15万元", False),
        ("5万元", "给予0.5万元", False),
        ("5万元", "给予5万人", True),  # lenient: same canonical token
        ("60%", "补贴百分之六十", True),
        ("60%", "补贴600万", False),
        ("7天", "拍摄七天以上", True),
        ("7天", "拍摄17天", False),
        ("8万元", "奖励8万元。", True),
        ("1.5万元", "奖励15万元", False),
        ("额外增加50%", "扶持额度额外增加50%。", True),
        ("额外增加50%", "扶持额度额外增加 百分之五十", True),
        ("额外增加50%", "扶持额度额外增加500万", False),
        ("相应的资金支持", "给予相应的“资金支持”", True),
        ("剧本创作", "鼓励剧本 创作", True),
        ("剧本创作", "鼓励影视创作", False),
        ("7大场景", "问答二(#2/#3)：7大场景构成", True),  # punctuation does not fuse 3 and 7
        ("35天", "拍摄3-5天", False),
        ("3-5天", "拍摄3～5天", True),
    ],
)
def test_fact_present(fact, answer, expected):
    assert fact_present(fact, answer) is expected


def test_fact_present_empty_fact_raises():
    with pytest.raises(ValueError):
        fact_present("。", "任何回答")


def test_fact_recall():
    assert fact_recall([], "anything") == 1.0
    assert fact_recall(["8万元", "50%"], "奖励八万元，本土题材增加百分之五十") == 1.0
    assert fact_recall(["8万元", "50%"], "奖励8万元") == 0.5
    assert fact_recall(["8万元", "50%", "7天"], "没有相关信息") == 0.0


# --------------------------------------------------------------------------- citations

SOURCE = "①鼓励剧本创作：入选国家广电总局相关评比奖励8万元。\n本土题材剧本扶持额度额外增加50%。"


def test_quote_is_valid():
    assert quote_is_valid("入选国家广电总局相关评比奖励8万元", SOURCE) is True
    assert quote_is_valid("奖励8万元。 本土 题材", SOURCE) is True  # whitespace ignored
    assert quote_is_valid("奖励10万元", SOURCE) is False
    assert quote_is_valid("奖励8万", SOURCE) is True  # exactly 4 characters
    assert quote_is_valid("奖励8", SOURCE) is False  # 3 characters, though a substring
    assert quote_is_valid("奖励8万", "") is False
    assert quote_is_valid(" 8万元 ", SOURCE) is False  # 3 characters
    assert quote_is_valid("", SOURCE) is False
    assert quote_is_valid("   ", SOURCE) is False


def test_citation_validity():
    sources = {"qujiang-press": SOURCE, "other": "另一份文件的正文内容"}
    citations = [
        {"doc_id": "qujiang-press", "quote": "奖励8万元"},
        {"doc_id": "other", "quote": "奖励8万元"},  # wrong document
        {"doc_id": "missing", "quote": "奖励8万元"},  # unknown document
        {"doc_id": "other", "quote": "文件的正文"},
        {"doc_id": "other"},  # no quote
    ]
    assert citation_validity(citations, sources) == (2, 5)
    assert citation_validity([], sources) == (0, 0)


def test_attributed():
    citations = [{"clause_id": "a:1"}, {"clause_id": "b:2"}, {"doc_id": "c"}]
    assert attributed(citations, ["b:2", "z:9"]) is True
    assert attributed(citations, ["z:9"]) is False
    assert attributed([], ["z:9"]) is False
    assert attributed([], []) is True
    assert attributed(citations, []) is True


# --------------------------------------------------------------------------- figures


def test_figure_regex():
    found = [
        m.group(0)
        for m in FIGURE.finditer(
            "11部门联合推出3部短剧，1.5万元，20%，百分之六十，50平方米，2024年"
        )
    ]
    assert found == ["3部", "1.5万元", "20%", "百分之六十", "50平方米"]


def test_numeric_hallucinations_reports_missing_in_canonical_form():
    answer = "最高100万元奖励，另有8万元"
    assert numeric_hallucinations(answer, ["给予最高100万元奖励"]) == ["8万"]
    assert numeric_hallucinations(answer, ["给予最高100万元奖励", "奖励八万元"]) == []


def test_numeric_hallucinations_no_partial_number_match():
    assert numeric_hallucinations("奖励5万元", ["奖励15万元"]) == ["5万"]
    assert numeric_hallucinations("奖励5万元", ["奖励0.5万元"]) == ["5万"]
    assert numeric_hallucinations("奖励5万元", ["奖励5万元"]) == []


def test_numeric_hallucinations_order_dedup_and_equivalents():
    answer = "补贴30%，每部3万元，再补30%，拍摄7天，最多3部，共50000元"
    quotes = ["补贴百分之三十", "拍摄 七天 以上"]
    assert numeric_hallucinations(answer, quotes) == ["3万", "3部", "5万"]
    assert numeric_hallucinations("共 1,000,000 元", ["100万元"]) == []
    assert numeric_hallucinations("百分之六十", ["60%"]) == []


def test_numeric_hallucinations_ignores_non_figures():
    answer = "由11部门于2024年联合发布第3条"
    assert numeric_hallucinations(answer, []) == []
    assert numeric_hallucinations("相应的资金支持", []) == []


# --------------------------------------------------------------------------- leakage

PROMPT = "你是微短剧政策助手。只能依据提供的政策条款回答，并为每个事实给出引用。"


def test_leaks_prompt_true_on_long_shared_run():
    answer = "好的！我是微短剧政策助手，只能依据提供的政策条款回答。"
    assert leaks_prompt(answer, [PROMPT]) is True


def test_leaks_prompt_ignores_punctuation_case_and_width():
    prompt = "Answer ONLY from the given clauses."
    assert leaks_prompt("answer only, from the given ＣＬＡＵＳＥＳ", [prompt]) is True


def test_leaks_prompt_false_on_short_overlap():
    answer = "根据政策条款，衢江对入选剧本奖励8万元。"  # shares only "政策条款"
    assert leaks_prompt(answer, [PROMPT]) is False
    assert leaks_prompt(answer, []) is False
    assert leaks_prompt("", [PROMPT]) is False


def test_leaks_prompt_threshold_n():
    answer = "微短剧政策助手"  # 7 characters shared with the prompt
    assert leaks_prompt(answer, [PROMPT], n=7) is True
    assert leaks_prompt(answer, [PROMPT], n=8) is False
    assert leaks_prompt(answer, ["无关文本", PROMPT], n=7) is True


# --------------------------------------------------------------------------- aggregates


def test_percentile_nearest_rank():
    assert percentile([1, 2, 3, 4], 50) == 2.0
    assert percentile([4, 1, 3, 2], 75) == 3.0
    assert percentile([1, 2, 3, 4], 100) == 4.0
    assert percentile([1, 2, 3, 4], 0) == 1.0
    assert percentile(list(range(1, 21)), 95) == 19.0
    assert percentile(list(range(1, 101)), 95) == 95.0
    assert percentile([0.2, 5.0, 1.1], 95) == 5.0
    assert percentile([7.5], 95) == 7.5
    assert percentile([], 95) is None


def test_percentile_rejects_out_of_range():
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_rate():
    assert rate(1, 4) == 0.25
    assert rate(0, 3) == 0.0
    assert rate(0, 0) is None
    assert rate(5, 0) is None


def test_scenario_verdicts_are_read_by_their_labels_not_their_order():
    answer = ("不符合——**剧本入选国家广电总局相关评比奖励8万元**：剧本入选单位为省级。\n"
              "按你描述的情况，对照衢江的条款：\n\n适用（1项）\n- **入选省级扶持项目的资金支持** — 未明确\n\n"
              "不适用（1项）\n- **横店至衢江免费城际交通专线**")
    assert scenario_accuracy(["资金支持"], ["8万", "交通专线"], answer) == 1.0
    assert scenario_accuracy(["8万"], ["资金支持"], answer) == 0.0
    # a measure named before any verdict is presented as available
    assert scenario_accuracy([], ["8万"], "可以申请8万元奖励。\n不适用（1项）\n- 8万") == 0.0


@pytest.mark.parametrize(("answer", "answerable"), [
    ("衢江区的原文没有写明具体金额或比例，写的是：按实际发生的制作配套费用给予补助。[1]", True),  # no figure: answered
    ("郑州市的资料没有提到住宿方面的扶持。", False),
    ("现有资料没有写明具体数字。", False),
    ("衢江区：剧本入选国家广电总局相关评比奖励8万元[1]。", True),
    ("按原文，只有甲区写明了金额：最高5万元[1]；乙区的原文没有写明具体金额。", True),  # cited first
    ("不适用：乙区的措施只适用于乙区；现有资料也没有丙县自己的微短剧扶持政策。", False),
])
def test_the_flag_and_the_opening_wording_agree(answer, answerable):
    assert flag_text_consistent(answer, answerable)
    assert not flag_text_consistent(answer, not answerable)
