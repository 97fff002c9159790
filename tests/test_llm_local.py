"""A real local model (llama.cpp, a small GGUF) behind the guard — never in the default
run: it needs the `llamacpp` extra and ``BOT_TEST_GGUF=/path/model.gguf`` (see README).
Whatever the model writes, what is shown has verbatim citations and no figure outside
them, and questions the stages refuse stay refused."""

from __future__ import annotations

import os

import pytest

from bot.answer.llm import make_chat_model
from bot.config import Settings
from evals.metrics import numeric_hallucinations

GGUF = os.environ.get("BOT_TEST_GGUF", "")
pytestmark = [pytest.mark.slow, pytest.mark.llamacpp,
              pytest.mark.skipif(not GGUF or not os.path.exists(GGUF), reason="set BOT_TEST_GGUF to a .gguf file")]


@pytest.fixture(scope="module")
def local(bot):
    pytest.importorskip("llama_cpp")
    settings = Settings(llm=f"llamacpp:{GGUF}", llm_max_tokens=400, llm_timeout_seconds=120)
    bot.use_llm(make_chat_model(settings), settings.llm)
    yield bot
    bot.use_llm(None)


@pytest.mark.parametrize("question", ["平原示范区剧本奖励多少？", "在衢江取景有什么补贴？", "郑州设立了多大的产业基金？"])
def test_a_local_models_answer_is_shown_only_if_it_passes_the_guard(local, question):
    answer = local.ask(question)
    quotes = [c.quote for c in answer.citations]
    assert answer.answerable and numeric_hallucinations(answer.answer, quotes) == []
    assert all(c.quote in local.model.clause_texts[c.clause_id] for c in answer.citations)
    assert answer.generation.outcome in ("passed", "guard_failed", "error")


def test_a_question_the_stages_decline_never_reaches_the_local_model(local):
    answer = local.ask("帮我写一首关于春天的诗")
    assert not answer.answerable and answer.generation.outcome == "skipped"
