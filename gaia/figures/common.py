"""Shared figure output: PNG + PDF, atomic, byte-reproducible (no timestamps in the files).

Each PNG also records its layout in two text chunks, read back by `figure_layout` (and the
tests): `Panels`, the number of plotting axes (colour bars not counted), and `Tiles`, the
rows x columns of every image grid drawn by `show_grid`, in drawing order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend must be chosen first
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gaia.utils.io import atomic_path

PNG_DPI = 200
# No creation dates or software versions in the files, so equal figures give equal bytes.
METADATA = {
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


GRID_GID = "tiles {rows}x{columns}"  # the gid show_grid gives its axes


TWIN_AXIS = "<twin>"  # the label of a second y axis on a panel: not a panel of its own


def layout_metadata(fig: Figure) -> dict[str, str]:
    """The panel count and tile grids of `fig`, as PNG text chunks."""
    panels = [ax for ax in fig.axes if ax.get_label() not in ("<colorbar>", TWIN_AXIS)]
    grids = [ax.get_gid().removeprefix("tiles ") for ax in panels if ax.get_gid()]
    return {"Panels": str(len(panels)), "Tiles": ";".join(grids)}


def figure_layout(png_path: str | Path) -> dict[str, str]:
    """The layout chunks save_figure wrote into a PNG."""
    from PIL import Image

    with Image.open(png_path) as image:
        return {key: image.text.get(key, "") for key in ("Panels", "Tiles")}


def save_figure(fig: Figure, png_path: str | Path) -> list[Path]:
    """Write `fig` to png_path and to the same name with .pdf; close it; return both paths."""
    png_path = Path(png_path)
    metadata = {"png": METADATA["png"] | layout_metadata(fig), "pdf": METADATA["pdf"]}
    written = []
    for fmt in ("png", "pdf"):
        target = png_path.with_suffix(f".{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=metadata[fmt], bbox_inches="tight")
        written.append(target)
    plt.close(fig)
    return written


PAD = 2  # white pixels between tiles


def tile_grid(rows: list[np.ndarray], pad: int = PAD) -> np.ndarray:
    """One (H', W', 3) uint8 canvas from rows of (N, H, W, C) uint8 tiles (grey repeated to
    RGB), `pad` white pixels between tiles; shorter rows are left white on the right."""
    rows = [np.repeat(r, 3, axis=-1) if r.shape[-1] == 1 else r for r in rows]
    h, w = rows[0].shape[1:3]
    columns = max(len(r) for r in rows)
    canvas = np.full(
        (len(rows) * (h + pad) - pad, columns * (w + pad) - pad, 3), 255, dtype=np.uint8
    )
    for i, row in enumerate(rows):
        for j, tile in enumerate(row):
            top, left = i * (h + pad), j * (w + pad)
            canvas[top : top + h, left : left + w] = tile
    return canvas


def show_grid(
    ax: Axes, rows: dict[str, np.ndarray], column_labels: Sequence[str] = (), pad: int = PAD
) -> np.ndarray:
    """Draw labelled rows of tiles on `ax` (row labels left, column labels on top)."""
    canvas = tile_grid(list(rows.values()), pad)
    h, w = next(iter(rows.values())).shape[1:3]
    columns = max(len(row) for row in rows.values())
    ax.set_gid(GRID_GID.format(rows=len(rows), columns=columns))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_yticks([i * (h + pad) + h / 2 for i in range(len(rows))], list(rows), fontsize=7)
    ax.set_xticks(
        [j * (w + pad) + w / 2 for j in range(len(column_labels))], list(column_labels), fontsize=6
    )
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return canvas
