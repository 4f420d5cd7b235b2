"""Verdicts are data: computed from the measures and the training states, the same whatever
the words around them; over seeds every seed's verdict counts, collapses included."""

from __future__ import annotations

import dataclasses

import pytest

from gaia.report.claims import Claim, Measure, OverSeeds, Verdict, over_seeds
from gaia.report.training_state import TrainingAssessment, TrainingState


def state(kind: TrainingState, onset: int | None = None) -> TrainingAssessment:
    return TrainingAssessment(kind, 0.05, 0.04, 500, 0.0, 0.9, onset)


CONVERGED = {"gaia": state(TrainingState.CONVERGED), "ae": state(TrainingState.CONVERGED)}


def claim(*pairs: tuple[float | None, float | None], states=None, **words: str) -> Claim:
    measures = tuple(
        Measure(f"error {i}", ("gaia", "ae"), values) for i, values in enumerate(pairs)
    )
    return Claim(
        key="toy/faces",
        words=words.get("words", "GAIA beats the AE"),
        scope="faces",
        measures=measures,
        states=CONVERGED if states is None else states,
        why_not=words.get("why_not", "the AE is better"),
    )


@pytest.mark.parametrize(
    ("pairs", "verdict"),
    [
        ([(1.0, 2.0)], Verdict.SUPPORTED),
        ([(1.0, 2.0), (0.1, 0.2)], Verdict.SUPPORTED),
        ([(3.0, 2.0)], Verdict.NOT_SUPPORTED),
        ([(1.0, 2.0), (0.3, 0.2)], Verdict.MIXED),
        ([(None, 2.0)], Verdict.NOT_MEASURED),
        ([(None, 2.0), (1.0, 2.0)], Verdict.SUPPORTED),  # a missing measure does not vote
    ],
)
def test_the_verdict_follows_the_measures(pairs, verdict: Verdict) -> None:
    assert claim(*pairs).verdict is verdict


def test_measures_that_disagree_say_which_holds() -> None:
    found = claim((1.0, 2.0), (0.3, 0.2))
    assert found.verdict_text() == "mixed: holds on error 0; not on error 1"


def test_a_claim_on_a_collapsed_model_is_collapsed_whatever_its_numbers() -> None:
    states = {"gaia": state(TrainingState.COLLAPSED, onset=1800), **{"ae": CONVERGED["ae"]}}
    for pairs in ([(1.0, 2.0)], [(3.0, 2.0)]):
        found = claim(*pairs, states=states)
        assert found.verdict is Verdict.COLLAPSED
        assert found.reason().startswith("gaia collapsed from step 1800")


def test_a_model_still_improving_gives_a_verdict_at_this_budget() -> None:
    states = {"gaia": state(TrainingState.IMPROVING), "ae": CONVERGED["ae"]}
    found = claim((1.0, 2.0), states=states)
    assert found.verdict is Verdict.SUPPORTED
    assert found.verdict_text() == "supported: at this budget (gaia improving)"


def test_a_verdict_is_the_same_whatever_its_message_says() -> None:
    plain = claim((1.0, 2.0), (0.3, 0.2))
    for words, why_not in (("x", "y"), ("collapsed", "inconclusive: GAIA undertrained"), ("", "")):
        reworded = claim((1.0, 2.0), (0.3, 0.2), words=words, why_not=why_not)
        assert reworded.verdict is plain.verdict
    renamed = dataclasses.replace(
        plain, measures=tuple(dataclasses.replace(m, quantity="collapsed") for m in plain.measures)
    )
    assert renamed.verdict is plain.verdict
    runs = {0: plain, 1: claim((1.0, 2.0), why_not="undertrained")}
    assert OverSeeds(runs).verdict is Verdict.MIXED
    assert OverSeeds(runs).counts == {Verdict.MIXED: 1, Verdict.SUPPORTED: 1}


def test_over_seeds_every_seed_counts_and_a_collapse_is_never_dropped() -> None:
    collapsed = {"gaia": state(TrainingState.COLLAPSED, onset=1800), "ae": CONVERGED["ae"]}
    runs = {
        0: claim((1.0, 2.0)),
        1: claim((1.0, 2.0), states=collapsed),
        2: claim((3.0, 2.0)),
    }
    found = OverSeeds(runs)
    assert found.verdict is Verdict.MIXED
    assert found.tally() == "supported in 1 of 3 seeds; collapsed in 1; not supported in 1"
    assert "collapsed: gaia in seed 1" in found.reason()
    row = over_seeds(runs)
    assert row[3] == "seed 0: supported; seed 1: collapsed; seed 2: not supported"
    agreeing = OverSeeds({0: claim((1.0, 2.0)), 1: claim((0.5, 2.0))})
    assert agreeing.verdict is Verdict.SUPPORTED
    assert agreeing.tally() == "supported in 2 of 2 seeds"


def test_the_evidence_over_seeds_gives_mean_sample_sd_and_n() -> None:
    found = OverSeeds({0: claim((1.0, 4.0)), 1: claim((3.0, 4.0)), 2: claim((None, 4.0))})
    assert found.evidence() == "error 0: gaia 2 ± 1.414 vs ae 4 ± 0 (n = 2)"


def test_ordering_options() -> None:
    higher = Measure("accuracy", ("gaia", "ae"), (0.9, 0.8), higher_holds=True)
    assert higher.holds
    tie = Measure("accuracy", ("gaia", "ae"), (0.5, 0.5), higher_holds=True, ties_hold=True)
    assert tie.holds
    required = Measure("leakage", ("OLS", "md"), (0.1, 0.2), required=False)
    assert required.holds is False
    interval = Measure("x", ("a", "b"), (1.0, 2.0), ((0.5, 1.5), None))
    assert interval.text() == "x: a 1 [0.5, 1.5] vs b 2"


def test_a_measure_whose_intervals_overlap_does_not_vote() -> None:
    apart = Measure("FID", ("gaia", "ae"), (1.0, 2.0), ((0.8, 1.2), (1.8, 2.2)))
    overlapping = Measure("C2ST", ("gaia", "ae"), (0.997, 0.998), ((0.99, 0.999), (0.993, 1.0)))
    assert apart.holds and overlapping.holds is None
    assert "intervals overlap: not told apart" in overlapping.text()
    found = Claim("k/d", "GAIA beats the AE", "d", (apart, overlapping), CONVERGED)
    assert found.verdict is Verdict.SUPPORTED
    alone = Claim("k/d", "GAIA beats the AE", "d", (overlapping,), CONVERGED)
    assert alone.verdict is Verdict.NOT_TOLD_APART  # measured, unlike a missing number
    assert alone.reason() == "the 95% intervals overlap"
    missing = Claim(
        "k/d", "GAIA beats the AE", "d", (Measure("C2ST", ("gaia", "ae"), (None, 1.0)),)
    )
    assert missing.verdict is Verdict.NOT_MEASURED
    over = OverSeeds({0: alone, 1: alone})
    assert over.answer_row()[1:] == [
        "not told apart (not told apart in 2 of 2 seeds)",
        "C2ST: gaia 0.997 ± 0 vs ae 0.998 ± 0 (n = 2)",
        "the 95% intervals overlap",
    ]


def test_the_answer_keeps_a_key_measure_whose_words_hold_a_semicolon() -> None:
    sharp = Measure("|log ratio| (Laplacian; 0 = the data's)", ("gaia", "ae"), (0.3, 0.9))
    other = Measure("FID", ("gaia", "ae"), (1.0, 2.0))
    found = OverSeeds({0: Claim("k/d", "GAIA is sharp", "d", (sharp, other), CONVERGED)})
    assert (
        found.answer_row()[2]
        == "|log ratio| (Laplacian; 0 = the data's): gaia 0.3 vs ae 0.9 (n = 1)"
    )


def test_overlapping_intervals_are_a_tie_where_the_claim_is_as_well_as() -> None:
    """A claim of "as well as" (ties hold) is supported when the intervals overlap; the same
    numbers with a worse interval apart are not."""
    tied = Measure(
        "probe accuracy", ("gaia", "ae"), (0.9970, 0.9975), ((0.995, 0.999), (0.9955, 1.0)),
        higher_holds=True, ties_hold=True,
    )  # fmt: skip
    assert tied.holds is True and "intervals overlap: a tie, which holds" in tied.text()
    assert Claim("k/d", "GAIA as well as the AE", "d", (tied,), CONVERGED).verdict is (
        Verdict.SUPPORTED
    )
    worse = dataclasses.replace(tied, intervals=((0.990, 0.994), (0.9955, 1.0)))
    assert worse.holds is False


def test_a_verdict_that_changes_in_the_last_half_of_training_is_not_settled() -> None:
    end = claim((1.0, 2.0))
    early_change = dataclasses.replace(
        end, history={0.25: Verdict.NOT_SUPPORTED, 0.5: Verdict.SUPPORTED}
    )
    assert early_change.verdict is Verdict.SUPPORTED and not early_change.unsettled
    late_change = dataclasses.replace(end, history={0.25: Verdict.SUPPORTED, 0.5: Verdict.MIXED})
    assert late_change.verdict is Verdict.NOT_SETTLED
    assert late_change.measured is Verdict.SUPPORTED
    assert late_change.reason() == "supported at the end, mixed at 0.5 of training"
    # A collapse outranks it; over seeds it is counted like any verdict.
    collapsed = {"gaia": state(TrainingState.COLLAPSED, onset=3), "ae": CONVERGED["ae"]}
    late_collapse = dataclasses.replace(late_change, states=collapsed)
    assert late_collapse.verdict is Verdict.COLLAPSED
    runs = OverSeeds({0: end, 1: late_change})
    assert runs.tally() == "supported in 1 of 2 seeds; not settled in 1"
