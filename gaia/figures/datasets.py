"""Figure: samples of each dataset with their labels (reports/figures/datasets.png)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from gaia import paths
from gaia.data.store import Split, load_split
from gaia.figures.common import plt, save_figure

COLUMNS = 8


def caption(split: Split, index: int) -> str:
    """The labels of one image as short text: sex and age first, then the other attributes."""
    row = split.labels.iloc[index]
    names = split.attribute_names
    words = []
    if "Male" in names:
        words.append("Male" if row["Male"] else "Female")
    if "Young" in names:
        words.append("Young" if row["Young"] else "Old")
    words += [n.replace("_", " ") for n in names if n not in ("Male", "Young") and row[n]]
    if "angle" in split.labels.columns:
        words.append(f"θ = {math.degrees(row['angle']):.0f}°")
    return "\n".join(words)


def plot_datasets(datasets: Sequence[str], out_png: Path | None = None) -> list[Path]:
    splits = {name: load_split(paths.processed_dir(name), "test") for name in datasets}
    rows = {name: 2 if split.attribute_names else 1 for name, split in splits.items()}
    fig = plt.figure(figsize=(COLUMNS * 1.25, sum(rows.values()) * 2.1 + 0.4 * len(datasets)))
    outer = fig.add_gridspec(
        len(datasets), 1, height_ratios=[rows[n] for n in datasets], hspace=0.35
    )
    for position, (name, split) in enumerate(splits.items()):
        grid = outer[position].subgridspec(rows[name], COLUMNS, hspace=0.75, wspace=0.1)
        for index in range(rows[name] * COLUMNS):
            ax = fig.add_subplot(grid[index // COLUMNS, index % COLUMNS])
            image = split.images[index]
            if image.shape[-1] == 1:
                ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            else:
                ax.imshow(image, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(caption(split, index), fontsize=6, linespacing=1.1, va="top")
            if index == 0:
                h, w = image.shape[:2]
                ax.set_title(f"{name} ({h}x{w}, test split)", loc="left", fontsize=10, pad=6)
    fig.suptitle("Embedded datasets: samples and their labels", fontsize=12)
    return save_figure(fig, out_png or paths.figure("datasets"))
