"""Figure: attribute edits of held-out faces, OLS next to mean difference
(reports/figures/attribute_edits_DATASET.png).

As the authors' attribute figure (docs/method.md §5.5): for a few held-out faces, the original, its
reconstruction, then z + k v_a and z - k v_a for every attribute a, one row per model and method
so that OLS rows sit next to mean-difference rows. k is the largest configured edit scale (the
authors' notebook used 3). Below, the vectors themselves passed through the decoder, as in the
paper. The decodes are each model's renders.npz (gaia/figures/renders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS
from gaia.data.store import load_split
from gaia.figures.common import plt, save_figure, show_grid
from gaia.figures.entanglement import METHOD_NAMES
from gaia.figures.renders import load_renders


def edit_columns(names: Sequence[str]) -> list[str]:
    return ["X", "G(X)", *(f"{sign}{name}" for name in names for sign in "+-")]


def plot_attribute_edits(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    scale = float(max(params["analysis"]["edits"]["scales"]))
    test = load_split(paths.processed_dir(dataset), "test")
    names = test.attribute_names
    columns = edit_columns(names)
    rows: dict[str, np.ndarray] = {}
    vector_rows: dict[str, np.ndarray] = {}
    for model in models:
        keys = tuple(f"{kind}_{method}" for kind in ("edits", "vectors") for method in METHODS)
        renders = load_renders(dataset, model, keys)
        for method in METHODS:
            for face, decoded in enumerate(renders[f"edits_{method}"]):
                label = f"face {face + 1}, {model}, {METHOD_NAMES[method]}"
                rows[label] = np.concatenate([test.images[face : face + 1], decoded])
            vector_rows[f"{model}, {METHOD_NAMES[method]}"] = renders[f"vectors_{method}"]
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
