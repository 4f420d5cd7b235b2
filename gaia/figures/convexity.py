"""Figure: the paper's convexity argument, with data (reports/figures/convexity_DATASET.png).

GAIA trains the decodings of latent interpolations to look real, which should pull the latent
distribution towards a convex set: points on a line between two codes decode to images that
encode back near the same line, inside the cloud of real codes. Per model, a 2-D PCA (fitted on
the real test latents) shows the real latents, the linear midpoints of random test pairs, and
those midpoints decoded and encoded again, E(G(z_mid)). The title of each panel gives the mean
distance (full latent space, in units of the real codes' nearest-neighbour distance) from the
midpoints and their re-encodings to the nearest real latent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.decomposition import PCA

from gaia import paths
from gaia.analysis.interpolation import interpolate_latents, nearest_distance, random_pairs
from gaia.analysis.latents import decode_latents
from gaia.figures.common import plt, save_figure
from gaia.models.autoencoder import Autoencoder, latent_vector
from gaia.models.trained import load_trained
from gaia.utils.batching import map_batches, module_device
from gaia.utils.device import select_device

PAIRS = 500


def encode(generator: Autoencoder, images: torch.Tensor) -> torch.Tensor:
    return latent_vector(*generator.encode(images)).float()


def plot_convexity(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    device = select_device(params["training"])
    seed = params["analysis"]["interpolation"]["faces"]["seed"]
    batch = params["analysis"]["latents"]["batch_size"]
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 4.4), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        generator = load_trained(paths.model_file(dataset, model), device).generator
        real = np.load(paths.latents(dataset, model))["test_latents"]
        pairs = random_pairs(PAIRS, len(real), seed)
        midpoints = interpolate_latents(real, pairs, [0.5])
        decoded = decode_latents(generator, midpoints, batch)
        reencoded = map_batches(
            partial(encode, generator), decoded, batch, module_device(generator)
        )
        reals = torch.from_numpy(real)
        scale = nearest_distance(reals, reals, exclude_self=True)
        mid_distance = nearest_distance(midpoints, reals) / scale
        re_distance = nearest_distance(reencoded.float(), reals) / scale
        pca = PCA(n_components=2, random_state=seed).fit(real)
        for points, label, style in (
            (real, "real test latents", {"s": 3, "c": "0.6", "alpha": 0.5}),
            (midpoints.numpy(), "linear midpoints z_mid", {"s": 5, "c": "tab:blue"}),
            (reencoded.numpy(), "E(G(z_mid))", {"s": 5, "c": "tab:red"}),
        ):
            xy = pca.transform(points)
            ax.scatter(xy[:, 0], xy[:, 1], label=label, linewidths=0, **style)
        ax.set_title(
            f"{model}: nearest-real distance / real NN\nz_mid {mid_distance:.2f}, "
            f"E(G(z_mid)) {re_distance:.2f}",
            fontsize=9,
        )
        explained = pca.explained_variance_ratio_
        ax.set_xlabel(f"PC 1 ({explained[0]:.0%} of variance)")
        ax.set_ylabel(f"PC 2 ({explained[1]:.0%})")
        ax.legend(fontsize=7, markerscale=2)
    fig.suptitle(
        f"Latent convexity on {dataset}: {PAIRS} interpolation midpoints, PCA of the real latents",
        fontsize=11,
    )
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure(f"convexity_{dataset}"))
