"""Figure: every model's reconstructions of the same held-out images
(reports/figures/reconstructions_DATASET.png).

The paper's comparison figure (docs/method.md §5.3) set GAIA beside other papers' pictures; here
the AE baseline is trained on the same data for the same budget. Rows: the inputs X, then per
model G(X), and for GAIA also D(X) and D(G(X)), as in the authors' monitor figure. Drawn from
each model's renders.npz (gaia/figures/renders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.data.store import load_split
from gaia.figures.common import plt, save_figure, show_grid
from gaia.figures.renders import IMAGES, load_renders

ROWS = {"reconstructions": "G(X)", "discriminator_real": "D(X)", "discriminator_fake": "D(G(X))"}


def plot_reconstructions(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    test = load_split(paths.processed_dir(dataset), "test")
    rows = {"X (held out)": test.images[:IMAGES]}
    for model in models:
        renders = load_renders(dataset, model)
        rows |= {f"{model}: {name}": renders[key] for key, name in ROWS.items() if key in renders}
    fig, ax = plt.subplots(figsize=(IMAGES * 0.75 + 1.5, len(rows) * 0.75 + 0.8))
    show_grid(ax, rows)
    ax.set_title(
        f"Reconstructions of {IMAGES} held-out {dataset} images: G(X) of each model, "
        "and GAIA's discriminator D on X and on G(X)",
        fontsize=9,
    )
    return save_figure(fig, out_png or paths.figure(f"reconstructions_{dataset}"))
