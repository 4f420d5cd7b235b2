"""Figure: a seeded target's headline numbers over its seeds (REPORT_DIR/figures/over_seeds.png).

One panel per (dataset, quantity): a bar per model at the mean over the seeds, the sample
standard deviation as its error bar and each seed's value as a dot, so that a difference between
models can be read against the seed-to-seed spread. The numbers are the report's own
(gaia/report/target.py gathers them from the runs' metric files); this module only draws them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from gaia.figures.common import plt, save_figure

# (dataset, quantity) -> model -> one value per seed (None where a run lacks it)
SeedValues = dict[tuple[str, str], dict[str, list[float | None]]]
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
