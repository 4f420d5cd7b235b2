"""Figure: attribute edits of held-out faces, OLS next to mean difference
(reports/figures/attribute_edits_DATASET.png).

As the authors' attribute figure (docs/method.md §5.5): for a few held-out faces, the original, its
reconstruction, then z + k v_a and z - k v_a for every attribute a, one row per model and method
so that OLS rows sit next to mean-difference rows. k is the largest configured edit scale (the
authors' notebook used 3). Below, the vectors themselves passed through the decoder, as in the
paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS
from gaia.analysis.latents import decode_latents, load_latents
from gaia.data.store import load_split
from gaia.figures.common import plt, save_figure, show_grid
from gaia.figures.entanglement import METHOD_NAMES
from gaia.models.trained import load_experiment_model
from gaia.utils.artifacts import load_npz
from gaia.utils.device import select_device
from gaia.utils.images import to_uint8_nhwc

FACES = 3


def edit_columns(names: Sequence[str]) -> list[str]:
    return ["X", "G(X)", *(f"{sign}{name}" for name in names for sign in "+-")]


def edit_latents(z: np.ndarray, vectors: np.ndarray, scale: float) -> torch.Tensor:
    """(faces * (1 + 2A), d): z, then z + k v_a and z - k v_a for each attribute a."""
    signs = np.array([1.0, -1.0])
    edits = z[:, None, None, :] + scale * signs[None, None, :, None] * vectors[None, :, None, :]
    rows = np.concatenate([z[:, None, :], edits.reshape(len(z), -1, z.shape[1])], axis=1)
    return torch.from_numpy(rows.reshape(-1, z.shape[1]).astype(np.float32))


def plot_attribute_edits(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    device = select_device(params["training"])
    scale = float(max(params["analysis"]["edits"]["scales"]))
    test = load_split(paths.processed_dir(dataset), "test")
    names = test.attribute_names
    columns = edit_columns(names)
    rows: dict[str, np.ndarray] = {}
    vector_rows: dict[str, np.ndarray] = {}
    for model in models:
        trained = load_experiment_model(params, dataset, model, device)
        generator = trained.generator
        z = load_latents(dataset, model, trained.latent_dim)["test_latents"][:FACES]
        vectors_file = paths.attribute_vectors(dataset, model)
        vectors = load_npz(vectors_file, "attribute vectors file", METHODS)
        for method in METHODS:
            decoded = to_uint8_nhwc(
                decode_latents(generator, edit_latents(z, vectors[method], scale), 64)
            )
            decoded = decoded.reshape(FACES, 1 + 2 * len(names), *decoded.shape[1:])
            for face in range(FACES):
                label = f"face {face + 1}, {model}, {METHOD_NAMES[method]}"
                rows[label] = np.concatenate([test.images[face : face + 1], decoded[face]])
            as_latents = torch.from_numpy(vectors[method].astype(np.float32))
            vector_rows[f"{model}, {METHOD_NAMES[method]}"] = to_uint8_nhwc(
                decode_latents(generator, as_latents, 64)
            )
    rows = dict(sorted(rows.items(), key=lambda item: item[0].split(",")[0]))  # group by face
    heights = [len(rows), len(vector_rows) + 0.6]
    fig, (ax, ax_vectors) = plt.subplots(
        2,
        1,
        figsize=(len(columns) * 0.62 + 2.6, sum(heights) * 0.62 + 1.2),
        gridspec_kw={"height_ratios": heights},
    )
    show_grid(ax, rows, columns)
    ax.set_title(
        f"Attribute edits z +/- {scale:g} v of held-out {dataset} faces: OLS and mean-difference "
        "vectors of each model",
        fontsize=9,
        pad=16,
    )
    show_grid(ax_vectors, vector_rows, names)
    ax_vectors.set_title(
        "The attribute vectors v themselves, decoded as latents", fontsize=9, pad=16
    )
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure(f"attribute_edits_{dataset}"))
