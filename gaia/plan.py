"""The jobs that build a target, resolved from the step table (gaia/steps.py) alone.

As Snakemake does: each file a target asks for is matched against the output patterns of every
step; the one step whose pattern matches, with the wildcards the match gives (and the run, from
the path's root: results/TARGET_sSEED/ or none), is the job that writes it; its inputs are then
resolved in turn. A file no step writes is a source (code, prepared records). The seeded
targets' own jobs, a seed's record and the report over the seeds, come from their functions in
gaia/steps.py, as in workflow/rules/runs.smk.

`gaia dvc-yaml` writes these jobs as DVC stages (gaia/dvc_export.py); the workflow's rules are
made from the same table (workflow/rules/steps.smk), and tests/test_dag_parity.py checks the two
against a Snakemake dry run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaia import code_deps, paths
from gaia.errors import GaiaError
from gaia.runs import built_by_run, is_recorded, run_params
from gaia.steps import (
    DATA,
    FIGURE,
    RECORD_STEP,
    STEPS,
    TARGET_REPORT_STEP,
    Step,
    figure_of,
    record_outputs,
    record_sources,
    seeded_target_outputs,
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
        self.special: dict[str, Job] = {}  # output -> a seeded target's record or report job
        for target, entry in params["targets"].items():
            if "seeds" in entry:
                for job in self._seeded_jobs(target, entry["seeds"]):
                    self.special |= dict.fromkeys(job.outputs, job)

    @functools.cache  # noqa: B019 (one planner per generation; the cache dies with it)
    def run_params(self, run: str | None) -> dict[str, Any]:
        return self.params if run is None else run_params(self.params, *paths.parse_run(run))

    def producer(self, file: str) -> Job | None:
        """The job that writes `file`, or None for a source."""
        if file in self.special:
            return self.special[file]
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

    def _seeded_jobs(self, target: str, seeds: list[int]) -> list[Job]:
        """The records of a seeded target's seeds not yet recorded, and its report over them."""
        jobs = []
        for seed in seeds:
            run = paths.run_name(target, seed)
            if is_recorded(self.params, target, seed):
                continue  # a source: the committed record of today's parameters
            with paths.in_run(run):
                log = str(paths.log_file("record", "run"))
            command = f"record --log {log}{run_flag(run)}"
            sources = record_sources(self.params, target, seed)
            outputs = record_outputs(self.params, target, seed)
            jobs.append(_whole_run_job(RECORD_STEP, run, command, log, sources, outputs, ()))
        log = str(paths.log_file("report_target", target))
        records = [f for seed in seeds for f in record_outputs(self.params, target, seed)]
        report = target_report_outputs(self.params, target).values()
        command = f"report target --target {target} --log {log}"
        keys = (f"targets.{target}",)
        jobs.append(_whole_run_job(TARGET_REPORT_STEP, target, command, log, records, report, keys))
        return jobs

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
