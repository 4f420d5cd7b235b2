"""`gaia bench`: speed of one training step against the machine's measured matmul peak.

Prints one JSON line: the experiment and its preset, device, autocast dtype, batch size,
seconds per step, steps and images per second, the FLOPs of one step (torch.utils.flop_counter,
forward and backward of both networks), the achieved FLOP/s, the peak matmul FLOP/s measured on
the same device with the same threads and dtype and their ratio, the MFU against the device's
published dense bf16 peak where it is known (`SPEC_BF16_FLOPS`), and the peak memory. With
`--largest-batch`, the batch doubles until it no longer fits (or reaches `--max-batch`) and the
largest that fits is measured. Random inputs: no dataset needed. benchmarks/gpu_check.sh runs it.
"""

from __future__ import annotations

import json
import platform
import resource
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


# Published dense bf16 tensor-core peaks (FLOP/s) by the start of torch's device name; MFU is
# achieved FLOP/s over this. Sources: NVIDIA's H100/H200 and A100 datasheets (SXM, no sparsity).
SPEC_BF16_FLOPS = {
    "NVIDIA H200": 989.4e12,
    "NVIDIA H100 80GB HBM3": 989.4e12,
    "NVIDIA A100": 312e12,
}


def spec_peak(device_name: str) -> float | None:
    return next((v for k, v in SPEC_BF16_FLOPS.items() if device_name.startswith(k)), None)


def peak_memory_bytes(device: torch.device) -> int:
    """Peak memory of the step: CUDA's allocator peak, or this process's peak RSS on the CPU."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def benchmark(
    params: dict[str, Any], name: str, steps: int, overrides: dict[str, Any] | None = None
) -> dict:
    """Time `steps` training steps of experiment `name` on random images, with `overrides` of
    its training settings (batch_size, compile)."""
    exp = resolve_experiment(params, name)
    exp.training.update(overrides or {})
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
    objective.compile(cfg["compile"])  # after counting: the counter sees the eager operators
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
    device_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    spec = spec_peak(device_name)
    return {
        "experiment": name,
        "objective": exp.objective,
        "generator": exp.generator.to_dict(),
        "discriminator": exp.discriminator.to_dict() if exp.discriminator else None,
        "device": device_name,
        "cpu_threads": torch.get_num_threads() if device.type == "cpu" else None,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": platform.machine(),
        "dtype": str(dtype).removeprefix("torch."),
        "channels_last": cfg["channels_last"],
        "compile": cfg["compile"],
        "batch_size": cfg["batch_size"],
        "seconds_per_step": seconds,
        "steps_per_s": 1 / seconds,
        "images_per_s": cfg["batch_size"] / seconds,
        "flops_per_step": flops,
        "achieved_flops_per_s": flops / seconds,
        "peak_matmul_flops_per_s": peak,
        "fraction_of_peak": flops / seconds / peak,
        "spec_bf16_flops_per_s": spec,
        "mfu": flops / seconds / spec if spec else None,
        "peak_memory_bytes": peak_memory_bytes(device),
        "torch": torch.__version__,
    }


def largest_batch(
    params: dict[str, Any],
    name: str,
    steps: int,
    start: int,
    max_batch: int,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Double the batch from `start` while a step fits in memory (up to `max_batch`); measure
    the largest that fits."""
    fits, batch = None, start
    while batch <= max_batch:
        try:
            benchmark(params, name, 1, {**(overrides or {}), "batch_size": batch})
        except torch.OutOfMemoryError:
            break
        finally:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
        fits, batch = batch, batch * 2
    if fits is None:
        raise RuntimeError(f"{name}: a batch of {start} does not fit in memory")
    best = benchmark(params, name, steps, {**(overrides or {}), "batch_size": fits})
    return {**best, "largest_batch_tried": min(batch, max_batch)}


def print_benchmark(
    params: dict[str, Any],
    name: str,
    steps: int,
    overrides: dict[str, Any],
    max_batch: int | None = None,
) -> None:
    """One JSON line: the benchmark with `overrides` of the training settings, or at the largest
    batch up to `max_batch` (doubling from the batch size)."""
    if max_batch:
        start = (
            overrides.get("batch_size") or resolve_experiment(params, name).training["batch_size"]
        )
        record = largest_batch(params, name, steps, start, max_batch, overrides)
    else:
        record = benchmark(params, name, steps, overrides)
    print(json.dumps(record), flush=True)
