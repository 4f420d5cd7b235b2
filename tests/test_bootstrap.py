"""Bootstrap intervals of FID and KID cover the population value at about their nominal rate,
in a simulation with a known answer (two Gaussians)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from gaia.metrics.bootstrap import (
    KernelDistance,
    fid_interval,
    frechet_distance,
    kid_interval,
    mean_interval,
    ratio_interval,
)

D, N = 4, 200
SHIFT = np.full(D, 0.2)
SCALES = np.linspace(0.8, 1.3, D)


def gaussians(rng: np.random.Generator, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal((n, D)), SHIFT + rng.standard_normal((n, D)) * np.sqrt(SCALES)


def coverage(interval, truth: float, repetitions: int = 80, resamples: int = 100) -> float:
    rng = np.random.default_rng(0)
    hits = 0
    for rep in range(repetitions):
        a, b = gaussians(rng)
        _, low, high = interval(a, b, resamples, seed=rep)
        hits += low <= truth <= high
    return hits / repetitions


def kernel_distance(a: np.ndarray, b: np.ndarray) -> float:
    return KernelDistance(a, b)(np.ones(len(a)), np.ones(len(b)))


def test_the_frechet_distance_of_two_gaussians() -> None:
    covariance = np.diag(SCALES)
    truth = SHIFT @ SHIFT + np.trace(np.eye(D) + covariance - 2 * linalg.sqrtm(covariance).real)
    a, b = gaussians(np.random.default_rng(1), 20000)
    assert frechet_distance(a, b) == pytest.approx(truth, rel=0.05)
    # the trace of the matrix root as torch-fidelity computes it
    covariances = np.cov(a, rowvar=False) @ np.cov(b, rowvar=False)
    by_sqrtm = np.trace(np.cov(a, rowvar=False) + np.cov(b, rowvar=False)) - 2 * np.trace(
        linalg.sqrtm(covariances).real
    )
    mu = a.mean(0) - b.mean(0)
    assert frechet_distance(a, b) == pytest.approx(mu @ mu + by_sqrtm, rel=1e-9)
    # the finite sample is biased upwards, and the basic interval still covers the truth
    assert 0.88 <= coverage(fid_interval, truth) <= 1.0


def test_kid_intervals_cover_the_population_value() -> None:
    # unbiased, so the mean over large samples approaches the population value
    rng = np.random.default_rng(2)
    truth = float(np.mean([kernel_distance(*gaussians(rng, 2000)) for _ in range(8)]))
    assert 0.85 <= coverage(kid_interval, truth) <= 1.0


def test_the_interval_holds_the_estimate_and_narrows_with_more_images() -> None:
    rng = np.random.default_rng(3)
    small, large = gaussians(rng, 100), gaussians(rng, 1600)
    widths = []
    for a, b in (small, large):
        estimate, low, high = fid_interval(a, b, 100, seed=0)
        assert low < estimate < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2


def test_counts_are_repeated_rows() -> None:
    """A statistic of counts equals the statistic of the rows repeated that many times (and
    KID leaves out the pairs of a row with its copies)."""
    rng = np.random.default_rng(4)
    a, b = gaussians(rng, 30)
    counts_a, counts_b = rng.integers(0, 3, 30).astype(float), rng.integers(1, 3, 30).astype(float)
    repeated_a, repeated_b = (
        np.repeat(a, counts_a.astype(int), 0),
        np.repeat(b, counts_b.astype(int), 0),
    )
    assert frechet_distance(a, b, counts_a, counts_b) == pytest.approx(
        frechet_distance(repeated_a, repeated_b)
    )
    ids_a, ids_b = (
        np.repeat(np.arange(30), counts_a.astype(int)),
        np.repeat(np.arange(30), counts_b.astype(int)),
    )
    d = a.shape[1]

    def within(x: np.ndarray, ids: np.ndarray) -> float:
        distinct = ids[:, None] != ids[None, :]
        return float(((x @ x.T / d + 1) ** 3)[distinct].mean())

    by_hand = (
        within(repeated_a, ids_a)
        + within(repeated_b, ids_b)
        - 2 * float(((repeated_a @ repeated_b.T / d + 1) ** 3).mean())
    )
    assert KernelDistance(a, b)(counts_a, counts_b) == pytest.approx(by_hand)


def test_intervals_of_a_mean_and_of_a_ratio_of_means_cover_the_population_value() -> None:
    """Per-row values with a known mean (exponential, mean 2) and paired rows with a known ratio
    of means (3 x + noise over x): each 95% interval covers it at about its nominal rate."""
    rng = np.random.default_rng(0)
    repetitions, covered_mean, covered_ratio = 200, 0, 0
    for i in range(repetitions):
        values = rng.exponential(2.0, 300)
        _, low, high = mean_interval(values, 200, seed=i)
        covered_mean += low <= 2.0 <= high
        bottom = rng.uniform(1.0, 2.0, 300)
        top = 3.0 * bottom + rng.normal(0.0, 0.5, 300)
        estimate, low, high = ratio_interval(top, bottom, 200, seed=i)
        assert low <= estimate <= high
        covered_ratio += low <= 3.0 <= high
    assert 0.9 <= covered_mean / repetitions <= 0.99
    assert 0.9 <= covered_ratio / repetitions <= 0.99


def test_fid_with_fewer_images_than_dimensions_takes_the_small_route_to_the_same_value() -> None:
    """2048-d features of a few hundred images: tr sqrt(A B) from the singular values of an
    images-by-images matrix equals the eigenvalue route on the dimensions-by-dimensions one,
    resampled counts included."""
    rng = np.random.default_rng(1)
    first, second = rng.normal(size=(20, 50)), rng.normal(size=(30, 50)) + 0.2
    counts = (rng.integers(0, 3, 20).astype(float), rng.integers(0, 3, 30).astype(float))
    for weights in ((None, None), counts):
        moments = []
        for x, c in zip((first, second), weights, strict=True):
            c = np.ones(len(x)) if c is None else c
            mean = c @ x / c.sum()
            moments.append((mean, ((x - mean).T * c) @ (x - mean) / (c.sum() - 1.0)))
        (mean_a, a), (mean_b, b) = moments
        root = np.sqrt(np.linalg.eigvals(a @ b).real.clip(min=0.0)).sum()
        expected = (mean_a - mean_b) @ (mean_a - mean_b) + np.trace(a) + np.trace(b) - 2 * root
        assert frechet_distance(first, second, *weights) == pytest.approx(expected, rel=1e-6)
