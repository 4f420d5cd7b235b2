"""GAIA's stability over seeds (docs/stability/): train the variants seed by seed, then report.

    python benchmarks/stability_study.py run --variant gaia_later --seed 0 [--precision fp32]
    python benchmarks/stability_study.py run --variant gaia --seed 0 --dataset lines
    python benchmarks/stability_study.py report
    python benchmarks/stability_study.py queue --jobs 2 --commit   # every run not yet committed

`run` trains one seed of one variant at `full`'s settings of its dataset for STEPS[dataset]
steps (with benchmarks/learning_runs.py's variant parameters, into results/DATASET/MODEL/) and
copies the run's log, metrics and parameter file into docs/stability/runs/DATASET/VARIANT/sSEED/:
commit that folder as soon as it appears, so that a run cut off with its machine loses only
itself. `report` reads every committed run, judges each with the pipeline's own detector
(gaia/report/training_state.py) and writes docs/stability/README.md with the collapse rate of
each variant (Wilson 95% interval), the onsets, the held-out L1 per seed, and the figure of
every seed's held-out curve (docs/stability/curves.png). On lines it reports whether and from
when each seed's share of lines drawn at their angle falls from its best (lines_curves.png).
`queue` trains every run of the study (`planned_runs`) that git does not hold yet, `--jobs` side
by side, and with `--commit` commits each run's folder as it finishes: the study resumes from
what git holds on any machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from learning_runs import RUNS, variant_params
from matplotlib.ticker import FormatStrFormatter

from gaia import paths
from gaia.config import load_params
from gaia.figures.common import plt, save_figure
from gaia.metrics.realism import wilson_interval
from gaia.report.markdown import number, table, with_interval
from gaia.report.training_state import TrainingState, assess_log

DATASET = "synthfaces"  # the collapse study's; lines: the late degradation's
# synthfaces: past every collapse onset seen so far; lines: `full`'s budget, where the late
# degradation was seen (docs/learning.md)
STEPS = {"synthfaces": 4000, "lines": 8000}
LINES_KEY = "eval_drawn_line_accuracy"  # the share of held-out lines drawn at their angle
# A seed's lines degrade from the first evaluation after its best from which the share stays
# more than this below its best to the end.
LINES_DROP = 0.05
FULL_SETTINGS = [
    "training.eval_every=200",
    "training.sample_every=1000",
    "training.checkpoint_every=500",
]
STUDY = Path("docs/stability")
# variant -> (the model it derives from, its overrides, the seeds the study asks for)
VARIANTS: dict[str, tuple[str, list[str], int]] = {
    "gaia": ("gaia", [], 8),
    "gaia_later": ("gaia_later", [], 8),
    "gaia_detach": ("gaia", ["objective.detach_balance=true"], 4),
    "gaia_recon1": ("gaia", ["objective.recon_weight=1"], 4),
}
WORDS = {
    "gaia": "the faithful GAIA (the paper's objective and constants)",
    "gaia_later": "the author's later GAIA (avgn gaia4.py; an experimental variant)",
    "gaia_detach": "the faithful GAIA with detach_balance: true",
    "gaia_recon1": "the faithful GAIA with recon_weight: 1",
}


# The study beyond VARIANTS' synthfaces seeds: seeds of the faithful GAIA trained in fp32 beside
# their runs in `auto` (bf16 on an AVX-512 bf16 CPU: the same machine shows what the precision
# changes), one that trains well and the one that collapses; and the faithful GAIA's late
# degradation on lines over LINES_SEEDS seeds.
PRECISION_TWINS = [("gaia", 0, "fp32"), ("gaia", 5, "fp32")]
LINES_SEEDS = 4


@dataclass(frozen=True)
class PlannedRun:
    """One run the study asks for; `arguments` are its `run` options."""

    variant: str
    seed: int
    precision: str = "auto"
    dataset: str = DATASET

    def arguments(self) -> list[str]:
        options = ["--variant", self.variant, "--seed", str(self.seed)]
        if self.precision != "auto":
            options += ["--precision", self.precision]
        if self.dataset != DATASET:
            options += ["--dataset", self.dataset]
        return options

    def __str__(self) -> str:
        extras = [x for x in (self.precision, self.dataset) if x not in ("auto", DATASET)]
        return " ".join([self.variant, f"seed {self.seed}", *extras])


def planned_runs() -> list[PlannedRun]:
    """Every run of the study, in the order `queue` trains the missing ones."""
    runs = [PlannedRun(v, seed) for v, (_, _, seeds) in VARIANTS.items() for seed in range(seeds)]
    runs += [PlannedRun(*twin) for twin in PRECISION_TWINS]
    return runs + [PlannedRun("gaia", seed, dataset="lines") for seed in range(LINES_SEEDS)]


def is_done(run: PlannedRun, repo: Path) -> bool:
    """Its folder holds its final metrics (and on synthfaces its realism, fid.json: a run trained
    before the study measured it is trained again), or (a lines seed of the faithful GAIA) the
    reference run has recorded that seed."""
    folder = repo / run_folder(run.variant, run.seed, run.precision, run.dataset)
    if (folder / "train_metrics.json").exists():
        return run.dataset != DATASET or (folder / "fid.json").exists()
    lines_gaia = run.dataset == "lines" and run.variant == "gaia"
    return lines_gaia and reference_lines_log(run.seed, repo) is not None


def run_folder(variant: str, seed: int, precision: str = "auto", dataset: str = DATASET) -> Path:
    suffix = "" if precision == "auto" else f"_{precision}"
    return STUDY / "runs" / dataset / variant / f"s{seed}{suffix}"


def model_name(variant: str, seed: int, precision: str = "auto") -> str:
    """The run's model in its params file and results/: gaia_s1, gaia_detach_s0, gaia_s0_fp32."""
    return f"{variant}_s{seed}" + ("" if precision == "auto" else f"_{precision}")


def study_params(args: argparse.Namespace, tag: str = "") -> tuple[Path, str]:
    """The parameter file of one run (written under benchmarks/runs/) and its model name."""
    base, overrides, _ = VARIANTS[args.variant]
    model = model_name(args.variant, args.seed, args.precision)
    settings = [
        *FULL_SETTINGS,
        f"training.seed={args.seed}",
        f"training.precision={args.precision}",
    ]
    name = model.removeprefix(f"{base}_")
    params = variant_params(
        load_params(Path(args.params)),
        *(args.dataset, base, name, [*overrides, *settings], STEPS[args.dataset]),
    )
    # The realism of each run's images: domain FID and KID, the two-sample test and sharpness
    # of its reconstructions and midpoints (no attribute edits: they would need its vectors).
    params["fid"] |= {"sets": ["recon", "interp"], "extractors": ["domain"]}
    params_file = RUNS / args.dataset / f"{model}{tag}.yaml"
    params_file.parent.mkdir(parents=True, exist_ok=True)
    params_file.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return params_file, model


def run(args: argparse.Namespace) -> None:
    params_file, model = study_params(args)
    prepare_data(params_file, args.dataset)
    gaia("train", params_file, "--experiment", f"{args.dataset}/{model}")
    out = Path(args.out) / run_folder(args.variant, args.seed, args.precision, args.dataset)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.train_log(args.dataset, model), out / "train_log.jsonl")
    shutil.copyfile(paths.train_metrics(args.dataset, model), out / "train_metrics.json")
    shutil.copyfile(params_file, out / "params.yaml")
    if args.dataset == DATASET:  # lines are judged by their angles, in the training log
        measure_realism(params_file, model, out)
    print(f"wrote {out}: commit it")


def measure_realism(params_file: Path, model: str, out: Path) -> None:
    """fid.json of a trained run (the pipeline's own steps: its latents, then `gaia fid`; the
    dataset's judge and real-image reference made once), copied into its folder."""
    prepare_realism(params_file)
    gaia("extract-latents", params_file, "--experiment", f"{DATASET}/{model}")
    gaia("fid", params_file, "--experiment", f"{DATASET}/{model}")
    shutil.copyfile(paths.fid_metrics(DATASET, model), out / "fid.json")


def prepare_data(params_file: Path, dataset: str) -> None:
    """The dataset's processed splits, where this checkout has none yet."""
    if not paths.processed_dir(dataset).exists():
        gaia("prepare-data", params_file, "--dataset", dataset)


def prepare_realism(params_file: Path) -> None:
    """The dataset's judge and real-image reference, made once for every run."""
    if not paths.classifier_file(DATASET).exists():
        gaia("train-classifier", params_file, "--dataset", DATASET)
    if not paths.fid_reference(DATASET).exists():
        gaia("fid-reference", params_file, "--dataset", DATASET)


def gaia(step: str, params_file: Path, *arguments: str) -> None:
    """One pipeline step on the run's parameter file, its log beside that file."""
    log = params_file.with_name(f"{params_file.stem}.{step}.log")
    command = ["gaia", step, "--params", str(params_file), *arguments, "--no-progress"]
    done = subprocess.run([*command, "--log", str(log)])
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}); see {log}")


def realism(args: argparse.Namespace) -> None:
    """fid.json of a run trained before the study measured it, while its weights are here."""
    if args.dataset != DATASET:
        sys.exit(f"realism is measured on {DATASET} only")
    folder = Path(args.out) / run_folder(args.variant, args.seed, args.precision)
    params_file, model = study_params(args, ".realism")
    measure_realism(params_file, model, folder)
    print(f"wrote {folder / 'fid.json'}: commit it")


def queue(args: argparse.Namespace) -> None:
    """Train every planned run that `--out` does not hold yet, `--jobs` at a time (one
    `training.cpu_threads` each), each by this script's `run`; `--commit` commits each run's
    folder in `--out` as it finishes. A run that fails is reported and the others go on."""
    out = Path(args.out)
    pending = [r for r in planned_runs() if not is_done(r, out)]
    print(f"{len(pending)} of {len(planned_runs())} runs to train" + ":" * bool(pending))
    for planned in pending:
        print(f"  {planned}: {' '.join(planned.arguments())}")
    if args.dry_run or not pending:
        return
    for dataset in dict.fromkeys(r.dataset for r in pending):  # made once, not by each job
        first = next(r for r in pending if r.dataset == dataset)
        params_file, _ = study_params(run_args(args, first), ".queue")
        prepare_data(params_file, dataset)
        if dataset == DATASET:
            prepare_realism(params_file)
    commit_lock = threading.Lock()  # one `git commit` at a time in --out

    def train(planned: PlannedRun) -> bool:
        if is_done(planned, out):  # done meanwhile: by another queue, or the reference run
            print(f"{planned}: done meanwhile, skipped")
            return True
        model = model_name(planned.variant, planned.seed, planned.precision)
        log = RUNS / planned.dataset / f"{model}.queue.log"
        command = [sys.executable, __file__, "--params", args.params, "run"]
        with log.open("w", encoding="utf-8") as stream:
            done = subprocess.run(
                [*command, *planned.arguments(), "--out", str(out)], stdout=stream, stderr=stream
            )
        print(f"{planned}: {'done' if done.returncode == 0 else f'failed, see {log}'}")
        if done.returncode == 0 and args.commit:
            folder = run_folder(planned.variant, planned.seed, planned.precision, planned.dataset)
            message = f"Stability: {planned} (benchmarks/stability_study.py queue)"
            with commit_lock:
                committed = commit_folder(out, folder, message)
            if not committed:  # a busy index, say: the run is done, its commit left to do
                print(f"{planned}: not committed; commit {out / folder} by hand")
        return done.returncode == 0

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        failed = [p for p, ok in zip(pending, pool.map(train, pending), strict=True) if not ok]
    if failed:
        sys.exit(f"{len(failed)} run(s) failed: {', '.join(map(str, failed))}")
    print("every planned run is done: python benchmarks/stability_study.py report")


def commit_folder(repo: Path, folder: Path, message: str) -> bool:
    """Commit this folder of `repo` alone (whatever else is staged stays staged)."""
    git = ["git", "-C", str(repo)]
    if subprocess.run([*git, "add", "--", str(folder)]).returncode != 0:
        return False
    return subprocess.run([*git, "commit", "-q", "-m", message, "--", str(folder)]).returncode == 0


def run_args(args: argparse.Namespace, planned: PlannedRun) -> argparse.Namespace:
    """`run`'s arguments for a planned run."""
    return argparse.Namespace(
        params=args.params,
        variant=planned.variant,
        seed=planned.seed,
        precision=planned.precision,
        dataset=planned.dataset,
    )


def judged_runs(settings: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """variant -> run folder name -> its log, metrics and state, judged with the detector's
    settings of today's params.yaml (`report`), whatever the run's own file says."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for folder in sorted((STUDY / "runs" / DATASET).glob("*/s*")):
        metrics = json.loads((folder / "train_metrics.json").read_text(encoding="utf-8"))
        state = assess_log(folder / "train_log.jsonl", metrics["steps"], settings)
        curve = [
            (r["step"], r["eval_recon_l1"])
            for r in map(json.loads, (folder / "train_log.jsonl").read_text().splitlines())
            if "eval_recon_l1" in r
        ]
        fid_file = folder / "fid.json"  # absent for runs whose weights went before it was made
        fid = json.loads(fid_file.read_text(encoding="utf-8")) if fid_file.exists() else {}
        found.setdefault(folder.parent.name, {})[folder.name] = {
            "metrics": metrics, "state": state, "curve": curve, "fid": fid
        }  # fmt: skip
    return found


FID = "fid_domain_recon"
EVERY_RUN = [
    "variant",
    "run",
    "precision",
    "training minutes",
    "state",
    "final L1",
    "best (step)",
    "diversity",
    "collapse onset",
    "domain FID of G(X) [95%]",
    "of midpoints [95%]",
]
# A run that broke down: collapsed, or degrading (the detector's: its last held-out L1 at least
# report.degraded_factor times its own best, short of a collapse).
BROKEN = (TrainingState.COLLAPSED, TrainingState.DEGRADING)
SETS = ("recon", "interp")


def median_range(values: list[float]) -> str:
    return f"{number(float(np.median(values)))} ({number(min(values))}-{number(max(values))})"


def fid_cell(fid: dict[str, float], key: str) -> str:
    """'141.7 [134.1, 148.4]', or '' for a run measured before the study made fid.json."""
    if key not in fid:
        return ""
    return with_interval(fid[key], (fid[key + "_ci_low"], fid[key + "_ci_high"]))


def plot_curves(found: dict[str, dict[str, dict[str, Any]]], out: Path) -> list[Path]:
    # One y-axis for all: the variants' levels compare at a glance.
    fig, axes = plt.subplots(
        1, len(found), figsize=(4.2 * len(found), 3.4), squeeze=False, sharey=True
    )
    for ax, (variant, runs) in zip(axes[0], found.items(), strict=True):
        for i, (name, r) in enumerate(runs.items()):
            steps, l1 = zip(*r["curve"], strict=True)
            ax.plot(steps, l1, color=f"C{i % 10}", label=name, linewidth=1)
            if r["state"].state is TrainingState.COLLAPSED and r["state"].onset_step is not None:
                onset = r["state"].onset_step
                ax.plot(onset, l1[steps.index(onset)], "x", color="black", markersize=8)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
        ax.tick_params(axis="y", which="both", labelsize=7)
        ax.set_title(variant, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("held-out L1 of G(X)", fontsize=8)
    fig.suptitle("Every seed's held-out curve (x: a collapse's onset)", fontsize=9)
    return save_figure(fig, out)


# Two precisions' held-out curves part where they first differ by more than this share.
PRECISION_GAP = 0.10


def precision_section(
    found: dict[str, dict[str, dict[str, Any]]], rows: dict[tuple[str, str], list[Any]]
) -> list[str]:
    """Each seed trained in two precisions on one machine (`sN` in `auto`, `sN_fp32`): their
    rows side by side and where their held-out curves part."""
    lines, pairs = [], []
    for variant, runs in found.items():
        for name in runs:
            base = name.split("_")[0]
            if name == base or base not in runs:
                continue
            pairs += [rows[(variant, base)], rows[(variant, name)]]
            curves = [dict(runs[n]["curve"]) for n in (base, name)]
            steps = sorted(set(curves[0]) & set(curves[1]))
            gaps = [abs(curves[1][t] - curves[0][t]) / curves[0][t] for t in steps]
            parted = next((t for t, g in zip(steps, gaps, strict=True) if g > PRECISION_GAP), None)
            lines.append(
                f"- {variant} {base} and {name}: held-out L1 within {PRECISION_GAP:.0%} of each "
                + (f"other until step {parted:,}" if parted else "other at every evaluation")
                + f"; largest gap {max(gaps):.0%}, at the end {gaps[-1]:.0%}."
            )
    if not pairs:
        return []
    return [
        "## Precision: seeds trained in two precisions on one machine",
        "",
        *table(EVERY_RUN, pairs),
        "",
        *lines,
        "",
    ]


def degradation_onset(curve: list[tuple[int, float]], drop: float = LINES_DROP) -> int | None:
    """The first evaluation after a lines run's best from which its share of lines drawn at
    their angle stays more than `drop` below that best to the end; None when it does not."""
    best = max(range(len(curve)), key=lambda i: curve[i][1])  # the first best
    low = curve[best][1] - drop
    onset = None
    for step, share in curve[best + 1 :]:
        below = share < low
        onset = (onset or step) if below else None
    return onset


# The reference run's records (issue 29): each seed of `full` trains the faithful GAIA on lines
# with this study's settings (full's), so its record is this study's run of that seed.
REFERENCE_RECORDS = Path("docs/results/runs")


def reference_lines_log(seed: int, repo: Path = Path(".")) -> Path | None:
    """The training log of the reference run's faithful GAIA on lines of this seed, where its
    record holds all `STEPS["lines"]` steps."""
    marker = repo / REFERENCE_RECORDS / f"full_s{seed}/results/lines/gaia/record.json"
    if not marker.exists():
        return None
    metrics = json.loads(marker.with_name("train_metrics.json").read_text(encoding="utf-8"))
    return marker.with_name("train_log.jsonl") if metrics["steps"] == STEPS["lines"] else None


def lines_logs() -> dict[tuple[str, str], Path]:
    """(variant, run name) -> the training log of each lines run: the study's own, then the
    reference run's faithful GAIA of each seed the study has not run (an experiment record
    of all `STEPS["lines"]` steps; its name says where it comes from)."""
    logs = {
        (folder.parent.name, folder.name): folder / "train_log.jsonl"
        for folder in sorted((STUDY / "runs" / "lines").glob("*/s*"))
    }
    for marker in sorted(REFERENCE_RECORDS.glob("full_s*/results/lines/gaia/record.json")):
        seed = int(marker.parents[3].name.removeprefix("full_s"))
        log = reference_lines_log(seed)
        if log is not None and ("gaia", f"s{seed}") not in logs:
            logs[("gaia", f"s{seed} (full)")] = log
    return logs


def lines_runs() -> dict[str, dict[str, list[tuple[int, float]]]]:
    """variant -> run name -> its held-out share of lines drawn at their angle per step."""
    found: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for (variant, name), log in lines_logs().items():
        records = map(json.loads, log.read_text(encoding="utf-8").splitlines())
        curve = [(r["step"], r[LINES_KEY]) for r in records if LINES_KEY in r]
        found.setdefault(variant, {})[name] = curve
    return found


def lines_section(found: dict[str, dict[str, list[tuple[int, float]]]]) -> list[str]:
    """Whether each lines seed degrades late, from when; the figure of every seed's share."""
    if not found:
        return []
    summary, rows = [], []
    for variant, runs in found.items():
        onsets = {name: degradation_onset(curve) for name, curve in runs.items()}
        k = sum(onset is not None for onset in onsets.values())
        low, high = wilson_interval(k, len(runs))
        summary.append(
            [
                variant,
                len(runs),
                k,
                f"{number(k / len(runs))} [{number(low)}, {number(high)}]",
                ", ".join(str(o) for o in onsets.values() if o is not None) or "-",
            ]
        )
        for name, curve in runs.items():
            best = max(curve, key=lambda point: point[1])
            rows.append(
                [
                    variant,
                    name,
                    f"{number(best[1])} ({best[0]})",
                    number(curve[-1][1]),
                    onsets[name] or "",
                ]
            )
    fig, axes = plt.subplots(1, len(found), figsize=(4.2 * len(found), 3.4), squeeze=False)
    for ax, (variant, runs) in zip(axes[0], found.items(), strict=True):
        for i, (name, curve) in enumerate(runs.items()):
            ax.plot(*zip(*curve, strict=True), color=f"C{i % 10}", label=name, linewidth=1)
        ax.set_title(f"lines, {variant}", fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("held-out lines drawn at their angle", fontsize=8)
    save_figure(fig, STUDY / "lines_curves.png")
    return [
        "## Lines: the late degradation",
        "",
        f"Lines at `full`'s settings to {STEPS['lines']:,} steps; a run named `sN (full)` is "
        "seed N of the reference run (its record in docs/results/runs/), which trains the "
        "faithful GAIA on lines with these settings. A seed degrades when its "
        "share of held-out lines drawn at their angle (and near a true line) falls more than "
        f"{LINES_DROP:.0%} below its best and stays there to the end; the onset is the first "
        "evaluation of that fall.",
        "",
        *table(["variant", "seeds", "degrading", "rate [Wilson 95%]", "onsets (step)"], summary),
        "",
        *table(["variant", "run", "best share (step)", "final share", "degrades from"], rows),
        "",
        "![Every lines seed's share of lines drawn at their angle](lines_curves.png)",
        "",
    ]


def compute_section() -> list[str]:
    """What the committed runs cost to train: each trains on one thread (`cpu_threads: 1`)."""
    seconds = [
        json.loads(f.read_text(encoding="utf-8"))["train_seconds"]
        for f in sorted((STUDY / "runs").glob("*/*/s*/train_metrics.json"))
    ]
    return [
        "## Compute",
        "",
        f"The {len(seconds)} runs committed here trained for {sum(seconds) / 3600:.1f} "
        "core-hours in all (one thread each, on a 2-core machine shared with other runs and tests; "
        "the sum of their `train_seconds`, without the few minutes of each run's realism). "
        "The reference run's lines seeds are counted with the reference (docs/results/).",
        "",
    ]


def report(args: argparse.Namespace) -> None:
    found = judged_runs(load_params(Path(args.params))["report"])
    rows, seeds = [], {}
    for variant, runs in found.items():
        main_runs = {n: r for n, r in runs.items() if "_" not in n}  # precision runs aside
        states = [r["state"] for r in main_runs.values()]
        k = sum(s.state is TrainingState.COLLAPSED for s in states)
        low, high = wilson_interval(k, len(states))
        broken = sum(s.state in BROKEN for s in states)
        broken_low, broken_high = wilson_interval(broken, len(states))
        finals = [r["metrics"]["test_recon_l1"] for r in main_runs.values()]
        fids = [r["fid"][FID] for r in main_runs.values() if FID in r["fid"]]
        onsets = [s.onset_step for s in states if s.state is TrainingState.COLLAPSED]
        asked = VARIANTS.get(variant, ("", [], 0))[2]
        rows.append(
            [
                variant,
                f"{len(states)} (of {asked})",
                k,
                f"{number(k / len(states))} [{number(low)}, {number(high)}]",
                ", ".join(map(str, onsets)) or "-",
                f"{broken}: {number(broken / len(states))} [{number(broken_low)}, "
                f"{number(broken_high)}]",
                median_range(finals),
                f"{median_range(fids)}, n = {len(fids)}" if fids else "not measured",
            ]
        )
        for name, r in runs.items():
            s = r["state"]
            seeds[(variant, name)] = [
                variant,
                name,
                # Runs from before the key trained with `auto` on an AVX-512 bf16 CPU.
                r["metrics"].get("precision", "bf16 (auto; not recorded)"),
                number(r["metrics"]["train_seconds"] / 60),
                str(s.state),
                number(r["metrics"]["test_recon_l1"]),
                f"{number(s.best_l1)} ({s.best_step})" if s.best_l1 is not None else "",
                number(s.diversity) if s.diversity is not None else "",
                s.onset_step if s.onset_step is not None else "",
                *(fid_cell(r["fid"], f"fid_domain_{image_set}") for image_set in SETS),
            ]
    figure = STUDY / "curves.png"
    plot_curves(found, figure)
    text = [
        "# GAIA's stability over seeds",
        "",
        "Generated by `python benchmarks/stability_study.py report` from the runs committed in "
        "runs/ (one folder per variant and seed: the training log, the final metrics, the "
        "parameter file and fid.json, the realism of its reconstructions and midpoints by the "
        "pipeline's `gaia fid`: domain FID, KID, two-sample test, sharpness; runs trained before "
        "the study measured it have none). Every run trains synthfaces at `full`'s settings to "
        f"{STEPS[DATASET]:,} steps; a run is judged by the pipeline's own detector "
        "(gaia/report/training_state.py: collapsed when its last held-out L1 is 3x its own best "
        "or more, or its reconstructions lose the inputs' diversity). Variants:",
        "",
        *(f"- `{v}`: {WORDS[v]}" for v in found),
        "",
        "## Collapse rate per variant",
        "",
        *table(
            [
                "variant",
                "seeds run",
                "collapsed",
                "rate [Wilson 95%]",
                "onsets (step)",
                "broken down (collapsed or degrading): rate [Wilson 95%]",
                "held-out L1, median (range)",
                "domain FID of G(X), median (range)",
            ],
            rows,
        ),
        "",
        "![Every seed's held-out curve](curves.png)",
        "",
        "## Every run",
        "",
        *table(EVERY_RUN, list(seeds.values())),
        "",
        *precision_section(found, seeds),
        *lines_section(lines_runs()),
        *compute_section(),
        "## Running the study",
        "",
        "Runs the study asks for that are not committed yet: "
        + (", ".join(str(r) for r in planned_runs() if not is_done(r, Path("."))) or "none")
        + ".",
        "",
        "```bash",
        "python benchmarks/stability_study.py queue --jobs 2 --commit  # each of them, committed",
        "python benchmarks/stability_study.py run --variant gaia_later --seed 0  # one run",
        "python benchmarks/stability_study.py run --variant gaia --seed 0 --dataset lines",
        "git add docs/stability/runs && git commit -m 'stability: gaia_later seed 0'",
        "python benchmarks/stability_study.py report",
        "```",
        "",
    ]
    (STUDY / "README.md").write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {STUDY / 'README.md'} and {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, help_text in (
        ("run", run, "train one seed of one variant, then measure its realism"),
        ("realism", realism, "fid.json of a run whose weights are still here"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--variant", choices=list(VARIANTS), required=True)
        sub.add_argument("--seed", type=int, required=True)
        sub.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto")
        sub.add_argument("--dataset", choices=list(STEPS), default=DATASET)
        sub.add_argument("--out", default=".", help="the repository whose docs/stability/ holds it")
        sub.set_defaults(handler=handler)
    sub = commands.add_parser("report")
    sub.set_defaults(handler=report)
    sub = commands.add_parser("queue", help="train every planned run not committed yet")
    sub.add_argument("--jobs", type=int, default=1, help="runs side by side (2 on 2 cores)")
    sub.add_argument("--commit", action="store_true", help="commit each run's folder in --out")
    sub.add_argument("--dry-run", action="store_true", help="list the runs to train only")
    sub.add_argument("--out", default=".", help="the repository whose docs/stability/ holds it")
    sub.set_defaults(handler=queue)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
