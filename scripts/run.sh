#!/usr/bin/env bash
# Quickstart 1: install (first run only), build the index if it is missing, and start the
# web chat + HTTP API + widget on the embedded default (offline, no key). Ctrl-C stops it.
# Extra args go to `bot serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec .venv/bin/bot serve "$@"
