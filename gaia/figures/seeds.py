"""Figures of a seeded target over its seeds (REPORT_DIR/figures/), drawn for its report.

over_seeds.png    one panel per (dataset, quantity): a bar per model at the mean over the seeds,
                  the sample standard deviation as its error bar and each seed's value as a
                  dot, so that a difference between models can be read against the seed-to-seed
                  spread
curves_over_seeds.png
                  one panel per dataset: every model's held-out L1 of G(X) over training steps,
                  a line per seed, so that a seed that diverges shows where it left the others

The numbers are the report's own (gaia/report/target.py gathers them from the runs' metric
files and training logs); this module only draws them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from gaia.figures.common import plt, save_figure

# (dataset, quantity) -> model -> one value per seed (None where a run lacks it)
SeedValues = dict[tuple[str, str], dict[str, list[float | None]]]
# dataset -> model -> seed -> its evaluations: columns `step` and `eval_recon_l1`
SeedCurves = dict[str, dict[str, dict[int, pd.DataFrame]]]
SEED_STYLES = ("-", "--", ":", "-.")
COLUMNS = 4


def plot_over_seeds(values: SeedValues, out_png: str | Path) -> list[Path]:
    """Draw every (dataset, quantity) that some model has a value for; PNG and PDF."""
    panels = {
        key: {m: [v for v in seeds if v is not None] for m, seeds in models.items()}
        for key, models in values.items()
    }
    panels = {key: {m: v for m, v in models.items() if v} for key, models in panels.items()}
    panels = {key: models for key, models in panels.items() if models}
    if not panels:
        raise ValueError("no value to draw: the runs have no headline metric files")
    rows = math.ceil(len(panels) / COLUMNS)
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(3.2 * COLUMNS, 2.6 * rows), squeeze=False)
    seeds = max(len(v) for models in values.values() for v in models.values())
    for ax, ((dataset, quantity), models) in zip(axes.flat, panels.items(), strict=False):
        names = list(models)
        means = [float(np.mean(models[m])) for m in names]
        sds = [float(np.std(models[m], ddof=1)) if len(models[m]) > 1 else 0.0 for m in names]
        x = np.arange(len(names))
        ax.bar(x, means, yerr=sds, capsize=4, color="0.8", edgecolor="0.3")
        for i, m in enumerate(names):
            ax.scatter(np.full(len(models[m]), x[i]), models[m], s=12, color="C0", zorder=3)
        ax.set_xticks(x, names, fontsize=8)
        ax.set_title(f"{dataset}: {quantity}", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes.flat[len(panels) :]:
        ax.remove()
    fig.suptitle(
        f"Headline numbers over {seeds} seed{'s' * (seeds > 1)}: bars at the mean, error bars "
        "one sample standard deviation, dots the seeds",
        fontsize=9,
    )
    fig.tight_layout()
    return save_figure(fig, out_png)


def plot_curves_over_seeds(curves: SeedCurves, out_png: str | Path) -> list[Path]:
    """Held-out L1 of G(X) against steps, a panel per dataset, a colour per model and a line
    style per seed; PNG and PDF."""
    datasets = [d for d, models in curves.items() if any(models.values())]
    if not datasets:
        raise ValueError("no curve to draw: the runs have no training logs")
    fig, axes = plt.subplots(1, len(datasets), figsize=(6 * len(datasets), 4), squeeze=False)
    for ax, dataset in zip(axes.flat, datasets, strict=True):
        for colour, (model, seeds) in enumerate(curves[dataset].items()):
            for i, (seed, log) in enumerate(seeds.items()):
                evals = log.dropna(subset=["eval_recon_l1"])
                ax.plot(evals["step"], evals["eval_recon_l1"], color=f"C{colour}",
                        linestyle=SEED_STYLES[i % len(SEED_STYLES)], linewidth=1.2,
                        label=f"{model}, seed {seed}")  # fmt: skip
        ax.set_yscale("log")
        ax.set_title(f"{dataset}: held-out L1 of G(X) (evaluated weights)", fontsize=9)
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return save_figure(fig, out_png)
