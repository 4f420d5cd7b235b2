"""FID and KID of two image sets through torch-fidelity's `calculate_metrics`.

Images go to torch-fidelity as a Dataset of uint8 (3, H, W) tensors: no file or JPEG round
trip. Single-channel images are repeated to three channels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch_fidelity
from torch import Tensor
from torch.utils.data import Dataset

from gaia.errors import GaiaError


class UInt8Images(Dataset):
    """(N, C, H, W) uint8 images as torch-fidelity items: (3, H, W) uint8 tensors."""

    def __init__(self, images: Tensor) -> None:
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] not in (1, 3):
            raise ValueError(
                f"expected uint8 (N, 1 or 3, H, W) images, got {images.dtype} {tuple(images.shape)}"
            )
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> Tensor:
        image = self.images[index]
        return image.expand(3, -1, -1).contiguous() if image.shape[0] == 1 else image


def to_uint8(images: Tensor) -> Tensor:
    """Images in [0, 1] as uint8 (rounded), on the CPU."""
    return images.detach().float().clamp(0, 1).mul(255).round().to(torch.uint8).cpu()


def fid_kid(
    generated: Tensor,
    reference: Tensor,
    feature_extractor: str,
    kid_subset_size: int,
    batch_size: int = 256,
    weights_path: Path | None = None,
    cuda: bool = False,
) -> dict[str, float]:
    """FID, KID mean and KID std of uint8 image sets. KID's subset size must not exceed either
    set's size: a clear error says so instead of torch-fidelity's assertion."""
    smallest = min(len(generated), len(reference))
    if kid_subset_size > smallest:
        raise GaiaError(
            f"KID subset size {kid_subset_size} exceeds the {smallest} images of the smaller set; "
            "lower the kid_subset_size parameter or compare more images"
        )
    kwargs: dict[str, Any] = {}
    if weights_path is not None:
        kwargs["feature_extractor_weights_path"] = str(weights_path)
    metrics = torch_fidelity.calculate_metrics(
        input1=UInt8Images(generated),
        input2=UInt8Images(reference),
        fid=True,
        kid=True,
        kid_subset_size=kid_subset_size,
        batch_size=batch_size,
        feature_extractor=feature_extractor,
        cuda=cuda,
        save_cpu_ram=not cuda,
        cache=False,
        verbose=False,
        **kwargs,
    )
    return {
        "fid": float(metrics["frechet_inception_distance"]),
        "kid_mean": float(metrics["kernel_inception_distance_mean"]),
        "kid_std": float(metrics["kernel_inception_distance_std"]),
    }
