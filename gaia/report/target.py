"""The report of a seeded target (docs/results/ for `full`): its seeds gathered in one page.

Each seed's run (results/TARGET_sSEED/, see gaia/runs.py) has its own complete report, kept
with its metrics in its record (REPORT_DIR/runs/TARGET_sSEED/, in git), which this page reads.
This page is stamped with the commit and the params digest, puts the numbers that every claim
rests on side by side over the seeds (mean and standard deviation where there are several),
counts the verdicts of each claim over the seeds, and then carries the first seed's report with
its figures (copied to figures/ next to this page).
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

import torch

from gaia import __version__, paths
from gaia.dvc_export import dvc_file
from gaia.figures.seeds import SeedCurves, SeedValues, plot_curves_over_seeds, plot_over_seeds
from gaia.figures.training import read_log
from gaia.report.claims import Claim, OverSeeds, claims_along_training, load
from gaia.report.markdown import number, spread, table
from gaia.runs import publish_figures, record_dir, run_params, seeded_target
from gaia.utils.io import sha256_file, write_text

# (file, key, label) of the numbers compared across seeds, per dataset and model.
HEADLINE = (
    ("train", "test_recon_l1", "held-out L1 of G(X)"),
    ("train", "test_raw_recon_l1", "held-out L1 of G(X), raw weights"),
    ("train", "late_gain_recon_l1", "L1 drop over the last quarter"),
    ("train", "test_angle_accuracy", "lines at their angle"),
    ("train", "test_drawn_line_accuracy", "lines drawn (at their angle, near a true line)"),
    ("attributes", "matched_ols_mean_abs_leakage", "OLS mean absolute leakage (matched)"),
    ("attributes", "matched_mean_difference_mean_abs_leakage", "mean-diff. mean absolute leakage"),
    ("attributes", "matched_ols_leakage_Young_to_Male", "OLS Young->Male (matched)"),
    ("attributes", "matched_mean_difference_leakage_Young_to_Male", "mean-diff. Young->Male"),
    ("fid", "fid_domain_recon", "domain FID reconstructions"),
    ("fid", "fid_domain_interp", "domain FID midpoints"),
    ("interpolation", "mean_distance", "lines Mean Distance (ACAI)"),
    ("interpolation", "smoothness", "lines Smoothness (ACAI)"),
    ("probe", "mean_accuracy", "linear probe accuracy"),
)
OVER_SEEDS_FIGURE = "figures/over_seeds.png"  # in the report's folder
CURVES_FIGURE = "figures/curves_over_seeds.png"
FILES = {
    "train": paths.train_metrics,
    "attributes": paths.attribute_summary,
    "fid": paths.fid_metrics,
    "interpolation": paths.interpolation_metrics,
    "probe": paths.probe,
}


def git_commit(own_outputs: str | None = None) -> str:
    """The checked-out commit (with '+changes' when the work tree differs from it, not counting
    the report's own folder `own_outputs`, which the report is writing), or 'unknown'."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [
                *("git", "status", "--porcelain", "--untracked-files=no", "--", "."),
                *([f":(exclude){own_outputs}"] if _below_cwd(own_outputs) else []),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if dirty else "")


def _below_cwd(path: str | None) -> bool:
    """Whether `path` lies in the working directory: git refuses a pathspec outside the
    repository, and a report folder elsewhere cannot make the work tree differ anyway."""
    return path is not None and Path(path).resolve().is_relative_to(Path.cwd().resolve())


def _value(folder: Path, kind: str, dataset: str, model: str, key: str) -> float | None:
    path = folder / FILES[kind](dataset, model)
    value = load(path).get(key) if path.exists() else None
    return float(value) if value is not None else None


def _spread(values: list[float | None], with_n: bool = True) -> str:
    """Mean ± sample sd of the known values (with their count n), or the one value."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    return spread(known) + (f" (n = {len(known)})" if with_n else "")


def target_markdown(params: dict[str, Any], target: str) -> str:
    entry = seeded_target(params, target)
    seeds = list(entry["seeds"])
    folders = {seed: record_dir(params, target, seed) for seed in seeds}
    tested = claims_over_seeds(params, target)
    out = [
        f"# GAIA reproduction: the `{target}` target",
        "",
        "## The answer: the paper's claims over the seeds",
        "",
        "Each claim's verdict over the seeds (k of n, collapses counted: a collapse is a "
        "failure of the method, never dropped), its key number as mean ± sd over the seeds, "
        "and why. Every measure: the section on the claims below.",
        "",
        *table(
            ["claim", "verdict over the seeds", "key number", "why"],
            [c.answer_row() for c in tested],
        ),
        "## What was run",
        "",
        f"Generated by `gaia report target --target {target}` from the records of its runs, "
        f"{', '.join(f'`{f}/`' for f in folders.values())} (one run per seed, every step of "
        "the pipeline with this target's settings; its record: the metrics, logs, figures "
        "and reports it built, committed to git: gaia/runs.py). Regenerate it with "
        f"`snakemake --cores 8 {target}` (which builds only the seeds without a current "
        f"record) or `dvc repro {dvc_file(target)}`.",
        "",
        f"- commit `{git_commit(entry['report_dir'])}`; gaia-repro {__version__}; "
        f"params.yaml sha256 `{sha256_file('params.yaml')[:16]}…`; torch {torch.__version__}",
        f"- machine: {platform.machine()}, "
        f"{'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU only'}",
        f"- seeds {seeds}; datasets {', '.join(entry['datasets'])}; models "
        f"{', '.join(entry['models'])}; steps per experiment: `targets.{target}.experiments` "
        "in params.yaml",
        "",
        "## Over the seeds at a glance",
        "",
        f"![The headline numbers over the seeds]({OVER_SEEDS_FIGURE})",
        "",
        "*Every number of the next table: a bar per model at the mean over the seeds, one sample "
        "standard deviation as its error bar, each seed's value as a dot.*",
        "",
        f"![Held-out L1 of G(X) over training, every seed]({CURVES_FIGURE})",
        "",
        "*Held-out L1 of G(X) (of the evaluated weights: their moving average) over training "
        "steps: a colour per model, a line style per seed.*",
        "",
        *_numbers_table(entry, folders),
    ]
    out += _lines_table(entry, folders) + _probe_table(entry, folders)
    out += [
        "## The paper's claims over the seeds: every measure",
        "",
        "Each measure's two numbers as mean ± sd over the seeds that measured both (n); the "
        "verdict counts every seed's, collapses included.",
        "",
    ]
    out += table(
        ["claim", "evidence", "verdict over the seeds", "verdict per seed"],
        [claim.row() for claim in tested],
    )
    first = folders[seeds[0]] / paths.results_report()
    body = first.read_text(encoding="utf-8").split("\n", 1)[1]  # without its title
    out += [f"## The report of seed {seeds[0]}", "", body.replace("\n## ", "\n### ")]
    return "\n".join(out)


def claims_over_seeds(params: dict[str, Any], target: str) -> list[OverSeeds]:
    """Every claim of every seed's run, grouped by claim across the seeds (in the first
    seed's order)."""
    tested: dict[str, dict[int, Claim]] = {}
    for seed in seeded_target(params, target)["seeds"]:
        run = run_params(params, target, seed)
        with paths.in_folder(record_dir(params, target, seed)):
            for claim in claims_along_training(run, run["targets"]["all"]):
                tested.setdefault(claim.key, {})[seed] = claim
    return [OverSeeds(runs) for runs in tested.values()]


def headline_values(
    entry: dict[str, Any], folders: dict[int, Path]
) -> dict[tuple[str, str, str], list[float | None]]:
    """(dataset, model, quantity) -> each seed's value, for every headline number of the
    target that some seed's run has."""
    found = {}
    for dataset in entry["datasets"]:
        for model in entry["models"]:
            for kind, key, label in HEADLINE:
                values = [_value(f, kind, dataset, model, key) for f in folders.values()]
                if any(v is not None for v in values):
                    found[(dataset, model, label)] = values
    return found


def _numbers_table(entry: dict[str, Any], folders: dict[int, Path]) -> list[str]:
    """Every headline number of every experiment: mean ± sd (n) and each seed's value, or the
    one seed's value."""
    seeds = list(folders)
    several = len(seeds) > 1
    rows = [
        [*experiment, *([_spread(values), *map(_cell, values)] if several else [_cell(values[0])])]
        for experiment, values in headline_values(entry, folders).items()
    ]
    header = ["dataset", "model", "quantity"]
    header += ["mean ± sd", *(f"seed {s}" for s in seeds)] if several else [f"seed {seeds[0]}"]
    title = f"## Numbers per seed ({len(seeds)} seed{'s' * several})"
    return [title, "", *table(header, rows)]


def _figure_values(entry: dict[str, Any], folders: dict[int, Path]) -> SeedValues:
    """The headline numbers regrouped for the figure: one panel per (dataset, quantity)."""
    grouped: SeedValues = {}
    for (dataset, model, quantity), values in headline_values(entry, folders).items():
        grouped.setdefault((dataset, quantity), {})[model] = values
    return grouped


def _curves(entry: dict[str, Any], folders: dict[int, Path]) -> SeedCurves:
    """Each seed's training log of every experiment that has one."""
    curves: SeedCurves = {}
    for dataset in entry["datasets"]:
        for model in entry["models"]:
            logs = {
                seed: read_log(folder / paths.train_log(dataset, model))
                for seed, folder in folders.items()
                if (folder / paths.train_log(dataset, model)).exists()
            }
            curves.setdefault(dataset, {})[model] = logs
    return curves


def _lines_table(entry: dict[str, Any], folders: dict[int, Path]) -> list[str]:
    """ACAI's lines table (its Table 1 layout): Mean Distance and Smoothness of every model,
    then the correct interpolation (the metric's floor) and the pixel cross-fade."""

    def cells(dataset: str, model: str, prefix: str) -> list[str | int]:
        columns = [
            [_value(f, "interpolation", dataset, model, prefix + key) for f in folders.values()]
            for key in ("mean_distance", "smoothness")
        ]
        columns[0] = [v * 1e3 if v is not None else None for v in columns[0]]  # ACAI's unit
        n = sum(v is not None for v in columns[0])
        return [*(_spread(values, with_n=False) for values in columns), n]

    out = []
    references = (("correct interpolation", "angular_"), ("pixel cross-fade", "crossfade_"))
    for d in entry["datasets"]:
        rows: list[list[str | int]] = [[m, *cells(d, m, "")] for m in entry["models"]]
        if not any(row[-1] for row in rows):
            continue  # no Mean Distance: not a lines dataset
        rows += [[label, *cells(d, entry["models"][0], prefix)] for label, prefix in references]
        out += [
            f"## Interpolating lines ({d}): ACAI's benchmark over the seeds",
            "",
            "Mean Distance (in units of 10^-3, as ACAI's Table 1 gives it) and Smoothness, lower "
            "is better; mean ± sd over the seeds; n runs. The last two rows are references on "
            "the same test pairs: the correct interpolation (the angle swept the short way "
            "round) and the pixel cross-fade. ACAI's published numbers are "
            "not quoted: no copy of its table could be read to verify them.",
            "",
            *table(["model", "Mean Distance (x 10^-3)", "Smoothness", "n"], rows),
        ]
    return out


def _probe_table(entry: dict[str, Any], folders: dict[int, Path]) -> list[str]:
    rows = []
    for dataset in entry["datasets"]:
        for model in entry["models"]:
            accuracy = [
                _value(f, "probe", dataset, model, "mean_accuracy") for f in folders.values()
            ]
            baseline = [
                _value(f, "probe", dataset, model, "mean_baseline") for f in folders.values()
            ]
            if any(v is not None for v in accuracy):
                known = sum(v is not None for v in accuracy)
                rows.append(
                    [dataset, model, _spread(accuracy, False), _spread(baseline, False), known]
                )
    if not rows:
        return []
    return [
        "## Linear probe of the latents over the seeds",
        "",
        "Held-out accuracy of a logistic regression on each model's latents (attributes on "
        "faces, angle bins on lines), mean ± sd over the seeds; baseline: the majority class, or "
        "chance for angle bins.",
        "",
        *table(["dataset", "model", "mean accuracy", "baseline", "n"], rows),
    ]


def _cell(value: float | None) -> str:
    return number(value) if value is not None else ""


def write_target_report(params: dict[str, Any], target: str) -> Path:
    """docs/results/README.md (the target's `report_dir`) and the first seed's figures."""
    entry = seeded_target(params, target)
    report_dir = Path(entry["report_dir"])
    publish_figures(record_dir(params, target, entry["seeds"][0]), report_dir)
    folders = {seed: record_dir(params, target, seed) for seed in entry["seeds"]}
    plot_over_seeds(_figure_values(entry, folders), report_dir / OVER_SEEDS_FIGURE)
    plot_curves_over_seeds(_curves(entry, folders), report_dir / CURVES_FIGURE)
    out = report_dir / "README.md"
    write_text(out, target_markdown(params, target))
    return out
