"""Apply a network to a large tensor batch by batch, on the network's device."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn


def module_device(module: nn.Module) -> torch.device:
    return next(module.parameters()).device


@torch.no_grad()
def map_batches(
    function: Callable[[Tensor], Tensor],
    x: Tensor,
    batch_size: int,
    device: torch.device | None = None,
) -> Tensor:
    """torch.cat of function(x[i : i + batch_size]) over i, without gradients; each batch is
    moved to `device` (when given) and each result back to the CPU."""
    out = []
    for i in range(0, len(x), batch_size):
        chunk = x[i : i + batch_size]
        out.append(function(chunk if device is None else chunk.to(device)).cpu())
    return torch.cat(out)
