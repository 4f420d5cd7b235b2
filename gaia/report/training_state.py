"""Where a model's training ended, judged on its own held-out curve, never on another model's.

An adversarial model trades pixel error for realism, so its held-out L1 is no measure of how
well trained it is when set against an autoencoder trained on exactly that error. What its own
curve does tell:

    collapsed   the error ends at `error_factor` times its own best or more, or G's
                reconstructions lose the data's variety (recon_diversity, the mean L1 between
                reconstructions of different inputs over that between the inputs, ends below
                `min_diversity`: one image drawn for every input). A failure of the method: it
                counts against the claims in every verdict over seeds, never dropped.
    improving   not collapsed, and the median error still fell by `flat_gain` or more from the
                third to the last quarter of training (late_gain): verdicts hold "at this budget".
    degrading   not collapsed, but the error rose by `flat_gain` or more over the last quarter,
                or it ends at `degraded_factor` times its own best or more (it left its best
                and has not come back, whatever its last quarter did): also "at this budget".
    converged   otherwise: the curve is flat.

The evaluation rows of train_log.jsonl are the input (eval_recon_l1, eval_recon_diversity every
`eval_every` steps on the first `eval_images` test images), so the state of a run can be read
from its log alone: the stability study (docs/stability.md) reads committed logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from gaia.figures.training import read_log
from gaia.utils.curves import late_gain


class TrainingState(StrEnum):
    CONVERGED = "converged"
    IMPROVING = "improving"
    DEGRADING = "degrading"
    COLLAPSED = "collapsed"
    UNKNOWN = "unknown"  # too few evaluations to tell

    @property
    def at_budget(self) -> bool:
        """Whether a verdict on this model holds only at the budget it was trained for."""
        return self in (TrainingState.IMPROVING, TrainingState.DEGRADING, TrainingState.UNKNOWN)


@dataclass(frozen=True)
class TrainingAssessment:
    state: TrainingState
    final_l1: float | None
    best_l1: float | None
    best_step: int | None
    late_gain: float | None
    diversity: float | None  # of the last evaluation; None where the log predates it
    onset_step: int | None  # of a collapse: where it began (see `assess_curve`)

    @property
    def error_ratio(self) -> float | None:
        """The last held-out L1 over the run's own best."""
        if self.final_l1 is None or not self.best_l1:
            return None
        return self.final_l1 / self.best_l1

    def describe(self) -> str:
        """One line of what the curve shows, written from the numbers."""
        if self.final_l1 is None:
            return "no held-out evaluation"
        text = f"held-out L1 {self.final_l1:.4g} (best {self.best_l1:.4g} at step {self.best_step})"
        if self.late_gain is not None:
            text += f", drop over the last quarter {100 * self.late_gain:.1f}%"
        if self.diversity is not None:
            text += f", diversity {self.diversity:.2f}"
        if self.state is TrainingState.COLLAPSED:
            text += f"; collapsed from step {self.onset_step}"
        return text


def assess_curve(
    steps: Sequence[int],
    errors: Sequence[float],
    diversity: Sequence[float | None],
    total_steps: int,
    settings: dict[str, Any],
) -> TrainingAssessment:
    """The state of one run from its evaluations (step, held-out L1, recon_diversity).

    `settings` is params["report"]: flat_gain, degraded_factor and collapse.{error_factor,
    min_diversity}. A
    collapse's onset is the step of the best evaluation when the error collapsed (it left its
    best there and never came back), else the first evaluation from which the diversity stays
    below min_diversity; the earlier of the two when both hold.
    """
    if not steps:
        return TrainingAssessment(TrainingState.UNKNOWN, None, None, None, None, None, None)
    collapse = settings["collapse"]
    errors_array = np.asarray(errors, dtype=float)
    best = int(np.argmin(errors_array))
    final, best_l1 = float(errors_array[-1]), float(errors_array[best])
    last_diversity = diversity[-1] if diversity else None
    gain = late_gain(list(zip(steps, errors, strict=True)), total_steps)
    onsets = []
    if final >= collapse["error_factor"] * best_l1:
        onsets.append(int(steps[best]))
    low = [d is not None and d < collapse["min_diversity"] for d in diversity]
    if low and low[-1]:  # the onset: the first of the trailing run of low diversity
        start = len(low)
        while start > 0 and low[start - 1]:
            start -= 1
        onsets.append(int(steps[start]))
    if onsets:
        state = TrainingState.COLLAPSED
    elif final >= settings["degraded_factor"] * best_l1:
        state = TrainingState.DEGRADING
    elif gain is None:
        state = TrainingState.UNKNOWN
    elif gain >= settings["flat_gain"]:
        state = TrainingState.IMPROVING
    elif gain <= -settings["flat_gain"]:
        state = TrainingState.DEGRADING
    else:
        state = TrainingState.CONVERGED
    return TrainingAssessment(
        state,
        final,
        best_l1,
        int(steps[best]),
        gain,
        None if last_diversity is None else float(last_diversity),
        min(onsets) if onsets else None,
    )


def assess_log(log: Path, total_steps: int, settings: dict[str, Any]) -> TrainingAssessment:
    """`assess_curve` of the evaluation rows of a train_log.jsonl."""
    rows = read_log(log)
    if "eval_recon_l1" not in rows:
        return assess_curve([], [], [], total_steps, settings)
    evals = rows.dropna(subset=["eval_recon_l1"])
    diversity = (
        [None if np.isnan(v) else float(v) for v in evals["eval_recon_diversity"]]
        if "eval_recon_diversity" in evals
        else [None] * len(evals)
    )
    return assess_curve(
        [int(s) for s in evals["step"]],
        [float(v) for v in evals["eval_recon_l1"]],
        diversity,
        total_steps,
        settings,
    )
