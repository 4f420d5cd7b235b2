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
from gaia.analysis.edits import Edits, evaluate_edits, summarise_edits
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
    edits = Edits(
        ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, vectors, SETTINGS
    )
    return evaluate_edits(edits, SETTINGS["scales"])


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
           "tolerance": 1e-4, "bootstrap": 500, "seed": 0}  # fmt: skip


def counted(curve):
    """`curve` and the list of the scales it was asked for."""
    asked: list[float] = []

    def efficacy(k: float) -> float:
        asked.append(k)
        return curve(k)

    return efficacy, asked


def test_matched_scale_finds_the_known_root_or_reports_none() -> None:
    k = matched_scale(lambda k: 1.0 - np.exp(-k), 0.5, 0.25, 8.0, iterations=16, tolerance=1e-7)
    assert k == pytest.approx(np.log(2.0), rel=1e-4)
    assert np.isnan(matched_scale(lambda k: 0.1 * k, 0.5, 0.25, 4.0, iterations=8, tolerance=0))
    # A doubling that lands on the root stops there.
    assert matched_scale(lambda k: 0.25 * k, 0.5, 0.5, 8.0, iterations=8, tolerance=0) == 2.0


@pytest.mark.parametrize("root", [0.3, 1.7, 2.6, 13.0])
def test_matched_scale_reaches_the_target_within_tolerance_in_few_steps(root: float) -> None:
    """On a sigmoid efficacy curve (the trained models' shape; a longer vector only rescales
    k), whatever the root: the scale returned reaches the target, overshoots it by at most the
    tolerance, and the Illinois steps after the doubling are fewer than the six bisections
    that bought that precision."""

    def sigmoid(k: float) -> float:
        steepness = 4.0 / root
        return 0.8 / (1.0 + np.exp(-steepness * (k - root))) - 0.8 / (1.0 + np.exp(4.0)) + 0.1

    curve, asked = counted(sigmoid)
    k = matched_scale(curve, 0.5, 0.5, 32.0, iterations=6, tolerance=0.01)
    assert 0.5 <= sigmoid(k) <= 0.51
    doublings = int(np.ceil(np.log2(max(k, 0.5) / 0.5))) + 1
    assert len(asked) - doublings <= 4
    assert len(set(asked)) == len(asked)  # no scale evaluated twice


def test_matched_scale_stops_after_its_iterations() -> None:
    curve, asked = counted(lambda k: float(k >= 1.2345))  # a step: regula falsi cannot shortcut
    k = matched_scale(curve, 0.5, 1.0, 8.0, iterations=5, tolerance=0.0)
    assert len(asked) == 2 + 5 and 1.2345 <= k <= 2.0
    assert curve(k) >= 0.5


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
    edits = Edits(
        ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, vectors, settings
    )
    return matched_edits(edits, settings, PAIRS)


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
    edits = Edits(
        ChannelDecoder(3), ChannelClassifier(), test.to_numpy(np.float32), test, weak, settings
    )
    scales, leakage = matched_edits(edits, settings, PAIRS)
    assert scales.scale.isna().all() and leakage.leakage.isna().all()
    summary = summarise_matched(scales, leakage)
    assert summary["matched_ols_leakage_Young_to_Male"] is None
    assert summary["matched_ols_edits_reached"] == 0


class CountingDecoder(ChannelDecoder):
    def __init__(self, dims: int) -> None:
        super().__init__(dims)
        self.latents_decoded = 0

    def decode(self, style: Tensor, content: Tensor) -> Tensor:
        self.latents_decoded += len(content)
        return super().decode(style, content)


def test_the_fixed_scales_and_the_search_share_their_decodes() -> None:
    """The matched search reuses the fixed scales' decodes (k = 1 lies on its doubling path)
    and gives the same answer whether or not they were decoded first."""
    fit = skewed_attributes(2000, 0)
    vectors = attribute_vectors(fit.to_numpy(np.float32), fit)
    test = skewed_attributes(300, 1)
    settings = {**SETTINGS, "matched": {**MATCHED, "start_scale": 0.5}}
    results, decoded = [], []
    for fixed_first in (False, True):
        decoder = CountingDecoder(3)
        edits = Edits(
            decoder, ChannelClassifier(), test.to_numpy(np.float32), test, vectors, settings
        )
        if fixed_first:
            evaluate_edits(edits, [1.0])
        results.append(matched_edits(edits, settings, PAIRS))
        decoded.append(decoder.latents_decoded)
    for first, second in zip(*results, strict=True):
        pd.testing.assert_frame_equal(first, second)
    assert decoded[0] == decoded[1]  # k = 1 cost nothing more
