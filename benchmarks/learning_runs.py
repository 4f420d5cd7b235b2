"""Learning-curve runs: train variants of a model side by side and tabulate their held-out curves.

    python benchmarks/learning_runs.py run --dataset synthfaces --base gaia --steps 1500 \
        --variant b16:training.batch_size=16 --variant lr3e-3:training.lr_max=3e-3 --jobs 2
    python benchmarks/learning_runs.py summary --dataset synthfaces gaia gaia_b16 ...
    python benchmarks/learning_runs.py summary --dataset synthfaces --every 5 \
        --terms L_real,L_gr,p_fake gaia_s1

Each variant becomes a model entry `BASE_NAME` (a copy of model BASE with its overrides) in a
parameter file of its own, results/learning/DATASET/NAME.yaml, and trains with the ordinary
`gaia train` into results/DATASET/BASE_NAME/ (so the pipeline's own outputs are never touched).
An override is KEY=VALUE with KEY one of
    training.K           a training setting for this experiment (batch_size, lr_max, seed, ...)
    objective.K          a setting of the model's objective (detach_balance, recon_weight, ...)
    generator.K / discriminator.K   a network size of a preset derived from the model's own
VALUE is parsed as YAML. `summary` prints, per run, held-out L1 of G(X) (and the lines angle
accuracy) at each evaluation against steps, images and training seconds, and with `--terms`
the mean of those logged training terms (L_real, L_gr, L_gi, p_fake, p_s, lr_D, ...) over the
steps since the previous row shown: the evidence in docs/learning.md.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from gaia import paths
from gaia.config import load_params, validate_params
from gaia.figures.training import read_log
from gaia.report.markdown import number, table

RUNS = Path("results/learning")


def variant_params(
    params: dict[str, Any], dataset: str, base: str, name: str, overrides: list[str], steps: int
) -> dict[str, Any]:
    """A copy of `params` with model `base`_`name` defined by `overrides`."""
    params = copy.deepcopy(params)
    model = f"{base}_{name}" if name else base
    entry = copy.deepcopy(params["models"][base])
    experiment = copy.deepcopy(params.get("experiments", {}).get(dataset, {}).get(base, {}))
    experiment.update(steps=steps)
    for override in overrides:
        key, _, text = override.partition("=")
        section, _, setting = key.partition(".")
        value = yaml.safe_load(text)
        if isinstance(value, str):  # YAML reads 3e-4 (no dot) as a string
            with contextlib.suppress(ValueError):
                value = float(value)
        if section == "training":
            experiment[setting] = value
        elif section == "objective":
            experiment.setdefault(entry["objective"], {})[setting] = value
        elif section in ("generator", "discriminator"):
            preset = copy.deepcopy(params["presets"][entry["preset"]])
            preset[section][setting] = value
            entry["preset"] = f"{entry['preset']}_{model}"
            params["presets"][entry["preset"]] = preset
        else:
            raise SystemExit(
                f"override {override!r}: the key must start with training., "
                "objective., generator. or discriminator."
            )
    params["models"][model] = entry
    params.setdefault("experiments", {}).setdefault(dataset, {})[model] = experiment
    return validate_params(params, source=f"variant {model}")


def run(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    jobs = []
    for spec in args.variant or [""]:
        name, _, rest = spec.partition(":")
        overrides = [o for o in rest.split(",") if o]
        variant = variant_params(params, args.dataset, args.base, name, overrides, args.steps)
        model = f"{args.base}_{name}" if name else args.base
        path = RUNS / args.dataset / f"{model}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
        command = [
            "gaia",
            "train",
            "--params",
            str(path),
            "--experiment",
            f"{args.dataset}/{model}",
            "--no-progress",
            "--log",
            str(path.with_suffix(".log")),
        ]
        jobs.append(command)
    with ThreadPoolExecutor(args.jobs) as pool:
        codes = list(pool.map(lambda c: subprocess.run(c, check=False).returncode, jobs))
    sys.exit(max(codes))


def curve(
    dataset: str, model: str, batch_size: int, every: int = 1, terms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Every `every`-th evaluation row of a run's log (the live one while it trains): step,
    training seconds so far (from the logged speeds, as the training figure computes them),
    every eval_ metric, and each of `terms` averaged over the logged training steps since the
    previous row returned (from the first logged step, for the first row)."""
    log = paths.resume_dir(dataset, model) / "train_log.jsonl"
    if not log.exists():
        log = paths.train_log(dataset, model)
    rows = read_log(log, batch_size)
    if "eval_recon_l1" not in rows:  # no evaluation yet
        return rows.iloc[0:0]
    evals = rows.dropna(subset=["eval_recon_l1"]).iloc[every - 1 :: every]
    missing = [term for term in terms if term not in rows]
    if missing:
        raise SystemExit(f"{log}: no logged term {missing}; it logs {sorted(rows.columns)}")
    if terms:
        training = rows.dropna(subset=[terms[0]])
        window = pd.cut(training["step"], [0, *evals["step"]], labels=False, right=True)
        means = training[list(terms)].groupby(window).mean()
        evals = evals.assign(**{t: means[t].reindex(range(len(evals))).to_numpy() for t in terms})
    return evals


def summary(args: argparse.Namespace) -> None:
    terms = tuple(t for t in (args.terms or "").split(",") if t)
    header = ["run", "step", "train s", "held-out L1 G(X)", "D(X) L1", "angle accuracy", *terms]
    rows = []
    for model in args.models:
        params_file = RUNS / args.dataset / f"{model}.yaml"
        source = params_file if params_file.exists() else Path(args.params)
        params = yaml.safe_load(source.read_text(encoding="utf-8"))  # only the batch size
        batch = {**params["training"], **params["experiments"][args.dataset].get(model, {})}[
            "batch_size"
        ]
        for _, point in curve(args.dataset, model, batch, args.every, terms).iterrows():
            rows.append(
                [
                    model,
                    int(point["step"]),
                    number(point["seconds"]),
                    number(point["eval_recon_l1"]),
                    number(point.get("eval_d_real_l1", float("nan"))),
                    number(point.get("eval_angle_accuracy", float("nan"))),
                    *(number(point[term]) for term in terms),
                ]
            )
    print("\n".join(table(header, rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("run")
    sub.add_argument("--dataset", required=True)
    sub.add_argument("--base", default="gaia")
    sub.add_argument("--steps", type=int, required=True)
    sub.add_argument("--variant", action="append", help="NAME:KEY=VALUE,KEY=VALUE")
    sub.add_argument("--jobs", type=int, default=1)
    sub.set_defaults(handler=run)
    sub = commands.add_parser("summary")
    sub.add_argument("--dataset", required=True)
    sub.add_argument("--every", type=int, default=1, help="show every N-th evaluation")
    sub.add_argument("--terms", help="logged training terms to average between rows: L_gr,p_fake")
    sub.add_argument("models", nargs="+")
    sub.set_defaults(handler=summary)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
