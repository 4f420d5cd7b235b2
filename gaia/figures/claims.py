"""The claims along training: a row per claim, a column per milestone and the end, each cell the
verdict there (gaia/report/claims.py computes them; this module only draws them)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from gaia import paths
from gaia.figures.common import plt, save_figure
from gaia.report.claims import Claim, Verdict, claims_along_training

# One colour per verdict: green holds, red does not, grey undecided.
COLOURS = {
    Verdict.SUPPORTED: "#4daf4a",
    Verdict.NOT_SUPPORTED: "#e41a1c",
    Verdict.MIXED: "#ff7f00",
    Verdict.COLLAPSED: "#984ea3",
    Verdict.NOT_SETTLED: "#ffd92f",
    Verdict.NOT_TOLD_APART: "#a6cee3",
    Verdict.NOT_MEASURED: "#d9d9d9",
}
LABEL_WIDTH = 48  # characters of a claim's words in its label


def verdict_grid(found: list[Claim]) -> tuple[list[str], list[str], list[list[Verdict | None]]]:
    """(row labels, column labels, verdicts): the milestones of every claim and the end, None
    where a claim was not judged at a milestone."""
    fractions = sorted({f for c in found for f in c.history})
    columns = [f"{f:g}" for f in fractions] + ["end"]
    cells = [[c.history.get(f) for f in fractions] + [c.measured] for c in found]
    # The words shortened, the scope whole: it tells the rows of one claim apart.
    labels = [
        f"{textwrap.shorten(c.words, LABEL_WIDTH, placeholder='...')} [{c.scope}]" for c in found
    ]
    return labels, columns, cells


def plot_claims_along_training(
    params: dict[str, Any], target: dict[str, Any], out_png: str | Path | None = None
) -> list[Path]:
    found = claims_along_training(params, target)
    if not found:  # a target without GAIA or the AE: nothing is judged, and the page says so
        fig, ax = plt.subplots(figsize=(5, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "No claim judged: the target trains no GAIA and AE", ha="center")
        return save_figure(fig, out_png or paths.figure("claims_along_training"))
    labels, columns, cells = verdict_grid(found)
    height = 0.42 * len(labels) + 1.6
    fig, ax = plt.subplots(figsize=(4.0 + 1.1 * len(columns), height))
    for row, verdicts in enumerate(cells):
        for column, verdict in enumerate(verdicts):
            colour = COLOURS[verdict] if verdict is not None else "white"
            ax.add_patch(plt.Rectangle((column, row), 1, 1, color=colour, ec="white", lw=2))
            text = str(verdict) if verdict is not None else "-"
            ax.text(column + 0.5, row + 0.5, text, ha="center", va="center", fontsize=6)
        if found[row].unsettled:
            ax.text(len(columns) + 0.1, row + 0.5, "not settled", va="center", fontsize=6)
    ax.set_xlim(0, len(columns) + 0.9)
    ax.set_ylim(len(labels), 0)
    ax.set_xticks(np.arange(len(columns)) + 0.5, columns, fontsize=7)
    ax.set_xlabel("fraction of each model's training steps", fontsize=7)
    ax.set_yticks(np.arange(len(labels)) + 0.5, labels, fontsize=6)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title("The paper's claims along training", fontsize=9)
    return save_figure(fig, out_png or paths.figure("claims_along_training"))
