"""Seeded runs of a target: the whole pipeline again, in a folder of its own.

A target with `seeds` (`targets.full`: the embedded datasets trained until their held-out curves
flatten) is run once per seed in results/TARGET_sSEED/, a working directory that holds its own
params.yaml: the repository's parameters with the target's datasets and models as `targets.all`,
the target's `experiments` overrides merged over `experiments`, and `training.seed` = SEED.
`gaia run` writes that file and runs the ordinary `all` workflow there with Snakemake, so a run
is built, resumed and reported exactly like the embedded default (its report and figures in
results/TARGET_sSEED/reports/). `gaia report target` then gathers the seeds into the target's
report folder (docs/results/ for `full`).

A killed run leaves Snakemake's lock in its folder, which would refuse the rerun that resumes it.
`gaia run` holds a flock on the folder (one `gaia run` per seed), so a Snakemake lock it finds
there is stale, and it clears it with `snakemake --unlock` before resuming.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from gaia import paths
from gaia.config import seeded_run_params, validate_params
from gaia.errors import GaiaError
from gaia.utils.io import atomic_path, write_text
from gaia.utils.locks import exclusive_lock

log = logging.getLogger(__name__)


RUN_LOCK = ".gaia-run.lock"  # in the run folder: one `gaia run` per target and seed


def seeded_target(params: dict[str, Any], target: str) -> dict[str, Any]:
    """The `targets` entry of a seeded target, or a clear error."""
    entry = params["targets"].get(target)
    if entry is None or "seeds" not in entry:
        seeded = sorted(t for t, e in params["targets"].items() if "seeds" in e)
        raise GaiaError(f"target {target!r} is not a seeded target; seeded targets: {seeded}")
    return entry


def run_params(params: dict[str, Any], target: str, seed: int) -> dict[str, Any]:
    """The params.yaml of one seed's run of `target` (validated)."""
    seeded_target(params, target)
    run = seeded_run_params(params, target, seed)
    return validate_params(run, source=f"the run of target {target!r} with seed {seed}")


def run_param_keys(params: dict[str, Any], target: str) -> list[str]:
    """The params.yaml keys a seed's run of `target` reads: all but the other targets."""
    return [*(key for key in params if key != "targets"), f"targets.{target}"]


def run_target(
    params: dict[str, Any], target: str, seed: int, cores: int | None = None, progress: bool = True
) -> Path:
    """Write the run's params.yaml and build its `all` workflow; return the run's report."""
    if seed not in seeded_target(params, target)["seeds"]:
        raise GaiaError(
            f"seed {seed} is not among targets.{target}.seeds "
            f"{params['targets'][target]['seeds']}; add it there first"
        )
    folder = paths.run_dir(target, seed)
    run = run_params(params, target, seed)
    cores = cores or os.cpu_count() or 1
    snakemake = [
        *(sys.executable, "-m", "snakemake", "--snakefile", str(Path("Snakefile").resolve())),
        *("--directory", str(folder)),
    ]
    command = [
        *snakemake,
        *("--cores", str(cores), "all"),
        # Network jobs take turns on one GPU (without a GPU they hold no `gpu` slot at all).
        *("--resources", "gpu=1", "--rerun-incomplete"),
    ]
    if not progress:
        command.append("--quiet")
    busy = (
        f"another `gaia run --target {target} --seed {seed}` (pid {{pid}}) is building {folder}; "
        "wait for it to finish or stop it ({path} is unlocked when that process ends)"
    )
    with exclusive_lock(folder / RUN_LOCK, busy=busy):
        write_text(folder / "params.yaml", yaml.safe_dump(run, sort_keys=False))  # order matters
        clear_stale_snakemake_lock(folder, snakemake)
        log.info("%s seed %d: %s", target, seed, " ".join(command))
        result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise GaiaError(
            f"the run of target {target!r} with seed {seed} failed (Snakemake exit "
            f"{result.returncode}); its logs are in {folder / paths.LOGS}; run `gaia run "
            f"--target {target} --seed {seed}` again to resume it"
        )
    return folder / paths.results_report()


def clear_stale_snakemake_lock(folder: Path, snakemake: list[str]) -> None:
    """Unlock a run folder that a killed Snakemake left locked (the caller holds RUN_LOCK)."""
    locks = folder / ".snakemake" / "locks"  # where Snakemake 9 keeps its lock files
    if not locks.is_dir() or not any(locks.iterdir()):
        return
    log.warning("%s: clearing the lock a killed run left (snakemake --unlock)", folder)
    unlocked = subprocess.run([*snakemake, "--unlock"], check=False, capture_output=True, text=True)
    if unlocked.returncode != 0:
        raise GaiaError(
            f"{folder} is locked by a killed run and `snakemake --directory {folder} --unlock` "
            f"failed: {unlocked.stderr.strip()[-500:]}"
        )


def publish_figures(run_folder: Path, report_dir: Path) -> list[Path]:
    """Copy a run's PNG figures next to the target's report (figures/NAME.png)."""
    source = run_folder / paths.FIGURES
    target = report_dir / "figures"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for png in sorted(source.glob("*.png")):
        with atomic_path(target / png.name) as tmp:
            shutil.copyfile(png, tmp)
        written.append(target / png.name)
    return written
