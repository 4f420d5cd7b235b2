#!/usr/bin/env bash
# The GPU check of the paper preset, for a machine with one GPU (under 5 minutes on an H100/H200):
#   benchmarks/gpu_check.sh          prints one JSON line per measurement (gaia bench): steps/s,
#                                    images/s, achieved TFLOP/s, MFU against the device's
#                                    published bf16 peak, the measured matmul peak, peak memory
#   benchmarks/gpu_check.sh --dry    the same commands on the CPU with the small preset and tiny
#                                    batches (seconds; tests/test_gpu_check.py runs it)
# Measurements: GAIA and the AE of the paper preset (celebahq at 128, 283 M + 3.7 M parameters)
# at the paper's batch 8, GAIA again with torch.compile (training.compile: default; the first
# steps compile, untimed), then GAIA at the largest batch that fits (doubling from 8 up to 512).
# Random inputs: no dataset needed. Record the output in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
GAIA=${GAIA:-gaia}

if [[ "${1:-}" == "--dry" ]]; then
  experiments=(synthfaces/gaia synthfaces/ae); steps=1; largest=16; largest_experiment=synthfaces/gaia
  compiled_experiment=synthfaces/ae  # one network: the quickest compile that runs the code path
else
  experiments=(celebahq/gaia_paper celebahq/ae_paper); steps=10; largest=512
  largest_experiment=celebahq/gaia_paper; compiled_experiment=celebahq/gaia_paper
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
fi

for experiment in "${experiments[@]}"; do
  "$GAIA" bench --experiment "$experiment" --steps "$steps" --batch-size 8
done
"$GAIA" bench --experiment "$compiled_experiment" --steps "$steps" --batch-size 8 --compile default
"$GAIA" bench --experiment "$largest_experiment" --steps "$steps" --batch-size 8 --largest-batch "$largest"
