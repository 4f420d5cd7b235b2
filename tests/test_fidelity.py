"""FID/KID through torch-fidelity: the domain (classifier-feature) extractor, Inception with
locally made weights, and agreement with torch-fidelity's one-call `calculate_metrics`."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
import torch_fidelity

from gaia.analysis.classifier import AttributeClassifier, ClassifierConfig
from gaia.data import synthfaces
from gaia.errors import GaiaError
from gaia.metrics.domain_features import FEATURES, register_domain_extractor
from gaia.metrics.extractors import INCEPTION, INCEPTION_LAYER
from gaia.metrics.fidelity import (
    FeatureSpec,
    UInt8Images,
    extract_features,
    fid_kid,
    load_extractor,
)


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
def faces(session_params: dict) -> torch.Tensor:
    cfg = session_params["datasets"]["synthfaces"]
    images, _ = synthfaces.generate_split(cfg, 600, np.random.SeedSequence(5), progress=False)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()


def noisy(images: torch.Tensor, strength: float) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    noise = torch.randn(images.shape, generator=generator) * 255 * strength
    return (images.float() + noise).clamp(0, 255).round().to(torch.uint8)


def domain(classifier_file: Path) -> FeatureSpec:
    return FeatureSpec(register_domain_extractor(), FEATURES, classifier_file)


def test_fid_is_zero_on_itself_and_grows_with_noise(faces, classifier_file) -> None:
    assert register_domain_extractor() == register_domain_extractor()  # twice is harmless
    reference, other = faces[:300], faces[300:]

    def fid(images: torch.Tensor) -> float:
        return fid_kid(images, reference, domain(classifier_file), 100)["fid"]

    assert abs(fid(reference)) < 1e-6
    scores = [fid(other)] + [fid(noisy(other, s)) for s in (0.05, 0.1, 0.2, 0.4)]
    assert all(a < b for a, b in itertools.pairwise(scores)), scores


def one_call(generated: torch.Tensor, reference: torch.Tensor, spec: FeatureSpec, subset: int):
    """torch-fidelity's own route: both inputs extracted and compared in one call."""
    metrics = torch_fidelity.calculate_metrics(
        input1=UInt8Images(generated),
        input2=UInt8Images(reference),
        fid=True,
        kid=True,
        kid_subset_size=subset,
        cuda=False,
        save_cpu_ram=True,
        cache=False,
        verbose=False,
        **spec.kwargs(),
    )
    return [metrics[f"{name}_inception_distance{suffix}"] for name, suffix in KEYS]


KEYS = (("frechet", ""), ("kernel", "_mean"), ("kernel", "_std"))


def test_stored_reference_route_equals_calculate_metrics(faces, classifier_file) -> None:
    spec = domain(classifier_file)
    ours = fid_kid(noisy(faces[:250], 0.1), faces[250:], spec, 100)
    expected = one_call(noisy(faces[:250], 0.1), faces[250:], spec, 100)
    assert [ours["fid"], ours["kid_mean"], ours["kid_std"]] == pytest.approx(expected, rel=1e-5)


def test_inception_runs_end_to_end_with_local_weights(faces, he_inception_weights) -> None:
    spec = FeatureSpec(INCEPTION, INCEPTION_LAYER, he_inception_weights)
    features = extract_features(faces[:8], load_extractor(spec), batch_size=8)
    assert features.shape == (8, 2048)
    assert float(features.std(dim=0).mean()) > 1e-3  # He init: features do not vanish
    generated, reference = noisy(faces[8:14], 0.2), faces[:8]
    ours = fid_kid(generated, reference, spec, 4, batch_size=8)
    expected = one_call(generated, reference, spec, 4)
    assert [ours["fid"], ours["kid_mean"], ours["kid_std"]] == pytest.approx(expected, rel=1e-4)
    assert ours["fid"] > 0


def test_kid_subset_larger_than_a_set_is_a_clear_error(faces, classifier_file) -> None:
    with pytest.raises(GaiaError, match="KID subset size 500 exceeds the 300 images"):
        fid_kid(faces[:300], faces[:400], domain(classifier_file), 500)


def test_domain_extractor_without_a_classifier_says_what_to_do(faces, tmp_path) -> None:
    spec = FeatureSpec(register_domain_extractor(), FEATURES, tmp_path / "missing.pt")
    with pytest.raises(GaiaError, match="gaia train-classifier"):
        fid_kid(faces[:50], faces[:50], spec, 10)
