"""`gaia train`: train one experiment, resumably, and write its final outputs.

    results/DATASET/MODEL/model.pt            weights, resolved parameters, code version
    results/DATASET/MODEL/train_log.jsonl     one JSON line per log interval (and per eval)
    results/DATASET/MODEL/train_metrics.json  held-out reconstruction errors, time, speed
    results/DATASET/MODEL/samples/            the monitor grid every sample_every steps
    results/DATASET/MODEL/resume/             checkpoint, live log and grids (not an output)

Determinism: the initial weights come from torch.manual_seed(seed); the batch order of epoch e
from a generator seeded with (seed, 1, e); the alphas of step s from one seeded with (seed, 2, s).
Nothing depends on what ran before in the process, so a run resumed from a checkpoint computes
the same steps as an uninterrupted one (bit for bit on the CPU; tested).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from gaia import __version__, paths
from gaia.config import dataset_config
from gaia.data.line_angles import angle_accuracy, reference_lines
from gaia.data.store import Split, load_split
from gaia.errors import GaiaError
from gaia.experiment import Experiment, resolve_experiment
from gaia.train.checkpoint import load_checkpoint, restore_rng_states, save_checkpoint
from gaia.train.monitor import Judge, evaluate, save_sample_grid
from gaia.train.objectives import OBJECTIVES, Objective
from gaia.utils.device import autocast_dtype, select_device
from gaia.utils.images import nchw_view, to_model_input
from gaia.utils.io import atomic_directory, atomic_path, write_json, write_text
from gaia.utils.seeding import Stream, seeded_generator

log = logging.getLogger(__name__)
MONITOR_IMAGES = 16


class BatchSource:
    """Batches of one split held in memory as uint8. Epoch e is a permutation seeded by
    (seed, 1, e); its last partial batch is dropped, as in the reference iterator."""

    def __init__(self, images: np.ndarray, batch_size: int, seed: int, device: torch.device):
        if len(images) < batch_size:
            raise GaiaError(f"the training split has {len(images)} images, fewer than one batch")
        self.images = nchw_view(images)
        self.batch_size, self.seed, self.device = batch_size, seed, device
        self.steps_per_epoch = len(images) // batch_size
        self._epoch, self._order = -1, torch.empty(0, dtype=torch.long)

    def batch(self, step: int) -> torch.Tensor:
        epoch, position = divmod(step, self.steps_per_epoch)
        if epoch != self._epoch:
            generator = seeded_generator(self.seed, Stream.TRAIN_EPOCH_ORDER, epoch)
            self._epoch, self._order = epoch, torch.randperm(len(self.images), generator=generator)
        index = self._order[position * self.batch_size : (position + 1) * self.batch_size]
        return to_model_input(self.images[index], self.device)


def reconstruction_judge(params: dict[str, Any], dataset: str, test: Split) -> Judge | None:
    """lines: does G(X) draw a line at X's angle? (share within the tolerance, median error)."""
    cfg = dataset_config(params, dataset)
    if cfg["kind"] != "lines":
        return None
    settings = params["analysis"]["interpolation"]["lines"]
    reference = reference_lines(cfg, settings["reference_lines"])
    angles = test.labels["angle"].to_numpy()
    tolerance = settings["angle_tolerance_deg"]
    return lambda reconstructions: angle_accuracy(reconstructions, angles, reference, tolerance)


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
            kept = [
                line
                for line in path.read_text(encoding="utf-8").splitlines()
                if line and json.loads(line)["step"] <= keep_until_step
            ]
        write_text(path, "".join(line + "\n" for line in kept))

    def write(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def build_objective(exp: Experiment, device: torch.device) -> Objective:
    torch.manual_seed(exp.training["seed"])
    objective = OBJECTIVES[exp.objective](
        exp, device, autocast_dtype(exp.training["precision"], device)
    )
    if exp.training["channels_last"]:
        for module in objective.modules.values():
            module.to(memory_format=torch.channels_last)
    return objective


def train(
    params: dict[str, Any], name: str, progress: bool = True, fresh: bool = False
) -> TrainResult:
    exp = resolve_experiment(params, name)
    cfg = exp.training
    device = select_device(cfg)
    data_dir = paths.processed_dir(exp.dataset)
    train_split = load_split(data_dir, "train")
    test_split = load_split(data_dir, "test")
    height, width, channels = train_split.images.shape[1:]
    if (height, channels) != (exp.generator.resolution, exp.generator.channels):
        raise GaiaError(
            f"{data_dir}: images are {height}x{width}x{channels} but the experiment expects "
            f"{exp.generator.resolution}x{exp.generator.resolution}x{exp.generator.channels}; "
            f"rebuild the dataset with `gaia prepare-data --dataset {exp.dataset}`"
        )
    batches = BatchSource(train_split.images, cfg["batch_size"], cfg["seed"], device)
    test_images = to_model_input(nchw_view(test_split.images[: cfg["eval_images"]]), device)
    monitor_batch = test_images[:MONITOR_IMAGES]
    judge = reconstruction_judge(params, exp.dataset, test_split)

    objective = build_objective(exp, device)
    resume = paths.resume_dir(exp.dataset, exp.model)
    checkpoint_path = resume / "checkpoint.pt"
    if fresh and resume.exists():
        shutil.rmtree(resume)
    resume.mkdir(parents=True, exist_ok=True)
    start_step, train_seconds = 0, 0.0
    state = load_checkpoint(checkpoint_path, exp, device) if checkpoint_path.exists() else None
    if state is not None and state["step"] > cfg["steps"]:  # a shorter run cannot be resumed
        log.warning(
            "%s: the checkpoint in %s is at step %d, past the %d steps asked for; starting over",
            name,
            resume,
            state["step"],
            cfg["steps"],
        )
        shutil.rmtree(resume)
        resume.mkdir(parents=True)
        state = None
    if state is not None:
        for key, module in objective.modules.items():
            module.load_state_dict(state["modules"][key])
        for key, optimizer in objective.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][key])
        restore_rng_states(state["rng"])
        start_step, train_seconds = state["step"], state["train_seconds"]
        log.info("%s: resuming from %s at step %d", name, checkpoint_path, start_step)
    live_log = JsonlLog(resume / "train_log.jsonl", start_step)
    (resume / "samples").mkdir(exist_ok=True)
    log.info(
        "%s: %s objective, device %s, autocast %s, %d steps of %d images (%d per epoch)",
        name,
        exp.objective,
        device,
        objective.autocast_dtype,
        cfg["steps"],
        cfg["batch_size"],
        batches.steps_per_epoch,
    )

    def checkpoint(step: int) -> None:
        save_checkpoint(
            checkpoint_path, exp, step, objective.modules, objective.optimizers, train_seconds
        )

    sums: dict[str, float] = {}
    interval_start, interval_steps = time.perf_counter(), 0
    bar = tqdm(total=cfg["steps"], initial=start_step, desc=name, unit="step", disable=not progress)
    for step in range(start_step, cfg["steps"]):
        for module in objective.modules.values():
            module.train()
        scalars = objective.train_step(
            batches.batch(step), seeded_generator(cfg["seed"], Stream.TRAIN_ALPHAS, step)
        )
        objective.update_average((step + 1) * cfg["batch_size"])
        for key, value in scalars.items():
            sums[key] = sums.get(key, 0.0) + value
        interval_steps += 1
        bar.update(1)
        done = step + 1
        if done % cfg["log_every"] == 0 or done == cfg["steps"]:
            seconds = time.perf_counter() - interval_start
            train_seconds += seconds
            record = {"step": done, "epoch": done / batches.steps_per_epoch}
            record.update({k: v / interval_steps for k, v in sums.items()})
            record["images_per_s"] = interval_steps * cfg["batch_size"] / seconds
            live_log.write(record)
            bar.set_postfix(
                {k: f"{record[k]:.3g}" for k in ("L_recon", "L_G", "L_D") if k in record}
            )
            sums, interval_steps = {}, 0
        if done % cfg["eval_every"] == 0 or done == cfg["steps"]:
            errors = evaluate(objective, test_images, cfg["batch_size"], judge)
            live_log.write({"step": done, **{f"eval_{k}": v for k, v in errors.items()}})
        if done % cfg["sample_every"] == 0 or done == cfg["steps"]:
            save_sample_grid(objective, monitor_batch, resume / "samples" / f"step_{done:07d}.png")
        if done % cfg["checkpoint_every"] == 0 or done == cfg["steps"]:
            checkpoint(done)
        if done % cfg["log_every"] == 0:
            interval_start = time.perf_counter()
    bar.close()
    return finish(exp, objective, resume, test_split.images, device, train_seconds, judge)


def late_gain(records: list[dict[str, Any]], steps: int) -> float | None:
    """How much the held-out L1 of G(X) still fell over the last quarter of training: the
    median of the evaluations in the third quarter (steps/2, 3 steps/4] minus the median of
    those in the last quarter, over the former. Medians of windows, not two single evaluations,
    because a GAN's held-out error jumps from one evaluation to the next (synthfaces GAIA: 0.072
    at one step between 0.035 and 0.045). Near 0 (or below) the curve has flattened; None
    without evaluations in both quarters."""
    curve = [(r["step"], r["eval_recon_l1"]) for r in records if "eval_recon_l1" in r]
    third = [l1 for step, l1 in curve if 0.5 * steps < step <= 0.75 * steps]
    last = [l1 for step, l1 in curve if 0.75 * steps < step]
    if not third or not last:
        return None
    before = float(np.median(third))
    return (before - float(np.median(last))) / before


def finish(
    exp: Experiment,
    objective: Objective,
    resume: Path,
    test_images_uint8: np.ndarray,
    device: torch.device,
    train_seconds: float,
    judge: Judge | None = None,
) -> TrainResult:
    """Held-out errors on the whole test split, then the declared outputs, each atomically."""
    cfg = exp.training
    test_images = to_model_input(nchw_view(test_images_uint8), device)
    errors = evaluate(objective, test_images, cfg["batch_size"], judge)
    records = [
        json.loads(line)
        for line in (resume / "train_log.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    speeds = [r["images_per_s"] for r in records if "images_per_s" in r]
    metrics = {
        **{f"test_{k}": v for k, v in errors.items()},
        "late_gain_recon_l1": late_gain(records, cfg["steps"]),
        "test_images": len(test_images),
        "steps": cfg["steps"],
        "images_seen": cfg["steps"] * cfg["batch_size"],
        "train_seconds": train_seconds,
        "images_per_s": float(np.median(speeds)) if speeds else 0.0,
    }
    # The exported G is the evaluated one (the weight average where there is one); the raw
    # weights go along as "generator_raw".
    modules = {k: m.state_dict() for k, m in objective.modules.items()}
    if objective.average is not None:
        modules["generator_raw"] = modules["generator"]
        modules["generator"] = modules.pop("generator_average")
    with atomic_path(paths.model_file(exp.dataset, exp.model)) as tmp:
        torch.save(
            {
                "modules": modules,
                "experiment": exp.to_dict(),
                "gaia_version": __version__,
                "torch_version": str(torch.__version__),
                "step": cfg["steps"],
            },
            tmp,
        )
    with atomic_path(paths.train_log(exp.dataset, exp.model)) as tmp:
        shutil.copyfile(resume / "train_log.jsonl", tmp)
    with atomic_directory(paths.samples_dir(exp.dataset, exp.model)) as tmp:
        for grid in sorted((resume / "samples").glob("*.png")):
            shutil.copyfile(grid, tmp / grid.name)
    write_json(paths.train_metrics(exp.dataset, exp.model), metrics)
    log.info("%s: held-out %s", exp.name, {k: round(v, 5) for k, v in errors.items()})
    return TrainResult(exp, metrics)
