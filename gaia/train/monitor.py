"""What the trainer reports while it runs: held-out errors and the sample grid.

The grid follows the authors' monitor figure (docs/method.md §3): one row per view
(X, D(X), D(G(X)), G(X), G(Z_interp), D(G(Z_interp)), X_interp), one column per image; the
interpolations are midpoints (alpha = 0.5) of the training pairs (i, i + B/2) and
(B/2 - 1 - i, i + B/2).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import Tensor

from gaia.models.autoencoder import Autoencoder
from gaia.train.losses import l1
from gaia.train.objectives import Objective
from gaia.utils.images import to_uint8_nhwc
from gaia.utils.io import atomic_path

ROW_ORDER = ("X", "D(X)", "D(G(X))", "G(X)", "G(Z_interp)", "D(G(Z_interp))", "X_interp")
LABEL_WIDTH = 92


# A dataset-specific judge of reconstructions: G(X) of the first n held-out images -> metrics.
Judge = Callable[[Tensor], dict[str, float]]


@torch.no_grad()
def held_out_errors(
    objective: Objective,
    images: Tensor,
    batch_size: int,
    judge: Judge | None = None,
    generator: Autoencoder | None = None,
) -> dict[str, float]:
    """Mean L1 (and MSE of G) over held-out images, per view, the judge's metrics of G(X), and
    `recon_diversity`; G is the objective's evaluated generator unless `generator` is given.

    `recon_diversity` is the mean L1 distance between the reconstructions of two different
    inputs (the pairs (i, i + B/2) of each batch) over that between the inputs themselves:
    about 1 when G keeps the data's variety, 0 when it draws one image for every input (mode
    collapse, which a held-out L1 alone does not tell from a blur)."""
    sums: dict[str, float] = {}
    reconstructions = []
    for start in range(0, len(images) - len(images) % 2, batch_size):
        x = images[start : start + batch_size]
        x = x[: len(x) - len(x) % 2]  # views pair the two halves of a batch
        views = objective.views(x, generator)
        if judge is not None:
            reconstructions.append(views["G(X)"].cpu())
        reconstruction, half = views["G(X)"], len(x) // 2
        terms = {"recon_l1": l1(x, reconstruction), "recon_mse": (x - reconstruction).pow(2).mean()}
        terms["recon_pair_l1"] = l1(reconstruction[:half], reconstruction[half:])
        terms["real_pair_l1"] = l1(x[:half], x[half:])
        if "D(X)" in views:
            terms["d_real_l1"] = l1(x, views["D(X)"])
            terms["d_fake_from_real_l1"] = l1(x, views["D(G(X))"])
            terms["d_interp_l1"] = l1(views["G(Z_interp)"], views["D(G(Z_interp))"])
        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + float(value) * len(x)
    count = len(images) - len(images) % 2
    errors = {name: total / count for name, total in sums.items()}
    errors["recon_diversity"] = errors.pop("recon_pair_l1") / max(errors.pop("real_pair_l1"), 1e-12)
    if judge is not None:
        errors.update(judge(torch.cat(reconstructions)))
    return errors


def evaluate(
    objective: Objective, images: Tensor, batch_size: int, judge: Judge | None = None
) -> dict[str, float]:
    """`held_out_errors` of the evaluated weights, and where they are a moving average, those
    of the raw weights as well (keys prefixed "raw_"), so that both are on record."""
    for module in objective.modules.values():
        module.eval()
    errors = held_out_errors(objective, images, batch_size, judge)
    if objective.average is not None:
        raw = held_out_errors(objective, images, batch_size, judge, objective.generator)
        errors.update({f"raw_{k}": v for k, v in raw.items()})
    return errors


def _rgb_tiles(batch: Tensor) -> np.ndarray:
    """(N, C, H, W) in [0, 1] -> (N, H, W, 3) uint8; grey images are repeated to RGB."""
    array = to_uint8_nhwc(batch)
    return np.repeat(array, 3, axis=-1) if array.shape[-1] == 1 else array


@torch.no_grad()
def save_sample_grid(objective: Objective, x: Tensor, path: Path, scale: int = 2) -> None:
    """A PNG with one labelled row per view of the fixed monitoring batch `x`."""
    views = {"X": x, **objective.views(x)}
    rows = [name for name in ROW_ORDER if name in views]
    tiles = {name: _rgb_tiles(views[name]) for name in rows}
    n, h, w, _ = tiles["X"].shape
    pad = 2
    canvas = Image.new(
        "RGB", (LABEL_WIDTH + n * (w * scale + pad), len(rows) * (h * scale + pad)), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for r, name in enumerate(rows):
        top = r * (h * scale + pad)
        draw.text((4, top + h * scale // 2 - 6), name, fill="black")
        for c in range(n):
            tile = Image.fromarray(tiles[name][c]).resize((w * scale, h * scale), Image.NEAREST)
            canvas.paste(tile, (LABEL_WIDTH + c * (w * scale + pad), top))
    with atomic_path(path) as tmp:
        canvas.save(tmp, format="PNG")
