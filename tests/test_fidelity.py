"""FID/KID through torch-fidelity with the domain (classifier-feature) extractor."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from gaia.analysis.classifier import AttributeClassifier, ClassifierConfig
from gaia.data import synthfaces
from gaia.errors import GaiaError
from gaia.metrics.domain_features import register_domain_extractor
from gaia.metrics.fidelity import fid_kid


@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised classifier saved in `train-classifier`'s format."""
    torch.manual_seed(0)
    cfg = ClassifierConfig(32, 3, synthfaces.ATTRIBUTES, "binary", width=8, features=32)
    path = tmp_path_factory.mktemp("classifier") / "classifier.pt"
    model = AttributeClassifier(cfg).eval()
    torch.save({"modules": {"classifier": model.state_dict()}, "config": cfg.to_dict()}, path)
    return path


@pytest.fixture(scope="module")
def faces(default_params: dict) -> torch.Tensor:
    cfg = default_params["datasets"]["synthfaces"]
    images, _ = synthfaces.generate_split(cfg, 600, np.random.SeedSequence(5), progress=False)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()


def noisy(images: torch.Tensor, strength: float) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    noise = torch.randn(images.shape, generator=generator) * 255 * strength
    return (images.float() + noise).clamp(0, 255).round().to(torch.uint8)


def test_fid_is_zero_on_itself_and_grows_with_noise(faces, classifier_file) -> None:
    extractor = register_domain_extractor()
    assert register_domain_extractor() == extractor  # registering twice is harmless
    reference, other = faces[:300], faces[300:]

    def fid(images: torch.Tensor) -> float:
        return fid_kid(images, reference, extractor, 100, weights_path=classifier_file)["fid"]

    assert abs(fid(reference)) < 1e-6
    scores = [fid(other)] + [fid(noisy(other, s)) for s in (0.05, 0.1, 0.2, 0.4)]
    assert all(a < b for a, b in itertools.pairwise(scores)), scores


def test_kid_subset_larger_than_a_set_is_a_clear_error(faces, classifier_file) -> None:
    with pytest.raises(GaiaError, match="KID subset size 500 exceeds the 300 images"):
        fid_kid(
            faces[:300], faces[:400], register_domain_extractor(), 500, weights_path=classifier_file
        )


def test_domain_extractor_without_a_classifier_says_what_to_do(faces) -> None:
    with pytest.raises(GaiaError, match="gaia train-classifier"):
        fid_kid(faces[:50], faces[:50], register_domain_extractor(), 10)
