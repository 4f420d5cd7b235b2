"""A model's training state from its own held-out curve: known answers on made-up curves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gaia.report.training_state import TrainingState, assess_curve, assess_log

SETTINGS = {
    "flat_gain": 0.05,
    "degraded_factor": 1.5,
    "collapse": {"error_factor": 3.0, "min_diversity": 0.25},
}
STEPS = list(range(100, 1001, 100))


def assess(errors: list[float], diversity: list[float | None] | None = None):
    diversity = diversity if diversity is not None else [0.9] * len(errors)
    return assess_curve(STEPS, errors, diversity, 1000, SETTINGS)


def test_a_curve_still_falling_is_improving() -> None:
    errors = [0.2, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04]
    found = assess(errors)
    assert found.state is TrainingState.IMPROVING and found.state.at_budget
    # the medians of (500, 750] (steps 600, 700) and (750, 1000] (800 to 1000): 0.075, 0.05
    assert found.late_gain == pytest.approx((0.075 - 0.05) / 0.075)


def test_a_flat_curve_is_converged() -> None:
    errors = [0.2, 0.1, 0.06, 0.05, 0.05, 0.051, 0.05, 0.049, 0.05, 0.05]
    found = assess(errors)
    assert found.state is TrainingState.CONVERGED and not found.state.at_budget
    assert found.onset_step is None and found.error_ratio == pytest.approx(0.05 / 0.049)


def test_an_error_rising_within_the_collapse_factor_is_degrading() -> None:
    errors = [0.2, 0.1, 0.06, 0.05, 0.05, 0.05, 0.06, 0.07, 0.08, 0.09]
    assert assess(errors).state is TrainingState.DEGRADING


def test_an_error_that_ends_at_three_times_its_best_is_a_collapse_from_the_best() -> None:
    # seed 1 of `full` in shape: best at step 400, then a climb to 3.5x
    errors = [0.1, 0.06, 0.05, 0.044, 0.055, 0.08, 0.1, 0.12, 0.14, 0.154]
    found = assess(errors)
    assert found.state is TrainingState.COLLAPSED
    assert found.onset_step == 400 and found.best_l1 == 0.044
    assert "collapsed from step 400" in found.describe()
    # just under the factor: degrading, not collapsed
    assert assess([*errors[:-1], 0.131]).state is TrainingState.DEGRADING


def test_one_image_for_every_input_is_a_collapse_even_at_a_low_error() -> None:
    errors = [0.1, 0.08, 0.07, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06]
    diversity = [0.9, 0.9, 0.2, 0.8, 0.9, 0.3, 0.2, 0.1, 0.05, 0.05]
    found = assess(errors, diversity)
    assert found.state is TrainingState.COLLAPSED
    assert found.onset_step == 700  # the first of the trailing run below 0.25, not step 300
    recovered = [*diversity[:-1], 0.8]
    assert assess(errors, recovered).state is not TrainingState.COLLAPSED


def test_a_log_without_diversity_or_evaluations() -> None:
    found = assess([0.2, 0.1, 0.06, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], [None] * 10)
    assert found.state is TrainingState.CONVERGED and found.diversity is None
    nothing = assess_curve([], [], [], 1000, SETTINGS)
    assert nothing.state is TrainingState.UNKNOWN and nothing.describe() == (
        "no held-out evaluation"
    )
    short = assess_curve([100, 200], [0.2, 0.1], [0.9, 0.9], 1000, SETTINGS)
    assert short.state is TrainingState.UNKNOWN  # no evaluation in the last two quarters


def test_assess_log_reads_the_evaluation_rows(tmp_path: Path) -> None:
    log = tmp_path / "train_log.jsonl"
    records = []
    errors = [0.1, 0.06, 0.05, 0.044, 0.055, 0.08, 0.1, 0.12, 0.14, 0.154]
    for step, error in zip(STEPS, errors, strict=True):
        records.append({"step": step - 50, "L_D": 0.1, "images_per_s": 50.0})
        records.append({"step": step, "eval_recon_l1": error, "eval_recon_diversity": 0.9})
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    found = assess_log(log, 1000, SETTINGS)
    assert found.state is TrainingState.COLLAPSED and found.onset_step == 400
    assert found.diversity == 0.9


def test_a_run_far_above_its_best_is_degrading_even_if_its_last_quarter_fell() -> None:
    # seed 1 of the stability study at 4,000 steps: best 0.044 at 1,800, then 0.085, 0.074
    errors = [0.1, 0.06, 0.05, 0.044, 0.085, 0.09, 0.085, 0.08, 0.076, 0.074]
    found = assess(errors)
    assert found.late_gain > 0.05 and found.error_ratio == pytest.approx(0.074 / 0.044)
    assert found.state is TrainingState.DEGRADING
