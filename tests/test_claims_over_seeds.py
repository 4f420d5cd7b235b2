"""A claim over several seeds: the verdict of the means, flagged when the spreads overlap, and
inconclusive when GAIA is undertrained in any seed."""

from __future__ import annotations

import pytest

from gaia.report.claims import Comparison, over_seeds, undertrained


def comparison_of(a: float, b: float, gate: str | None = None, **order: bool) -> Comparison:
    return Comparison(
        claim="GAIA beats the AE [toy]",
        evidence="",
        quantity="error",
        names=("GAIA", "AE"),
        values=(a, b),
        why_not="the AE is better",
        gate=gate,
        **order,
    )


@pytest.mark.parametrize(
    ("pairs", "verdict"),
    [
        # means 1.0 vs 2.0, sds 0.1 each: apart
        ([(0.9, 1.9), (1.1, 2.1)], "supported"),
        # means 1.0 vs 1.2, sds 0.14 each: the difference is within their sum
        ([(0.9, 1.1), (1.1, 1.3)], "supported (spreads overlap: within seed-to-seed variation)"),
        ([(2.0, 1.0), (2.2, 1.1)], "not supported: the AE is better"),
        # one seed holds, but the means do not (and their spreads overlap)
        (
            [(0.5, 1.0), (3.0, 1.0)],
            "not supported: the AE is better (spreads overlap: within seed-to-seed variation)",
        ),
        ([(0.5, 1.0)], "supported (one seed: no spread)"),
    ],
)
def test_the_verdict_is_that_of_the_means(pairs: list[tuple[float, float]], verdict: str) -> None:
    row = over_seeds({seed: comparison_of(a, b) for seed, (a, b) in enumerate(pairs)})
    assert row[2] == verdict
    assert f"(mean ± sd, n = {len(pairs)})" in row[1]


def test_the_evidence_gives_mean_and_sample_sd() -> None:
    row = over_seeds({0: comparison_of(1.0, 4.0), 1: comparison_of(3.0, 4.0)})
    assert row[1] == "error: GAIA 2 ± 1.414 vs AE 4 ± 0 (mean ± sd, n = 2)"
    assert row[3] == "seed 0: supported; seed 1: supported"


def test_higher_values_hold_where_the_claim_says_so() -> None:
    runs = {
        0: comparison_of(0.9, 0.8, higher_holds=True),
        1: comparison_of(0.91, 0.79, higher_holds=True),
    }
    assert over_seeds(runs)[2] == "supported"
    ties = {0: comparison_of(0.5, 0.5, higher_holds=True, ties_hold=True)}
    assert over_seeds(ties)[2].startswith("supported")


def test_undertrained_gaia_in_one_seed_makes_the_claim_inconclusive() -> None:
    gate = "inconclusive: GAIA undertrained (held-out L1 2x the AE's)"
    row = over_seeds(
        {
            0: comparison_of(1.0, 2.0),
            1: comparison_of(1.0, 2.0, gate=gate),
            2: comparison_of(1.0, 2.0),
        }
    )
    assert row[2] == "inconclusive (seeds [1] of 3): GAIA undertrained (held-out L1 2x the AE's)"
    assert row[3] == "seed 0: supported; seed 1: inconclusive (undertrained); seed 2: supported"


def test_each_seed_says_briefly_why_it_is_inconclusive(default_params: dict) -> None:
    """The per-seed column names each gate's kind, from the gates that claims.py writes."""
    settings = default_params["report"]
    ae = {"test_recon_l1": 0.01, "test_raw_recon_l1": 0.01}
    kinds = {}
    for name, gain in (("undertrained", 0.5), ("unstable", -0.5), ("flat", 0.0)):
        gaia = {"test_recon_l1": 0.1, "test_raw_recon_l1": 0.1, "late_gain_recon_l1": gain}
        kinds[name] = undertrained(settings, gaia, ae)
    angle = {"test_recon_l1": 0.01, "test_angle_accuracy": 0.5}
    kinds["lines"] = undertrained(settings, angle, ae)
    row = over_seeds({i: comparison_of(1.0, 2.0, gate=g) for i, g in enumerate(kinds.values())})
    assert row[3] == (
        "seed 0: inconclusive (undertrained); seed 1: inconclusive (unstable); "
        "seed 2: inconclusive (flat, behind the AE); seed 3: inconclusive (undertrained)"
    )
