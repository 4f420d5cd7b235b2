"""Attribute edits judged by a classifier, on a model whose answer is known: the latent is the
attribute vector itself and the classifier reads it back from the decoded image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import torch
from torch import Tensor, nn

from gaia.analysis.attribute_vectors import attribute_vectors
from gaia.analysis.edits import evaluate_edits, summarise_edits
from gaia.analysis.matched_edits import (
    bootstrap_interval,
    matched_edits,
    matched_scale,
    summarise_matched,
)

NAMES = ["Male", "Young", "Smiling"]
# An independent pair (Smiling, Male) beside the dependent one: mean difference leaks only there.
PAIRS = [("Young", "Male"), ("Smiling", "Male")]
SETTINGS = {
    "seed": 0,
    "images": 200,
    "scales": [0.5, 1.0],
    "report_scale": 1.0,
    "batch_size": 64,
}


@dataclass(frozen=True)
class _Cfg:
    content_dim: int


class ChannelDecoder(nn.Module):
    """Decodes latent z (content only) to a 4x4 image whose channel k is the constant z_k."""

    def __init__(self, dims: int) -> None:
        super().__init__()
        self.cfg = _Cfg(dims)
        self.anchor = nn.Parameter(torch.zeros(()))  # gives the module a device

    def decode(self, style: Tensor, content: Tensor) -> Tensor:
        return content[:, :, None, None].expand(-1, -1, 4, 4) + self.anchor


@dataclass(frozen=True)
class _ClassifierCfg:
    outputs: tuple[str, ...]


class ChannelClassifier(nn.Module):
    """P(attribute k) = sigmoid(8 * (mean of channel k - 0.5))."""

    cfg = _ClassifierCfg(tuple(NAMES))

    def __init__(self) -> None:
        super().__init__()
        self.anchor = nn.Parameter(torch.zeros(()))  # gives the module a device

    def probabilities(self, x: Tensor) -> Tensor:
        return torch.sigmoid(8.0 * (x.mean(dim=(2, 3)) - 0.5))


def skewed_attributes(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.4
    young = rng.random(n) < np.where(male, 0.2, 0.9)
    smiling = rng.random(n) < 0.5
    return pd.DataFrame({"Male": male, "Young": young, "Smiling": smiling}).astype(int)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    fit = skewed_attributes(5000, 0)
    vectors = attribute_vectors(fit.to_numpy(np.float32), fit)  # z = attributes exactly
    test = skewed_attributes(1000, 1)
    return evaluate_edits(
        ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, vectors, SETTINGS
    )


def test_table_has_one_row_per_method_attribute_direction_scale(table: pd.DataFrame) -> None:
    assert len(table) == 2 * 3 * 2 * 2
    assert {f"delta_{n}" for n in NAMES} <= set(table.columns)
    assert (table.images == 200).all()


def test_ols_edits_only_their_attribute(table: pd.DataFrame) -> None:
    ols = table[(table.method == "ols") & (table.scale == 1.0)]
    assert (ols.efficacy > 0.9).all()
    assert (ols.leakage < 0.01).all()


def test_mean_difference_young_also_feminises(table: pd.DataFrame) -> None:
    summary = summarise_edits(table, SETTINGS, PAIRS)
    assert abs(summary["ols_leakage_Young_to_Male"]) < 0.01
    assert summary["mean_difference_leakage_Young_to_Male"] < -0.2
    # the independent attribute leaks under neither method
    assert abs(summary["mean_difference_leakage_Smiling_to_Male"]) < 0.05
    assert summary["mean_difference_mean_leakage"] > summary["ols_mean_leakage"]
    assert set(summary) >= {"report_scale", "ols_mean_efficacy", "mean_difference_mean_efficacy"}


MATCHED = {"efficacy": 0.5, "start_scale": 0.25, "max_scale": 8.0, "iterations": 12,
           "bootstrap": 500, "seed": 0}  # fmt: skip


def test_matched_scale_finds_the_known_root_or_reports_none() -> None:
    k = matched_scale(lambda k: 1.0 - np.exp(-k), 0.5, start=0.25, max_scale=8.0, iterations=16)
    assert k == pytest.approx(np.log(2.0), rel=1e-4)
    assert np.isnan(matched_scale(lambda k: 0.1 * k, 0.5, 0.25, max_scale=4.0, iterations=8))


def test_bootstrap_interval_of_a_mean() -> None:
    rng = np.random.default_rng(0)
    constant = bootstrap_interval([np.full(50, 0.3), np.full(70, 0.1)], 200, rng)
    assert constant == pytest.approx((0.2, 0.2))
    low, high = bootstrap_interval([rng.normal(0.0, 1.0, 400)], 2000, rng)
    assert high - low == pytest.approx(2 * 1.96 / np.sqrt(400), rel=0.15)
    assert low < 0.0 < high


@pytest.fixture(scope="module")
def matched() -> tuple[pd.DataFrame, pd.DataFrame]:
    fit = skewed_attributes(5000, 0)
    vectors = attribute_vectors(fit.to_numpy(np.float32), fit)
    test = skewed_attributes(1000, 1)
    settings = {**SETTINGS, "matched": MATCHED}
    return matched_edits(
        *(ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, vectors),
        *(settings, PAIRS),
    )


def test_matched_scales_hit_the_analytic_answer(matched) -> None:
    scales, _ = matched
    # OLS vectors are the unit vectors: P(a) = sigmoid(8 (z_a +/- k - 0.5)) from z_a in {0, 1},
    # so a change of 0.5 from sigmoid(-4) needs sigmoid(8 (k - 0.5)) = sigmoid(-4) + 0.5.
    base = 1.0 / (1.0 + np.exp(4.0))
    p = base + 0.5
    expected = 0.5 + np.log(p / (1.0 - p)) / 8.0
    ols = scales[scales.method == "ols"]
    np.testing.assert_allclose(ols.scale, expected, rtol=1e-3)
    np.testing.assert_allclose(ols.efficacy, 0.5, atol=2e-3)
    assert (scales.efficacy >= 0.5).all() and len(scales) == 2 * 3 * 2


def test_matched_leakage_separates_ols_from_mean_difference(matched) -> None:
    _, leakage = matched
    row = leakage.set_index(["method", "source", "target"])
    ols, md = row.loc["ols", "Young", "Male"], row.loc["mean_difference", "Young", "Male"]
    assert ols.ci_low <= 0.0 <= ols.ci_high and abs(ols.leakage) < 0.01
    assert md.ci_high < 0.0  # "younger" feminises, and the interval says so
    independent = row.loc["mean_difference", "Smiling", "Male"]
    assert abs(independent.leakage) < 0.05
    summary = summarise_matched(*matched)
    assert (
        summary["matched_ols_mean_abs_leakage"]
        < summary["matched_mean_difference_mean_abs_leakage"]
    )
    assert summary["matched_ols_edits_reached"] == summary["matched_ols_edits"] == 6


def test_a_vector_too_weak_to_reach_the_target_is_not_reported() -> None:
    test = skewed_attributes(200, 1)
    weak = {"ols": np.eye(3, dtype=np.float32) * 0.01}  # needs k ~ 50 > max_scale 8
    settings = {**SETTINGS, "matched": MATCHED}
    scales, leakage = matched_edits(
        *(ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, weak),
        *(settings, PAIRS),
    )
    assert scales.scale.isna().all() and leakage.leakage.isna().all()
    summary = summarise_matched(scales, leakage)
    assert summary["matched_ols_leakage_Young_to_Male"] is None
    assert summary["matched_ols_edits_reached"] == 0
