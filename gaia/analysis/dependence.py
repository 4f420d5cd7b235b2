"""Which attribute pairs a leakage analysis should measure: those the data ties together.

A mean-difference vector drags along every attribute correlated with its own; the paper's
argument is about those pairs (Young and Male in CelebA-HQ). They are read from the training
labels, not typed by hand, so that they follow the data: the ordered pairs (a, b) whose partial
correlation given every other binary attribute exceeds `analysis.edits.leakage_threshold` in
absolute value. Partial, not marginal, correlation: in synthfaces' default law Young, Blond_Hair
and Goatee each depend on Male only, so Young and Blond_Hair are correlated (0.18) through Male
alone; partial correlations keep the law's direct dependencies (Young-Male -0.65, Goatee-Male
0.28, Blond_Hair-Male -0.22) and put the others near 0 (|r| < 0.03 on 12,000 faces).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PREFIX = "dependence_"


def partial_correlations(labels: pd.DataFrame) -> pd.DataFrame:
    """Partial correlation of every two columns given all the others (from the inverse of the
    correlation matrix); a constant column has none (NaN)."""
    values = labels.to_numpy(dtype=float)
    varying = values.std(axis=0) > 0
    names = list(labels.columns)
    out = pd.DataFrame(np.nan, index=names, columns=names)
    kept = [n for n, v in zip(names, varying, strict=True) if v]
    if len(kept) < 2:
        return out
    precision = np.linalg.pinv(np.corrcoef(values[:, varying], rowvar=False))
    scale = np.sqrt(np.diag(precision))
    partial = -precision / np.outer(scale, scale)
    partial = (partial + partial.T) / 2  # symmetric to the last digit, for a stable order
    np.fill_diagonal(partial, 1.0)
    out.loc[kept, kept] = partial
    return out


def leakage_pairs(labels: pd.DataFrame, threshold: float) -> list[tuple[str, str, float]]:
    """(source, target, partial correlation) of every ordered pair whose |partial correlation|
    exceeds `threshold`, strongest first (both directions of a pair side by side)."""
    partial = partial_correlations(labels)
    names = list(labels.columns)
    found = [
        (a, b, float(partial.loc[a, b]))
        for a in names
        for b in names
        if a != b and np.isfinite(partial.loc[a, b]) and abs(partial.loc[a, b]) > threshold
    ]
    return sorted(found, key=lambda pair: (-abs(pair[2]), pair[0], pair[1]))


def pairs_in_summary(summary: dict[str, object]) -> list[tuple[str, str]]:
    """The (source, target) pairs an attribute summary was measured on, in its order: its
    `dependence_SOURCE_to_TARGET` keys."""
    return [
        tuple(key.removeprefix(PREFIX).split("_to_", 1))  # type: ignore[misc]
        for key in summary
        if key.startswith(PREFIX)
    ]
