"""Seeded runs of a target: the whole pipeline again, once per seed, in a folder of its own.

A target with `seeds` (`targets.full`: the embedded datasets trained until their held-out curves
flatten) is built once per seed as the run TARGET_sSEED: its results and reports in
results/TARGET_sSEED/ (gaia/paths.py), its parameters the repository's with the target's
datasets and models as `targets.all`, the target's `experiments` overrides merged over
`experiments`, and `training.seed` = SEED. Every step of every seed is a job of the one
Snakemake workflow (workflow/rules/runs.smk): a `gaia` step given `--run TARGET_sSEED` reads
that run's parameters and writes into its folder. `gaia report target` then gathers the seeds
into the target's report folder (docs/results/ for `full`).

Results accrue across machines: when a run is built, `gaia record --run TARGET_sSEED` copies
the small files the reports read (metrics, training logs, the figures, the run's reports; not
the weights) into the target's report folder, REPORT_DIR/runs/TARGET_sSEED/, with the same
layout and a record of the parameters it was built with (run.json). Commit that folder: the
report over the seeds reads only these records, and a seed whose record is committed and whose
parameters are unchanged is not built again (workflow/rules/runs.smk), on any machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import yaml

from gaia import __version__, paths
from gaia.config import seeded_run_params, validate_params
from gaia.errors import GaiaError
from gaia.experiment import judged_models
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


def publish_figures(run_folder: Path, report_dir: Path) -> list[Path]:
    """Copy a run's PNG figures and GIF animations next to the target's report (figures/)."""
    source = run_folder / paths.FIGURES
    target = report_dir / "figures"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for png in sorted([*source.glob("*.png"), *source.glob("*.gif")]):
        with atomic_path(target / png.name) as tmp:
            shutil.copyfile(png, tmp)
        written.append(target / png.name)
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


def recorded_files(params: dict[str, Any]) -> list[Path]:
    """What a run's record keeps, in the current run: what it builds and what its reports
    read besides (the training logs, the real images' FID statistics' description)."""
    target = params["targets"]["all"]
    return [
        *built_by_run(params),
        *(paths.train_log(d, m) for d, m in judged_experiments(target)),
        *(paths.fid_reference_info(d) for d in target["fid_datasets"]),
    ]


RECORD = "run.json"  # in a run's record folder: what it was built with


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


def record_copies(params: dict[str, Any], target: str, seed: int) -> list[tuple[Path, Path]]:
    """(file in the run's folder, its copy in the record folder) of every file a seeded run's
    record keeps."""
    run_folder, folder = paths.run_dir(target, seed), record_dir(params, target, seed)
    with paths.in_run(paths.run_name(target, seed)):
        sources = recorded_files(run_params(params, target, seed))
    return [(source, folder / source.relative_to(run_folder)) for source in sources]


def record_run(params: dict[str, Any], target: str, seed: int) -> Path:
    """Copy a built run's recorded files into its record folder, then its run.json (last: a
    record without it is incomplete and not trusted)."""
    copies = record_copies(params, target, seed)
    for source, copy in copies:
        with atomic_path(copy) as tmp:
            shutil.copyfile(source, tmp)
    folder = record_dir(params, target, seed)
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
