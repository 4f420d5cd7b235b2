"""Where a training step spends its time: torch.profiler over a few steps of one experiment.

    python benchmarks/profile_step.py --experiment synthfaces/gaia [--steps 5] [--shapes]

Random inputs of the experiment's batch shape (no dataset needed), the device, threads and
precision of `training` in params.yaml, after 3 warm-up steps. Prints the profiler's table of
operators by self CPU time (with --shapes, split by input shape) and the split of a step into
forward, the two gradient computations and the optimiser updates (GAIA only). Numbers and
findings: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.profiler import ProfilerActivity, profile

from gaia.config import load_params
from gaia.experiment import resolve_experiment
from gaia.train.losses import sample_alphas
from gaia.train.objectives import GaiaObjective
from gaia.train.trainer import build_objective
from gaia.utils.device import select_device
from gaia.utils.seeding import seeded_generator


def phase_split(objective: GaiaObjective, x: torch.Tensor, steps: int) -> dict[str, float]:
    """Mean seconds per step of each phase of the simultaneous GAIA update."""
    totals = dict.fromkeys(("forward", "grad L_D wrt D", "grad L_G wrt G", "adam"), 0.0)
    lr = objective.exp.training["lr_max"] / 2
    for step in range(steps):
        start = time.perf_counter()
        losses = objective.forward_losses(x, *sample_alphas(len(x) // 2, seeded_generator(0, step)))
        marks = [time.perf_counter()]
        d_grads = objective._gradients(losses.d_loss, "discriminator", retain_graph=True)
        marks.append(time.perf_counter())
        g_grads = objective._gradients(losses.g_loss, "generator")
        marks.append(time.perf_counter())
        objective._step("discriminator", d_grads, lr)
        objective._step("generator", g_grads, lr)
        marks.append(time.perf_counter())
        for name, begin, end in zip(totals, [start, *marks[:-1]], marks, strict=True):
            totals[name] += end - begin
    return {name: total / steps for name, total in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--experiment", default="synthfaces/gaia")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--shapes", action="store_true", help="group operators by input shape")
    args = parser.parse_args()
    exp = resolve_experiment(load_params(args.params), args.experiment)
    device = select_device(exp.training)
    objective = build_objective(exp, device)
    shape = (exp.training["batch_size"], exp.generator.channels, *(2 * [exp.generator.resolution]))
    x = torch.rand(shape, device=device).contiguous(memory_format=torch.channels_last)
    for step in range(3):
        objective.train_step(x, seeded_generator(0, step))
    with profile(activities=[ProfilerActivity.CPU], record_shapes=args.shapes) as prof:
        for step in range(args.steps):
            objective.train_step(x, seeded_generator(0, step))
    table = prof.key_averages(group_by_input_shape=args.shapes)
    print(table.table(sort_by="self_cpu_time_total", row_limit=25, max_name_column_width=40))
    if isinstance(objective, GaiaObjective):
        split = phase_split(objective, x, args.steps)
        print({name: round(seconds, 4) for name, seconds in split.items()})


if __name__ == "__main__":
    main()
