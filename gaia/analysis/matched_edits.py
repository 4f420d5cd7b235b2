"""Leakage at matched efficacy: compare attribute vectors only at equal edit strength.

At a fixed scale k, a vector that barely changes its own attribute also barely changes the
others, so a low leakage can mean a weak edit. Here every (method, attribute, direction) gets its
own scale: the smallest k at which the edit moves its own attribute by `target` (for example
P(Young) up by 0.5 on faces that are not young, or down by 0.5 on faces that are), found by
doubling k from `start` and then narrowing the bracket by Illinois steps until the edit
matches the target within a tolerance (the efficacy is assumed to grow with k). At that k the
change of every other attribute is measured per face, and the signed leakage of a source onto a
target attribute (the change of P(target) per unit of source added, averaged over the add and
remove directions) gets a bootstrap 95% interval over the held-out faces of each direction.

A vector that never reaches the target within `max_scale` has no matched scale (NaN): its leakage
is not reported rather than reported at an unequal strength.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gaia.analysis.edits import DIRECTIONS, Edits


def matched_scale(
    efficacy: Callable[[float], float],
    target: float,
    start: float,
    max_scale: float,
    iterations: int,
    tolerance: float,
) -> float:
    """Smallest k in (0, max_scale] with efficacy(k) >= target; NaN when even max_scale falls
    short. k doubles from `start` until it reaches the target, then Illinois steps (regula falsi
    that halves the weight of an end kept twice in a row) narrow [last short k, first reaching
    k] until the reaching edit overshoots the target by at most `tolerance`, or for at most
    `iterations` steps. The stop is on efficacy because the edits are to be compared at equal
    strength; on the smooth efficacy curves of the trained models it takes one to three steps
    where bisection took six for the same precision. efficacy(0) = 0: an edit by 0 changes
    nothing."""
    low, short_of_target = 0.0, -target
    high, over_target = start, efficacy(start) - target
    while over_target < 0.0:
        if high >= max_scale:
            return float("nan")
        low, short_of_target = high, over_target
        high = min(2.0 * high, max_scale)
        over_target = efficacy(high) - target
    weight_low, weight_high, kept = short_of_target, over_target, ""
    for _ in range(iterations):
        if over_target <= tolerance:
            break
        k = (low * weight_high - high * weight_low) / (weight_high - weight_low)
        if not low < k < high:  # rounding at a vanishing bracket
            k = (low + high) / 2.0
        found = efficacy(k) - target
        if found >= 0.0:
            high, over_target, weight_high = k, found, found
            if kept == "low":  # low kept twice in a row: halve its pull (Illinois)
                weight_low /= 2.0
            kept = "low"
        else:
            low, weight_low = k, found
            if kept == "high":
                weight_high /= 2.0
            kept = "high"
    return high


def bootstrap_interval(
    per_direction: list[np.ndarray], resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """95% percentile interval of the mean over directions of each direction's mean, with the
    faces of each direction resampled with replacement."""
    means = np.zeros(resamples)
    for values in per_direction:
        picks = rng.integers(0, len(values), size=(resamples, len(values)))
        means += values[picks].mean(axis=1)
    means /= len(per_direction)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def matched_edits(
    edits: Edits, settings: dict[str, Any], pairs: Sequence[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scales, leakage): the matched k and achieved efficacy per (method, attribute,
    direction); the signed leakage with its interval per (method, source, target) of `pairs`."""
    names = edits.names
    matched = settings["matched"]
    scale_rows, changes = [], {}
    for group in edits.groups:
        for method in edits.vectors:

            def efficacy(k: float, g=group, m=method) -> float:
                return float(edits.change(g, m, k)[:, g.index].mean())

            k = matched_scale(
                efficacy,
                matched["efficacy"],
                matched["start_scale"],
                matched["max_scale"],
                matched["iterations"],
                matched["tolerance"],
            )
            achieved = float("nan")
            if np.isfinite(k):  # the matched edit's efficacy and changes (decoded in the search)
                found = edits.change(group, method, k)
                changes[method, group.attribute, group.direction] = found
                achieved = float(found[:, group.index].mean())
            scale_rows.append(
                {
                    "method": method,
                    "attribute": group.attribute,
                    "direction": group.direction,
                    "images": len(group.faces),
                    "scale": k,
                    "efficacy": achieved,
                }
            )
    rng = np.random.default_rng(matched["seed"])
    leakage_rows = []
    for method in edits.vectors:
        for source, target in pairs:
            if source not in names or target not in names:  # as summarise_edits: other datasets
                continue
            per_direction = [
                changes[method, source, direction][:, names.index(target)]
                for direction in DIRECTIONS
                if (method, source, direction) in changes
            ]
            correlation = np.corrcoef(edits.attributes[source], edits.attributes[target])[0, 1]
            row = {
                "method": method,
                "source": source,
                "target": target,
                # The sign an entangled vector shows: the attributes' correlation in the data.
                "expected_sign": float(np.sign(correlation)),
            }
            if len(per_direction) == len(DIRECTIONS):
                low, high = bootstrap_interval(per_direction, matched["bootstrap"], rng)
                row |= {
                    "leakage": float(np.mean([v.mean() for v in per_direction])),
                    "ci_low": low,
                    "ci_high": high,
                }
            else:  # not matched in some direction: no number at an unequal strength
                row |= {"leakage": float("nan"), "ci_low": float("nan"), "ci_high": float("nan")}
            leakage_rows.append(row)
    return pd.DataFrame(scale_rows), pd.DataFrame(leakage_rows)


def _number(value: float) -> float | None:
    """NaN (no matched scale) as JSON null."""
    return float(value) if np.isfinite(value) else None


def summarise_matched(scales: pd.DataFrame, leakage: pd.DataFrame) -> dict[str, float | None]:
    """One number per key: matched_<method>_leakage_<source>_to_<target> (with _ci_low and
    _ci_high; null where unmatched), the mean |leakage| over the matched pairs, and how many
    edits reached the target efficacy."""
    summary: dict[str, float | None] = {}
    for method, rows in leakage.groupby("method", sort=False):
        for row in rows.itertuples():
            key = f"matched_{method}_leakage_{row.source}_to_{row.target}"
            summary[key] = _number(row.leakage)
            summary[f"matched_expected_sign_{row.source}_to_{row.target}"] = row.expected_sign
            summary[f"{key}_ci_low"] = _number(row.ci_low)
            summary[f"{key}_ci_high"] = _number(row.ci_high)
        summary[f"matched_{method}_mean_abs_leakage"] = _number(rows.leakage.abs().mean())
        reached = scales[scales.method == method].scale.notna()
        summary[f"matched_{method}_edits_reached"] = int(reached.sum())
        summary[f"matched_{method}_edits"] = len(reached)
    return summary
