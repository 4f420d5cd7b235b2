"""Latent convexity, measured: do interpolation midpoints stay inside the cloud of real codes?

GAIA trains the decodings of latent interpolations to look real, which should pull the latent
distribution towards a convex set: points on a line between two codes decode to images that
encode back near the same line, inside the cloud of real codes. For random test pairs, the
linear midpoints z_mid and their re-encodings E(G(z_mid)) are compared with the real test
latents: the mean distance to the nearest real latent, in units of the real latents' own
nearest-neighbour distance (1 = as close as real codes are to each other), with a bootstrap 95%
interval over the midpoints.

The figure's points are kept as a 2-D PCA projection, fitted on the real latents (`convexity.npz`:
real, midpoints, reencoded as (N, 2) and the two components' share of variance as `explained`):
it is what reports/figures/convexity_DATASET.png draws, and 50 times smaller than the latents,
which matters because experiment records keep it in git (gaia/runs.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch
from sklearn.decomposition import PCA

from gaia.analysis.latents import decode_latents
from gaia.analysis.pairs import (
    interpolate_latents,
    nearest_distance,
    nearest_distances,
    random_pairs,
)
from gaia.metrics.bootstrap import interval_entries, mean_interval
from gaia.models.autoencoder import Autoencoder, latent_vector
from gaia.utils.batching import map_batches, module_device


def encode(generator: Autoencoder, images: torch.Tensor) -> torch.Tensor:
    return latent_vector(*generator.encode(images)).float()


def convexity(
    generator: Autoencoder, real: np.ndarray, settings: dict[str, Any], resamples: int
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The figure's points (real, midpoints, re-encoded, projected by plane()) and the two
    distances to report, each with a bootstrap 95% interval over the midpoints (the scale held
    fixed)."""
    batch = settings["batch_size"]
    pairs = random_pairs(settings["pairs"], len(real), settings["seed"])
    midpoints = interpolate_latents(real, pairs, [0.5])
    decoded = decode_latents(generator, midpoints, batch)
    reencoded = map_batches(partial(encode, generator), decoded, batch, module_device(generator))
    reals = torch.from_numpy(real)
    scale = nearest_distance(reals, reals, exclude_self=True)
    distances: dict[str, float] = {}
    for key, points in (
        ("convexity_midpoint_distance", midpoints),
        ("convexity_reencoded_distance", reencoded.float()),
    ):
        estimate = mean_interval(
            nearest_distances(points, reals) / scale, resamples, settings["seed"]
        )
        distances |= interval_entries(key, estimate)
    latents = {"real": real, "midpoints": midpoints.numpy(), "reencoded": reencoded.numpy()}
    return plane(latents, settings["seed"]), distances


def plane(latents: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """Each set of latents projected on the first two principal components of the real ones,
    and those components' shares of the real latents' variance (`explained`)."""
    pca = PCA(n_components=2, random_state=seed).fit(latents["real"])
    projected = {name: pca.transform(z).astype(np.float32) for name, z in latents.items()}
    return projected | {"explained": pca.explained_variance_ratio_.astype(np.float32)}
