# Offline, no telemetry: sourced by the run and test scripts (and CI).
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
export TOKENIZERS_PARALLELISM=false
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# Two malloc arenas: freed memory is given back instead of staying in per-thread arenas
# (`bot serve` also sets this itself; see bot/web/server.py)
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
