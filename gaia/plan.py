"""The jobs that build a target, resolved from the step table (gaia/steps.py) alone.

As Snakemake does: each file a target asks for is matched against the output patterns of every
step; the one step whose pattern matches, with the wildcards the match gives (and the run, from
the path's root: results/TARGET_sSEED/ or none), is the job that writes it; its inputs are then
resolved in turn. A file no step writes is a source (code, prepared records). The seeded
targets' own jobs come from their functions in gaia/steps.py, and workflow/rules/runs.smk makes
its rules from the jobs made here: each experiment's record as it finishes, or, where the record
is current (made with today's values of every parameter behind it: `experiment_digest`), its
restoring into the run instead of its training; a seed's record; the report over the seeds.

`gaia dvc-yaml` writes these jobs as DVC stages (gaia/dvc_export.py); the workflow's rules are
made from the same table (workflow/rules/steps.smk), and tests/test_dag_parity.py checks the two
against a Snakemake dry run.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gaia import code_deps, paths
from gaia.config import lookup
from gaia.errors import GaiaError
from gaia.runs import (
    built_by_run,
    experiment_copies,
    experiment_files,
    experiment_marker,
    is_recorded,
    recorded_digest,
    run_params,
    trained_experiments,
)
from gaia.steps import (
    DATA,
    FIGURE,
    RECORD_STEP,
    RESTORE_STEP,
    STEPS,
    TARGET_REPORT_STEP,
    Step,
    figure_of,
    record_files,
    record_outputs,
    record_sources,
    seeded_target_outputs,
    step,
    target_report_outputs,
)

ROOT_PATTERN = f"(?:{paths.RESULTS}/{paths.RUN_NAME.pattern}/)?"
# Files under these folders are built by some step: one that none writes is an error here.
BUILT = (str(paths.RESULTS), str(paths.REPORTS), str(paths.DATA_PROCESSED))


@dataclass(frozen=True)
class Job:
    """One job of a step: what DVC needs to run it as a stage."""

    step: str  # the rule's name: a step's, or record_TARGET_sSEED, report_TARGET
    run: str | None  # the seeded run it belongs to (None: the repository's run, or shared)
    wildcards: tuple[str, ...]  # their values, in the step's order
    command: str  # without --params (Snakemake's jobs add the effective parameters)
    inputs: tuple[str, ...]  # its named inputs in order, then its code
    outputs: tuple[str, ...]
    metrics: frozenset[str]  # its output named `metrics`
    curve: str | None  # its output named `curve` (the step's learning curve, for DVC plots)
    log: str
    param_keys: tuple[str, ...]
    rank: int  # the rule's place in the workflow: stages are listed in this order

    @property
    def stage_name(self) -> str:
        # DVC allows only "_" and "-", and reads "@" as a foreach key (none occur: a
        # milestone's fraction is a wildcard of its own).
        parts = [self.step, *([self.run] if self.run else []), *self.wildcards]
        return "-".join(parts).replace("@", "-at-")


def run_flag(run: str | None) -> str:
    """The `gaia` commands' flag that puts a job in its run ("" for the repository's)."""
    return f" --run {run}" if run else ""


def code_files(step: Step, figure: str | None = None) -> list[str]:
    """The source files a job of `step` runs (gaia/code_deps.py), relative to the repository."""
    return code_deps.step_code(step.name, figure)


def run_override_keys(params: dict[str, Any], run: str | None) -> tuple[str, ...]:
    """A seeded run's job also depends on its target's overrides in params.yaml (which DVC
    reads; Snakemake sees them in the run's values), not on the target's seed list."""
    if not run:
        return ()
    target, _ = paths.parse_run(run)
    entry = params["targets"][target]
    return tuple(f"targets.{target}.{key}" for key in ("experiments", "params") if key in entry)


def _pattern(step: Step) -> list[tuple[str, re.Pattern[str]]]:
    """(output name, regex of its paths in any run) of a step's outputs."""
    wildcards = step.wildcard_patterns()
    found = []
    with paths.in_run(None):
        outputs = step.outputs(step.placeholders)
    for name, output in outputs.items():
        regex, seen = "", set()
        for literal, wildcard in re.findall(r"([^{]*)(?:\{(\w+)\})?", str(output)):
            regex += re.escape(literal)
            if wildcard:
                regex += (
                    f"(?P={wildcard})"
                    if wildcard in seen
                    else f"(?P<{wildcard}>{wildcards[wildcard]})"
                )
                seen.add(wildcard)
        root = "" if step.scope == DATA else f"(?P<root>{ROOT_PATTERN})"
        found.append((name, re.compile(root + regex)))
    return found


class Planner:
    """Resolves files into the jobs that write them, for the parameters `params` (params.yaml)."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.patterns = [(rank, step, _pattern(step)) for rank, step in enumerate(STEPS)]

    @functools.cached_property
    def special(self) -> dict[str, Job]:
        """Output -> the seeded targets' own job that writes it."""
        found: dict[str, Job] = {}
        for target, entry in self.params["targets"].items():
            if "seeds" in entry:
                jobs = [job for _, job in self.records(target)]
                for job in [*jobs, self._report_job(target, entry["seeds"])]:
                    found |= dict.fromkeys(job.outputs, job)
        return found

    @functools.cache  # noqa: B019
    def records(self, target: str) -> list[tuple[Step, Job]]:
        """A seeded target's records and restorings, with their steps: each experiment's
        record (or restoring), then its seed's own, for every seed not yet recorded
        (workflow/rules/runs.smk makes a rule of each)."""
        jobs = []
        for seed in self.params["targets"][target]["seeds"]:
            run = paths.run_name(target, seed)
            if is_recorded(self.params, target, seed):
                continue  # a source: the committed record of today's parameters
            for dataset, model in trained_experiments(self.run_params(run)["targets"]["all"]):
                jobs.append(self._experiment_job(target, seed, dataset, model))
            with paths.in_run(run):
                log = str(paths.log_file("record", "run"))
            command = f"record --log {log}{run_flag(run)}"
            sources = record_sources(self.params, target, seed)
            outputs = record_outputs(self.params, target, seed)
            job = _whole_run_job(RECORD_STEP, run, command, log, sources, outputs, ())
            jobs.append((RECORD_STEP, job))
        return jobs

    @functools.cache  # noqa: B019 (one planner per generation; the cache dies with it)
    def run_params(self, run: str | None) -> dict[str, Any]:
        return self.params if run is None else run_params(self.params, *paths.parse_run(run))

    def producer(self, file: str) -> Job | None:
        """The job that writes `file`, or None for a source."""
        return self.special[file] if file in self.special else self.step_producer(file)

    def step_producer(self, file: str) -> Job | None:
        """The job of the step table that writes `file` (a recorded experiment's restoring
        aside), or None for a source."""
        matches = [
            (rank, step, match)
            for rank, step, patterns in self.patterns
            for _, pattern in patterns
            if (match := pattern.fullmatch(file))
        ]
        if not matches:
            if file.startswith(BUILT):
                raise GaiaError(f"no step writes {file}: add one to gaia/steps.py")
            return None
        if len({step.name for _, step, _ in matches}) > 1:
            names = sorted({step.name for _, step, _ in matches})
            raise GaiaError(f"{file} is written by more than one step: {names}")
        rank, step, match = matches[0]
        found = match.groupdict()
        root = found.pop("root", "")
        run = Path(root).name if root else None
        return self.job(rank, step, run, found)

    @functools.cache  # noqa: B019
    def _job(self, rank: int, step: Step, run: str | None, wildcards: tuple[str, ...]) -> Job:
        w = dict(zip(step.wildcards, wildcards, strict=True))
        params = self.run_params(run)
        with paths.in_run(run):
            inputs = [str(f) for files in step.inputs(params, w).values() for f in files]
            outputs = {name: str(f) for name, f in step.outputs(w).items()}
            log = str(paths.log_file(step.name, step.log_name(w)))
        figure = figure_of(params, w)[0].name if step.scope == FIGURE else None
        return Job(
            step=step.name,
            run=run,
            wildcards=wildcards,
            command=f"gaia {step.arguments(params, w)} --log {log}{run_flag(run)}",
            inputs=(*inputs, *code_files(step, figure)),
            outputs=tuple(outputs.values()),
            metrics=frozenset([outputs["metrics"]] if "metrics" in outputs else []),
            curve=outputs.get("curve"),
            log=log,
            param_keys=(*step.param_keys(params, w), *run_override_keys(self.params, run)),
            rank=rank,
        )

    def job(self, rank: int, step: Step, run: str | None, w: dict[str, str]) -> Job:
        return self._job(
            rank, step, None if step.scope == DATA else run, tuple(w[k] for k in step.wildcards)
        )

    def experiment_digest(self, target: str, seed: int, dataset: str, model: str) -> str:
        """sha256 of the values of every parameter that the jobs behind an experiment's
        recorded files read, in its seed's run (its training, analyses, judges and data): its
        record is current while they are unchanged, whatever else of the target changes (a
        model added, another's settings). Code changes do not count, as for a seed's record."""
        run = paths.run_name(target, seed)
        with paths.in_run(run):
            pending = [str(f) for f in experiment_files(self.run_params(run), dataset, model)]
        values: dict[str, Any] = {}
        seen: set[str] = set()
        while pending:
            job = self.step_producer(pending.pop())
            if job is None or job.stage_name in seen:
                continue
            seen.add(job.stage_name)
            entry, params = step(job.step), self.run_params(job.run)
            w = dict(zip(entry.wildcards, job.wildcards, strict=True))
            values |= {key: _digested(params, key, w) for key in entry.param_keys(params, w)}
            pending += job.inputs
        return hashlib.sha256(yaml.safe_dump(values, sort_keys=True).encode()).hexdigest()

    def _experiment_job(self, target: str, seed: int, dataset: str, model: str) -> tuple[Step, Job]:
        """An experiment's record, or its restoring where its record is current."""
        run = paths.run_name(target, seed)
        copies = experiment_copies(self.params, target, seed, dataset, model)
        marker = experiment_marker(self.params, target, seed, dataset, model)
        digest = self.experiment_digest(target, seed, dataset, model)
        restore = recorded_digest(self.params, target, seed, dataset, model) == digest
        entry = RESTORE_STEP if restore else RECORD_STEP
        with paths.in_run(run):
            log = str(paths.log_file(entry.name, f"{dataset}-{model}"))
        command = f"{entry.command} --experiment {dataset}/{model} --log {log}{run_flag(run)}"
        runs, records = [run for run, _ in copies], [record for _, record in copies]
        inputs, outputs = ([*records, marker], runs) if restore else (runs, [*records, marker])
        of = f"{run}_{dataset}_{model}"
        return entry, _whole_run_job(entry, of, command, log, inputs, outputs, ())

    def _report_job(self, target: str, seeds: list[int]) -> Job:
        """The report over a seeded target's seeds, from their records."""
        log = str(paths.log_file("report_target", target))
        records = [f for seed in seeds for f in record_files(self.params, target, seed)]
        report = target_report_outputs(self.params, target).values()
        command = f"report target --target {target} --log {log}"
        keys = (f"targets.{target}",)
        return _whole_run_job(TARGET_REPORT_STEP, target, command, log, records, report, keys)

    def jobs_for(self, files: list[str]) -> list[Job]:
        """Every job that building `files` from scratch runs, in the workflow's rule order."""
        found: dict[str, Job] = {}
        pending = list(files)
        while pending:
            job = self.producer(pending.pop())
            if job is None or job.stage_name in found:
                continue
            found[job.stage_name] = job
            pending += job.inputs
        return sorted(found.values(), key=lambda j: (j.rank, j.stage_name))


def _digested(params: dict[str, Any], key: str, w: dict[str, str]) -> Any:
    """A params key's value in an experiment's digest; of `experiments`, which training's
    stage lists whole for DVC, only the job's own entry."""
    if key == "experiments" and "model" in w:
        return params["experiments"].get(w["dataset"], {}).get(w["model"])
    return lookup(params, key)


def _whole_run_job(
    step: Step,
    of: str,
    command: str,
    log: str,
    inputs: Iterable[Path],
    outputs: Iterable[Path],
    param_keys: tuple[str, ...],
) -> Job:
    """A job of a seeded target's own steps (a seed's record, the report over the seeds) `of`
    a run or target: one rule each, named STEP_OF, after the table's (workflow/rules/runs.smk)."""
    return Job(
        step=f"{step.command.split()[0]}_{of}",
        run=None,
        wildcards=(),
        command=f"gaia {command}",
        inputs=(*map(str, inputs), *code_files(step)),
        outputs=tuple(map(str, outputs)),
        metrics=frozenset(),
        curve=None,
        log=log,
        param_keys=param_keys,
        rank=len(STEPS) + (step is TARGET_REPORT_STEP),
    )


def target_files(params: dict[str, Any], target: str) -> list[str]:
    """What a target asks for: a seeded target's report and records, or the repository run's
    outputs (gaia/runs.py)."""
    if "seeds" in params["targets"][target]:
        return [str(f) for f in seeded_target_outputs(params, target)]
    with paths.in_run(None):
        return [str(f) for f in built_by_run(params)]


def target_jobs(params: dict[str, Any], target: str) -> list[Job]:
    """Every job that building `target` from scratch runs."""
    if target not in params["targets"]:
        raise GaiaError(f"unknown target {target!r}; targets: {sorted(params['targets'])}")
    return Planner(params).jobs_for(target_files(params, target))
