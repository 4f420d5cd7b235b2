"""Realism measures with known answers: sharpness of real against blurred images, and the
classifier two-sample test on real against real (chance) and against degraded copies (~1)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.transforms.functional import gaussian_blur

from gaia.data import synthfaces
from gaia.metrics.realism import sharpness, two_sample_test, wilson_interval

C2ST = {"steps": 300, "batch_size": 64, "lr": 2e-3, "width": 16}


@pytest.fixture(scope="module")
def faces(session_params) -> np.ndarray:
    cfg = session_params["datasets"]["synthfaces"]
    table = synthfaces.sample_faces(cfg, 1200, np.random.SeedSequence(7))
    return synthfaces.render(table, 32, cfg["supersample"], progress=False, workers=1)


def blurred(images: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    return gaussian_blur(x, 5, sigma).round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()


def noised(images: np.ndarray, sd: float = 12.0) -> np.ndarray:
    noise = np.random.default_rng(0).normal(0.0, sd, images.shape)
    return np.clip(images + noise, 0, 255).astype(np.uint8)


def test_sharpness_is_one_for_real_images_and_falls_with_blur(faces) -> None:
    first, second = faces[:600], faces[600:]
    same = sharpness(second, first)
    assert same["laplacian"] == pytest.approx(1.0, abs=0.1)
    assert same["high_frequency"] == pytest.approx(1.0, abs=0.1)
    blur = sharpness(blurred(second), first)
    assert blur["laplacian"] < 0.5 and blur["high_frequency"] < 0.5
    noise = sharpness(noised(second), first)  # noise is not sharpness: it reads above 1
    assert noise["laplacian"] > 1.3 and noise["high_frequency"] > 1.3


def test_two_halves_of_the_real_images_cannot_be_told_apart(faces) -> None:
    found = two_sample_test(faces[:600], faces[600:], C2ST, seed=0)
    assert found["images"] == 600
    assert found["ci_low"] <= 0.5 <= found["ci_high"]
    assert abs(found["accuracy"] - 0.5) < 0.08


@pytest.mark.parametrize("degrade", [blurred, noised], ids=["blurred", "noised"])
def test_degraded_copies_are_told_apart(faces, degrade) -> None:
    found = two_sample_test(faces[:600], degrade(faces[600:]), C2ST, seed=0)
    assert found["accuracy"] > 0.9 and found["ci_low"] > 0.8


def test_wilson_interval() -> None:
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)
    assert wilson_interval(100, 100)[1] == pytest.approx(1.0)
    for n in range(1, 30):  # never outside [0, 1], though rounding would put one end there
        assert wilson_interval(0, n)[0] == 0.0 and wilson_interval(n, n)[1] == 1.0
