"""Run under torchrun by tests/test_ddp.py: N training steps of one experiment on each rank,
then each rank's weights to OUT/rank{R}.pt (the trainer itself writes rank 0's only)."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from gaia.config import load_params
from gaia.data.store import load_split
from gaia.experiment import resolve_experiment
from gaia.train.distributed import close_ranks, init_ranks
from gaia.train.trainer import BatchSource, build_objective
from gaia.utils.seeding import Stream, seeded_generator


def main(params_file: str, name: str, steps: int, out: Path) -> None:
    exp = resolve_experiment(load_params(params_file), name)
    settings = exp.training
    ranks = init_ranks(settings["processes"], settings["batch_size"], "cpu")
    device = torch.device("cpu")
    images = load_split(Path("data/processed") / exp.dataset, "train").images
    batches = BatchSource(images, settings["batch_size"], settings["seed"], device, ranks)
    objective = build_objective(exp, device, ranks)
    if ranks.rank == 1:  # a different start on purpose: the broadcast must make them equal
        with torch.no_grad():
            for p in objective.generator.parameters():
                p.add_(1.0)
    ranks.broadcast_weights(objective.modules)
    for step in range(steps):
        alphas = seeded_generator(settings["seed"], Stream.TRAIN_ALPHAS, step)
        objective.train_step(batches.batch(step), alphas)
        objective.update_average((step + 1) * settings["batch_size"])
    state = {k: m.state_dict() for k, m in objective.modules.items()}
    torch.save(state, out / f"rank{ranks.rank}.pt")
    close_ranks(ranks)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
