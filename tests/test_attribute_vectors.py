"""OLS vs mean-difference attribute vectors on latents with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaia.analysis.attribute_vectors import (
    cosine_similarities,
    mean_difference_vectors,
    ols_vectors,
)
from gaia.errors import GaiaError


def correlated_latents(n: int = 20_000, dims: int = 12, noise: float = 0.1, seed: int = 0):
    """z = A W + noise, where Young is rare among men (the paper's skew) and Smiling independent."""
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.4
    young = rng.random(n) < np.where(male, 0.2, 0.9)
    smiling = rng.random(n) < 0.5
    attributes = pd.DataFrame({"Male": male, "Young": young, "Smiling": smiling}).astype(int)
    weights = rng.normal(size=(3, dims))
    latents = attributes.to_numpy() @ weights + 0.3 + noise * rng.normal(size=(n, dims))
    return latents, attributes, weights


def test_ols_recovers_the_true_vectors() -> None:
    latents, attributes, weights = correlated_latents()
    np.testing.assert_allclose(ols_vectors(latents, attributes), weights, atol=0.01)


def test_mean_difference_mixes_in_the_correlated_attribute() -> None:
    latents, attributes, weights = correlated_latents()
    vectors = mean_difference_vectors(latents, attributes)
    male, young = attributes["Male"].to_numpy(bool), attributes["Young"].to_numpy(bool)
    # E[z | Young] - E[z | not Young] = W_young + (P(Male | Young) - P(Male | not Young)) W_male
    mixing = male[young].mean() - male[~young].mean()
    assert mixing < -0.5  # young faces are mostly female here
    np.testing.assert_allclose(vectors[1], weights[1] + mixing * weights[0], atol=0.01)
    assert np.abs(vectors[1] - weights[1]).max() > 0.3  # so the mixing is visible
    # the independent attribute is recovered by both methods
    np.testing.assert_allclose(vectors[2], weights[2], atol=0.02)


def test_cosine_table_is_labelled_and_unit_diagonal() -> None:
    table = cosine_similarities(np.array([[1.0, 0.0], [1.0, 1.0]]), ["a", "b"])
    assert list(table.index) == ["a", "b"] and list(table.columns) == ["a", "b"]
    np.testing.assert_allclose(table.to_numpy(), [[1, 2**-0.5], [2**-0.5, 1]])


def test_constant_or_collinear_attributes_are_refused() -> None:
    latents, attributes, _ = correlated_latents(n=200)
    constant = attributes.assign(Smiling=0)
    with pytest.raises(GaiaError, match="'Smiling' is never present"):
        ols_vectors(latents, constant)
    collinear = attributes.assign(Smiling=1 - attributes["Male"])
    with pytest.raises(GaiaError, match="rank-deficient"):
        ols_vectors(latents, collinear)
    with pytest.raises(GaiaError, match="binary"):
        mean_difference_vectors(latents, attributes * 2)
