"""`gaia probe`: how much of the data's structure a model's latents keep, read by a linear probe.

A logistic regression (scikit-learn, on standardised latents) is fitted on the training latents
of latents.npz (`fit_latents`, the labels of `fit_index`) and scored on the whole test split:

    binary attributes (synthfaces, CelebA)  one probe per attribute: held-out accuracy, beside
                                            the majority class's accuracy on the same images
    lines                                   one probe of the angle, cut into `angle_bins` equal
                                            bins (10: ACAI's class label int(10 angle / 2 pi),
                                            whose latent classifier is such a probe): held-out
                                            accuracy, beside chance (1 / bins)

    results/DATASET/MODEL/probe.json
        task, probes {name: {accuracy, baseline, n_train, n_test}}, mean_accuracy with its
        bootstrap 95% interval over the test images (mean_accuracy_ci_low, _ci_high),
        mean_baseline

A latent space that keeps the structure scores well above the baseline; the comparison across
models (GAIA, AE, VAE, ACAI) is what the report shows.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gaia import paths
from gaia.analysis.latents import load_latents
from gaia.data.store import load_split
from gaia.errors import GaiaError
from gaia.metrics.bootstrap import interval_entries, mean_interval
from gaia.utils.io import write_json

log = logging.getLogger(__name__)


def angle_bins(angles_rad: np.ndarray, bins: int) -> np.ndarray:
    """The bin of each angle (radians) among `bins` equal bins of [0, 2 pi)."""
    turns = np.mod(angles_rad, 2 * np.pi) / (2 * np.pi)
    return np.minimum((turns * bins).astype(int), bins - 1)


def probe_hits(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    settings: dict[str, Any],
) -> np.ndarray:
    """Per test item, whether a logistic regression fitted on (train_x, train_y) is right."""
    if len(np.unique(train_y)) < 2:  # nothing to separate: the one class is always right
        return test_y == train_y[0]
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=settings["C"], max_iter=settings["max_iter"]),
    )
    model.fit(train_x, train_y)
    return model.predict(test_x) == test_y


def majority_accuracy(train_y: np.ndarray, test_y: np.ndarray) -> float:
    """The accuracy of always answering the training labels' most common class."""
    values, counts = np.unique(train_y, return_counts=True)
    return float(np.mean(test_y == values[np.argmax(counts)]))


def probe_tasks(
    train_labels: pd.DataFrame, test_labels: pd.DataFrame, attributes: list[str], bins: int
) -> tuple[str, dict[str, tuple[np.ndarray, np.ndarray, float | None]]]:
    """(task, {probe name: (train labels, test labels, fixed baseline or None)})."""
    if attributes:
        return "attributes", {
            a: (train_labels[a].to_numpy(), test_labels[a].to_numpy(), None) for a in attributes
        }
    if "angle" in train_labels:
        train_y = angle_bins(train_labels["angle"].to_numpy(), bins)
        test_y = angle_bins(test_labels["angle"].to_numpy(), bins)
        return "angle_bins", {f"angle_{bins}_bins": (train_y, test_y, 1.0 / bins)}
    raise GaiaError("the dataset has neither binary attributes nor angles to probe")


def probe(params: dict[str, Any], dataset: str, model: str, progress: bool = True) -> None:
    settings = params["analysis"]["probe"]
    latents = load_latents(dataset, model)
    if len(latents["fit_latents"]) == 0:
        raise GaiaError(
            f"{paths.latents(dataset, model)} holds no training latents to fit a probe to; "
            f"rebuild it with `gaia extract-latents --experiment {dataset}/{model}`"
        )
    train = load_split(paths.processed_dir(dataset), "train")
    test = load_split(paths.processed_dir(dataset), "test")
    train_labels = train.labels.iloc[latents["fit_index"]]
    task, tasks = probe_tasks(
        train_labels, test.labels, train.attribute_names, settings["angle_bins"]
    )
    probes, hits = {}, []
    for name, (train_y, test_y, baseline) in tasks.items():
        hits.append(
            probe_hits(latents["fit_latents"], train_y, latents["test_latents"], test_y, settings)
        )
        probes[name] = {
            "accuracy": float(hits[-1].mean()),
            "baseline": baseline if baseline is not None else majority_accuracy(train_y, test_y),
            "n_train": len(train_y),
            "n_test": len(test_y),
        }
    # Every probe scores the same test items: the mean accuracy is the mean over items of
    # each item's share of right answers, so its interval resamples the items.
    per_item = np.mean(hits, axis=0, dtype=np.float64)
    estimate = mean_interval(per_item, settings["bootstrap"], settings["seed"])
    summary = {
        "task": task,
        "probes": probes,
        **interval_entries("mean_accuracy", estimate),
        "mean_baseline": float(np.mean([p["baseline"] for p in probes.values()])),
    }
    write_json(paths.probe(dataset, model), summary)
    log.info(
        "%s/%s: probe accuracy %.3f (baseline %.3f) over %d %s",
        dataset,
        model,
        summary["mean_accuracy"],
        summary["mean_baseline"],
        len(probes),
        task,
    )
