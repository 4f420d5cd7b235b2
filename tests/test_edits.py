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

NAMES = ["Male", "Young", "Smiling"]
SETTINGS = {
    "seed": 0,
    "images": 200,
    "scales": [0.5, 1.0],
    "report_scale": 1.0,
    "leakage_pairs": [["Young", "Male"], ["Smiling", "Male"]],
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
    summary = summarise_edits(table, SETTINGS)
    assert abs(summary["ols_leakage_Young_to_Male"]) < 0.01
    assert summary["mean_difference_leakage_Young_to_Male"] < -0.2
    # the independent attribute leaks under neither method
    assert abs(summary["mean_difference_leakage_Smiling_to_Male"]) < 0.05
    assert summary["mean_difference_mean_leakage"] > summary["ols_mean_leakage"]
    assert set(summary) >= {"report_scale", "ols_mean_efficacy", "mean_difference_mean_efficacy"}
