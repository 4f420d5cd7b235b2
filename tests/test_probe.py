"""The linear probe on latents with a known answer (gaia/analysis/probe.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaia.analysis.probe import angle_bins, majority_accuracy, probe_hits, probe_tasks

SETTINGS = {"C": 1.0, "max_iter": 2000}


def test_angle_bins_cut_the_circle_evenly() -> None:
    angles = np.array([0.0, 0.1, np.pi / 2, np.pi, 2 * np.pi - 1e-9, 2 * np.pi, -0.1])
    assert angle_bins(angles, 4).tolist() == [0, 0, 1, 2, 3, 0, 3]


def test_majority_accuracy() -> None:
    assert majority_accuracy(np.array([1, 1, 0]), np.array([1, 0, 0, 0])) == 0.25


def test_probe_reads_an_encoded_attribute_and_not_noise() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2000, 8))
    encoded = (z[:, 3] > 0.2).astype(int)  # a linear function of the latent
    noise = rng.integers(0, 2, size=2000)  # unrelated to it
    train, test = slice(0, 1500), slice(1500, None)
    assert probe_hits(z[train], encoded[train], z[test], encoded[test], SETTINGS).mean() > 0.97
    chance = probe_hits(z[train], noise[train], z[test], noise[test], SETTINGS).mean()
    assert chance == pytest.approx(0.5, abs=0.07)


def test_probe_reads_the_angle_bin_of_a_circle() -> None:
    """Latents holding (cos, sin) of the angle: 10 angular sectors are linearly separable."""
    rng = np.random.default_rng(1)
    theta = rng.uniform(0, 2 * np.pi, 3000)
    z = np.column_stack([np.cos(theta), np.sin(theta), rng.normal(size=(3000, 4)) * 0.01])
    bins = angle_bins(theta, 10)
    accuracy = probe_hits(z[:2000], bins[:2000], z[2000:], bins[2000:], SETTINGS).mean()
    assert accuracy > 0.9


def test_one_class_needs_no_fit() -> None:
    z = np.zeros((4, 2))
    assert probe_hits(z, np.ones(4), z, np.array([1, 1, 0, 1]), SETTINGS).mean() == 0.75


def test_tasks_are_the_attributes_or_the_angle() -> None:
    labels = pd.DataFrame({"Male": [0, 1], "Young": [1, 1], "angle": [0.1, 3.0]})
    task, tasks = probe_tasks(labels, labels, ["Male", "Young"], 10)
    assert task == "attributes" and list(tasks) == ["Male", "Young"]
    assert tasks["Male"][2] is None  # the majority class is the baseline
    task, tasks = probe_tasks(labels[["angle"]], labels[["angle"]], [], 10)
    assert task == "angle_bins" and tasks["angle_10_bins"][0].tolist() == [0, 4]
    assert tasks["angle_10_bins"][2] == pytest.approx(0.1)  # chance
