"""`gaia train`: train one experiment, resumably, and write its final outputs.

    results/DATASET/MODEL/model.pt            weights, resolved parameters, code version
    results/DATASET/MODEL/train_log.jsonl     one JSON line per log interval (and per eval)
    results/DATASET/MODEL/train_metrics.json  held-out reconstruction errors, time, speed
    results/DATASET/MODEL/samples/            the monitor grid every sample_every steps
    results/DATASET/MODEL/milestones/F/       the same three files after a fraction F of the
                                              steps (training.milestones), for judging the
                                              claims along training (MODEL@F experiments)
    results/DATASET/MODEL/resume/             checkpoint, live log, grids and milestones (not
                                              an output)

Determinism: the initial weights come from torch.manual_seed(seed); the batch order of epoch e
from a generator seeded with (seed, 1, e); the alphas of step s from one seeded with (seed, 2, s).
Nothing depends on what ran before in the process, so a run resumed from a checkpoint computes
the same steps as an uninterrupted one (bit for bit on the CPU; tested).

Under torchrun (`training.processes` > 1) each process takes its slice of every global batch and
the gradients are averaged (gaia/train/distributed.py); rank 0 alone evaluates and writes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from gaia import __version__, paths
from gaia.config import dataset_config
from gaia.data.line_angles import drawn_lines, line_threshold, reference_lines
from gaia.data.store import Split, load_split
from gaia.errors import GaiaError
from gaia.experiment import Experiment, milestone_step, resolve_experiment
from gaia.train.checkpoint import load_checkpoint, restore_rng_states, save_checkpoint
from gaia.train.distributed import SINGLE_PROCESS, Ranks, close_ranks, init_ranks
from gaia.train.divergence import diverged, non_finite, non_finite_weights
from gaia.train.lock import empty_folder, training_lock
from gaia.train.milestones import folder_name
from gaia.train.monitor import Judge, evaluate, save_sample_grid
from gaia.train.objectives import OBJECTIVES, Objective
from gaia.utils import curves
from gaia.utils.artifacts import load_json
from gaia.utils.device import autocast_dtype, select_device
from gaia.utils.images import nchw_view, to_model_input
from gaia.utils.io import atomic_directory, atomic_path, write_json, write_text
from gaia.utils.seeding import Stream, seeded_generator

log = logging.getLogger(__name__)
MONITOR_IMAGES = 16


class BatchSource:
    """Batches of one split held in memory as uint8. Epoch e is a permutation seeded by
    (seed, 1, e); its last partial batch is dropped, as in the reference iterator. Under data
    parallelism each rank gets its slice of the global batch of `batch_size`."""

    def __init__(
        self,
        images: np.ndarray,
        batch_size: int,
        seed: int,
        device: torch.device,
        ranks: Ranks = SINGLE_PROCESS,
    ):
        if len(images) < batch_size:
            raise GaiaError(f"the training split has {len(images)} images, fewer than one batch")
        self.images = nchw_view(images)
        if device.type == "cuda" and self.images.nbytes < torch.cuda.mem_get_info(device)[0] / 4:
            # The whole split on the GPU once, as uint8 (CelebA-HQ at 128: 1.2 GB): each step
            # gathers its batch there, with no host work and no transfer. Same batches.
            self.images = self.images.to(device)
        self.batch_size, self.seed, self.device, self.ranks = batch_size, seed, device, ranks
        self.steps_per_epoch = len(images) // batch_size
        self._epoch, self._order = -1, torch.empty(0, dtype=torch.long)

    def batch(self, step: int) -> torch.Tensor:
        epoch, position = divmod(step, self.steps_per_epoch)
        if epoch != self._epoch:
            generator = seeded_generator(self.seed, Stream.TRAIN_EPOCH_ORDER, epoch)
            self._epoch, self._order = epoch, torch.randperm(len(self.images), generator=generator)
        index = self._order[position * self.batch_size : (position + 1) * self.batch_size]
        index = self.ranks.shard(index)
        return to_model_input(self.images[index.to(self.images.device)], self.device)


def reconstruction_judge(params: dict[str, Any], dataset: str, test: Split) -> Judge | None:
    """lines: does G(X) draw X's line? (share at the angle, share drawn: at the angle and close
    to a true line; gaia/data/line_angles.py)."""
    dataset_settings = dataset_config(params, dataset)
    if dataset_settings["kind"] != "lines":
        return None
    settings = params["analysis"]["interpolation"]["lines"]
    reference = reference_lines(dataset_settings, settings["reference_lines"])
    angles = test.labels["angle"].to_numpy()
    tolerance = settings["angle_tolerance_deg"]
    threshold = line_threshold(dataset_settings, angles, reference, settings["width_tolerance"])
    return lambda reconstructions: drawn_lines(
        reconstructions, angles, reference, tolerance, threshold
    )


@dataclass
class TrainResult:
    experiment: Experiment
    metrics: dict[str, Any]


class JsonlLog:
    """The live training log; on resume, lines past the checkpoint's step are dropped."""

    def __init__(self, path: Path, keep_until_step: int) -> None:
        self.path = path
        kept = []
        if path.exists() and keep_until_step > 0:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            steps = [(line, _step(line)) for line in lines]
            kept = [line for line, step in steps if step is not None and step <= keep_until_step]
        write_text(path, "".join(line + "\n" for line in kept))

    def write(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def _step(line: str) -> int | None:
    """The step of a log line; None for a line torn by a kill or a full disk (it was being
    written after the last checkpoint, so it is dropped with the others past it)."""
    try:
        return int(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return None


def build_objective(
    exp: Experiment, device: torch.device, ranks: Ranks = SINGLE_PROCESS
) -> Objective:
    torch.manual_seed(exp.training["seed"])
    objective = OBJECTIVES[exp.objective](
        exp, device, autocast_dtype(exp.training["precision"], device), ranks
    )
    if exp.training["channels_last"]:
        for module in objective.modules.values():
            module.to(memory_format=torch.channels_last)
    return objective


def load_splits(exp: Experiment) -> tuple[Split, Split]:
    """The experiment's train and test splits, checked against the networks' input shape."""
    data_dir = paths.processed_dir(exp.dataset)
    train_split, test_split = load_split(data_dir, "train"), load_split(data_dir, "test")
    height, width, channels = train_split.images.shape[1:]
    if (height, channels) != (exp.generator.resolution, exp.generator.channels):
        raise GaiaError(
            f"{data_dir}: images are {height}x{width}x{channels} but the experiment expects "
            f"{exp.generator.resolution}x{exp.generator.resolution}x{exp.generator.channels}; "
            f"rebuild the dataset with `gaia prepare-data --dataset {exp.dataset}`"
        )
    return train_split, test_split


def restore(
    exp: Experiment,
    objective: Objective,
    resume: Path,
    fresh: bool,
    device: torch.device,
    ranks: Ranks = SINGLE_PROCESS,
) -> tuple[int, float]:
    """Load the checkpoint in `resume` into `objective` if there is one to continue: the step
    it reached and the training seconds so far ((0, 0.0) when starting over). Every rank reads
    it; rank 0 alone deletes or creates files, between barriers."""
    checkpoint_path = resume / "checkpoint.pt"
    if ranks.is_main:
        resume.mkdir(parents=True, exist_ok=True)
        if fresh:
            empty_folder(resume)
    ranks.barrier()
    state = load_checkpoint(checkpoint_path, exp, device) if checkpoint_path.exists() else None
    ranks.barrier()
    if state is not None and state["step"] > exp.training["steps"]:  # cannot be continued
        if ranks.is_main:
            log.warning(
                "%s: the checkpoint in %s is at step %d, past the %d steps asked for; "
                "starting over",
                exp.name,
                resume,
                state["step"],
                exp.training["steps"],
            )
            empty_folder(resume)
        state = None
    if state is None:
        return 0, 0.0
    for key, module in objective.modules.items():
        module.load_state_dict(state["modules"][key])
    for key, optimizer in objective.optimizers.items():
        optimizer.load_state_dict(state["optimizers"][key])
    restore_rng_states(state["rng"])
    log.info("%s: resuming from %s at step %d", exp.name, checkpoint_path, state["step"])
    return state["step"], state["train_seconds"]


@dataclass
class Monitoring:
    """What the loop evaluates on and draws: held-out images, the grid's batch, the judge."""

    test_images: torch.Tensor
    grid_batch: torch.Tensor
    judge: Judge | None


def is_due(settings: dict[str, Any], every: str, done: int) -> bool:
    """Whether the interval `every` (log_every, ...) ends at step `done` (or training does)."""
    return done % settings[every] == 0 or done == settings["steps"]


def last_checkpoint(settings: dict[str, Any], step: int, start_step: int) -> int:
    """The step of the last checkpoint written at or before `step` by a run that started (or
    resumed from its checkpoint) at `start_step`; 0 when there is none."""
    written = step - step % settings["checkpoint_every"]
    return written if written > start_step else start_step


def write_due_files(
    exp: Experiment,
    objective: Objective,
    monitoring: Monitoring,
    resume: Path,
    live_log: JsonlLog,
    done: int,
    train_seconds: float,
    start_step: int = 0,
) -> None:
    """The evaluation, the grid and the checkpoint whose interval ends at step `done` (the
    checkpoint only of finite weights: a diverged run keeps its last good one)."""
    settings = exp.training
    if is_due(settings, "eval_every", done):
        errors = evaluate(
            objective, monitoring.test_images, settings["batch_size"], monitoring.judge
        )
        live_log.write({"step": done, **{f"eval_{k}": v for k, v in errors.items()}})
    if is_due(settings, "sample_every", done):
        grid = resume / "samples" / f"step_{done:07d}.png"
        save_sample_grid(objective, monitoring.grid_batch, grid)
    if is_due(settings, "checkpoint_every", done):
        poisoned = non_finite_weights(objective.modules)
        if poisoned:
            what = f"the weights of {', '.join(poisoned)} are not finite"
            previous = last_checkpoint(settings, done - 1, start_step)
            raise diverged(exp.name, done, what, resume, previous)
        save_checkpoint(
            resume / "checkpoint.pt",
            exp,
            done,
            objective.modules,
            objective.optimizers,
            train_seconds,
        )


def run_steps(
    exp: Experiment,
    objective: Objective,
    batches: BatchSource,
    monitoring: Monitoring,
    resume: Path,
    start_step: int,
    train_seconds: float,
    progress: bool,
    keep_milestone: Callable[[int, float], None] = lambda done, seconds: None,
) -> float:
    """Train from `start_step` to the last step: log every `log_every` steps, evaluate, draw
    the grid, keep the milestones and checkpoint at their steps (rank 0; the logged losses are
    means over the ranks). Returns the training seconds in total."""
    settings = exp.training
    ranks = objective.ranks
    live_log = JsonlLog(resume / "train_log.jsonl", start_step) if ranks.is_main else None
    if ranks.is_main:
        (resume / "samples").mkdir(exist_ok=True)
    sums: dict[str, float] = {}
    interval_start, interval_steps = time.perf_counter(), 0
    bar = tqdm(
        total=settings["steps"],
        initial=start_step,
        desc=exp.name,
        unit="step",
        disable=not (progress and ranks.is_main),
    )

    for step in range(start_step, settings["steps"]):
        for module in objective.modules.values():
            module.train()
        alphas = seeded_generator(settings["seed"], Stream.TRAIN_ALPHAS, step)
        scalars = objective.train_step(batches.batch(step), alphas)
        bad = non_finite(scalars)
        if bad:
            what = ", ".join(f"{k} = {v}" for k, v in sorted(bad.items()))
            previous = last_checkpoint(settings, step, start_step)
            raise diverged(exp.name, step + 1, what, resume, previous)
        objective.update_average((step + 1) * settings["batch_size"])
        for key, value in scalars.items():
            sums[key] = sums.get(key, 0.0) + value
        interval_steps += 1
        bar.update(1)
        done = step + 1
        if is_due(settings, "log_every", done):
            seconds = time.perf_counter() - interval_start
            train_seconds += seconds
            names = sorted(sums)
            totals = torch.tensor([sums[k] for k in names], dtype=torch.float64)
            means = ranks.mean(totals.to(objective.device)).cpu()
            record = {"step": done, "epoch": done / batches.steps_per_epoch}
            record.update({k: float(v) / interval_steps for k, v in zip(names, means, strict=True)})
            record["images_per_s"] = interval_steps * settings["batch_size"] / seconds
            if live_log is not None:
                live_log.write(record)
            bar.set_postfix(
                {k: f"{record[k]:.3g}" for k in ("L_recon", "L_G", "L_D") if k in record}
            )
            sums, interval_steps = {}, 0
        if live_log is not None:  # rank 0; the others go on and wait for it at the next step
            # Before the checkpoint of the same step: a run resumed from that checkpoint has it.
            keep_milestone(done, train_seconds)
            write_due_files(
                exp, objective, monitoring, resume, live_log, done, train_seconds, start_step
            )
        if done % settings["log_every"] == 0:  # evaluation and saving are not training time
            interval_start = time.perf_counter()
    bar.close()
    return train_seconds


def train(
    params: dict[str, Any], name: str, progress: bool = True, fresh: bool = False
) -> TrainResult:
    """Train experiment `name` ("DATASET/MODEL"), resuming its checkpoint unless `fresh`, and
    write its outputs."""
    exp = resolve_experiment(params, name)
    settings = exp.training
    device = select_device(settings)
    ranks = init_ranks(settings["processes"], settings["batch_size"], settings["device"])
    resume = paths.resume_dir(exp.dataset, exp.model)
    try:
        if device.type == "cuda":
            device = torch.device("cuda", ranks.local_rank)
        # Rank 0 writes, so it alone holds the experiment's lock (gaia/train/lock.py), from the
        # restore to the last output.
        with training_lock(resume, exp.name) if ranks.is_main else contextlib.nullcontext():
            return train_ranks(params, exp, device, ranks, progress, fresh, resume)
    finally:
        close_ranks(ranks)


def train_ranks(
    params: dict[str, Any],
    exp: Experiment,
    device: torch.device,
    ranks: Ranks,
    progress: bool,
    fresh: bool,
    resume: Path,
) -> TrainResult:
    """`train` on this rank (the only one without torchrun)."""
    settings = exp.training
    train_split, test_split = load_splits(exp)
    batches = BatchSource(
        train_split.images, settings["batch_size"], settings["seed"], device, ranks
    )
    test_images = to_model_input(nchw_view(test_split.images[: settings["eval_images"]]), device)
    judge = reconstruction_judge(params, exp.dataset, test_split)
    monitoring = Monitoring(test_images, test_images[:MONITOR_IMAGES], judge)

    objective = build_objective(exp, device, ranks)
    start_step, train_seconds = restore(exp, objective, resume, fresh, device, ranks)
    ranks.broadcast_weights(objective.modules)
    objective.compile(settings["compile"])
    log.info(
        "%s: %s objective, device %s, autocast %s, compile %s, %d steps of %d images "
        "(%d per epoch) on %d process(es)",
        exp.name,
        exp.objective,
        device,
        objective.autocast_dtype,
        settings["compile"],
        settings["steps"],
        settings["batch_size"],
        batches.steps_per_epoch,
        ranks.world_size,
    )
    fractions = {milestone_step(settings["steps"], f): f for f in settings["milestones"]}

    def keep_milestone(done: int, seconds: float) -> None:
        if done in fractions and done < settings["steps"]:
            folder = milestone_folder(resume, fractions[done])
            write_evaluated_model(
                exp, objective, resume, test_split.images, seconds, judge, done, folder
            )

    train_seconds = run_steps(
        exp,
        objective,
        batches,
        monitoring,
        resume,
        start_step,
        train_seconds,
        progress,
        keep_milestone,
    )
    result = TrainResult(exp, {})
    if ranks.is_main:
        result = write_outputs(exp, objective, resume, test_split.images, train_seconds, judge)
    ranks.barrier()  # no rank leaves (and tears the group down) before the outputs exist
    return result


def late_gain(records: list[dict[str, Any]], steps: int) -> float | None:
    """`curves.late_gain` of the held-out L1 of G(X) in a run's log records."""
    return curves.late_gain(
        [(r["step"], r["eval_recon_l1"]) for r in records if "eval_recon_l1" in r], steps
    )


def milestone_folder(resume: Path, fraction: float) -> Path:
    return resume / "milestones" / folder_name(fraction)


def write_evaluated_model(
    exp: Experiment,
    objective: Objective,
    resume: Path,
    test_images_uint8: np.ndarray,
    train_seconds: float,
    judge: Judge | None,
    step: int,
    folder: Path,
    samples: Path | None = None,
) -> dict[str, Any]:
    """The model at `step`, evaluated on the whole test split: folder/model.pt,
    folder/train_log.jsonl (the log so far) and folder/train_metrics.json (and the grids so far
    into `samples`), each written atomically. Returns the metrics."""
    settings = exp.training
    records = [
        json.loads(line)
        for line in (resume / "train_log.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    test_images = to_model_input(nchw_view(test_images_uint8), objective.device)
    errors = evaluate(objective, test_images, settings["batch_size"], judge)
    speeds = [r["images_per_s"] for r in records if "images_per_s" in r]
    metrics = {
        **{f"test_{k}": v for k, v in errors.items()},
        "late_gain_recon_l1": late_gain(records, step),
        "test_images": len(test_images),
        "steps": step,
        "images_seen": step * settings["batch_size"],
        "train_seconds": train_seconds,
        "images_per_s": float(np.median(speeds)) if speeds else 0.0,
        # What `precision` resolved to on this machine: the numbers depend on it.
        "precision": "bf16" if objective.autocast_dtype == torch.bfloat16 else "fp32",
        # What the training held, for its cost in core- or GPU-hours (gaia/report/target.py).
        "device": objective.device.type,
        "processes": objective.ranks.world_size,
        "threads": torch.get_num_threads(),
    }
    if step < settings["steps"]:
        metrics["fraction_of_steps"] = step / settings["steps"]
    # The exported G is the evaluated one (the weight average where there is one); the raw
    # weights go along as "generator_raw".
    modules = {k: m.state_dict() for k, m in objective.modules.items()}
    if objective.average is not None:
        modules["generator_raw"] = modules["generator"]
        modules["generator"] = modules.pop("generator_average")
    with atomic_path(folder / paths.MODEL_FILE) as tmp:
        torch.save(
            {
                "modules": modules,
                "experiment": exp.to_dict(),
                "gaia_version": __version__,
                "torch_version": str(torch.__version__),
                "step": step,
            },
            tmp,
        )
    with atomic_path(folder / paths.TRAIN_LOG) as tmp:
        shutil.copyfile(resume / "train_log.jsonl", tmp)
    if samples is not None:
        with atomic_directory(samples) as tmp:
            for grid in sorted((resume / "samples").glob("*.png")):
                shutil.copyfile(grid, tmp / grid.name)
    write_learning_curve(records, folder / paths.LEARNING_CURVE)
    write_json(folder / paths.TRAIN_METRICS, metrics)
    log.info(
        "%s at step %d: held-out %s", exp.name, step, {k: round(v, 5) for k, v in errors.items()}
    )
    return metrics


def write_learning_curve(records: list[dict[str, Any]], out: Path) -> None:
    """The log's evaluations as a table, one row per evaluated step (`dvc plots` draws it)."""
    evaluations = [r for r in records if any(key.startswith("eval_") for key in r)]
    columns = sorted({key for r in evaluations for key in r if key.startswith("eval_")})
    table = pd.DataFrame(evaluations, columns=["step", *columns])
    write_text(out, table.to_csv(index=False))


def write_outputs(
    exp: Experiment,
    objective: Objective,
    resume: Path,
    test_images_uint8: np.ndarray,
    train_seconds: float,
    judge: Judge | None = None,
) -> TrainResult:
    """The final model, evaluated, and the milestones kept on the way: the declared outputs."""
    metrics = write_evaluated_model(
        exp,
        objective,
        resume,
        test_images_uint8,
        train_seconds,
        judge,
        exp.training["steps"],
        exp.out_dir,
        samples=paths.samples_dir(exp.dataset, exp.model),
    )
    with atomic_directory(paths.milestones_dir(exp.dataset, exp.model)) as tmp:
        for fraction in exp.training["milestones"]:
            kept = milestone_folder(resume, fraction)
            step = milestone_step(exp.training["steps"], fraction)
            metrics_file = kept / paths.TRAIN_METRICS
            if not metrics_file.exists() or load_json(metrics_file)["steps"] != step:
                # Resumed past it from a run with other steps or milestones: not kept.
                log.warning(
                    "%s: milestone %g (step %d) was not kept by this run; retrain with --fresh "
                    "to judge it",
                    exp.name,
                    fraction,
                    step,
                )
                continue
            shutil.copytree(kept, tmp / kept.name)
    return TrainResult(exp, metrics)
