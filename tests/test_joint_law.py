"""The attribute sampler realises the configured joint law (the paper's young/old skew)."""

from __future__ import annotations

import numpy as np
import pytest

from gaia.data.joint_law import law_probability, sample_attributes


def test_odds_and_probabilities() -> None:
    law = {"given": "Male", "odds_if_true": 0.28, "odds_if_false": 8.49}
    assert law_probability(law, 1) == pytest.approx(0.28 / 1.28)
    assert law_probability(law, 0) == pytest.approx(8.49 / 9.49)
    assert law_probability({"p": 0.3}) == 0.3
    assert law_probability({"given": "A", "p_if_true": 0.9, "p_if_false": 0.1}, 0) == 0.1


def test_counts_are_stratified_exactly() -> None:
    laws = {
        "A": {"p": 0.25},
        "B": {"given": "A", "p_if_true": 0.5, "p_if_false": 0.1},
    }
    table = sample_attributes(laws, 1000, np.random.default_rng(0))
    assert table["A"].sum() == 250
    assert table.loc[table["A"] == 1, "B"].sum() == 125
    assert table.loc[table["A"] == 0, "B"].sum() == 75
    assert table.dtypes.tolist() == [np.uint8, np.uint8]


@pytest.mark.parametrize("split", ["train", "test"])
def test_default_law_has_the_papers_young_old_ratios(default_params: dict, split: str) -> None:
    """Acceptance: young:old within 5% of 0.28:1 among men and 8.49:1 among women."""
    cfg = default_params["datasets"]["synthfaces"]
    table = sample_attributes(
        cfg["attributes"], cfg["splits"][split], np.random.default_rng(cfg["seed"])
    )
    male, young = table["Male"] == 1, table["Young"] == 1
    male_ratio = (male & young).sum() / (male & ~young).sum()
    female_ratio = (~male & young).sum() / (~male & ~young).sum()
    assert male_ratio == pytest.approx(0.28, rel=0.05)
    assert female_ratio == pytest.approx(8.49, rel=0.05)
    assert male.mean() == pytest.approx(0.369, abs=0.001)
    assert table.loc[~male, "Goatee"].sum() == 0
    blond = table["Blond_Hair"] == 1
    assert (blond & ~male).sum() > 5 * (blond & male).sum()


def test_unconditioned_attributes_are_independent_of_sex() -> None:
    laws = {"Male": {"p": 0.4}, "Smiling": {"p": 0.5}}
    table = sample_attributes(laws, 20000, np.random.default_rng(3))
    by_sex = table.groupby("Male")["Smiling"].mean()
    assert abs(by_sex[0] - by_sex[1]) < 0.03
