"""Every figure of the pipeline, in one table: what draws it, from which files, with which caption.

The CLI (`gaia figure NAME`), the one step that draws figures (`figure` in gaia/steps.py: its
Snakemake rule and DVC stages), reports/README.md's gallery and the Snakemake report's captions
all read this table: a new figure is one entry here plus the module that draws it.
The figures outside it belong to no run: the report over a seeded target's seeds draws its
figures of the seeds itself (gaia/figures/seeds.py, called by gaia/report/target.py).
Torch-free (the CLI's start and the workflow's parsing import it).

Scopes: a TARGET figure draws every dataset of a target and is called as `plot(datasets)`; a
DATASET figure draws one dataset (an ATTRIBUTE one, a dataset with binary attributes) for every
model of the target, called as `plot(params, dataset, models)`; a RUN figure draws the run's
results as a whole, called as `plot(params, target)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.experiment import judged_models

TARGET, DATASET, ATTRIBUTE, RUN = "target", "dataset", "attribute dataset", "run"
SCOPES = (TARGET, DATASET, ATTRIBUTE, RUN)

# (dataset or None, the target's entry in params.yaml) -> input files, by kind
Inputs = Callable[[str | None, dict[str, Any]], dict[str, list[Path]]]


@dataclass(frozen=True)
class Figure:
    name: str  # the CLI's name; the file stem is name_DATASET (or name) with "-" as "_"
    plot: str  # "module:function"
    scope: str  # TARGET, DATASET or ATTRIBUTE
    inputs: Inputs
    params: tuple[str, ...]  # dotted params.yaml keys it reads ("{dataset}" filled in)
    caption: str  # "{dataset}" filled in
    animated: bool = False  # a GIF (the `animation` step), not a PNG and a PDF (`figure`)

    @property
    def ext(self) -> str:
        """The file type the reports embed: gif for an animation, png for a figure."""
        return "gif" if self.animated else "png"

    @property
    def module(self) -> str:
        return self.plot.partition(":")[0]

    def stem(self, dataset: str | None = None) -> str:
        base = self.name.replace("-", "_")
        return base if self.scope in (TARGET, RUN) else f"{base}_{dataset}"

    def datasets(self, target: dict[str, Any]) -> list[str | None]:
        """What it is drawn for in a target: once, or once per (attribute) dataset."""
        if self.scope in (TARGET, RUN):
            return [None]
        key = "attribute_datasets" if self.scope == ATTRIBUTE else "datasets"
        return list(target[key])

    def param_keys(self, dataset: str | None) -> list[str]:
        return [key.format(dataset=dataset) for key in self.params]

    def caption_for(self, dataset: str | None) -> str:
        return self.caption.format(dataset=dataset)


def _per_model(*files: Callable[[str, str], Path]) -> Inputs:
    """Inputs of a dataset figure: each file kind once per model of the target."""

    def inputs(dataset: str | None, target: dict[str, Any]) -> dict[str, list[Path]]:
        assert dataset is not None
        return {f.__name__: [f(dataset, m) for m in target["models"]] for f in files}

    return inputs


def _with_data(files: Inputs) -> Inputs:
    """A dataset figure's inputs plus the prepared dataset (it shows real images)."""

    def inputs(dataset: str | None, target: dict[str, Any]) -> dict[str, list[Path]]:
        assert dataset is not None
        return {"data": [paths.processed_dir(dataset)], **files(dataset, target)}

    return inputs


def _claims_inputs(_: str | None, target: dict[str, Any]) -> dict[str, list[Path]]:
    """Every metric file the claims read (gaia/report/claims.py), of the target's models and
    of the milestones it judges them at."""

    def files(kind: Callable[[str, str], Path], datasets: list[str]) -> list[Path]:
        return [kind(d, m) for d in datasets for m in judged_models(target, d)]

    every, attributes = target["datasets"], target["attribute_datasets"]
    return {
        "train": files(paths.train_metrics, every) + files(paths.train_log, every),
        "interpolation": files(paths.interpolation_metrics, every),
        "probe": files(paths.probe, every),
        "attributes": files(paths.attribute_summary, attributes),
        "fid": files(paths.fid_metrics, target["fid_datasets"]),
        "judge": [paths.classifier_metrics(d) for d in attributes],
    }


def _per_dataset(file: Callable[[str], Path]) -> Inputs:
    """Inputs of a target figure: one file per dataset of the target."""
    return lambda _, target: {file.__name__: [file(d) for d in target["datasets"]]}


FIGURES: tuple[Figure, ...] = (
    Figure(
        "datasets",
        "gaia.figures.datasets:plot_datasets",
        TARGET,
        _per_dataset(paths.processed_dir),
        ("targets.all",),
        "Test images of every dataset with their labels.",
    ),
    Figure(
        "attribute-stats",
        "gaia.figures.attribute_stats:plot_attribute_stats",
        TARGET,
        _per_dataset(paths.dataset_stats),
        ("targets.all",),
        "Attribute frequencies and young:old ratios per sex, against CelebA-HQ's.",
    ),
    Figure(
        "training",
        "gaia.figures.training:plot_training",
        DATASET,
        _per_model(paths.train_log),
        ("targets.all",),
        "Training dynamics on {dataset}: D's reconstruction errors on real, reconstructed and "
        "interpolated images (GAIA), the AE's loss and the held-out L1 of G(X); GAIA's "
        "objectives; the balanced learning rates lr_D and lr_G; the adaptive weights p_fake "
        "and p_s.",
    ),
    Figure(
        "reconstructions",
        "gaia.figures.reconstructions:plot_reconstructions",
        DATASET,
        _with_data(_per_model(paths.renders)),
        ("targets.all",),
        "The same ten held-out {dataset} images: inputs X, each model's G(X), and GAIA's "
        "discriminator on X and on G(X), as in the authors' monitor figure.",
    ),
    Figure(
        "interpolations",
        "gaia.figures.interpolations:plot_interpolations",
        DATASET,
        _with_data(_per_model(paths.renders)),
        ("targets.all", "analysis.interpolation.faces.seed", "datasets.{dataset}"),
        "Latent interpolations between four held-out {dataset} pairs: real A, ten decodes of "
        "(1 - t) z_A + t z_B, real B, per model, with the pixel cross-fade for contrast (and on "
        "lines the correct angular sweep).",
    ),
    Figure(
        "interpolation-loop",
        "gaia.figures.animations:animate_interpolations",
        DATASET,
        _with_data(_per_model(paths.renders)),
        ("targets.all", "analysis.interpolation.faces.seed", "datasets.{dataset}"),
        "Latent interpolations on {dataset} as a loop: two held-out pairs, real A and B at the "
        "ends, every model's decode of (1 - t) z_A + t z_B between them, t from 0 to 1 and back.",
        animated=True,
    ),
    Figure(
        "convexity",
        "gaia.figures.convexity:plot_convexity",
        DATASET,
        _per_model(paths.convexity_latents, paths.interpolation_metrics),
        ("targets.all",),
        "PCA of the real {dataset} test latents with linear interpolation midpoints and the "
        "same midpoints decoded and encoded again; panel titles give their distance to the "
        "nearest real latent relative to the real nearest-neighbour distance.",
    ),
    Figure(
        "attribute-edits",
        "gaia.figures.attribute_edits:plot_attribute_edits",
        ATTRIBUTE,
        _with_data(_per_model(paths.renders)),
        ("targets.all", "analysis.edits.scales"),
        "Held-out {dataset} faces edited with +/- k times each attribute vector (k = the "
        "largest edit scale), OLS rows next to mean-difference rows per model; below, the "
        "vectors decoded as latents.",
    ),
    Figure(
        "entanglement",
        "gaia.figures.entanglement:plot_entanglement",
        ATTRIBUTE,
        _per_model(paths.attribute_metrics, paths.attribute_summary),
        ("targets.all", "analysis.edits.report_scale"),
        "Change of the classifier's P(attribute) per unit of each attribute vector added "
        "(report scale), per model and method, and the leakage of OLS against mean difference "
        "for the attribute pairs the training labels tie together.",
    ),
    Figure(
        "claims-along-training",
        "gaia.figures.claims:plot_claims_along_training",
        RUN,
        _claims_inputs,
        ("targets.all", "models", "report"),
        "Each claim's verdict at the milestones of training and at the end (a verdict that "
        "changes in the last half of training is not settled).",
    ),
)
BY_NAME = {figure.name: figure for figure in FIGURES}


def figure(name: str) -> Figure:
    if name not in BY_NAME:
        raise KeyError(f"unknown figure {name!r}; figures: {sorted(BY_NAME)}")
    return BY_NAME[name]


def target_figures(target: dict[str, Any]) -> list[tuple[Figure, str | None]]:
    """Every (figure, dataset) a target draws, in the registry's order."""
    return [(f, d) for f in FIGURES for d in f.datasets(target)]


def gallery(target: dict[str, Any]) -> list[tuple[str, str]]:
    """(file name, caption) of the per-dataset figures in reading order: dataset by dataset."""
    return [
        (f"{f.stem(d)}.{f.ext}", f.caption_for(d))
        for d in target["datasets"]
        for f in FIGURES
        if f.scope not in (TARGET, RUN) and d in f.datasets(target)
    ]


def from_stem(stem: str, target: dict[str, Any]) -> tuple[Figure, str | None]:
    """The figure and dataset of a file stem such as "attribute_edits_synthfaces"."""
    for entry, dataset in target_figures(target):
        if entry.stem(dataset) == stem:
            return entry, dataset
    names = [f.stem(d) for f, d in target_figures(target)]
    raise KeyError(f"no figure of this target is drawn into {stem!r}; its figures: {names}")
