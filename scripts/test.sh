#!/usr/bin/env bash
# Quickstart 2: install (if needed) and run the whole test suite. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
source scripts/env.sh
exec .venv/bin/python -m pytest "$@"
