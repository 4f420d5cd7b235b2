"""Figure: attribute frequencies and young:old ratio by sex vs the paper
(reports/figures/attribute_stats.png)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gaia import paths
from gaia.data.stats import CELEBAHQ_COUNTS, PAPER_YOUNG_TO_OLD, load_stats, young_old_table
from gaia.figures.common import plt, save_figure


def plot_attribute_stats(datasets: Sequence[str], out_png: Path | None = None) -> list[Path]:
    stats = {n: s for n, s in load_stats(datasets).items() if "frequency" in s["train"]}
    if not stats:
        raise ValueError(f"none of {list(datasets)} has binary attributes to plot")
    fig, axes = plt.subplots(len(stats), 2, figsize=(11, 3.6 * len(stats)), squeeze=False)
    celebahq = young_old_table(CELEBAHQ_COUNTS)
    for row, (name, per_split) in enumerate(stats.items()):
        ax = axes[row, 0]
        names = list(per_split["train"]["frequency"])
        x = np.arange(len(names))
        for offset, split in ((-0.2, "train"), (0.2, "test")):
            freq = [per_split[split]["frequency"][n] for n in names]
            ax.bar(x + offset, freq, width=0.4, label=f"{split} (n={per_split[split]['count']})")
        ax.set_xticks(x, [n.replace("_", "\n") for n in names], fontsize=8)
        ax.set_ylabel("fraction of images with the attribute")
        ax.set_ylim(0, 1)
        ax.set_title(f"{name}: attribute frequencies", fontsize=10)
        ax.legend(fontsize=8)

        ax = axes[row, 1]
        if "young_old_by_sex" not in per_split["train"]:
            ax.set_axis_off()
            continue
        groups = ["male", "female"]
        series = {
            f"{name} train": per_split["train"]["young_old_by_sex"],
            f"{name} test": per_split["test"]["young_old_by_sex"],
            "CelebA-HQ (30k)": celebahq,
        }
        x = np.arange(len(groups))
        width = 0.8 / (len(series) + 1)
        for i, (label, table) in enumerate(series.items()):
            values = [table[f"{g}_young_to_old"] for g in groups]
            bars = ax.bar(x + (i - len(series) / 2) * width, values, width=width, label=label)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
        paper = [PAPER_YOUNG_TO_OLD[g] for g in groups]
        bars = ax.bar(x + len(series) / 2 * width, paper, width=width, label="paper", color="k")
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
        ax.set_xticks(x, ["among males", "among females"])
        ax.set_yscale("log")
        ax.set_ylim(0.1, 20)
        ax.set_ylabel("young : old (log scale)")
        ax.set_title(f"{name}: young:old ratio by sex", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure("attribute_stats"))
