"""`gaia compare-runs`: do two or more runs of the same target give the same verdicts?

The runs differ in one condition the paper's claims should not depend on, e.g. the arithmetic
(`training.precision: fp32` against `auto`, which trains in bf16 on CPUs with AVX-512 bf16). Each
run is a working directory that holds a finished `all` (results/, with its effective parameters).
Every claim is judged in every run as in its own report (along training included); a claim whose
verdicts differ is "not settled": its verdict depends on the condition, not only on the method.
The page also states the precision every model trained in, per run.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

from gaia import paths
from gaia.errors import GaiaError
from gaia.report.claims import Claim, Verdict, claims_along_training, load
from gaia.report.markdown import table
from gaia.utils.io import write_text


def run_params(folder: Path) -> dict[str, Any]:
    """The parameters a finished run was built with: its effective ones, else its params.yaml."""
    for candidate in (folder / paths.EFFECTIVE_PARAMS, folder / "params.yaml"):
        if candidate.is_file():
            return yaml.safe_load(candidate.read_text(encoding="utf-8"))
    raise GaiaError(f"{folder}: no {paths.EFFECTIVE_PARAMS} or params.yaml; is it a finished run?")


def claims_of_runs(folders: dict[str, Path]) -> dict[str, dict[str, Claim]]:
    """claim key -> run label -> the claim judged in that run (in the first run's order)."""
    found: dict[str, dict[str, Claim]] = {}
    for label, folder in folders.items():
        params = run_params(folder)
        with contextlib.chdir(folder):
            for claim in claims_along_training(params, params["targets"]["all"]):
                found.setdefault(claim.key, {})[label] = claim
    return found


def agreement(runs: dict[str, Claim]) -> Verdict:
    """The runs' common verdict, or not settled when they differ."""
    verdicts = {c.verdict for c in runs.values()}
    return verdicts.pop() if len(verdicts) == 1 else Verdict.NOT_SETTLED


def precisions(folders: dict[str, Path]) -> list[list[str]]:
    """[dataset, model, the precision it trained in per run]."""
    rows: dict[tuple[str, str], list[str]] = {}
    for i, folder in enumerate(folders.values()):
        target = run_params(folder)["targets"]["all"]
        for d in target["datasets"]:
            for m in target["models"]:
                metrics = load(folder / paths.train_metrics(d, m))
                rows.setdefault((d, m), [""] * len(folders))[i] = metrics.get("precision", "")
    return [[d, m, *cells] for (d, m), cells in rows.items()]


def agreement_markdown(folders: dict[str, Path], condition: str) -> str:
    labels = list(folders)
    found = claims_of_runs(folders)
    rows = [
        [
            next(iter(runs.values())).title,
            *(str(runs[label].verdict) if label in runs else "-" for label in labels),
            str(agreement(runs)) if len(runs) == len(labels) else "not measured in every run",
        ]
        for runs in found.values()
    ]
    unsettled = sum(row[-1] == Verdict.NOT_SETTLED for row in rows)
    return "\n".join(
        [
            f"# Do the verdicts depend on {condition}?",
            "",
            f"Runs: {', '.join(f'`{label}` ({folder})' for label, folder in folders.items())}. "
            f"Claims with the same verdict in every run: {len(rows) - unsettled} of {len(rows)}; "
            f"not settled (the verdict depends on {condition}): {unsettled}.",
            "",
            *table(["claim", *labels, "over the runs"], rows),
            "",
            "## The precision each model trained in",
            "",
            *table(["dataset", "model", *labels], precisions(folders)),
            "",
        ]
    )


def write_agreement(folders: dict[str, Path], condition: str, out: Path) -> Path:
    if len(folders) < 2:
        raise GaiaError("compare at least two runs: --run LABEL=FOLDER --run LABEL=FOLDER")
    write_text(out, agreement_markdown(folders, condition))
    return out
