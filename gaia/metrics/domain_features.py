"""The `domain` feature extractor of FID/KID: the penultimate features of a dataset's attribute
classifier, registered with torch-fidelity (the usual practice for data far from ImageNet, as
with MNIST classifiers).

torch-fidelity builds the extractor itself from `calculate_metrics`'s keyword arguments; the
classifier file arrives as `feature_extractor_weights_path`. Inputs are uint8 batches (N, 3, H,
W); a single-channel classifier (lines) sees their channel mean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch_fidelity.feature_extractor_base import FeatureExtractorBase
from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY, register_feature_extractor

from gaia.analysis.classifier_training import load_classifier_file
from gaia.errors import GaiaError

DOMAIN_EXTRACTOR = "gaia-domain-classifier"
FEATURES = "penultimate"


class DomainFeatureExtractor(FeatureExtractorBase):
    def __init__(
        self,
        name: str,
        features_list: list[str],
        feature_extractor_weights_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, features_list)
        if (
            feature_extractor_weights_path is None
            or not Path(feature_extractor_weights_path).is_file()
        ):
            raise GaiaError(
                f"the domain feature extractor needs a classifier file as "
                f"feature_extractor_weights_path, got {feature_extractor_weights_path!r}; "
                "train one with `gaia train-classifier --dataset DATASET`"
            )
        self.classifier = load_classifier_file(
            Path(feature_extractor_weights_path), torch.device("cpu")
        )
        self.classifier.requires_grad_(False)

    @staticmethod
    def get_provided_features_list() -> tuple[str, ...]:
        return (FEATURES,)

    @staticmethod
    def get_default_feature_layer_for_metric(metric: str) -> str:
        return FEATURES

    @staticmethod
    def can_be_compiled() -> bool:
        return False

    @staticmethod
    def get_dummy_input_for_compile() -> Tensor:
        return torch.zeros(1, 3, 32, 32, dtype=torch.uint8)

    def forward(self, input: Tensor) -> tuple[Tensor]:
        x = input.float() / 255.0
        if self.classifier.cfg.channels == 1:
            x = x.mean(dim=1, keepdim=True)
        return (self.classifier.features(x.contiguous(memory_format=torch.channels_last)).float(),)


def register_domain_extractor() -> str:
    """Register the extractor with torch-fidelity once per process; returns its name."""
    if DOMAIN_EXTRACTOR not in FEATURE_EXTRACTORS_REGISTRY:
        register_feature_extractor(DOMAIN_EXTRACTOR, DomainFeatureExtractor)
    return DOMAIN_EXTRACTOR
