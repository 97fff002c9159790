"""The `bot` CLI: JSON contract, batch round-trip, errors without tracebacks."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bot.cli import app

pytestmark = pytest.mark.slow  # uses the real index (the `bot` fixture)

runner = CliRunner()
CONTRACT = {"id", "question", "answer", "answerable", "citations", "region", "latency_ms", "table", "history_used",
            "history_turn", "generation"}
CITATION = {"n", "doc_id", "title", "clause_id", "clause", "quote", "status"}


@pytest.fixture()
def cli_env(settings, bot, monkeypatch):
    """The CLI reads settings from the environment: point it at the session index."""
    from bot.config import get_settings

    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_ask_json_follows_the_contract(cli_env):
    result = runner.invoke(app, ["ask", "汉唐商业街项目投资多少？", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == CONTRACT
    assert answer["answerable"] is True and "5.5亿元" in answer["answer"]
    assert answer["citations"] and set(answer["citations"][0]) == CITATION
    assert answer["region"] == "衢江" and answer["latency_ms"] > 0


def test_ask_with_region_and_k_options(cli_env):
    result = runner.invoke(app, ["ask", "剧本奖励最高多少？", "--json", "--region", "深圳", "--k", "3"])
    answer = json.loads(result.stdout)
    assert answer["region"] == "深圳" and "100万元" in answer["answer"]


def test_batch_round_trips_100_lines_in_order(cli_env, tmp_path):
    questions = ["在衢江取景有什么补贴？", "成都拍微短剧有补贴吗？", "郑州要求每个区县建多大的微短剧拍摄基地？", "给我讲个笑话"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{i:03d}", "question": questions[i % 4]}, ensure_ascii=False) + "\n"
                            for i in range(100)), encoding="utf-8")
    result = runner.invoke(app, ["ask", "--batch", str(path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == [f"q{i:03d}" for i in range(100)]
    assert all(set(x) >= CONTRACT for x in lines)
    assert [x["answerable"] for x in lines[:4]] == [True, False, True, False]


def test_batch_line_with_an_empty_question_gets_an_error_object(cli_env, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "question": ""}\n{"id": "b", "question": "衢江有什么补贴"}\n', encoding="utf-8")
    result = runner.invoke(app, ["ask", "--batch", str(path)])
    first, second = (json.loads(x) for x in result.stdout.splitlines())
    assert first["id"] == "a" and first["answerable"] is False and "error" in first
    assert second["id"] == "b"


@pytest.mark.parametrize(("args", "message"), [
    (["ask", ""], "问题不能为空"),
    (["ask", "--batch", "/no/such/file.jsonl"], "无法读取文件"),
    (["ask"], "请给出问题"),
])
def test_errors_are_one_clear_line_and_nonzero_exit(cli_env, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_json_line_names_the_line(cli_env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "question": "x"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["ask", "--batch", str(path)])
    assert result.exit_code == 1 and "第2行" in result.output


def test_missing_index_is_built_on_first_ask(tmp_path):
    """A fresh data dir: `bot ask` builds the index itself (real subprocess, real CLI)."""
    env = os.environ | {"BOT_DATA_DIR": str(tmp_path / "fresh")}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "在衢江取景有什么补贴？", "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answerable"] is True
    assert (tmp_path / "fresh" / "chroma").exists()


def test_ingest_reports_counts(cli_env):
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0
    assert "embedded 0" in result.output and "clauses" in result.output


def test_feedback_export_writes_eval_format(cli_env, settings, tmp_path):
    from bot.web.feedback import FeedbackStore

    store = FeedbackStore(f"sqlite:///{settings.data_dir / 'feedback.db'}")
    store.add(helpful=False, question="衢江有什么补贴", answer="…", answerable=True, citations=[], region="衢江",
              comment="太长", page_origin="https://x.gov.cn", surface="widget")
    out = tmp_path / "fb.jsonl"
    result = runner.invoke(app, ["feedback", "export", "--negative-only", "--out", str(out)])
    assert result.exit_code == 0, result.output
    item = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    assert {"id", "question", "kind", "answerable", "gold_clause_ids", "facts", "split", "notes"} <= set(item)
    assert item["question"] == "衢江有什么补贴" and "太长" in item["notes"]


def test_check_command_prints_verdicts_with_citations(cli_env):
    result = runner.invoke(app, ["check", "--region", "平原示范区", "--script-selected-by", "省级",
                                 "--shoot-share", "70", "--plan", "上线", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    award = next(m for m in body["measures"] if m["id"] == "py-shoot-award")
    assert award["verdict"] == "no" and body["citations"]
