"""FID and KID of image sets through torch-fidelity, with the reference side computed once.

`torch_fidelity.calculate_metrics` extracts the features of both inputs on every call. The
pipeline instead stores the features and FID statistics of the real test images once per dataset
and extractor (`gaia fid-reference`), then compares every model's images against them. It does so
with the functions `calculate_metrics` itself calls, one level down (`create_feature_extractor`,
`get_featuresdict_from_dataset`, `fid_features_to_statistics`, `fid_statistics_to_metric`,
`kid_features_to_metric`), so no Frechet distance or kernel is written here; a test checks that
`calculate_metrics` gives the same numbers.

Images go to torch-fidelity as uint8 (3, H, W) tensors: no file or JPEG round trip.
Single-channel images are repeated to three channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset
from torch_fidelity.feature_extractor_base import FeatureExtractorBase
from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
from torch_fidelity.metric_kid import kid_features_to_metric
from torch_fidelity.utils import create_feature_extractor, get_featuresdict_from_dataset

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


@dataclass(frozen=True)
class FeatureSpec:
    """A torch-fidelity feature extractor, the layer FID/KID read, and its weights file."""

    extractor: str
    layer: str
    weights_path: Path | None = None

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments `calculate_metrics` takes for this extractor."""
        out: dict[str, Any] = {
            "feature_extractor": self.extractor,
            "feature_layer_fid": self.layer,
            "feature_layer_kid": self.layer,
        }
        if self.weights_path is not None:
            out["feature_extractor_weights_path"] = str(self.weights_path)
        return out


def load_extractor(spec: FeatureSpec, cuda: bool = False) -> FeatureExtractorBase:
    """torch-fidelity's extractor for `spec`, in eval mode. On the CPU it runs channels-last,
    the layout oneDNN's convolutions are fastest in there (docs/benchmarks.md)."""
    extractor = create_feature_extractor(
        spec.extractor, [spec.layer], cuda=cuda, verbose=False, **spec.kwargs()
    )
    return extractor if cuda else extractor.to(memory_format=torch.channels_last)


def extract_features(
    images: Tensor,
    extractor: FeatureExtractorBase,
    batch_size: int = 32,
    cuda: bool = False,
    progress: bool = False,
) -> Tensor:
    """(N, F) float32 features of uint8 images, on the CPU (the extractor's only layer)."""
    (layer,) = extractor.features_list
    features = get_featuresdict_from_dataset(
        UInt8Images(images),
        extractor,
        batch_size=batch_size,
        cuda=cuda,
        save_cpu_ram=not cuda,  # no DataLoader worker processes on a 2-core machine
        verbose=progress,
    )
    return features[layer]


def fid_statistics(features: Tensor) -> dict[str, np.ndarray]:
    """FID's Gaussian statistics {mu, sigma} of (N, F) features."""
    return fid_features_to_statistics(features)


def check_kid_subset(kid_subset_size: int, *sizes: int, key: str = "kid_subset_size") -> None:
    """KID draws subsets of `kid_subset_size` images from each set without replacement."""
    smallest = min(sizes)
    if kid_subset_size > smallest:
        raise GaiaError(
            f"{key}: the KID subset size {kid_subset_size} exceeds the {smallest} images of the "
            "smaller set; lower it or compare more images"
        )


def compare_features(
    generated: Tensor,
    reference: Tensor,
    reference_statistics: dict[str, np.ndarray] | None = None,
    kid_subset_size: int = 1000,
    kid_subsets: int = 100,
    seed: int = 2020,
) -> dict[str, float]:
    """FID, KID mean and KID std between generated and reference features."""
    check_kid_subset(kid_subset_size, len(generated), len(reference))
    if reference_statistics is None:
        reference_statistics = fid_statistics(reference)
    fid = fid_statistics_to_metric(fid_statistics(generated), reference_statistics, verbose=False)
    kid = kid_features_to_metric(
        generated,
        reference,
        kid_subsets=kid_subsets,
        kid_subset_size=kid_subset_size,
        rng_seed=seed,
        verbose=False,
    )
    return {
        "fid": float(fid["frechet_inception_distance"]),
        "kid_mean": float(kid["kernel_inception_distance_mean"]),
        "kid_std": float(kid["kernel_inception_distance_std"]),
    }


def fid_kid(
    generated: Tensor,
    reference: Tensor,
    spec: FeatureSpec,
    kid_subset_size: int,
    batch_size: int = 32,
    cuda: bool = False,
) -> dict[str, float]:
    """FID and KID of two uint8 image sets, both sides extracted here."""
    check_kid_subset(kid_subset_size, len(generated), len(reference))
    extractor = load_extractor(spec, cuda)
    return compare_features(
        extract_features(generated, extractor, batch_size, cuda),
        extract_features(reference, extractor, batch_size, cuda),
        kid_subset_size=kid_subset_size,
    )
