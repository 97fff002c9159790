#!/usr/bin/env bash
# Quickstart 1: install, build the index (first run only) and answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
.venv/bin/bot ingest
.venv/bin/bot ask "在衢江取景有什么补贴？"
