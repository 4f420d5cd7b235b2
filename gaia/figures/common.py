"""Shared figure output: PNG + PDF, atomic, byte-reproducible (no timestamps in the files)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend must be chosen first
from matplotlib.figure import Figure

from gaia.utils.io import atomic_path

PNG_DPI = 200
# No creation dates or software versions in the files, so equal figures give equal bytes.
METADATA = {
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def save_figure(fig: Figure, png_path: str | Path) -> list[Path]:
    """Write `fig` to png_path and to the same name with .pdf; close it; return both paths."""
    png_path = Path(png_path)
    written = []
    for fmt in ("png", "pdf"):
        target = png_path.with_suffix(f".{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=METADATA[fmt], bbox_inches="tight")
        written.append(target)
    plt.close(fig)
    return written
