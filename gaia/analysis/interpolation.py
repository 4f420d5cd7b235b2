"""`gaia interpolation-metrics`: how good are a model's latent interpolations?

lines (ACAI's benchmark, docs/method.md §8.3): Mean Distance and Smoothness of 16-step latent
interpolations between random test pairs, next to the same metrics of two references on the same
pairs: the correct interpolation (rendered lines sweeping the short way round, the floor) and the
pixel cross-fade (a poor interpolation).

faces: for each alpha of a grid, over random test pairs: D's reconstruction error of the decoded
interpolation (where the model has a D), the classifier's confidence (mean over attributes of
max(p, 1-p)), and for midpoints (alpha = 0.5) and reconstructions the distance to the nearest
real test image in the classifier's feature space, with the real-to-real nearest-neighbour
distance as the scale. D's error at midpoints and on the pairs' real images, and the ratio of
the nearest-real distances of midpoints and reconstructions, get bootstrap 95% intervals over the
pairs (`analysis.interpolation.bootstrap` resamples).

Every dataset: the latent convexity distances (gaia/analysis/convexity.py), whose latents are
saved for the convexity figure, and how well latent distances keep the pixel distances' order
(gaia/analysis/distance_structure.py).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.analysis.classifier import AttributeClassifier
from gaia.analysis.classifier_training import load_classifier
from gaia.analysis.convexity import convexity
from gaia.analysis.distance_structure import distance_correlation
from gaia.analysis.latents import decode_latents, load_latents
from gaia.analysis.lines_metrics import crossfade, lines_metrics, shortest_arc_angles
from gaia.analysis.pairs import (
    interpolate_latents,
    nearest_distance,
    nearest_distances,
    random_pairs,
)
from gaia.config import dataset_config
from gaia.data.line_angles import reference_lines
from gaia.data.lines import render_lines
from gaia.data.store import load_split
from gaia.metrics.bootstrap import interval_entries, mean_interval, ratio_interval
from gaia.models.trained import TrainedModel, load_experiment_model
from gaia.utils.batching import map_batches, module_device
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view, to_model_input
from gaia.utils.io import write_json, write_npz

log = logging.getLogger(__name__)


def lines_interpolation_metrics(
    trained: TrainedModel, latents: np.ndarray, angles: np.ndarray, cfg: dict, settings: dict
) -> dict[str, float]:
    steps = settings["steps"]
    pairs = random_pairs(settings["pairs"], len(latents), settings["seed"])
    reference = reference_lines(cfg, settings["reference_lines"])
    z = interpolate_latents(latents, pairs, np.linspace(0.0, 1.0, steps))
    decoded = decode_latents(trained.generator, z, settings["batch_size"])
    decoded = decoded.reshape(len(pairs), steps, *decoded.shape[1:])
    arcs = shortest_arc_angles(angles[pairs[:, 0]], angles[pairs[:, 1]], steps)
    rendered = render_lines(arcs.ravel(), cfg["resolution"], cfg["supersample"], cfg["line_width"])
    correct = torch.from_numpy(rendered).float().div(255).permute(0, 3, 1, 2)
    correct = correct.reshape(len(pairs), steps, *correct.shape[1:])
    fade = crossfade(correct[:, 0], correct[:, -1], steps)
    results = lines_metrics(decoded, reference)
    for name, images in (("angular", correct), ("crossfade", fade)):
        reference_scores = lines_metrics(images, reference)
        for key in ("mean_distance", "smoothness", "flat_interpolations"):
            results[f"{name}_{key}"] = reference_scores[key]
    return results


def _confidence(classifier: AttributeClassifier, images: torch.Tensor, batch: int) -> float:
    """Mean over images and outputs of max(p, 1 - p): how decisive the classifier is."""
    p = map_batches(classifier.probabilities, images, batch, module_device(classifier))
    return float(torch.maximum(p, 1 - p).mean())


@torch.no_grad()
def _d_errors(trained: TrainedModel, images: torch.Tensor, batch: int) -> np.ndarray:
    """D's reconstruction error (mean absolute pixel error) of each image."""
    assert trained.discriminator is not None
    device = next(trained.discriminator.parameters()).device
    errors = []
    for s in range(0, len(images), batch):
        x = images[s : s + batch].to(device)
        errors.append((trained.discriminator(x).float() - x).abs().flatten(1).mean(1).cpu())
    return torch.cat(errors).numpy()


def face_interpolation_metrics(
    trained: TrainedModel,
    classifier: AttributeClassifier,
    latents: np.ndarray,
    test_images: torch.Tensor,
    settings: dict,
    resamples: int,
) -> dict[str, float]:
    """Per alpha: the judge's confidence and D's error; D's error on the real images of the
    pairs and at the midpoints, and the midpoints' and reconstructions' distance to the nearest
    real image (with their ratio), each with a bootstrap 95% interval over the pairs."""
    batch = settings["batch_size"]
    alphas = np.asarray(settings["alphas"], np.float64)
    pairs = random_pairs(settings["pairs"], len(latents), settings["seed"])
    decoded = decode_latents(trained.generator, interpolate_latents(latents, pairs, alphas), batch)
    decoded = decoded.reshape(len(pairs), len(alphas), *decoded.shape[1:])
    results: dict[str, float] = {"pairs": len(pairs)}
    for i, alpha in enumerate(alphas):
        tag = f"{alpha:.2f}"
        results[f"classifier_confidence_alpha_{tag}"] = _confidence(
            classifier, decoded[:, i], batch
        )
        if trained.discriminator is not None:
            results[f"d_error_alpha_{tag}"] = float(_d_errors(trained, decoded[:, i], batch).mean())
    features = partial(
        map_batches, classifier.features, batch_size=batch, device=module_device(classifier)
    )
    reals = features(test_images)
    midpoints = decode_latents(trained.generator, interpolate_latents(latents, pairs, [0.5]), batch)
    recon = decode_latents(trained.generator, torch.from_numpy(latents[pairs[:, 0]]), batch)
    seed = settings["seed"]
    if trained.discriminator is not None:
        # GAIA's D is trained to reconstruct real images well and generated ones badly: at
        # midpoints it errs as on real images when they look real to it.
        for key, images in (
            ("d_error_real", test_images[pairs[:, 0]]),
            ("d_error_midpoint", midpoints),
        ):
            errors = _d_errors(trained, images, batch)
            results |= interval_entries(key, mean_interval(errors, resamples, seed))
    to_midpoints = nearest_distances(features(midpoints), reals)
    to_reconstructions = nearest_distances(features(recon), reals)
    results["nearest_real_midpoint"] = float(to_midpoints.mean())
    results["nearest_real_reconstruction"] = float(to_reconstructions.mean())
    results |= interval_entries(
        "nearest_real_ratio", ratio_interval(to_midpoints, to_reconstructions, resamples, seed)
    )
    results["nearest_real_real"] = nearest_distance(reals, reals, exclude_self=True)
    results["classifier_confidence_real"] = _confidence(classifier, test_images, batch)
    return results


def interpolation_metrics(
    params: dict[str, Any], dataset: str, model: str, progress: bool = False
) -> dict[str, float]:
    settings = params["analysis"]["interpolation"]
    cfg = dataset_config(params, dataset)
    device = select_device(params["training"])
    trained = load_experiment_model(params, dataset, model, device)
    test = load_split(paths.processed_dir(dataset), "test")
    latents = load_latents(dataset, model, trained.latent_dim, len(test))["test_latents"]
    if cfg["kind"] == "lines":
        angles = test.labels["angle"].to_numpy()
        results = lines_interpolation_metrics(trained, latents, angles, cfg, settings["lines"])
    else:
        images = to_model_input(nchw_view(test.images), torch.device("cpu"))
        results = face_interpolation_metrics(
            trained,
            load_classifier(dataset, device),
            latents,
            images,
            settings["faces"],
            settings["bootstrap"],
        )
    convexity_latents, distances = convexity(
        trained.generator, latents, settings["convexity"], settings["bootstrap"]
    )
    results |= distances
    pairs = random_pairs(settings["convexity"]["pairs"], len(test), settings["convexity"]["seed"])
    content = latents[:, : trained.generator.cfg.content_dim]
    results |= distance_correlation(test.images, content, pairs)
    write_npz(paths.convexity_latents(dataset, model), **convexity_latents)
    write_json(paths.interpolation_metrics(dataset, model), results)
    log.info("%s/%s interpolation metrics: %s", dataset, model, results)
    return results
