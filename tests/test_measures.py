"""The subsidy table is faithful to the texts, complete, and drives 补贴测算 and comparisons."""

import json
import re

import pytest

from bot.config import PROJECT_ROOT
from bot.policy.eligibility import ProducerProfile
from bot.policy.model import SubsidyMeasure, load_rows
from bot.policy.regions import RegionBook
from bot.policy.validate import read_knowledge, stating_clauses_without_rows, validate_knowledge

pytestmark = pytest.mark.slow  # uses the real index (the `bot` fixture)

ELIGIBILITY = PROJECT_ROOT / "evals" / "datasets" / "eligibility.jsonl"
KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="module")
def book(bot):
    assert bot.measures is not None
    return bot.measures


def test_the_table_passes_bot_validate(book):
    """The checks `bot validate` runs (one function): quotes verbatim in their clauses,
    every figure of an entry in its quote, no figure where the text gives none, known
    documents, clauses, regions and topics — for every table file, shipped or added."""
    problems = [str(p) for p in validate_knowledge(KNOWLEDGE) if p.severity == "error"]
    assert problems == []


def test_every_clause_that_states_a_measure_has_an_entry():
    """For the documents of the reviewed table (measures.yaml); a document added later
    brings its own drafted rows and is checked by `bot validate`, not here."""
    knowledge = read_knowledge(KNOWLEDGE, RegionBook.load(KNOWLEDGE / "regions.yaml"), [])
    shipped = {m.doc_id for m in load_rows(KNOWLEDGE / "measures.yaml", SubsidyMeasure)}
    stating = {c for c in stating_clauses_without_rows(knowledge, shipped)
               if next(x.region for x in knowledge.clauses if x.clause_id == c) != "全国"
               and not c.endswith(("段1", "段2"))}
    # Clauses that only mention support in passing (background, speeches) are listed here on purpose.
    background = {"qujiang-press:问答一", "qujiang-press:问答一段1", "qujiang-press:问答一段3", "qujiang-press:问答三",
                  "qujiang-press:问答三(一是)", "zhejiang-news:段4", "zhengzhou-journal:段5",
                  "pingyuan-draft:二(一)", "qujiang-press:段4", "zhengzhou-journal:段7"}
    assert sorted(stating - background) == []


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
