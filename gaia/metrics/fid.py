"""`gaia fid-reference` and `gaia fid`: FID/KID of a model's image sets against the test images.

    results/DATASET/fid_reference.npz   per extractor label L: L_index (test images used),
                                        L_features (N, F), L_mu, L_sigma (FID statistics)
    results/DATASET/fid_reference.json  how they were made: extractors, layers, weights and
                                        their digests, image counts, what `auto` skipped and why
    results/DATASET/MODEL/fid.json      fid_L_S, kid_L_S_mean, kid_L_S_std for extractor L and
                                        image set S (recon, interp, edits), their basic bootstrap
                                        95% intervals (fid_L_S_ci_low, ..., kid_L_S_ci_high), and
                                        the counts; per set S the realism measures beside FID
                                        (gaia/metrics/realism.py): c2st_S (accuracy of the
                                        classifier two-sample test, 0.5 = not told apart) with
                                        c2st_S_ci_low/high and c2st_S_images, and sharpness
                                        sharpness_laplacian_S, sharpness_high_frequency_S
                                        (1 = as sharp as the real test images)

The reference is computed once per dataset and reused by every model; `gaia fid` refuses one made
with other weights or counts (rerun `gaia fid-reference`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch
import torch_fidelity

from gaia import paths
from gaia.analysis.latents import load_latents
from gaia.data.store import Split, load_split
from gaia.errors import GaiaError
from gaia.metrics.bootstrap import fid_interval, kid_interval
from gaia.metrics.extractors import Extractor, resolve_extractors
from gaia.metrics.fidelity import (
    check_kid_subset,
    compare_features,
    extract_features,
    fid_statistics,
    load_extractor,
)
from gaia.metrics.image_sets import (
    generate_set,
    sample_order,
    set_latents,
    set_size,
)
from gaia.metrics.realism import sharpness, two_sample_test
from gaia.models.trained import load_experiment_model
from gaia.utils.artifacts import load_json, load_npz, reading
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view
from gaia.utils.io import write_json, write_npz
from gaia.utils.seeding import Stream

log = logging.getLogger(__name__)


def _check_counts(extractors: list[Extractor], sets: list[str], available: int) -> None:
    """Fail before any work when a KID subset exceeds a set (counts are known up front)."""
    for ex in extractors:
        sizes = [min(ex.reference_images, available)]
        sizes += [set_size(name, ex.generated_images, available) for name in sets]
        key = f"fid.counts.{ex.name}.kid_subset_size"
        check_kid_subset(ex.kid_subset_size, *sizes, key=key)


def _sets(settings: dict[str, Any], test: Split, dataset: str) -> list[str]:
    sets = list(settings["sets"])
    if "edits" in sets and not test.attribute_names:
        log.warning("%s has no binary attributes: the edits set is skipped", dataset)
        sets.remove("edits")
    return sets


def write_fid_reference(params: dict[str, Any], dataset: str, progress: bool = True) -> dict:
    """Features and FID statistics of the real test images, per usable extractor."""
    settings = params["fid"]
    cuda = select_device(params["training"]).type == "cuda"
    extractors, skipped = resolve_extractors(settings, dataset)
    test = load_split(paths.processed_dir(dataset), "test")
    _check_counts(extractors, _sets(settings, test, dataset), len(test))
    images = nchw_view(test.images)
    arrays: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {
        "dataset": dataset,
        "test_images": len(test),
        "torch_fidelity": torch_fidelity.__version__,
        "input": "uint8 tensors straight from the stored split (no file or JPEG round trip); "
        "Inception resizes to 299x299 with torch-fidelity's TensorFlow-1-compatible bilinear",
        "extractors": {},
        "skipped": skipped,
    }
    for ex in extractors:
        index = sample_order(ex.reference_images, len(test), settings["seed"], Stream.FID_REFERENCE)
        log.info("%s: %s features of %d test images", dataset, ex.label, len(index))
        extractor = load_extractor(ex.spec, cuda)
        features = extract_features(
            images[index], extractor, settings["batch_size"], cuda, progress
        )
        statistics = fid_statistics(features)
        arrays |= {
            f"{ex.label}_index": index,
            f"{ex.label}_features": features.numpy(),
            f"{ex.label}_mu": statistics["mu"],
            f"{ex.label}_sigma": statistics["sigma"],
        }
        info["extractors"][ex.label] = ex.describe() | {
            "reference_requested": ex.reference_images,
            "reference_images": len(index),
        }
    write_npz(paths.fid_reference(dataset), **arrays)
    write_json(paths.fid_reference_info(dataset), info)
    return info


def _load_reference(dataset: str, extractors: list[Extractor]) -> dict[str, np.ndarray]:
    stats_file, info_file = paths.fid_reference(dataset), paths.fid_reference_info(dataset)
    if not stats_file.is_file() or not info_file.is_file():
        raise GaiaError(
            f"{stats_file}: missing; compute it with `gaia fid-reference --dataset {dataset}`"
        )
    with reading(info_file, "FID reference description"):
        info = load_json(info_file, "FID reference description")["extractors"]
    for ex in extractors:
        made = info.get(ex.label)
        if made is None or made["weights_digest"] != ex.weights_digest:
            why = "without" if made is None else "with other weights for"
            raise GaiaError(
                f"{stats_file} was computed {why} the {ex.label} extractor; rerun "
                f"`gaia fid-reference --dataset {dataset}`"
            )
        if made["reference_requested"] != ex.reference_images:
            raise GaiaError(
                f"{stats_file} was computed from {made['reference_requested']} {ex.label} "
                f"images, params ask {ex.reference_images}; rerun "
                f"`gaia fid-reference --dataset {dataset}`"
            )
    return load_npz(stats_file, "FID reference statistics file")


def _intervals(
    features: torch.Tensor,
    reference: np.ndarray,
    extractor: Extractor,
    tag: str,
    settings: dict[str, Any],
) -> dict[str, float]:
    """Basic bootstrap 95% intervals of FID and of KID (on all images at once) over the images
    of both sides; {} when the extractor's `bootstrap` is 0."""
    resamples = extractor.bootstrap_resamples
    if not resamples:
        return {}
    generated = features.double().numpy()
    real = reference.astype(np.float64)
    out = {}
    for key, interval in (("fid", fid_interval), ("kid", kid_interval)):
        _, low, high = interval(generated, real, resamples, settings["seed"])
        out |= {f"{key}_{tag}_ci_low": low, f"{key}_{tag}_ci_high": high}
    return out


def _realism(
    name: str, images: torch.Tensor, test: Split, count: int, settings: dict[str, Any]
) -> dict[str, float]:
    """The two-sample test and the sharpness of one image set against real test images. The
    real side is the second half of the reconstruction order, whose first half the recon set
    decodes, so that no face is seen both as itself and as its reconstruction."""
    order = sample_order(len(test), len(test), settings["seed"], Stream.FID_RECON)
    half = min(count, len(test)) // 2
    real = test.images[np.sort(order[half : 2 * half])]
    generated = images[:half].permute(0, 2, 3, 1).numpy()
    found = two_sample_test(real, generated, settings["two_sample"], settings["seed"])
    out = {
        f"c2st_{name}": found["accuracy"],
        f"c2st_{name}_ci_low": found["ci_low"],
        f"c2st_{name}_ci_high": found["ci_high"],
        f"c2st_{name}_images": found["images"],
    }
    for measure, value in sharpness(generated, real).items():
        out[f"sharpness_{measure}_{name}"] = value
    return out


def evaluate_fid(params: dict[str, Any], dataset: str, model: str, progress: bool = True):
    """fid.json of one experiment: every extractor x image set against the stored reference."""
    settings = params["fid"]
    device = select_device(params["training"])
    extractors, skipped = resolve_extractors(settings, dataset)
    reference = _load_reference(dataset, extractors)
    test = load_split(paths.processed_dir(dataset), "test")
    sets = _sets(settings, test, dataset)
    _check_counts(extractors, sets, len(test))
    trained = load_experiment_model(params, dataset, model, device)
    generator = trained.generator
    latents = load_latents(dataset, model, trained.latent_dim, len(test))["test_latents"]
    attributes = vectors = None
    if "edits" in sets:
        attributes = test.attributes.to_numpy()
        vectors_file = paths.attribute_vectors(dataset, model)
        stored = load_npz(vectors_file, "attribute vectors file", ("ols", "names"))
        vectors, names = stored["ols"], list(stored["names"])
        if names != test.attribute_names:
            raise GaiaError(
                f"{vectors_file} has vectors for {names}, the test split has attributes "
                f"{test.attribute_names}; rerun `gaia attribute-vectors --experiment "
                f"{dataset}/{model}`"
            )
    cuda = device.type == "cuda"
    loaded = {ex.label: load_extractor(ex.spec, cuda) for ex in extractors}
    count = max(ex.generated_images for ex in extractors)  # smaller counts use a prefix
    results: dict[str, float] = {}
    for name in sets:
        z = set_latents(
            name, latents, count, settings["seed"], attributes, vectors, settings["edit_scale"]
        )
        images = generate_set(generator, z, settings["batch_size"])
        for ex in extractors:
            subset = images[: set_size(name, ex.generated_images, len(test))]
            features = extract_features(
                subset, loaded[ex.label], settings["batch_size"], cuda, progress
            )
            scores = compare_features(
                features,
                torch.from_numpy(reference[f"{ex.label}_features"]),
                {"mu": reference[f"{ex.label}_mu"], "sigma": reference[f"{ex.label}_sigma"]},
                ex.kid_subset_size,
                settings["kid_subsets"],
                settings["seed"],
            )
            tag = f"{ex.label}_{name}"
            results |= {
                f"fid_{tag}": scores["fid"],
                f"kid_{tag}_mean": scores["kid_mean"],
                f"kid_{tag}_std": scores["kid_std"],
                f"images_{tag}": len(subset),
                **_intervals(features, reference[f"{ex.label}_features"], ex, tag, settings),
            }
            log.info("%s/%s %s: %s", dataset, model, tag, scores)
        results |= _realism(name, images, test, count, settings)
    for ex in extractors:
        results[f"images_{ex.label}_reference"] = len(reference[f"{ex.label}_index"])
    for label in skipped:
        log.warning("%s FID skipped: see %s", label, paths.fid_reference_info(dataset))
    write_json(paths.fid_metrics(dataset, model), results)
    return results
