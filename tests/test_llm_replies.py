"""Issue 17, gated: the guard on LLM replies written the way real chat models write them.

Every reply of ``evals/datasets/llm_replies*.jsonl`` is replayed by the fake
OpenAI-compatible server (``fake-corpus/<id>``) as the model's answer to the question it
was written for, through ChatOpenAI and the whole ask path. Faithful replies, in every
citation style, must be shown; unfaithful ones (a figure invented or changed, another
region's measure, a dropped condition, a "you qualify", an injected contact, a wrong
clause, a wrong status, an invented fact …) must be replaced by the extractive answer —
on each split of each corpus, at the rates of its gates in evals/gates.toml (``[replies]``
for llm_replies.jsonl, ``[replies2]`` for llm_replies2.jsonl: regression floors below
the issue's 0.95 / 1.0 target).
"""

from __future__ import annotations

import json

import pytest

from bot.config import PROJECT_ROOT, Settings
from evals import replies, runner
from evals.fake_llm import CORPORA, FakeLLMServer, replay

pytestmark = pytest.mark.slow  # the real index (the `bot` fixture)
GATES = PROJECT_ROOT / "evals" / "gates.toml"
NAMES = [path.name for path in CORPORA]


def read(name: str) -> list[dict]:
    text = (PROJECT_ROOT / "evals" / "datasets" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def measured(bot):
    """Every corpus, through one fake server: name → (results, metrics per split)."""
    with FakeLLMServer() as server:
        settings = Settings(openai_base_url=server.url, openai_api_key="test", llm_max_retries=0,
                            llm_timeout_seconds=10)
        try:
            yield {name: replies.run(bot, read(name), "openai:fake-corpus", settings=settings) for name in NAMES}
        finally:
            bot.use_llm(None)


def test_both_corpora_are_replayed():
    assert NAMES == ["llm_replies.jsonl", "llm_replies2.jsonl"]


@pytest.mark.parametrize("name", NAMES)
def test_each_corpus_covers_the_styles_and_the_mistakes_the_issue_asks_for(name):
    corpus = read(name)
    faithful = [i for i in corpus if i["faithful"]]
    unfaithful = [i for i in corpus if not i["faithful"]]
    assert len(faithful) >= 120 and len(unfaithful) >= 120
    assert len({i["kind"] for i in faithful}) >= 12
    assert len({i["qid"] for i in corpus}) >= 40
    assert {"dev", "test"} == {i["split"] for i in corpus}
    assert len({i["id"] for i in corpus}) == len(corpus)


def test_no_reply_id_is_in_two_corpora():
    ids = [i["id"] for name in NAMES for i in read(name)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_guard_meets_its_gates_on_each_split(measured, name, split):
    results, by_split = measured[name]
    gates = replies.load_gates(GATES, name)
    failures = runner.check_gates(by_split[split], gates)
    assert not failures, (failures, by_split[split]["wrong"])


def test_the_first_corpus_keeps_its_floors():
    # floors are raised as the guard improves, never lowered (evals/gates.toml)
    gates = replies.load_gates(GATES, "llm_replies.jsonl")
    assert gates["faithful_accepted"]["min"] >= 0.93 and gates["unfaithful_rejected"]["min"] >= 0.95


@pytest.mark.parametrize("name", NAMES)
def test_every_reply_reached_the_guard(measured, name):
    results, by_split = measured[name]
    assert by_split["all"]["replies_not_sent"] == 0 and by_split["all"]["replies_stale"] == 0
    assert {r.outcome for r in results} <= {"passed", "guard_failed"}


def test_a_replayed_reply_is_renumbered_to_the_prompt_and_a_drifted_one_is_stale():
    item = {"id": "x", "reply": "最高5万元[2]（来源1）【3】", "evidence": [{"n": 1, "quote": "甲"}, {"n": 2, "quote": "乙"}]}
    prompt = ("[1] 地区：A｜状态：正式文件｜文件：T｜条款：一\n原文：“乙”\n"
              "[2] 地区：A｜状态：正式文件｜文件：T｜条款：二\n原文：“甲”")
    assert replay(item, prompt) == "最高5万元[1]（来源2）【3】"  # [3] was never supplied: still not
    with pytest.raises(ValueError, match="not in the prompt"):
        replay(item, prompt.replace("原文：“甲”", "原文：“丙”"))
