"""The `gaia` command: one subcommand per pipeline step.

Every step reads params.yaml (validated), writes only its declared outputs (atomically) and,
with --log, a log file. The steps' subcommands come from the step table (gaia/steps.py), whose
Snakemake rules and DVC stages call exactly these commands; `bench`, `compare-runs`, `pull` and
`dvc-yaml` are tools around the pipeline.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gaia import __version__, paths
from gaia.config import DEFAULT_PARAMS, dataset_config, load_params
from gaia.errors import GaiaError
from gaia.experiment import resolve_experiment, split_milestone
from gaia.utils.io import PLACE_ERRNOS
from gaia.utils.logs import setup_logging

log = logging.getLogger("gaia.cli")


def cmd_dataset_step(args: argparse.Namespace, params: dict[str, Any]) -> None:
    """A step on one dataset (gaia/steps.py): its function(params, dataset, progress)."""
    dataset_config(params, args.dataset)  # a clear error for unknown names
    run_function(args.step_entry.function)(params, args.dataset, progress=not args.no_progress)
    log.info("wrote %s", _listed(args.step_entry.outputs({"dataset": args.dataset})))


def cmd_experiment_step(args: argparse.Namespace, params: dict[str, Any]) -> None:
    """A step on one experiment: its function(params, dataset, model, progress)."""
    exp = resolve_experiment(params, args.experiment)
    function = run_function(args.step_entry.function)
    function(params, exp.dataset, exp.model, progress=not args.no_progress)
    log.info(
        "wrote %s", _listed(args.step_entry.outputs({"dataset": exp.dataset, "model": exp.model}))
    )


def run_function(function: str) -> Callable[..., Any]:
    """The function "module:function" (imported now: `gaia --help` does not load torch)."""
    module, name = function.split(":")
    return getattr(importlib.import_module(module), name)


def _listed(outputs: dict[str, Path]) -> str:
    return ", ".join(map(str, outputs.values()))


def launch_ranks(processes: int, args: argparse.Namespace) -> None:
    """Run this same `gaia train` command once per process under torchrun (one node; its
    rendezvous picks a free port), and wait. Rank 0 writes the log file."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    log.info("%s: starting %d training processes (torchrun)", args.experiment, processes)
    setup_logging(None)  # rank 0 rewrites the log file; this process only reports to stderr
    # The command goes in after parsing: torchrun's parser would take `--log` for its own
    # `--log-dir` (an abbreviation) even after the module's name.
    torchrun = parse_args(["--standalone", f"--nproc-per-node={processes}", "-m", "gaia"])
    torchrun.training_script_args = args.argv
    try:
        run(torchrun)
    except ChildFailedError as exc:
        rank, failure = exc.get_first_failure()
        raise GaiaError(
            f"training process {rank} of {processes} exited with code {failure.exitcode} "
            "(its error is above)"
        ) from exc


def cmd_train(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.train.distributed import launched_ranks
    from gaia.train.trainer import train

    exp = resolve_experiment(params, args.experiment)
    if split_milestone(exp.model)[1] is not None:
        raise GaiaError(
            f"{args.experiment} is a milestone of a training run, not one to train: train "
            f"{exp.dataset}/{split_milestone(exp.model)[0]}, then `gaia milestone`"
        )
    processes = exp.training["processes"]
    if processes > 1 and launched_ranks() == 1:
        launch_ranks(processes, args)
        return
    result = train(params, args.experiment, progress=not args.no_progress, fresh=args.fresh)
    log.info("wrote %s", result.experiment.out_dir)  # other ranks log warnings only (main)


def cmd_bench(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.bench import print_benchmark

    overrides: dict[str, Any] = {}
    if args.batch_size:
        overrides["batch_size"] = args.batch_size
    if args.compile:
        overrides["compile"] = False if args.compile == "false" else args.compile
    print_benchmark(params, args.experiment, args.steps, overrides, args.largest_batch)


def target_datasets(params: dict[str, Any], target: str) -> list[str]:
    """The datasets a target (a key of `targets:` in params.yaml) builds."""
    if target not in params["targets"]:
        raise GaiaError(f"unknown target {target!r}; defined targets: {sorted(params['targets'])}")
    return list(params["targets"][target]["datasets"])


def cmd_figure(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.figures.registry import RUN, TARGET, figure

    datasets = target_datasets(params, args.target)
    entry = figure(args.figure)
    plot = run_function(entry.plot)
    if entry.scope == TARGET:
        written = plot(datasets)
    elif entry.scope == RUN:
        written = plot(params, params["targets"][args.target])
    else:
        if args.dataset is None:
            raise GaiaError(f"figure {args.figure!r} draws one dataset: add --dataset NAME")
        dataset_config(params, args.dataset)
        written = plot(params, args.dataset, params["targets"][args.target]["models"])
    log.info("wrote %s", ", ".join(map(str, written)))


def seeded_experiment(args: argparse.Namespace, params: dict[str, Any]) -> tuple[str, int]:
    """(target, seed) of a record's or restoring's --run, and a clear error for a missing one
    or an --experiment the run does not train."""
    from gaia.runs import trained_experiments

    if args.seeded_run is None:
        raise GaiaError(f"gaia {args.step} works on a seeded run's record: add --run TARGET_sSEED")
    target, seed = paths.parse_run(args.seeded_run)
    if args.experiment is not None:
        exp = resolve_experiment(params, args.experiment)
        trained = trained_experiments(params["targets"]["all"])
        if (exp.dataset, exp.model) not in trained:
            names = [f"{d}/{m}" for d, m in trained]
            raise GaiaError(f"--experiment {args.experiment}: {args.seeded_run} trains {names}")
    return target, seed


def cmd_record(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.plan import Planner
    from gaia.runs import record_experiment, record_run

    target, seed = seeded_experiment(args, params)
    repository = args.repository_params
    if args.experiment is None:
        log.info("wrote %s", record_run(repository, target, seed))
        return
    dataset, model = args.experiment.split("/")
    digest = Planner(repository).experiment_digest(target, seed, dataset, model)
    log.info("wrote %s", record_experiment(repository, target, seed, dataset, model, digest))


def cmd_restore(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.runs import restore_experiment

    target, seed = seeded_experiment(args, params)
    dataset, model = args.experiment.split("/")
    restored = restore_experiment(args.repository_params, target, seed, dataset, model)
    log.info("restored %d files of %s from its record", len(restored), args.experiment)


def cmd_report(args: argparse.Namespace, params: dict[str, Any]) -> None:
    if args.report != "target":
        target_datasets(params, args.target)  # a clear error for unknown targets
    write = run_function(args.reports[args.report].function)
    log.info("wrote %s", write(params, args.target))


def cmd_compare_runs(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.report.agreement import write_agreement

    folders = {}
    for run in args.run:
        label, equals, folder = run.partition("=")
        if not equals or not label or not folder:
            raise GaiaError(f"--run {run!r}: write LABEL=FOLDER, e.g. fp32=../gaia-fp32")
        folders[label] = Path(folder)
    note = args.note.read_text(encoding="utf-8").strip() if args.note else ""
    log.info("wrote %s", write_agreement(folders, args.condition, args.out, note))


def cmd_pull(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.remote import pull

    pull(args.targets, args.remote)


def cmd_dvc_yaml(args: argparse.Namespace, params: dict[str, Any]) -> None:
    from gaia.dvc_export import write_dvc_yaml

    stale = write_dvc_yaml(Path("."), check=args.check)
    if args.check and stale:
        raise GaiaError(
            f"{', '.join(map(str, stale))} differ from the step table and params.yaml: "
            "run `gaia dvc-yaml`"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaia", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"gaia-repro {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--params", type=Path, default=DEFAULT_PARAMS, help="parameter file (default: params.yaml)"
    )
    common.add_argument("--log", type=Path, help="also write the log to this file")
    common.add_argument("--no-progress", action="store_true", help="hide progress bars")
    common.add_argument(
        "--debug",
        action="store_true",
        help="on an error, show its traceback (without it: one line; the traceback goes to --log)",
    )
    in_run = argparse.ArgumentParser(add_help=False)
    in_run.add_argument(
        "--run",
        dest="seeded_run",
        metavar="TARGET_sSEED",
        help="work in this seed's run of a seeded target (e.g. full_s0): its parameters "
        "(gaia/runs.py) and its folder results/TARGET_sSEED/ (default: the repository's run)",
    )
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

    def step(
        name: str, handler: Callable[..., None], help: str, of_a_run: bool = True
    ) -> argparse.ArgumentParser:
        parents = [common, in_run] if of_a_run else [common]
        sub = steps.add_parser(name, parents=parents, help=help, description=help)
        sub.set_defaults(handler=handler, seeded_run=None)
        return sub

    # The pipeline's steps, from the step table (imported here, not at the top: it is the
    # rules' definition, not code a job computes with, so no job's code dependency).
    from gaia import steps as table

    for entry in table.STEPS:
        if entry.scope in (table.DATA, table.DATASET):
            sub = step(entry.command, cmd_dataset_step, entry.help)
            sub.add_argument(
                "--dataset", required=True, help="a name under `datasets:` in params.yaml"
            )
        elif entry.scope == table.EXPERIMENT:
            training = entry.name == "train"
            sub = step(entry.command, cmd_train if training else cmd_experiment_step, entry.help)
            model = "MODEL@FRACTION" if entry.fraction else "MODEL"
            sub.add_argument("--experiment", required=True, help=f"DATASET/{model}")
            if training:
                sub.add_argument(
                    "--fresh",
                    action="store_true",
                    help="discard the resumable checkpoint and start over",
                )
        else:
            continue
        sub.set_defaults(step_entry=entry)
    sub = step("figure", cmd_figure, table.step("figure").help)
    sub.add_argument("figure", help="a figure of gaia/figures/registry.py, e.g. training")
    sub.add_argument("--target", default="all", help="draw the datasets (models) of this target")
    sub.add_argument("--dataset", help="the dataset of a per-dataset figure")
    sub = step("record", cmd_record, table.RECORD_STEP.help)
    sub.add_argument("--experiment", help="DATASET/MODEL: record this finished experiment")
    sub = step("restore", cmd_restore, table.RESTORE_STEP.help)
    sub.add_argument("--experiment", required=True, help="DATASET/MODEL")
    sub = step("report", cmd_report, "write a markdown report into reports/ (or docs/results/)")
    sub.add_argument(
        "report",
        choices=list(table.REPORT_STEPS),
        help="; ".join(f"{name}: {s.help}" for name, s in table.REPORT_STEPS.items()),
    )
    sub.add_argument("--target", default="all", help="report on the datasets of this target")
    sub.set_defaults(reports=table.REPORT_STEPS)
    sub = step("bench", cmd_bench, "time a training step; print FLOP/s against the matmul peak")
    sub.add_argument("--experiment", default="synthfaces/gaia", help="DATASET/MODEL")
    sub.add_argument("--steps", type=int, default=5, help="timed steps (after 2 warm-up steps)")
    sub.add_argument("--batch-size", type=int, help="override training.batch_size")
    sub.add_argument(
        "--compile",
        choices=["false", "default", "max-autotune-no-cudagraphs"],
        help="override training.compile",
    )
    sub.add_argument(
        "--largest-batch",
        type=int,
        metavar="MAX",
        help="double the batch up to MAX while it fits in memory; measure the largest",
    )
    sub = step(
        "compare-runs",
        cmd_compare_runs,
        "the claims' verdicts in two or more finished runs of `all`, side by side",
        of_a_run=False,
    )
    sub.add_argument("--run", action="append", required=True, metavar="LABEL=FOLDER")
    sub.add_argument("--condition", default="the condition that differs between the runs")
    sub.add_argument("--out", type=Path, required=True, help="the markdown page to write")
    sub.add_argument("--note", type=Path, help="a markdown file whose text opens the page")
    sub = step(
        "pull",
        cmd_pull,
        "pull results from the DVC remote, current for Snakemake too",
        of_a_run=False,
    )
    sub.add_argument(
        "targets",
        nargs="*",
        default=["all"],
        help="Snakemake targets (all, full, paper) or output files (default: all)",
    )
    sub.add_argument("--remote", help="a DVC remote's name (default: the default remote)")
    sub = step(
        "dvc-yaml", cmd_dvc_yaml, "write the dvc.yaml files from the step table", of_a_run=False
    )
    sub.add_argument(
        "--check", action="store_true", help="only check that the committed files are current"
    )
    return parser


def in_seeded_run(params: dict[str, Any], run: str) -> dict[str, Any]:
    """The parameters of the seeded run `run`, whose folder paths now lie in."""
    from gaia.runs import run_params

    try:
        target, seed = paths.parse_run(run)
    except ValueError as exc:
        raise GaiaError(f"--run {run!r}: {exc}") from None
    run_parameters = run_params(params, target, seed)
    paths.use_run(run)
    return run_parameters


def _one_line(exc: GaiaError | OSError) -> str:
    """The error's message; an OSError of a full or read-only place (one written outside
    `atomic_path`: a log, a progress file) says which file and what to do."""
    if isinstance(exc, GaiaError):
        return str(exc)
    return (
        f"{exc.filename or 'an output'}: could not be written ({exc.strerror}): free space (or "
        "make the folder writable) and rerun; finished outputs are intact"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get("RANK", "0") != "0":  # torchrun's other ranks: rank 0 writes the log
        setup_logging(None, logging.WARNING)
    else:
        setup_logging(args.log)
    try:
        params = load_params(args.params)
        args.repository_params = params  # `record` needs the targets beside the run's
        if args.seeded_run is not None:
            params = in_seeded_run(params, args.seeded_run)
        args.handler(args, params)
    except (GaiaError, OSError) as exc:
        if args.debug or (isinstance(exc, OSError) and exc.errno not in PLACE_ERRNOS):
            raise
        message = f"gaia {args.step}: error: {_one_line(exc)}"
        print(message, file=sys.stderr)
        if args.log is not None:  # keep the reason, and where it arose, with the step's log
            with open(args.log, "a", encoding="utf-8") as handle:
                handle.write(message + "\n" + traceback.format_exc())
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
