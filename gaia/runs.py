"""Seeded runs of a target: the whole pipeline again, once per seed, in a folder of its own.

A target with `seeds` (`targets.full`: the embedded datasets trained until their held-out curves
flatten) is built once per seed as the run TARGET_sSEED: its results and reports in
results/TARGET_sSEED/ (gaia/paths.py), its parameters the repository's with the target's
datasets and models as `targets.all`, the target's `experiments` overrides merged over
`experiments`, and `training.seed` = SEED. Every step of every seed is a job of the one
Snakemake workflow (workflow/rules/runs.smk): a `gaia` step given `--run TARGET_sSEED` reads
that run's parameters and writes into its folder. `gaia report target` then gathers the seeds
into the target's report folder (docs/results/ for `full`).

Results accrue across machines, experiment by experiment: when an experiment of a run is
analysed, `gaia record --run TARGET_sSEED --experiment DATASET/MODEL` copies the small files the
run's figures and reports read of it (metrics, training logs, the images its figures show; not
the weights) into the target's report folder, REPORT_DIR/runs/TARGET_sSEED/, with the same
layout and a record.json with the digest of the parameters behind them (gaia/plan.py); when the
whole run is built, `gaia record --run TARGET_sSEED` adds its figures and reports and run.json.
Commit that folder: the report over the seeds reads only these records; an experiment whose
record is committed and current is restored from it (`gaia restore`) instead of trained again,
and a seed whose whole record is is not built at all (workflow/rules/runs.smk), on any machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gaia import __version__, paths
from gaia.config import seeded_run_params, validate_params
from gaia.errors import GaiaError
from gaia.experiment import fits_attribute_vectors, judged_models, split_milestone
from gaia.figures import registry
from gaia.utils.io import atomic_path, write_json

log = logging.getLogger(__name__)


def seeded_target(params: dict[str, Any], target: str) -> dict[str, Any]:
    """The `targets` entry of a seeded target, or a clear error."""
    entry = params["targets"].get(target)
    if entry is None or "seeds" not in entry:
        seeded = sorted(t for t, e in params["targets"].items() if "seeds" in e)
        raise GaiaError(f"target {target!r} is not a seeded target; seeded targets: {seeded}")
    return entry


def run_params(params: dict[str, Any], target: str, seed: int) -> dict[str, Any]:
    """The parameters of one seed's run of `target` (validated)."""
    if seed not in seeded_target(params, target)["seeds"]:
        raise GaiaError(
            f"seed {seed} is not among targets.{target}.seeds "
            f"{params['targets'][target]['seeds']}; add it there first"
        )
    run = seeded_run_params(params, target, seed)
    return validate_params(run, source=f"the run of target {target!r} with seed {seed}")


def publish_figures(params: dict[str, Any], target: str, seed: int, report_dir: Path) -> list[Path]:
    """Copy the PNG figures and GIF animations of a seed's record next to the target's report
    (figures/): those its run draws today, never another file the folder may hold."""
    folder = report_dir / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for _, figure in record_copies(params, target, seed):
        if figure.parent.name == paths.FIGURES.name and figure.suffix in (".png", ".gif"):
            with atomic_path(folder / figure.name) as tmp:
                shutil.copyfile(figure, tmp)
            written.append(folder / figure.name)
    return written


def judged_by_classifier(params: dict[str, Any], dataset: str, target: dict[str, Any]) -> bool:
    """Whether a dataset's analyses read its attribute classifier (the judge): on faces, its
    interpolations and convexity (in its features), FID's domain extractor and the edits. A
    lines dataset is judged by its reference lines unless it gets FID."""
    faces = params["datasets"][dataset]["kind"] != "lines"
    return faces or dataset in target["fid_datasets"] or dataset in target["attribute_datasets"]


def judged_experiments(target: dict[str, Any]) -> list[tuple[str, str]]:
    """The target's experiments and the milestones its claims are judged at."""
    return [(d, m) for d in target["datasets"] for m in judged_models(target, d)]


def run_figures(target: dict[str, Any], scopes: tuple[str, ...] = registry.SCOPES) -> list[Path]:
    """The figures a run draws (PNG, with a PDF beside it; GIF for an animation) of these
    scopes."""
    return [
        paths.figure(f.stem(d), f.ext)
        for f, d in registry.target_figures(target)
        if f.scope in scopes
    ]


def built_by_run(params: dict[str, Any]) -> list[Path]:
    """Everything a run with these parameters builds (its `targets.all`), in the current run
    (paths.in_run): its trained models' metrics, their analyses, FID, figures and reports."""
    target = params["targets"]["all"]
    judged = judged_experiments(target)
    attributes = [(d, m) for d in target["attribute_datasets"] for m in judged_models(target, d)]
    fid = [(d, m) for d in target["fid_datasets"] for m in judged_models(target, d)]
    return [
        *(paths.train_metrics(d, m) for d, m in judged),
        *(
            paths.classifier_metrics(d)
            for d in target["datasets"]
            if judged_by_classifier(params, d, target)
        ),
        *(paths.interpolation_metrics(d, m) for d, m in judged),
        *(paths.probe(d, m) for d, m in judged),
        *(paths.attribute_summary(d, m) for d, m in attributes),
        *(paths.attribute_cosines(d, m) for d, m in attributes),
        *(paths.fid_metrics(d, m) for d, m in fid),
        *run_figures(target),
        paths.results_report(),
        paths.datasets_report(),
        *(paths.dataset_stats(name) for name in target["datasets"]),
    ]


def trained_experiments(target: dict[str, Any]) -> list[tuple[str, str]]:
    """(dataset, model) of every model a target trains: the units its records accrue in."""
    return [(d, m) for d in target["datasets"] for m in target["models"]]


def experiment_files(params: dict[str, Any], dataset: str, model: str) -> list[Path]:
    """What an experiment's record keeps, in the current run: every file of the trained
    experiment DATASET/MODEL and of its milestones that the run's figures and reports read
    (tests/test_runs.py checks this against the step table), so that they are drawn and
    written again from the record, without the weights."""
    target = params["targets"]["all"]
    judged = [m for m in judged_models(target, dataset) if split_milestone(m)[0] == model]
    attributes, fid = fits_attribute_vectors(params, dataset), dataset in target["fid_datasets"]
    files = [paths.renders(dataset, model), paths.convexity_latents(dataset, model)]
    if attributes:
        files += [paths.attribute_metrics(dataset, model)]
    for m in judged:
        files += [
            paths.train_metrics(dataset, m),
            paths.train_log(dataset, m),
            paths.interpolation_metrics(dataset, m),
            paths.probe(dataset, m),
        ]
        if attributes:
            files += [paths.attribute_summary(dataset, m), paths.attribute_cosines(dataset, m)]
        if fid:
            files += [paths.fid_metrics(dataset, m)]
    return files


def run_files(params: dict[str, Any]) -> list[Path]:
    """What a seed's record keeps beside its experiments', in the current run: the judges'
    and the datasets' metrics, the figures and the reports."""
    target = params["targets"]["all"]
    return [
        *(
            paths.classifier_metrics(d)
            for d in target["datasets"]
            if judged_by_classifier(params, d, target)
        ),
        *(paths.fid_reference_info(d) for d in target["fid_datasets"]),
        *(paths.dataset_stats(name) for name in target["datasets"]),
        *run_figures(target),
        paths.results_report(),
        paths.datasets_report(),
    ]


RECORD = "run.json"  # in a run's record folder: what it was built with
EXPERIMENT_RECORD = "record.json"  # in an experiment's folder of a record: likewise


def record_dir(params: dict[str, Any], target: str, seed: int) -> Path:
    """Where a seeded run's record lies: REPORT_DIR/runs/TARGET_sSEED/ (in git)."""
    return Path(seeded_target(params, target)["report_dir"]) / "runs" / paths.run_name(target, seed)


def params_digest(run: dict[str, Any]) -> str:
    """sha256 of a run's parameters: a record is current while they are unchanged."""
    return hashlib.sha256(yaml.safe_dump(run, sort_keys=True).encode()).hexdigest()


def is_recorded(params: dict[str, Any], target: str, seed: int) -> bool:
    """Whether the run's record exists and was built with its parameters of today."""
    marker = record_dir(params, target, seed) / RECORD
    if not marker.is_file():
        return False
    built_with = json.loads(marker.read_text(encoding="utf-8")).get("params_sha256")
    return built_with == params_digest(run_params(params, target, seed))


def _copies(
    params: dict[str, Any], target: str, seed: int, files: Callable[[dict[str, Any]], list[Path]]
) -> list[tuple[Path, Path]]:
    """(file in the run's folder, its copy in the record folder) of `files(run's params)`."""
    run_folder, folder = paths.run_dir(target, seed), record_dir(params, target, seed)
    with paths.in_run(paths.run_name(target, seed)):
        sources = files(run_params(params, target, seed))
    return [(source, folder / source.relative_to(run_folder)) for source in sources]


def record_copies(params: dict[str, Any], target: str, seed: int) -> list[tuple[Path, Path]]:
    """(file in the run's folder, its copy in the record folder) of every file the seed's own
    record job keeps: the run's, not its experiments' (each recorded as it finishes)."""
    return _copies(params, target, seed, run_files)


def experiment_copies(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str
) -> list[tuple[Path, Path]]:
    """(file in the run's folder, its copy in the record folder) of one experiment's record."""
    return _copies(params, target, seed, lambda run: experiment_files(run, dataset, model))


def experiment_marker(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str
) -> Path:
    """An experiment's record.json in its seed's record: written last, with the digest of the
    parameters its results were computed with."""
    with paths.in_folder(record_dir(params, target, seed)):
        return paths.experiment_dir(dataset, model) / EXPERIMENT_RECORD


def recorded_digest(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str
) -> str | None:
    """The digest an experiment's record was made with, or None where there is no record."""
    marker = experiment_marker(params, target, seed, dataset, model)
    if not marker.is_file():
        return None
    return json.loads(marker.read_text(encoding="utf-8")).get("params_sha256")


def _copy(source: Path, copy: Path) -> None:
    with atomic_path(copy) as tmp:
        shutil.copyfile(source, tmp)


def record_experiment(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str, digest: str
) -> Path:
    """Copy a finished experiment's files into its seed's record, then its record.json (last:
    a record without it is not trusted) with `digest`, gaia/plan.py's digest of the
    parameters every job behind the files read."""
    copies = experiment_copies(params, target, seed, dataset, model)
    for source, copy in copies:
        _copy(source, copy)
    marker = experiment_marker(params, target, seed, dataset, model)
    write_json(
        marker,
        {
            "target": target,
            "seed": seed,
            "experiment": f"{dataset}/{model}",
            "params_sha256": digest,
            "gaia_version": __version__,
            "files": len(copies),
        },
    )
    return marker


def restore_experiment(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str
) -> list[Path]:
    """Copy a recorded experiment's files back into its run's folder: the run's figures and
    reports read them there, and the experiment is not trained again."""
    copies = experiment_copies(params, target, seed, dataset, model)
    for source, copy in copies:
        if not copy.is_file():
            raise GaiaError(
                f"{copy}: missing from the experiment's record; run `gaia record` again"
            )
        _copy(copy, source)
    return [source for source, _ in copies]


def record_run(params: dict[str, Any], target: str, seed: int) -> Path:
    """Copy a built run's own recorded files into its record folder, then its run.json
    (last: a record without it is incomplete and not trusted). Its experiments' records are
    already there."""
    copies = record_copies(params, target, seed)
    for source, copy in copies:
        _copy(source, copy)
    folder = record_dir(params, target, seed)
    # The figures folder holds exactly today's figures: one an earlier record drew (e.g. of a
    # dataset since dropped) would be committed, and published, as if current.
    kept = {copy for _, copy in copies}
    for stale in (folder / paths.FIGURES).glob("*"):
        if stale.is_file() and stale not in kept:
            stale.unlink()
    write_json(
        folder / RECORD,
        {
            "target": target,
            "seed": seed,
            "params_sha256": params_digest(run_params(params, target, seed)),
            "gaia_version": __version__,
            "files": len(copies),
        },
    )
    return folder
