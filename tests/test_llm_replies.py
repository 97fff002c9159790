"""Issue 17, gated: the guard on LLM replies written the way real chat models write them.

Every reply of ``evals/datasets/llm_replies.jsonl`` is replayed by the fake
OpenAI-compatible server (``fake-corpus/<id>``) as the model's answer to the question it
was written for, through ChatOpenAI and the whole ask path. Faithful replies, in every
citation style, must be shown; unfaithful ones (a figure invented or changed, another
region's measure, a dropped condition, a "you qualify", an injected contact, a wrong
clause, a wrong status …) must be replaced by the extractive answer — on each split, at
the rates of ``[replies]`` in evals/gates.toml (floors below the issue's 0.95 / 1.0 target).
"""

from __future__ import annotations

import json

import pytest

from bot.config import PROJECT_ROOT, Settings
from evals import replies, runner
from evals.fake_llm import CORPUS, FakeLLMServer, replay

pytestmark = pytest.mark.slow  # the real index (the `bot` fixture)


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def measured(bot, corpus):
    with FakeLLMServer() as server:
        settings = Settings(openai_base_url=server.url, openai_api_key="test", llm_max_retries=0,
                            llm_timeout_seconds=10)
        try:
            yield replies.run(bot, corpus, "openai:fake-corpus", settings=settings)
        finally:
            bot.use_llm(None)


def test_the_corpus_covers_the_styles_and_the_mistakes_the_issue_asks_for(corpus):
    faithful = [i for i in corpus if i["faithful"]]
    unfaithful = [i for i in corpus if not i["faithful"]]
    assert len(faithful) >= 120 and len(unfaithful) >= 120
    assert len({i["kind"] for i in faithful}) >= 12
    assert len({i["qid"] for i in corpus}) >= 40
    assert {"dev", "test"} == {i["split"] for i in corpus}


@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_guard_meets_its_gates_on_each_split(measured, split):
    results, by_split = measured
    gates = replies.load_gates(PROJECT_ROOT / "evals" / "gates.toml")
    assert gates["faithful_accepted"]["min"] >= 0.93 and gates["unfaithful_rejected"]["min"] >= 0.95
    failures = runner.check_gates(by_split[split], gates)
    assert not failures, (failures, by_split[split]["wrong"])


def test_every_reply_reached_the_guard(measured):
    results, by_split = measured
    assert by_split["all"]["replies_not_sent"] == 0 and by_split["all"]["replies_stale"] == 0
    assert {r.outcome for r in results} <= {"passed", "guard_failed"}


def test_a_replayed_reply_is_renumbered_to_the_prompt_and_a_drifted_one_is_stale():
    item = {"id": "x", "reply": "最高5万元[2]（来源1）【3】", "evidence": [{"n": 1, "quote": "甲"}, {"n": 2, "quote": "乙"}]}
    prompt = ("[1] 地区：A｜状态：正式文件｜文件：T｜条款：一\n原文：“乙”\n"
              "[2] 地区：A｜状态：正式文件｜文件：T｜条款：二\n原文：“甲”")
    assert replay(item, prompt) == "最高5万元[1]（来源2）【3】"  # [3] was never supplied: still not
    with pytest.raises(ValueError, match="not in the prompt"):
        replay(item, prompt.replace("原文：“甲”", "原文：“丙”"))
