"""Figure: the paper's convexity argument, with data (reports/figures/convexity_DATASET.png).

Per model, a 2-D PCA (fitted on the real test latents) of the real latents, the linear
midpoints of random test pairs, and those midpoints decoded and encoded again, E(G(z_mid)), as
projected and saved by `gaia interpolation-metrics` (gaia/analysis/convexity.py). The panel
titles give the distances it measured: from the midpoints and their re-encodings to the nearest
real latent, in units of the real codes' nearest-neighbour distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.figures.common import plt, save_figure
from gaia.utils.artifacts import load_json, load_npz


def plot_convexity(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 4.4), squeeze=False)
    pairs = 0
    for ax, model in zip(axes[0], models, strict=True):
        latents = load_npz(
            paths.convexity_latents(dataset, model),
            "convexity latents file",
            ("real", "midpoints", "reencoded", "explained"),
        )
        metrics = load_json(paths.interpolation_metrics(dataset, model))
        pairs = len(latents["midpoints"])
        for name, label, style in (
            ("real", "real test latents", {"s": 3, "c": "0.6", "alpha": 0.5}),
            ("midpoints", "linear midpoints z_mid", {"s": 5, "c": "tab:blue"}),
            ("reencoded", "E(G(z_mid))", {"s": 5, "c": "tab:red"}),
        ):
            xy = latents[name]
            ax.scatter(xy[:, 0], xy[:, 1], label=label, linewidths=0, **style)
        ax.set_title(
            f"{model}: nearest-real distance / real NN\n"
            f"z_mid {metrics['convexity_midpoint_distance']:.2f}, "
            f"E(G(z_mid)) {metrics['convexity_reencoded_distance']:.2f}",
            fontsize=9,
        )
        explained = latents["explained"]
        ax.set_xlabel(f"PC 1 ({explained[0]:.0%} of variance)")
        ax.set_ylabel(f"PC 2 ({explained[1]:.0%})")
        ax.legend(fontsize=7, markerscale=2)
    fig.suptitle(
        f"Latent convexity on {dataset}: {pairs} interpolation midpoints, PCA of the real latents",
        fontsize=11,
    )
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure(f"convexity_{dataset}"))
