"""`gaia attribute-vectors` and `gaia attribute-edits`: the paper's OLS attribute vectors next to
mean-difference vectors, fitted on the same latents, then judged by editing held-out faces.

    results/DATASET/MODEL/attribute_vectors.npz   ols, mean_difference (attributes, d); names
    results/DATASET/MODEL/attribute_cosines.csv   cosine similarity of every pair, per method
    results/DATASET/MODEL/attribute_metrics.csv   efficacy and leakage per edit (see edits.py)
    results/DATASET/MODEL/attribute_matched.csv   leakage at matched efficacy with bootstrap 95%
                                                  intervals, per method and pair; the scales
                                                  (matched_edits.py)
    results/DATASET/MODEL/attribute_summary.json  the pairs the training labels tie together
                                                  (dependence_A_to_B: their partial correlation,
                                                  dependence.py), mean efficacy/leakage per method
                                                  and the signed leakage of each pair, at the
                                                  report scale and at matched efficacy; whether
                                                  G(X) keeps X's attributes (kept_attributes.py)
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS, attribute_vectors, cosine_similarities
from gaia.analysis.classifier_training import load_classifier, predict
from gaia.analysis.dependence import PREFIX, leakage_pairs
from gaia.analysis.edits import Edits, evaluate_edits, judge_latents, summarise_edits
from gaia.analysis.kept_attributes import kept_attributes
from gaia.analysis.latents import load_latents
from gaia.analysis.matched_edits import matched_edits, summarise_matched
from gaia.data.store import Split, load_split
from gaia.errors import GaiaError
from gaia.models.trained import load_experiment_model
from gaia.utils.artifacts import check_shape, load_npz
from gaia.utils.device import select_device
from gaia.utils.io import write_json, write_npz, write_text

log = logging.getLogger(__name__)


def _split(dataset: str, split: str) -> Split:
    """A split of a dataset that has binary attributes (a clear error otherwise)."""
    data = load_split(paths.processed_dir(dataset), split)
    if not data.attribute_names:
        raise GaiaError(f"dataset {dataset!r} has no binary attributes to find vectors for")
    return data


def fit_attribute_vectors(
    params: dict[str, Any], dataset: str, model: str, progress: bool = False
) -> dict[str, np.ndarray]:
    latents = load_latents(dataset, model)
    attributes = _split(dataset, "train").attributes.iloc[latents["fit_index"]]
    vectors = attribute_vectors(latents["fit_latents"], attributes)
    names = list(attributes.columns)
    write_npz(paths.attribute_vectors(dataset, model), names=np.array(names), **vectors)
    tables = []
    for method in METHODS:
        table = cosine_similarities(vectors[method], names).rename_axis("attribute")
        tables.append(table.reset_index().assign(method=method))
    cosines = pd.concat(tables)[["method", "attribute", *names]]
    write_text(
        paths.attribute_cosines(dataset, model),
        cosines.to_csv(index=False, float_format="%.6f", lineterminator="\n"),
    )
    return vectors


def edit_attributes(
    params: dict[str, Any], dataset: str, model: str, progress: bool = False
) -> dict[str, float]:
    settings = params["analysis"]["edits"]
    device = select_device(params["training"])
    trained = load_experiment_model(params, dataset, model, device)
    vectors_file = paths.attribute_vectors(dataset, model)
    stored = load_npz(vectors_file, "attribute vectors file", METHODS)
    vectors = {method: stored[method] for method in METHODS}
    for method in METHODS:
        check_shape(vectors_file, method, vectors[method], (None, trained.latent_dim))
    classifier = load_classifier(dataset, device)
    latents = load_latents(dataset, model, trained.latent_dim)["test_latents"]
    test = _split(dataset, "test")
    attributes = test.attributes
    dependent = leakage_pairs(_split(dataset, "train").attributes, settings["leakage_threshold"])
    pairs = [(source, target) for source, target, _ in dependent]
    edits = Edits(trained.generator, classifier, latents, attributes, vectors, settings)
    table = evaluate_edits(edits, settings["scales"])
    write_text(
        paths.attribute_metrics(dataset, model),
        table.to_csv(index=False, float_format="%.6f", lineterminator="\n"),
    )
    scales, leakage = matched_edits(edits, settings, pairs)
    matched = leakage.merge(
        scales.pivot(index=["method", "attribute"], columns="direction", values="scale")
        .add_prefix("scale_")
        .reset_index()
        .rename(columns={"attribute": "source"}),
        on=["method", "source"],
        how="left",
    )
    write_text(
        paths.attribute_matched(dataset, model),
        matched.to_csv(index=False, float_format="%.6f", lineterminator="\n"),
    )
    summary = {f"{PREFIX}{source}_to_{target}": value for source, target, value in dependent}
    summary |= summarise_edits(table, settings, pairs) | summarise_matched(scales, leakage)
    real = predict(classifier, test.images, settings["batch_size"])
    reconstructed = judge_latents(trained.generator, classifier, latents, settings["batch_size"])
    summary |= kept_attributes(real, reconstructed, list(attributes.columns))
    write_json(paths.attribute_summary(dataset, model), summary)
    log.info("%s/%s attribute edits: %s", dataset, model, summary)
    return summary
