"""Apply a function to a large tensor batch by batch."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


@torch.no_grad()
def map_batches(function: Callable[[Tensor], Tensor], x: Tensor, batch_size: int) -> Tensor:
    """torch.cat of function(x[i : i + batch_size]) over i, without gradients."""
    return torch.cat([function(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
