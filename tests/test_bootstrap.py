"""Bootstrap intervals of FID and KID cover the population value at about their nominal rate,
in a simulation with a known answer (two Gaussians)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from gaia.metrics.bootstrap import basic_interval, frechet_distance, kernel_distance

D, N = 4, 200
SHIFT = np.full(D, 0.2)
SCALES = np.linspace(0.8, 1.3, D)


def gaussians(rng: np.random.Generator, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal((n, D)), SHIFT + rng.standard_normal((n, D)) * np.sqrt(SCALES)


def coverage(statistic, truth: float, repetitions: int = 80, resamples: int = 100) -> float:
    rng = np.random.default_rng(0)
    hits = 0
    for rep in range(repetitions):
        a, b = gaussians(rng)
        _, low, high = basic_interval(statistic, a, b, resamples, seed=rep)
        hits += low <= truth <= high
    return hits / repetitions


def test_the_frechet_distance_of_two_gaussians() -> None:
    covariance = np.diag(SCALES)
    truth = SHIFT @ SHIFT + np.trace(np.eye(D) + covariance - 2 * linalg.sqrtm(covariance).real)
    a, b = gaussians(np.random.default_rng(1), 20000)
    assert frechet_distance(a, b) == pytest.approx(truth, rel=0.05)
    # the finite sample is biased upwards, and the basic interval still covers the truth
    assert 0.88 <= coverage(frechet_distance, truth) <= 1.0


def test_kid_intervals_cover_the_population_value() -> None:
    # unbiased, so the mean over large samples approaches the population value
    rng = np.random.default_rng(2)
    truth = float(np.mean([kernel_distance(*gaussians(rng, 2000)) for _ in range(8)]))
    assert 0.85 <= coverage(kernel_distance, truth) <= 1.0


def test_the_interval_holds_the_estimate_and_narrows_with_more_images() -> None:
    rng = np.random.default_rng(3)
    small, large = gaussians(rng, 100), gaussians(rng, 1600)
    widths = []
    for a, b in (small, large):
        estimate, low, high = basic_interval(frechet_distance, a, b, 100, seed=0)
        assert low < estimate < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2
