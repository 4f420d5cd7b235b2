"""Animation: latent interpolations as a loop (reports/figures/interpolation_loop_DATASET.gif).

The authors showed their interpolations as videos. Each frame shows, for two held-out pairs
(the interpolations figure's first two), every model's decode of (1 - t) z_A + t z_B side by
side, with real A and B at the ends of each row; t runs from 0 to 1 and back, and the GIF loops.
Frames are enlarged without smoothing so that the pixels stay the model's own. The decodes are
each model's renders.npz (gaia/figures/renders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from gaia import paths
from gaia.data.store import load_split
from gaia.figures.renders import FRAMES, LOOP_PAIRS, load_renders, pairs
from gaia.utils.io import atomic_path

# FRAMES values of t from 0 to 1 (renders.py); the loop plays them forwards, then backwards
SCALE = 2  # each pixel drawn as SCALE x SCALE
LABEL_HEIGHT = 14
FRAME_MS = 90
COLOURS = 96


def interpolation_frames(
    params: dict[str, Any], dataset: str, models: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Real A and B (pairs, H, W, C) and each model's decodes (pairs, FRAMES, H, W, C), uint8."""
    test = load_split(paths.processed_dir(dataset), "test")
    chosen = pairs(params, len(test))[:LOOP_PAIRS]
    decoded = {model: load_renders(dataset, model)["loop"] for model in models}
    return test.images[chosen[:, 0]], test.images[chosen[:, 1]], decoded


def _frame(a: np.ndarray, b: np.ndarray, decodes: dict[str, np.ndarray], i: int) -> Image.Image:
    """One frame: a row per pair, [A | each model's decode at t_i | B], names above."""
    rows = [np.concatenate([a[p], *(d[p, i] for d in decodes.values()), b[p]], axis=1)
            for p in range(len(a))]  # fmt: skip
    grid = np.concatenate(rows, axis=0)
    if grid.shape[2] == 1:
        grid = np.repeat(grid, 3, axis=2)
    grid = grid.repeat(SCALE, axis=0).repeat(SCALE, axis=1)
    frame = Image.new("RGB", (grid.shape[1], grid.shape[0] + LABEL_HEIGHT), "white")
    frame.paste(Image.fromarray(grid), (0, LABEL_HEIGHT))
    draw = ImageDraw.Draw(frame)
    width = a.shape[2] * SCALE
    for column, name in enumerate(["A", *decodes, "B"]):
        draw.text((column * width + 2, 1), name[: width // 6], fill="black")
    return frame


def _palette(samples: list[Image.Image]) -> Image.Image:
    """A COLOURS-colour palette image fitted to the sample frames side by side."""
    strip = Image.new("RGB", (sum(f.width for f in samples), samples[0].height))
    for i, frame in enumerate(samples):
        strip.paste(frame, (i * frame.width, 0))
    return strip.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def animate_interpolations(
    params: dict[str, Any], dataset: str, models: Sequence[str], out: Path | None = None
) -> list[Path]:
    a, b, decodes = interpolation_frames(params, dataset, models)
    order = [*range(FRAMES), *range(FRAMES - 2, 0, -1)]  # there and back, the ends once each
    frames = [_frame(a, b, decodes, i) for i in order]
    # One palette for every frame, from the frames at both ends and half way: small files
    # (each frame's own palette would cost most of the GIF) in colours close to the decodes.
    palette = _palette([frames[0], frames[FRAMES // 2], frames[FRAMES - 1]])
    frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    out = out or paths.figure(f"interpolation_loop_{dataset}", "gif")
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:], duration=FRAME_MS, loop=0
        )
    return [out]
