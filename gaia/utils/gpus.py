"""How many GPUs and CPUs the workflow may schedule network jobs on, without importing torch.

Snakemake reads this when it parses the Snakefile: a job that runs networks holds one `gpu`
slot where a GPU is visible (the default profile allows one such job at a time), and none on a
machine without one; everywhere it holds `training.cpu_threads` of the machine's CPU slots, so
that no more run side by side than the CPUs can serve, whatever `--cores` says.
"""

from __future__ import annotations

import os
import shutil
import subprocess


def visible_gpu_count(device: str = "auto") -> int:
    """NVIDIA GPUs that CUDA would see (CUDA_VISIBLE_DEVICES honoured); 0 for device 'cpu'."""
    if device == "cpu":
        return 0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return 0
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return 0
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    count = sum(line.startswith("GPU ") for line in listing.stdout.splitlines())
    if visible is not None:
        count = min(count, len([d for d in visible.split(",") if d.strip()]))
    return count


def gpu_slots_per_job(device: str = "auto") -> int:
    """The `gpu` resource of a job that runs networks: 1 with a GPU, 0 on the CPU. Device
    "cuda" asks for one even where this machine sees none: a cluster's login node submits
    jobs to GPU nodes."""
    if device == "cuda":
        return 1
    return 1 if visible_gpu_count(device) else 0


def schedulable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, as `nproc` counts them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
