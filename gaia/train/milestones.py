"""`gaia milestone`: a model's weights part way through its training, as an experiment.

Training keeps its model after each fraction F of `training.milestones` in
results/DATASET/MODEL/milestones/F/ (model.pt, train_log.jsonl, train_metrics.json: the same
files as the final model, evaluated the same way). This step copies one into the experiment
DATASET/MODEL@F, whose latents, FID and analyses the pipeline then computes as for any model, so
that every claim can be judged at that point of training (gaia/report/claims.py).
"""

from __future__ import annotations

import shutil

from gaia import paths
from gaia.errors import GaiaError
from gaia.experiment import split_milestone
from gaia.utils.io import atomic_path

FILES = (paths.MODEL_FILE, paths.TRAIN_LOG, paths.TRAIN_METRICS)


def folder_name(fraction: float) -> str:
    """The folder of the milestone at `fraction` under the milestones folder."""
    return f"{fraction:g}"


def extract_milestone(params: dict, dataset: str, model: str, progress: bool = False) -> None:
    """Copy the milestone MODEL@F of DATASET from the training outputs into its experiment."""
    trained, fraction = split_milestone(model)
    if fraction is None:
        raise GaiaError(f"{dataset}/{model} is not a milestone (MODEL@FRACTION, e.g. gaia@0.5)")
    source = paths.milestones_dir(dataset, trained) / folder_name(fraction)
    missing = [name for name in FILES if not (source / name).exists()]
    if missing:
        raise GaiaError(
            f"{source}: no milestone {fraction:g} of {dataset}/{trained} ({', '.join(missing)} "
            f"missing); add {fraction:g} to training.milestones and retrain it: "
            f"gaia train --experiment {dataset}/{trained} --fresh"
        )
    for name in FILES:
        with atomic_path(paths.experiment_dir(dataset, model) / name) as tmp:
            shutil.copyfile(source / name, tmp)
