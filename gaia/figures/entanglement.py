"""Figure: how entangled the attribute vectors are (reports/figures/entanglement_DATASET.png).

One heat map per model and method (OLS, mean difference): row a, column b is the change of the
classifier's P(b) per unit of attribute a added at the report scale k (the signed leakage,
averaged over adding a to faces without it and removing it from faces with it; the diagonal is
the edit's efficacy). The last panel compares the two methods' leakage for every model on the
pairs that the training labels tie together (the attribute summary's dependence_ keys,
strongest first: Young and Male on synthfaces, the paper's argument that OLS vectors drag less
along).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS
from gaia.analysis.dependence import pairs_in_summary
from gaia.analysis.edits import signed_leakage
from gaia.figures.common import plt, save_figure
from gaia.utils.artifacts import load_csv, load_json

METHOD_NAMES = {"ols": "OLS", "mean_difference": "mean difference"}


def signed_change_matrix(table: pd.DataFrame, method: str, scale: float) -> pd.DataFrame:
    """(attributes x attributes): change of P(column) per unit of the row's attribute added."""
    names = [c.removeprefix("delta_") for c in table.columns if c.startswith("delta_")]
    edited = [a for a in names if a in set(table.attribute)]
    return pd.DataFrame(
        [[signed_leakage(table, method, a, b, scale) for b in names] for a in edited],
        index=edited,
        columns=names,
    )


def plot_entanglement(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    scale = float(params["analysis"]["edits"]["report_scale"])
    tables = {
        m: load_csv(paths.attribute_metrics(dataset, m), "edit metrics table") for m in models
    }
    fig = plt.figure(figsize=(4.4 * len(METHODS) + 5.0, 4.6 * len(models)), layout="constrained")
    grid = fig.add_gridspec(len(models), len(METHODS) + 1, width_ratios=[1] * len(METHODS) + [1.1])
    image, maps = None, []
    for row, (model, table) in enumerate(tables.items()):
        for col, method in enumerate(METHODS):
            matrix = signed_change_matrix(table, method, scale)
            ax = fig.add_subplot(grid[row, col])
            maps.append(ax)
            image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
            ax.set_xticks(range(matrix.shape[1]), matrix.columns, rotation=60, fontsize=6)
            ax.set_yticks(range(matrix.shape[0]), matrix.index, fontsize=6)
            ax.set_xlabel("change of P(attribute)", fontsize=7)
            if col == 0:
                ax.set_ylabel("attribute vector added", fontsize=7)
            ax.set_title(f"{model}, {METHOD_NAMES[method]} (k = {scale:g})", fontsize=9)
            for (i, j), value in np.ndenumerate(matrix.to_numpy()):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=4.5)
    assert image is not None
    fig.colorbar(image, ax=maps, shrink=0.5, label="signed change of P (per unit added)")
    ax = fig.add_subplot(grid[:, len(METHODS)])
    edited = set.intersection(*(set(table.attribute) for table in tables.values()))
    judged = set.intersection(*(set(table.columns) for table in tables.values()))
    measured = pairs_in_summary(load_json(paths.attribute_summary(dataset, models[0])))
    pairs = [(a, b) for a, b in measured if a in edited and f"delta_{b}" in judged]
    labels, offsets = [], np.arange(len(models) * len(pairs))
    width = 0.38
    for i, method in enumerate(METHODS):
        values = [
            signed_leakage(table, method, a, b, scale)
            for table in tables.values()
            for a, b in pairs
        ]
        ax.barh(offsets + (i - 0.5) * width, values, width, label=METHOD_NAMES[method])
    labels = [f"{m}: {a} -> {b}" for m in tables for a, b in pairs]
    ax.set_yticks(offsets, labels, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("change of P(target) per unit of source added")
    ax.set_title("Leakage of the reported pairs, OLS vs mean difference", fontsize=9)
    ax.legend(fontsize=7)
    ax.invert_yaxis()
    fig.suptitle(
        f"Entanglement of attribute vectors on {dataset} (judged by the attribute classifier)",
        fontsize=11,
    )
    return save_figure(fig, out_png or paths.figure(f"entanglement_{dataset}"))
