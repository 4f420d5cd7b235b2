"""Seeded runs of a target: the whole pipeline again, once per seed, in a folder of its own.

A target with `seeds` (`targets.full`: the embedded datasets trained until their held-out curves
flatten) is built once per seed as the run TARGET_sSEED: its results and reports in
results/TARGET_sSEED/ (gaia/paths.py), its parameters the repository's with the target's
datasets and models as `targets.all`, the target's `experiments` overrides merged over
`experiments`, and `training.seed` = SEED. Every step of every seed is a job of the one
Snakemake workflow (workflow/rules/runs.smk): a `gaia` step given `--run TARGET_sSEED` reads
that run's parameters and writes into its folder. `gaia report target` then gathers the seeds
into the target's report folder (docs/results/ for `full`).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.config import seeded_run_params, validate_params
from gaia.errors import GaiaError
from gaia.utils.io import atomic_path

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
