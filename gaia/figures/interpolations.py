"""Figure: latent interpolations between held-out pairs
(reports/figures/interpolations_DATASET.png).

As the authors' morph figure (docs/method.md §5.4): each row is real image A, ten decodes of
(1 - t) z_A + t z_B for t = 0..1 (z_c and z_s together, linear), then real image B. For each pair,
one row per model and, for contrast, the pixel cross-fade; on lines also the correct
interpolation (the line sweeping the short way round between the two angles). The decodes are
each model's renders.npz (gaia/figures/renders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.analysis.lines_metrics import crossfade, shortest_arc_angles
from gaia.config import dataset_config
from gaia.data.lines import render_lines
from gaia.data.store import load_split
from gaia.figures.common import plt, save_figure, show_grid
from gaia.figures.renders import PAIRS, STEPS, load_renders, pairs
from gaia.utils.images import nchw_view, to_model_input, to_uint8_nhwc


def plot_interpolations(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    cfg = dataset_config(params, dataset)
    test = load_split(paths.processed_dir(dataset), "test")
    chosen = pairs(params, len(test))
    t = np.linspace(0.0, 1.0, STEPS)
    ends = [test.images[chosen[:, 0]], test.images[chosen[:, 1]]]

    def framed(middle: np.ndarray, pair: int) -> np.ndarray:
        return np.concatenate([ends[0][pair : pair + 1], middle, ends[1][pair : pair + 1]])

    strips = {model: list(load_renders(dataset, model)["interpolations"]) for model in models}
    a, b = (to_model_input(nchw_view(end), torch.device("cpu")) for end in ends)
    fades = crossfade(a, b, STEPS)  # (pairs, steps, C, H, W)
    strips["pixel cross-fade"] = [to_uint8_nhwc(fade) for fade in fades]
    if cfg["kind"] == "lines":
        angles = test.labels["angle"].to_numpy()
        arcs = shortest_arc_angles(angles[chosen[:, 0]], angles[chosen[:, 1]], STEPS)
        rendered = render_lines(
            arcs.ravel(), cfg["resolution"], cfg["supersample"], cfg["line_width"]
        )
        strips["correct (angle)"] = list(rendered.reshape(PAIRS, STEPS, *rendered.shape[1:]))
    rows = {
        f"pair {p + 1}: {name}": framed(strip[p], p)
        for p in range(PAIRS)
        for name, strip in strips.items()
    }
    columns = ["A", *(f"t={v:.2f}" for v in t), "B"]
    fig, ax = plt.subplots(figsize=(len(columns) * 0.75 + 2.0, len(rows) * 0.75 + 0.8))
    show_grid(ax, rows, columns)
    ax.set_title(
        f"Latent interpolations between {PAIRS} held-out {dataset} pairs (real A and B at the "
        "ends; t = 0 and t = 1 are the reconstructions)",
        fontsize=9,
        pad=18,
    )
    return save_figure(fig, out_png or paths.figure(f"interpolations_{dataset}"))
