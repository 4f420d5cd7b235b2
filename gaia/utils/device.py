"""Where and in which precision the networks run: `training.device`, `precision`, threads."""

from __future__ import annotations

from typing import Any

import torch
from threadpoolctl import threadpool_limits

from gaia.errors import GaiaError


def select_device(training: dict[str, Any]) -> torch.device:
    """The device `training.device` asks for; on the CPU, also the `cpu_threads` thread count
    of torch and of the BLAS libraries."""
    preference = training["device"]
    if preference == "cuda" and not torch.cuda.is_available():
        raise GaiaError("training.device is 'cuda' but no CUDA device is visible; use 'auto'")
    if preference == "auto":
        preference = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(preference)
    if device.type == "cpu":
        torch.set_num_threads(training["cpu_threads"])
        # numpy's and scipy's BLAS too: jobs run side by side, one per CPU slot, and BLAS
        # threads that outnumber the cores spin against each other (docs/benchmarks.md).
        threadpool_limits(training["cpu_threads"])
    return device


def cpu_supports_bf16() -> bool:
    return bool(
        torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    )


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """bf16 autocast on CUDA and on CPUs with native bf16 ("auto"), or as asked."""
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    native = device.type == "cuda" or cpu_supports_bf16()
    return torch.bfloat16 if native else None
