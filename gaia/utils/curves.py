"""Reading a held-out learning curve: shared by the trainer (late_gain_recon_l1 of
train_metrics.json) and the report's training states (gaia/report/training_state.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def late_gain(points: Sequence[tuple[int, float]], steps: int) -> float | None:
    """How much a held-out error still fell over the last quarter of `steps`: the median of the
    (step, error) points in the third quarter (steps/2, 3 steps/4] minus the median of those in
    the last quarter, over the former. Medians of windows, not two single evaluations, because a
    GAN's held-out error jumps from one evaluation to the next. Near 0 (or below) the curve has
    flattened; None without points in both quarters."""
    third = [error for step, error in points if 0.5 * steps < step <= 0.75 * steps]
    last = [error for step, error in points if 0.75 * steps < step]
    if not third or not last:
        return None
    before = float(np.median(third))
    return (before - float(np.median(last))) / before
