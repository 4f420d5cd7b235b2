"""Sample binary attributes from a chain of (conditional) Bernoulli laws, stratified.

Each attribute has a marginal probability `p`, or depends on one earlier attribute through
p_if_true/p_if_false (or the equivalent odds P(1)/P(0)). Sampling is stratified: inside each
stratum of the parent, exactly round(p * n) items get the attribute, and which ones is random.
The generated dataset therefore realises the configured law exactly (up to rounding) instead of
only in expectation, so the paper's young:old ratios hold in the data itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def law_probability(law: dict[str, Any], parent_value: int | None = None) -> float:
    """P(attribute = 1) under `law`, given the parent's value when the law is conditional."""
    if "p" in law:
        return float(law["p"])
    branch = "if_true" if parent_value else "if_false"
    if f"p_{branch}" in law:
        return float(law[f"p_{branch}"])
    odds = float(law[f"odds_{branch}"])
    return odds / (1.0 + odds)


def _assign(values: np.ndarray, stratum: np.ndarray, p: float, rng: np.random.Generator) -> None:
    count = int(np.floor(p * len(stratum) + 0.5))
    values[rng.permutation(stratum)[:count]] = 1


def sample_attributes(
    laws: dict[str, dict[str, Any]], n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """A table of n rows, one uint8 0/1 column per attribute, in the order of `laws`."""
    columns: dict[str, np.ndarray] = {}
    everyone = np.arange(n)
    for name, law in laws.items():
        values = np.zeros(n, dtype=np.uint8)
        parent = law.get("given")
        if parent is None:
            _assign(values, everyone, law_probability(law), rng)
        else:
            for parent_value in (1, 0):
                stratum = np.flatnonzero(columns[parent] == parent_value)
                _assign(values, stratum, law_probability(law, parent_value), rng)
        columns[name] = values
    return pd.DataFrame(columns)
