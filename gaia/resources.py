"""What each job asks a scheduler for: its wall time (`runtime`, minutes) and memory (`mem_mb`).

A training job's time follows from its steps and one table of seconds per step, by device,
preset and objective (STEP_SECONDS; each row says where it was measured), scaled to the job's
batch size and resolution and multiplied by MARGIN. Every other job's time and memory follow
from what its step took in the embedded default (each step's `cost` in gaia/steps.py, 32x32
images, from the benchmark tables Snakemake writes), scaled to the dataset's image size. A job
that outlives its cluster's wall-time limit anyway is retried (the SLURM profile's `retries`)
and training resumes from its checkpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gaia.experiment import resolve_experiment

MARGIN = 2.0  # on every measured time and memory: other machines, other loads

# Seconds per training step, evaluations and checkpoints included, at the preset's reference
# batch and resolution (REFERENCE). cpu-bf16 and cpu-fp32: the `train` jobs of the embedded
# default on a 2-core AMD EPYC (one thread per job, the other core busy), in bf16 autocast and
# with AVX-512 switched off (fp32), 2026-12-05 (docs/benchmarks.md, docs/precision/avx2.md).
# The later GAIA's step costs what GAIA's does (both trained side by side at one pace).
STEP_SECONDS: dict[str, dict[str, dict[str, float]]] = {
    "cpu-bf16": {
        "small": {"gaia": 0.57, "gaia_later": 0.57, "ae": 0.24, "vae": 0.28, "acai": 0.41}
    },
    "cpu-fp32": {
        "small": {"gaia": 0.99, "gaia_later": 0.99, "ae": 0.41, "vae": 0.45, "acai": 0.71}
    },
}
REFERENCE = {"small": (32, 32), "paper": (8, 128)}  # (batch size, image side)
# FLOPs of one training step per image at the preset's reference resolution, forward and
# backward of every network (`gaia bench`): how a preset never timed on a device is scaled
# from one that was.
# torch.utils.flop_counter over one step of 2 images, 2026-12-06.
GFLOP_PER_IMAGE = {"small": {"gaia": 1.55, "ae": 0.364}, "paper": {"gaia": 295.8, "ae": 116.9}}
# A GPU step where none was measured: FLOPs at this rate (a tenth of an H100's dense bf16 peak;
# small convolutions use little of it), but never under GPU_FLOOR_SECONDS (kernel launches).
# benchmarks/gpu_check.sh measures it where a GPU is lent: put its number in STEP_SECONDS.
GPU_FLOP_RATE = 100e12
GPU_FLOOR_SECONDS = 0.05
START_MINUTES = 5  # start-up, the final evaluation and the exports of a training job


@dataclass(frozen=True)
class StepCost:
    """What a job of a rule took in the embedded default: wall seconds and peak memory."""

    seconds: float
    mem_mb: float


CUDA_HOST_MB = 4000  # a CUDA context and its libraries in host memory


def device_kind(training: dict[str, Any], on_gpu: bool) -> str:
    """The STEP_SECONDS row a job trains on. On the CPU `auto` precision counts as fp32: the
    node that runs it may lack native bf16 (a cluster's), and fp32 is the slower."""
    if on_gpu:
        return "cuda"
    return "cpu-bf16" if training["precision"] == "bf16" else "cpu-fp32"


def step_seconds(device: str, preset: str, objective: str, batch: int, side: int) -> float:
    """Seconds of one training step at this batch size and image side."""
    ref_batch, ref_side = REFERENCE.get(preset, REFERENCE["small"])
    scale = (batch * side**2) / (ref_batch * ref_side**2)
    family = "ae" if objective in ("ae", "vae") else "gaia"  # GFLOP rows: a second network or not
    measured = STEP_SECONDS.get(device, {})
    if preset in measured:
        return measured[preset][objective] * scale
    flops = GFLOP_PER_IMAGE[preset][family] * 1e9 * ref_batch
    if device == "cuda":
        return max(flops / GPU_FLOP_RATE, GPU_FLOOR_SECONDS) * scale
    small = measured["small"]  # a CPU row: scale its small-preset time by the FLOPs
    small_flops = GFLOP_PER_IMAGE["small"][family] * 1e9 * REFERENCE["small"][0]
    return small[objective] * flops / small_flops * scale


def training_minutes(params: dict[str, Any], experiment: str, on_gpu: bool) -> int:
    """The wall time a training job asks for: its steps at the table's pace, with MARGIN."""
    exp = resolve_experiment(params, experiment)
    preset = params["models"][exp.model]["preset"]
    seconds = exp.training["steps"] * step_seconds(
        device_kind(exp.training, on_gpu),
        preset,
        exp.objective,
        exp.training["batch_size"],
        exp.generator.resolution,
    )
    return math.ceil(seconds * MARGIN / 60) + START_MINUTES


def image_scale(params: dict[str, Any], dataset: str) -> float:
    """How many times more pixels an image of `dataset` has than the default's 32x32."""
    return params["datasets"][dataset]["resolution"] ** 2 / 32**2


# Images of a downloaded dataset whose splits take every image (`splits: {train: null}`).
DOWNLOADED_IMAGES = {"celeba": 202_599, "celebahq": 30_000}


def dataset_mb(params: dict[str, Any], dataset: str) -> float:
    """The prepared dataset's images in memory (uint8; a step may load every split whole)."""
    config = params["datasets"][dataset]
    counts = config["splits"].values()
    images = sum(counts) if None not in counts else DOWNLOADED_IMAGES[config["kind"]]
    return images * config["resolution"] ** 2 * 3 / 1e6


def step_minutes(cost: StepCost, scale: float = 1.0) -> int:
    """Wall time of a job of a step that cost `cost` in the default, whose images have `scale`
    times the default's pixels."""
    return max(10, math.ceil(cost.seconds * scale * MARGIN / 60))


def step_mem_mb(cost: StepCost, data_mb: float = 0.0, on_gpu: bool = False) -> int:
    """Memory of a job of a step that took `cost` in the default, with MARGIN, plus its data
    (twice: a step may hold a converted copy) and a CUDA context where it runs on a GPU."""
    return math.ceil(cost.mem_mb * MARGIN + 2 * data_mb + CUDA_HOST_MB * on_gpu)
