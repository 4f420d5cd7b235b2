"""Resolve an experiment "DATASET/MODEL" from params.yaml into everything training needs.

An experiment trains model entry MODEL (objective + architecture preset) on dataset DATASET,
with the `training` defaults (and the model's objective settings, under the key `gaia` or `ae`)
overridden by `experiments.DATASET.MODEL`. The networks take their
resolution and channel count from the dataset.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.config import dataset_config
from gaia.errors import ParamsError
from gaia.models.config import AutoencoderConfig

# Training settings that may change between a checkpoint and its resumption: they do not
# change what one step computes (a longer run continues a shorter one exactly).
RESUMABLE_KEYS = frozenset(
    {
        "steps",
        "log_every",
        "sample_every",
        "eval_every",
        "checkpoint_every",
        "eval_images",
        "milestones",  # what is kept on the way, not what a step computes
        "compile",  # a speed setting: the same step within rounding
    }
)


@dataclass(frozen=True)
class Experiment:
    dataset: str
    model: str
    objective: str  # "gaia", "gaia_later", "ae", "vae" or "acai" (gaia/train/objectives.py)
    generator: AutoencoderConfig
    discriminator: AutoencoderConfig | None
    objective_params: dict[str, Any]
    training: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.dataset}/{self.model}"

    @property
    def out_dir(self) -> Path:
        return paths.experiment_dir(self.dataset, self.model)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "objective": self.objective,
            "generator": self.generator.to_dict(),
            "discriminator": self.discriminator.to_dict() if self.discriminator else None,
            "objective_params": self.objective_params,
            "training": self.training,
        }

    def compatibility_hash(self) -> str:
        """Hash of everything that changes what a training step computes."""
        content = self.to_dict()
        content["training"] = {k: v for k, v in self.training.items() if k not in RESUMABLE_KEYS}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def parse_experiment(name: str) -> tuple[str, str]:
    dataset, slash, model = name.partition("/")
    if not slash or not dataset or not model or "/" in model:
        raise ParamsError(
            f"experiment {name!r} must be written DATASET/MODEL, e.g. synthfaces/gaia"
        )
    split_milestone(model)  # a malformed milestone fails here, naming the experiment
    return dataset, model


# A milestone of a run: MODEL@FRACTION (e.g. gaia@0.5) is the model's weights after that
# fraction of its training steps, kept by the trainer (training.milestones) and analysed like a
# model of its own, so that every claim can be judged along training (gaia/report/claims.py).
MILESTONE_MARK = "@"


def milestone_name(model: str, fraction: float) -> str:
    """The experiment model name of `model`'s milestone at `fraction` of its steps."""
    return f"{model}{MILESTONE_MARK}{fraction:g}"


def split_milestone(model: str) -> tuple[str, float | None]:
    """(the trained model, the fraction) of a milestone name; (model, None) for a model."""
    base, mark, fraction = model.partition(MILESTONE_MARK)
    if not mark:
        return model, None
    try:
        value = float(fraction)
    except ValueError:
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise ParamsError(
            f"model {model!r}: a milestone is MODEL{MILESTONE_MARK}FRACTION with 0 < FRACTION "
            "< 1, e.g. gaia@0.5"
        )
    return base, value


def judged_models(target: dict[str, Any], dataset: str | None = None) -> list[str]:
    """A target's models and the milestones its claims are judged at on `dataset` (any of the
    target's, when None; `along_training`, of its models those the target trains): every one
    of them gets the analyses."""
    judged = dataset is None or dataset in judged_datasets(target)
    milestones = [milestone_name(m, f) for m, f in judged_milestones(target)] if judged else []
    return [*target["models"], *milestones]


def fits_attribute_vectors(params: dict[str, Any], dataset: str) -> bool:
    """Whether the current run fits attribute vectors on `dataset`: then its renders hold the
    edits and an experiment's record keeps its attribute metrics."""
    return dataset in params["targets"]["all"]["attribute_datasets"]


def judged_datasets(target: dict[str, Any]) -> list[str]:
    """The datasets a target's claims are judged on along training (every one by default)."""
    return list(target.get("along_training", {}).get("datasets", target["datasets"]))


def judged_milestones(target: dict[str, Any]) -> list[tuple[str, float]]:
    """(model, fraction) of each milestone a target's claims are judged at."""
    along = target.get("along_training", {"fractions": [], "models": []})
    models = [m for m in along["models"] if m in target["models"]]
    return [(m, f) for m in models for f in along["fractions"]]


def milestone_step(steps: int, fraction: float) -> int:
    """The step at which a run of `steps` steps keeps its milestone `fraction` (at least 1)."""
    return max(1, round(steps * fraction))


def resolve_experiment(params: dict[str, Any], name: str) -> Experiment:
    """The experiment DATASET/MODEL; a milestone MODEL@FRACTION resolves as its model (the same
    networks and settings) under its own name."""
    dataset, name_of_model = parse_experiment(name)
    model, _ = split_milestone(name_of_model)
    data_cfg = dataset_config(params, dataset)
    if model not in params["models"]:
        raise ParamsError(
            f"unknown model {model!r} in experiment {name!r}; defined models: "
            f"{sorted(params['models'])} (add an entry under `models:` in params.yaml)"
        )
    model_cfg = params["models"][model]
    preset = params["presets"][model_cfg["preset"]]
    channels = 1 if data_cfg["kind"] == "lines" else 3
    shape = {"resolution": data_cfg["resolution"], "channels": channels}
    try:
        variational = model_cfg["objective"] == "vae"
        generator = AutoencoderConfig(**shape, **preset["generator"], variational=variational)
        discriminator = None
        if model_cfg["objective"] in ("gaia", "gaia_later"):  # the models with a D
            discriminator = AutoencoderConfig(**shape, **preset["discriminator"], content_dim=None)
    except ValueError as exc:
        raise ParamsError(
            f"preset {model_cfg['preset']!r} does not fit dataset {dataset!r}: {exc}"
        ) from None
    overrides = dict(params.get("experiments", {}).get(dataset, {}).get(model, {}))
    objective_params = {
        **model_cfg.get(model_cfg["objective"], {}),
        **overrides.pop(model_cfg["objective"], {}),
    }
    training = {**params["training"], **overrides}
    return Experiment(
        dataset=dataset,
        model=name_of_model,
        objective=model_cfg["objective"],
        generator=generator,
        discriminator=discriminator,
        objective_params=objective_params,
        training=training,
    )


def experiment_param_keys(params: dict[str, Any], dataset: str, model: str) -> list[str]:
    """The params.yaml keys an experiment's training reads (its rule's and stage's params)."""
    preset = params["models"][model]["preset"]
    # All of `experiments`, not this experiment's entry: a key must exist in params.yaml for
    # DVC, and overrides come and go. The held-out angle accuracy of lines reads the
    # interpolation settings of lines.
    return [
        "training",
        f"models.{model}",
        f"presets.{preset}",
        "experiments",
        f"datasets.{dataset}",
        "analysis.interpolation.lines",
    ]
