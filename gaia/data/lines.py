"""lines: the ACAI interpolation benchmark (Berthelot et al., 2018; docs/method.md §8.3).

One anti-aliased line of width `line_width` pixels per single-channel image, starting at the
image centre and running outwards for (resolution/2 - 1) pixels at an angle drawn uniformly in
[0, 2*pi). The angle is counter-clockwise from the +x axis as the image is displayed (rows run
down). Pixel values: 0 background, 255 line, partial coverage in between.

Deviation from ACAI, kept deliberate: ACAI draws lines with a scanline rasteriser whose width is
measured along the minor axis; here the line is an exact rectangle (flat ends, width measured
perpendicular to it) whose pixel coverage is estimated by `supersample`^2 sub-pixel samples.
`render_lines` is also the renderer of the 10,000 reference lines of the Mean Distance metric,
so data and metric use one renderer, as in ACAI.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

GENERATOR_VERSION = "1"
ATTRIBUTES: tuple[str, ...] = ()
CONTINUOUS_LABELS = ("angle",)
CLASS_LABELS = ("label",)
N_CLASSES = 10  # ACAI's class label int(10 * angle / 2pi), used only by classifier probes


def render_lines(
    angles: np.ndarray,
    resolution: int = 32,
    supersample: int = 8,
    line_width: float = 2.0,
    batch_size: int = 512,
    progress: bool = False,
) -> np.ndarray:
    """uint8 images (n, resolution, resolution, 1) of lines at `angles` (radians)."""
    angles = np.asarray(angles, np.float64)
    # Sub-pixel centres in pixel units; the line starts at the image centre (a pixel corner).
    coords = (np.arange(resolution * supersample, dtype=np.float32) + 0.5) / supersample
    coords -= resolution / 2.0
    length = resolution / 2.0 - 1.0
    # float32 geometry (rows grow downwards): half the memory traffic of float64, and coverage
    # is still exact to 1/s^2.
    dx = np.cos(angles).astype(np.float32)
    dy = (-np.sin(angles)).astype(np.float32)
    out = np.zeros((len(angles), resolution, resolution, 1), np.uint8)
    # A line lies in the quadrant its direction points to, give or take half its width: only
    # that window of pixels is sampled (a quarter of the image; the rest stays 0, as exactly
    # as the full grid would give it, tests/test_lines.py).
    windows = {sign: _window(sign, resolution, length, line_width / 2.0) for sign in (1, -1)}
    batches = []  # (image indices, the column window, the row window)
    for x_sign, y_sign in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        index = np.flatnonzero(((dx >= 0) == (x_sign > 0)) & ((dy >= 0) == (y_sign > 0)))
        for start in range(0, len(index), batch_size):
            batches.append((index[start : start + batch_size], windows[x_sign], windows[y_sign]))
    for index, (col, width), (row, height) in tqdm(
        batches, desc="lines", unit="batch", disable=not progress
    ):
        x = coords[col * supersample : (col + width) * supersample][None, None, :]
        y = coords[row * supersample : (row + height) * supersample][None, :, None]
        cos, sin = dx[index, None, None], dy[index, None, None]
        along = x * cos + y * sin
        across = np.abs(x * sin - y * cos)
        inside = (along >= 0.0) & (along <= length) & (across <= line_width / 2.0)
        n = len(index)
        coverage = inside.reshape(n, height, supersample, width, supersample).mean((2, 4))
        out[index, row : row + height, col : col + width, 0] = np.rint(coverage * 255.0)
    return out


def _window(sign: int, resolution: int, length: float, half_width: float) -> tuple[int, int]:
    """(first pixel, pixel count) along one axis that hold every point of a line whose
    direction has this sign on that axis: from -half_width to length + half_width (mirrored
    for a negative sign) around the centre."""
    low, high = (
        (-half_width, length + half_width) if sign > 0 else (-length - half_width, half_width)
    )
    first = max(0, int(np.floor(low + resolution / 2.0)))
    last = min(resolution, int(np.ceil(high + resolution / 2.0)))
    return first, last - first


def generate_split(
    cfg: dict[str, Any], count: int, seed_sequence: np.random.SeedSequence, progress: bool = True
) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed_sequence)
    angles = rng.uniform(0.0, 2.0 * np.pi, count)
    images = render_lines(
        angles, cfg["resolution"], cfg["supersample"], cfg["line_width"], progress=progress
    )
    labels = pd.DataFrame(
        {
            "angle": angles,
            "label": np.minimum((N_CLASSES * angles / (2 * np.pi)).astype(np.int64), N_CLASSES - 1),
        }
    )
    return images, labels


def filter_description(cfg: dict[str, Any]) -> str:
    s = cfg["supersample"]
    return f"pixel coverage estimated from {s}x{s} sub-pixel samples (box filter)"
