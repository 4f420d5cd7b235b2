"""Stop a diverged training run before it overwrites its last good checkpoint.

A NaN or inf in a loss poisons the weights at the next update, and from then on every
checkpoint, evaluation and output of the run would hold NaNs. The trainer checks each step's
losses (Python floats it has anyway: no extra device sync) and, before writing a checkpoint,
the weights themselves (an update can turn finite losses into non-finite weights), and stops
with a `DivergedError` that names the step and the terms. The last good checkpoint stays in
the resume folder, so a rerun continues from it once the cause is fixed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import torch

from gaia.errors import GaiaError


class DivergedError(GaiaError):
    """A loss or a weight of a training run is NaN or infinite."""


def non_finite(scalars: dict[str, float]) -> dict[str, float]:
    """The logged terms of one step that are NaN or infinite."""
    return {name: value for name, value in scalars.items() if not math.isfinite(value)}


@torch.no_grad()
def non_finite_weights(modules: dict[str, torch.nn.Module]) -> list[str]:
    """The networks with a NaN or infinite parameter or buffer."""

    def tensors(module: torch.nn.Module) -> Iterable[torch.Tensor]:
        yield from module.parameters()
        yield from (b for b in module.buffers() if b.is_floating_point())

    return [
        name
        for name, module in modules.items()
        if not all(bool(torch.isfinite(t).all()) for t in tensors(module))
    ]


def diverged(name: str, step: int, what: str, resume: Path, last_checkpoint: int) -> DivergedError:
    """The error of experiment `name` diverging at `step` (`what`: the non-finite terms)."""
    kept = (
        f"the last good checkpoint (step {last_checkpoint}) is kept in {resume}: rerun "
        "`gaia train` to resume from it once the cause is fixed"
        if last_checkpoint > 0
        else "no checkpoint was written before it: a rerun starts over"
    )
    return DivergedError(
        f"{name}: training diverged at step {step}: {what}; {kept} (a change of the training "
        "parameters, e.g. a lower lr_max, starts over: add --fresh)"
    )
