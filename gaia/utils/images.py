"""Image tensors: uint8 NHWC arrays (the store's layout) to model inputs, and back."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def nchw_view(images: np.ndarray) -> Tensor:
    """uint8 (N, H, W, C) as an (N, C, H, W) tensor: NHWC storage is channels_last at no cost."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)


def to_model_input(uint8_nchw: Tensor, device: torch.device) -> Tensor:
    """uint8 (N, C, H, W) -> float in [0, 1] on `device`, channels_last."""
    x = uint8_nchw.to(device, non_blocking=True).float().div_(255.0)
    return x.contiguous(memory_format=torch.channels_last)


def to_uint8(images: Tensor) -> Tensor:
    """Float images in [0, 1] -> uint8 (N, C, H, W) on the CPU, rounded to nearest."""
    return images.detach().float().clamp(0, 1).mul(255).round().to(torch.uint8).cpu()


def to_uint8_nhwc(images: Tensor) -> np.ndarray:
    """Float images (N, C, H, W) in [0, 1] -> uint8 (N, H, W, C) numpy, for figures and PNGs."""
    return to_uint8(images).permute(0, 2, 3, 1).numpy()
