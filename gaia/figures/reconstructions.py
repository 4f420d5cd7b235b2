"""Figure: every model's reconstructions of the same held-out images
(reports/figures/reconstructions_DATASET.png).

The paper's comparison figure (docs/method.md §5.3) set GAIA beside other papers' pictures; here
the AE baseline is trained on the same data for the same budget. Rows: the inputs X, then per
model G(X), and for GAIA also D(X) and D(G(X)), as in the authors' monitor figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.data.store import load_split
from gaia.figures.common import plt, save_figure, show_grid
from gaia.models.trained import TrainedModel, load_experiment_model
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view, to_model_input, to_uint8_nhwc

IMAGES = 10  # the first test images (the test split is already a random sample)


@torch.no_grad()
def model_rows(name: str, trained: TrainedModel, x: torch.Tensor) -> dict[str, np.ndarray]:
    g_x = trained.generator(x)
    rows = {f"{name}: G(X)": to_uint8_nhwc(g_x)}
    if trained.discriminator is not None:
        rows[f"{name}: D(X)"] = to_uint8_nhwc(trained.discriminator(x))
        rows[f"{name}: D(G(X))"] = to_uint8_nhwc(trained.discriminator(g_x))
    return rows


def plot_reconstructions(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    device = select_device(params["training"])
    test = load_split(paths.processed_dir(dataset), "test")
    x = to_model_input(nchw_view(test.images[:IMAGES]), device)
    rows = {"X (held out)": test.images[:IMAGES]}
    for model in models:
        rows |= model_rows(model, load_experiment_model(params, dataset, model, device), x)
    fig, ax = plt.subplots(figsize=(IMAGES * 0.75 + 1.5, len(rows) * 0.75 + 0.8))
    show_grid(ax, rows)
    ax.set_title(
        f"Reconstructions of {IMAGES} held-out {dataset} images: G(X) of each model, "
        "and GAIA's discriminator D on X and on G(X)",
        fontsize=9,
    )
    return save_figure(fig, out_png or paths.figure(f"reconstructions_{dataset}"))
