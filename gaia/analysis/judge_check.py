"""How much the attribute classifier itself leaks: the judge of edits, checked on known truth.

Leakage of an edit is read by the classifier, which learnt from labels with the same
correlations the edits are judged against (Young and Male). If it reads "Male" from a change of
"Young" alone, part of a measured leakage is its own. synthfaces can render the same face twice,
once with one attribute flipped and nothing else changed, so the judge's own signed leakage
source -> target is measured as the edits measure theirs (gaia/analysis/edits.py): the change
of P(target) per unit of source added, the mean of adding it to faces without it and removing it
from faces with it. A perfect judge gives 0 (the target did not change) and an efficacy of 1.

    classifier_metrics.json  judge_efficacy_SOURCE, judge_leakage_SOURCE_to_TARGET
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

Render = Callable[[pd.DataFrame], np.ndarray]  # faces (attributes, nuisances) -> images
Probabilities = Callable[[np.ndarray], np.ndarray]  # images -> (n, outputs) probabilities


def judge_leakage(
    faces: pd.DataFrame,
    render: Render,
    probabilities: Probabilities,
    outputs: Sequence[str],
    pairs: Sequence[tuple[str, str]],
) -> dict[str, float]:
    """judge_efficacy_S and judge_leakage_S_to_T for every (S, T) of `pairs`, from `faces`
    rendered as they are and with S flipped."""
    base = probabilities(render(faces))
    metrics: dict[str, float] = {}
    for source in dict.fromkeys(s for s, _ in pairs):
        flipped = faces.copy()
        has = faces[source].to_numpy().astype(bool)
        flipped[source] = (~has).astype(faces[source].dtype)
        change = probabilities(render(flipped)) - base

        def per_unit(column: int, change=change, has=has) -> float:
            """Mean over the two directions of the change per unit added (NaN-free: a
            direction with no faces is left out)."""
            means = [change[~has, column].mean()] if (~has).any() else []
            means += [-change[has, column].mean()] if has.any() else []
            return float(np.mean(means))

        metrics[f"judge_efficacy_{source}"] = per_unit(outputs.index(source))
        for target in (t for s, t in pairs if s == source):
            metrics[f"judge_leakage_{source}_to_{target}"] = per_unit(outputs.index(target))
    return metrics
