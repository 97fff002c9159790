"""Memory that comes back (issue 19.4), measured by scripts/memory.py against a real
`bot serve`: RSS within 10 % over 100 admin edits (each re-indexes in the server), and a
zip-bomb upload refused with the server's peak far under 1 GB. The 1,000-turn chat run
and every figure: docs/RELIABILITY.md."""

import json
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _memory(tmp_path, data_dir, *args) -> dict:
    out = tmp_path / "memory.json"
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "memory.py"), "--data-dir", str(data_dir),
                           "--json", str(out), *args], capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_rss_stays_within_ten_percent_over_100_admin_edits(index_copy, tmp_path):
    edits = _memory(tmp_path, index_copy(), "--only", "edits", "--edits", "100")["admin_edits"]
    assert edits["errors"] == 0 and edits["growth"] < 0.10


def test_a_zip_bomb_upload_is_refused_with_peak_rss_far_under_1_gb(index_copy, tmp_path):
    bomb = _memory(tmp_path, index_copy(), "--only", "bomb")["zip_bomb"]
    assert bomb["status"] == 422 and "压缩炸弹" in bomb["message"]
    assert bomb["rss_peak_mb"] < 1024 and bomb["rss_after_mb"] < 1.10 * bomb["rss_before_mb"]
