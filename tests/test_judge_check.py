"""The judge's own leakage, on "images" that are the attribute vectors themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaia.analysis.judge_check import judge_leakage

NAMES = ["Male", "Young", "Smiling"]


def faces(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.integers(0, 2, size=(n, 3)), columns=NAMES)


def render(table: pd.DataFrame) -> np.ndarray:
    return table[NAMES].to_numpy(float)


def test_a_perfect_judge_leaks_nothing() -> None:
    found = judge_leakage(faces(), render, lambda x: x, NAMES, [("Young", "Male")])
    assert found == {"judge_efficacy_Young": 1.0, "judge_leakage_Young_to_Male": 0.0}


def test_a_judge_that_reads_male_from_age_leaks_exactly_that() -> None:
    def confused(x: np.ndarray) -> np.ndarray:
        male, young, smiling = x.T
        return np.stack([0.8 * male + 0.2 * (1 - young), young, smiling], axis=1)

    pairs = [("Young", "Male"), ("Male", "Young"), ("Smiling", "Male")]
    found = judge_leakage(faces(), render, confused, NAMES, pairs)
    assert found["judge_leakage_Young_to_Male"] == pytest.approx(-0.2)
    assert found["judge_efficacy_Male"] == pytest.approx(0.8)
    assert found["judge_leakage_Male_to_Young"] == 0.0
    assert found["judge_leakage_Smiling_to_Male"] == 0.0
