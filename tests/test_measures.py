"""The subsidy table is faithful to the texts, complete, and drives 补贴测算 and comparisons."""

import json
import re

import pytest

from bot.config import PROJECT_ROOT
from bot.policy.eligibility import ProducerProfile

pytestmark = pytest.mark.slow  # uses the real index (the `bot` fixture)

ELIGIBILITY = PROJECT_ROOT / "evals" / "datasets" / "eligibility.jsonl"
# A clause states a measure when it grants money, a service or a facility to someone.
STATES_A_MEASURE = re.compile(r"给予|补助|补贴|资助|奖励|免费|扶持奖励|一事一议|基金|服务窗口|一站式服务|即申即享|微短剧贷")


@pytest.fixture(scope="module")
def book(bot):
    assert bot.measures is not None
    return bot.measures


def test_every_quote_is_verbatim_in_its_clause(book, bot):
    for m in book.measures:
        assert m.quote in bot.model.clause_texts[m.clause_id], m.id
        assert m.clause_id.startswith(m.doc_id + ":")


def test_every_number_in_an_entry_appears_in_its_quote(book):
    for m in book.measures:
        fields = json.dumps(m.model_dump(exclude={"quote", "id", "clause_id", "notes"}), ensure_ascii=False)
        for number in re.findall(r"\d+(?:\.\d+)?", fields):
            assert number in m.quote, (m.id, number)


def test_no_entry_supplies_a_figure_the_text_does_not_give(book):
    for m in book.measures:
        if "实际发生" in m.quote:
            assert m.benefit.amount == "按实际发生", m.id


def test_every_clause_that_states_a_measure_has_an_entry(book, bot):
    covered = {m.clause_id for m in book.measures}
    stating = {c.clause_id for c in bot.corpus.clauses
               if STATES_A_MEASURE.search(c.text) and c.region != "全国" and not c.clause_id.endswith(("段1", "段2"))}
    # Clauses that only mention support in passing (background, speeches) are listed here on purpose.
    background = {"qujiang-press:问答一", "qujiang-press:问答一段1", "qujiang-press:问答一段3", "qujiang-press:问答三",
                  "qujiang-press:问答三(一是)", "zhejiang-news:段4", "zhengzhou-journal:段5",
                  "pingyuan-draft:二(一)", "qujiang-press:段4", "zhengzhou-journal:段7"}
    missing = sorted(stating - covered - background)
    assert missing == []


def test_status_and_region_follow_the_documents(book, bot):
    regions = {c.clause_id: c.region for c in bot.corpus.clauses}
    for m in book.measures:
        assert m.region == regions[m.clause_id] or m.region in bot.model.regions.scope(regions[m.clause_id]), m.id


@pytest.mark.parametrize("case", [json.loads(x) for x in ELIGIBILITY.read_text(encoding="utf-8").splitlines()],
                         ids=lambda c: c["id"])
def test_eligibility_profiles(bot, case):
    result = bot.check(ProducerProfile(**case["profile"]))
    verdicts, report, citations = result.verdicts, result.report, result.citations
    got = {v.measure.id: v for v in verdicts}
    for measure_id, expected in case["expect"].items():
        if expected is None:
            assert measure_id not in got, f"{measure_id} is outside the profile's regions"
        else:
            assert got[measure_id].verdict == expected, (measure_id, got[measure_id].reasons)
            if expected == "no":
                assert got[measure_id].reasons, "a measure that does not apply names the failing condition"
    assert "合计" not in report.replace("不计算合计金额", "")
    assert citations and all(c.quote for c in citations)


def test_a_measure_without_a_figure_is_never_given_one(bot):
    report = bot.check(ProducerProfile(regions=["衢江"], shoot_share=100)).report
    line = next(x for x in report.splitlines() if "制作配套费用" in x)
    assert "按实际发生" in line and not re.search(r"\d+万", line)


@pytest.mark.parametrize(("question", "must"), [
    ("各地对微短剧出海有什么支持？", ["衢江", "深圳", "上海", "译制补贴", "翻译制作费用"]),
    ("衢江和平原示范区对企业落户的扶持有什么不同？", ["衢江", "平原示范区", "不同比例"]),
    ("深圳和平原示范区对剧本的奖励分别是多少？", ["100万元", "5万元", "30%", "征求意见稿"]),
])
def test_comparison_questions_get_a_cited_table(bot, question, must):
    a = bot.ask(question)
    assert a.answerable and a.kind == "table:compare"
    assert "| 地区 |" in a.answer
    for word in must:
        assert word in a.answer, word
    for c in a.citations:
        assert c.quote in bot.model.clause_texts[c.clause_id]
