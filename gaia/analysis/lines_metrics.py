"""ACAI's interpolation metrics on the lines benchmark (docs/method.md §8.3).

Every decoded interpolant is matched to the nearest of N rendered reference lines (angles
linspace(0, 2*pi - 2*pi/N, N), drawn by the dataset's own renderer; N is
`analysis.interpolation.lines.reference_lines`, 10,000 as in ACAI) by cosine distance on the
flattened pixels.

- Mean Distance: the mean over all interpolants of that minimal cosine distance.
- Smoothness: per interpolation, the matched angles are unwrapped; the largest consecutive step
  divided by the total change, minus 1/(S-1) for S steps. It is 0 for a uniform sweep. A total
  change below 1e-4 gives NaN, and the mean divides the sum of the finite scores by the count of
  all interpolations (NaN counts as 0), as ACAI's code does.

The matching itself (pixels in [-1, 1], cosine distance) is gaia/data/line_angles.py.
"""

from __future__ import annotations

import numpy as np
import torch

from gaia.data.line_angles import ReferenceLines, nearest_reference

STEPS = 16
FLAT_CHANGE = 1e-4


def smoothness(angles: np.ndarray) -> np.ndarray:
    """Per row of matched angles (pairs, steps): max normalised step - 1/(steps-1); NaN when the
    unwrapped angle changes by less than 1e-4 from the first step to the last."""
    unwrapped = np.unwrap(np.asarray(angles, np.float64), axis=1)
    total = np.abs(unwrapped[:, -1] - unwrapped[:, 0])
    steps = np.abs(np.diff(unwrapped, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        score = steps.max(axis=1) / total - 1.0 / (angles.shape[1] - 1)
    return np.where(total < FLAT_CHANGE, np.nan, score)


def lines_metrics(interpolants: torch.Tensor, reference: ReferenceLines) -> dict[str, float]:
    """Mean Distance and Smoothness of interpolations shaped (pairs, steps, C, H, W) in [0, 1]."""
    pairs, steps = interpolants.shape[:2]
    distance, matched = nearest_reference(interpolants.reshape(pairs * steps, -1), reference)
    scores = smoothness(matched.reshape(pairs, steps))
    finite = np.isfinite(scores)
    return {
        "mean_distance": float(distance.mean()),
        "smoothness": float(np.where(finite, scores, 0.0).sum() / pairs),
        "flat_interpolations": int((~finite).sum()),
        "pairs": int(pairs),
        "steps": int(steps),
    }


def shortest_arc_angles(start: np.ndarray, end: np.ndarray, steps: int = STEPS) -> np.ndarray:
    """(pairs, steps) angles sweeping uniformly from `start` to `end` the short way round: the
    correct interpolation of two lines, the metric's floor."""
    delta = np.mod(end - start + np.pi, 2.0 * np.pi) - np.pi
    t = np.linspace(0.0, 1.0, steps)
    return np.mod(start[:, None] + t[None, :] * delta[:, None], 2.0 * np.pi)


def crossfade(first: torch.Tensor, second: torch.Tensor, steps: int = STEPS) -> torch.Tensor:
    """(pairs, steps, ...) pixel-space mixes (1-t)*first + t*second: a poor interpolation."""
    t = torch.linspace(0.0, 1.0, steps).view(1, steps, *([1] * (first.dim() - 1)))
    return (1.0 - t) * first.unsqueeze(1) + t * second.unsqueeze(1)
