"""`gaia bench`: speed of one training step against the machine's measured matmul peak.

Prints one JSON line: the experiment and its preset, device, autocast dtype, batch size,
seconds per step, images per second, the FLOPs of one step (torch.utils.flop_counter, forward
and backward of both networks), the achieved FLOP/s, the peak matmul FLOP/s measured on the same
device with the same threads and dtype, and their ratio. Random inputs: no dataset needed.
"""

from __future__ import annotations

import json
import platform
import time
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from gaia.experiment import resolve_experiment
from gaia.train.trainer import build_objective
from gaia.utils.device import select_device
from gaia.utils.seeding import Stream, seeded_generator


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_matmul_flops(device: torch.device, dtype: torch.dtype, seconds: float = 2.0) -> float:
    """Best FLOP/s of square matmuls (the largest size that takes a few hundred ms)."""
    size = 8192 if device.type == "cuda" else 2048
    if device.type == "cpu" and dtype == torch.bfloat16:
        size = 512  # without native bf16 the CPU takes seconds for a 2048 matmul
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    a @ b  # warm-up
    best, deadline = 0.0, time.perf_counter() + seconds
    while best == 0.0 or time.perf_counter() < deadline:  # at least one timed matmul
        synchronize(device)
        start = time.perf_counter()
        a @ b
        synchronize(device)
        best = max(best, 2 * size**3 / (time.perf_counter() - start))
    return best


def benchmark(params: dict[str, Any], name: str, steps: int, batch_size: int | None) -> dict:
    exp = resolve_experiment(params, name)
    if batch_size:
        exp.training["batch_size"] = batch_size
    cfg = exp.training
    device = select_device(cfg)
    objective = build_objective(exp, device)
    shape = (
        cfg["batch_size"],
        exp.generator.channels,
        exp.generator.resolution,
        exp.generator.resolution,
    )
    x = torch.rand(shape, device=device).contiguous(memory_format=torch.channels_last)
    with FlopCounterMode(display=False) as counter:
        objective.train_step(x, seeded_generator(0, Stream.TRAIN_ALPHAS, 0))
    flops = counter.get_total_flops()
    for step in range(2):  # warm-up
        objective.train_step(x, seeded_generator(0, Stream.TRAIN_ALPHAS, step))
    synchronize(device)
    start = time.perf_counter()
    for step in range(steps):  # a training step: the update and the weight average's
        objective.train_step(x, seeded_generator(0, Stream.TRAIN_ALPHAS, step))
        objective.update_average((step + 1) * cfg["batch_size"])
    synchronize(device)
    seconds = (time.perf_counter() - start) / steps
    dtype = objective.autocast_dtype or torch.float32
    peak = peak_matmul_flops(device, dtype)
    return {
        "experiment": name,
        "objective": exp.objective,
        "generator": exp.generator.to_dict(),
        "discriminator": exp.discriminator.to_dict() if exp.discriminator else None,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "cpu_threads": torch.get_num_threads() if device.type == "cpu" else None,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": platform.machine(),
        "dtype": str(dtype).removeprefix("torch."),
        "channels_last": cfg["channels_last"],
        "batch_size": cfg["batch_size"],
        "seconds_per_step": seconds,
        "images_per_s": cfg["batch_size"] / seconds,
        "flops_per_step": flops,
        "achieved_flops_per_s": flops / seconds,
        "peak_matmul_flops_per_s": peak,
        "fraction_of_peak": flops / seconds / peak,
        "torch": torch.__version__,
    }


def print_benchmark(params: dict[str, Any], name: str, steps: int, batch_size: int | None) -> None:
    print(json.dumps(benchmark(params, name, steps, batch_size)), flush=True)
