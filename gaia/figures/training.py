"""Figure: training dynamics of every model on a dataset (reports/figures/training_DATASET.png).

Four panels over training steps, from each experiment's train_log.jsonl: D's reconstruction
errors on real, reconstructed and interpolated images (GAIA) with the AE's reconstruction loss
and the held-out L1 of G(X) of both; GAIA's objectives L_D, L_G and the distance regulariser;
the balanced learning rates lr_D and lr_G; and the adaptive weights p_fake and p_s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gaia import paths
from gaia.figures.common import plt, save_figure

PANELS = (
    (
        "Reconstruction errors (L1, training batches)",
        {
            "L_real": "D(X) vs X",
            "L_gr": "D(G(X)) vs X",
            "L_gi": "D(G(Z_interp)) vs G(Z_interp)",
            "L_recon": "G(X) vs X",
            "eval_recon_l1": "G(X) vs X, held out",
        },
    ),
    ("Objectives", {"L_D": "L_D", "L_G": "L_G", "L_dist": "L_dist (distance regulariser)"}),
    ("Learning rates", {"lr_D": "lr_D", "lr_G": "lr_G"}),
    ("Adaptive weights", {"p_fake": "p_fake", "p_s": "p_s"}),
)


def read_log(path: Path) -> pd.DataFrame:
    """The JSON lines of a training log as one table (evaluation rows have NaN elsewhere)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return pd.DataFrame.from_records(records)


def plot_training(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    logs = {model: read_log(paths.train_log(dataset, model)) for model in models}
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.6))
    styles = ("-", "--", ":", "-.")
    for ax, (title, columns) in zip(axes, PANELS, strict=True):
        for style, (model, log) in zip(styles, logs.items(), strict=False):
            for column, label in columns.items():
                if column not in log:
                    continue
                series = log[["step", column]].dropna()
                marker = "o" if column.startswith("eval_") else None
                ax.plot(
                    series["step"],
                    series[column],
                    linestyle=style,
                    marker=marker,
                    markersize=4,
                    label=f"{model}: {label}",
                )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=6, loc="best")
    axes[0].set_ylabel("mean absolute error (pixels in [0, 1])")
    axes[2].set_ylabel("learning rate")
    fig.suptitle(
        f"Training dynamics on {dataset}: {', '.join(models)} "
        "(lr_D = lr_max * sigmoid(20 (L_real - L_fake)), lr_G = lr_max - lr_D)",
        fontsize=11,
    )
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure(f"training_{dataset}"))
