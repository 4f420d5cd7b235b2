"""`gaia pull`: results from a DVC remote, then made current for Snakemake too.

`dvc pull` writes the files in no particular order, so an output can land older than one of its
inputs, and Snakemake, which compares modification times, would run that job (and everything
after it) again although DVC knows the files are current. So, after the pull, `dvc status` must
find the pulled stages current (else the remote holds results of other code or parameters and
nothing is changed); then every pulled output gets a modification time in the pipeline's order
(a millisecond apart, all in the past), and Snakemake forgets what it recorded about them in
earlier runs here (its params and code triggers would compare against those), without running
anything. Not `snakemake --touch`: it writes a `.snakemake_timestamp` file into directory
outputs, which DVC then sees as a changed output.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from gaia.errors import GaiaError
from gaia.paths import DVC_FILES

log = logging.getLogger(__name__)
DVC = [sys.executable, "-m", "dvc"]


def _paths(entries: list[Any]) -> list[str]:
    """The paths of a stage's outs/metrics (each a path or {path: {options}})."""
    return [e if isinstance(e, str) else next(iter(e)) for e in entries]


def stages_of(file: Path) -> dict[str, dict[str, list[str]]]:
    """Each stage of a dvc.yaml: its deps and its outputs (outs and metrics), as paths."""
    stages = yaml.safe_load(file.read_text(encoding="utf-8"))["stages"]
    return {
        name: {
            "deps": list(stage.get("deps", [])),
            "outs": _paths([*stage.get("outs", []), *stage.get("metrics", [])]),
        }
        for name, stage in stages.items()
    }


def resolve(target: str) -> tuple[Path, list[str]]:
    """A Snakemake target (all, full, paper, or an output file) as a dvc.yaml and the stages
    that build it, upstream ones included."""
    for file, (name, _) in DVC_FILES.items():
        if target == name:
            return file, list(stages_of(file))
    for file in DVC_FILES:
        stages = stages_of(file)
        writer = next((s for s, st in stages.items() if target in st["outs"]), None)
        if writer is not None:
            return file, upstream(stages, writer)
    names = ", ".join(name for name, _ in DVC_FILES.values())
    raise GaiaError(
        f"{target!r} is neither a target ({names}) nor an output of a stage in "
        + ", ".join(map(str, DVC_FILES))
    )


def upstream(stages: dict[str, dict[str, list[str]]], stage: str) -> list[str]:
    """`stage` and every stage it depends on, each after the stages it reads (topological)."""
    writer = {out: name for name, st in stages.items() for out in st["outs"]}
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dep in stages[name]["deps"]:
            if dep in writer:
                visit(writer[dep])
        ordered.append(name)

    visit(stage)
    return ordered


def in_pipeline_order(stages: dict[str, dict[str, list[str]]], chosen: list[str]) -> list[str]:
    ordered: list[str] = []
    for name in chosen:
        ordered += [s for s in upstream(stages, name) if s not in ordered]
    return [s for s in ordered if s in chosen]


def set_times_in_order(outputs: list[str]) -> None:
    """Modification times increasing along `outputs` (a directory's files and the directory
    alike), the last one now: each output newer than everything it was built from."""
    start = time.time() - 0.001 * len(outputs)
    for i, output in enumerate(outputs):
        stamp = start + 0.001 * i
        path = Path(output)
        files = [p for p in path.rglob("*")] if path.is_dir() else []
        for p in [*files, path]:
            if p.exists():
                os.utime(p, (stamp, stamp))


def forget_snakemake_records(outputs: list[str]) -> None:
    """Drop what earlier Snakemake runs in this folder recorded about `outputs` (the params and
    code they were built with): its params and code triggers would compare against those."""
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "--cleanup-metadata", *outputs]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    # Outputs that no run here recorded (a fresh clone) make it fail, having cleaned the rest.
    if done.returncode != 0 and "metadata was not present" not in done.stderr:
        raise GaiaError(f"`{' '.join(command)}` failed: {done.stderr.strip()[-1000:]}")


def _run(command: list[str], what: str) -> None:
    log.info("%s: %s", what, " ".join(command))
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise GaiaError(f"`{' '.join(command)}` failed (exit status {done.returncode}): {what}")


def pull(targets: list[str], remote: str | None = None) -> None:
    """Pull each target's outputs, check them against the code and params, then make them
    current for Snakemake so that `snakemake -n TARGET` finds nothing to do."""
    outputs: list[str] = []
    for target in targets:
        file, chosen = resolve(target)
        stage_targets = [f"{file}:{name}" for name in chosen]
        remote_option = ["--remote", remote] if remote else []
        _run([*DVC, "pull", *remote_option, *stage_targets], f"pull {target}")
        if subprocess.run([*DVC, "status", "--quiet", *stage_targets], check=False).returncode:
            raise GaiaError(
                f"the pulled outputs of {target!r} are not those of this checkout's code and "
                f"params (`dvc status {file}` lists the changes); check out the commit they "
                f"were pushed from, or rebuild them with `snakemake --cores 8 {target}`"
            )
        stages = stages_of(file)
        for name in in_pipeline_order(stages, chosen):
            outputs += [out for out in stages[name]["outs"] if out not in outputs]
    if not outputs:
        return
    forget_snakemake_records(outputs)
    set_times_in_order(outputs)
    log.info("pulled %s; `snakemake -n` and `dvc status` find them current", ", ".join(targets))
