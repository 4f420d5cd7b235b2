"""Leakage pairs come from the labels: the joint law's dependencies, and no others."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from gaia.analysis.dependence import leakage_pairs, pairs_in_summary
from gaia.data.joint_law import sample_attributes


def pairs(law: dict, threshold: float = 0.1, n: int = 12000) -> set[tuple[str, str]]:
    labels = sample_attributes(law, n, np.random.default_rng(0))
    return {(a, b) for a, b, _ in leakage_pairs(labels, threshold)}


def both_ways(*edges: tuple[str, str]) -> set[tuple[str, str]]:
    return {pair for a, b in edges for pair in ((a, b), (b, a))}


def test_the_default_law_gives_its_three_dependencies_both_ways(default_params: dict) -> None:
    law = default_params["datasets"]["synthfaces"]["attributes"]
    expected = both_ways(("Young", "Male"), ("Blond_Hair", "Male"), ("Goatee", "Male"))
    assert pairs(law) == expected  # not Young-Blond_Hair: correlated only through Male


def test_pairs_follow_an_override_of_the_law(default_params: dict) -> None:
    law = copy.deepcopy(default_params["datasets"]["synthfaces"]["attributes"])
    law["Young"] = {"p": 0.78}
    law["Blond_Hair"] = {"p": 0.15}
    law["Goatee"] = {"p": 0.1}
    law["Bangs"] = {"given": "Young", "p_if_true": 0.35, "p_if_false": 0.05}
    assert pairs(law) == both_ways(("Bangs", "Young"))


def test_strongest_first_and_read_back_from_a_summary(default_params: dict) -> None:
    law = default_params["datasets"]["synthfaces"]["attributes"]
    labels = sample_attributes(law, 12000, np.random.default_rng(0))
    found = leakage_pairs(labels, 0.1)
    assert {found[0][:2], found[1][:2]} == both_ways(("Young", "Male"))
    assert found[0][2] == found[1][2] < 0  # older faces are more often male
    summary = {f"dependence_{a}_to_{b}": v for a, b, v in found} | {"other_key": 1.0}
    assert pairs_in_summary(summary) == [(a, b) for a, b, _ in found]


def test_a_constant_attribute_ties_to_nothing() -> None:
    labels = pd.DataFrame({"A": [0, 1] * 50, "B": [0, 1] * 50, "C": [1] * 100})
    found = leakage_pairs(labels, 0.1)
    assert {(a, b) for a, b, _ in found} == both_ways(("A", "B"))
