"""A short soak (issue 11, point 8): scripts/soak.py for 30 s against a real `bot serve`
on a copy of the session index — no errors, RSS flat after the warm-up, p95 stable.
The 5-minute run and its figures: docs/RELIABILITY.md."""

import json
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT


@pytest.mark.slow
def test_short_soak_has_no_errors_flat_memory_and_stable_latency(index_copy, tmp_path):
    report_path = tmp_path / "soak.json"
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "soak.py"), "--seconds", "30",
                           "--concurrency", "3", "--edit-every", "2", "--data-dir", str(index_copy()), "--json", str(report_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["errors"] == 0 and report["requests"] > 200
    assert report["rss_growth"] < 0.10
    assert {"ask", "check", "feedback", "health", "page", "conversation", "admin-publish"} <= set(report["by_kind"])
    # the clerk edited while the others asked: an edit every 2 s leaves room for a publish that
    # takes half the run on a loaded 2-core machine (one CI run saw only 2 edits at one every 5 s)
    assert report["by_kind"]["admin-edit"] >= 3
    assert len(report["windows"]) == 5
