"""Faults in training: a diverging run stops with the step and the term and keeps its last good
checkpoint; two runs of one experiment at once: the second refuses."""

from __future__ import annotations

import copy
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml

from gaia import paths
from gaia.cli import main
from gaia.data.prepare import prepare_dataset
from gaia.train.divergence import DivergedError
from gaia.train.objectives import AEObjective
from gaia.train.trainer import train

from workflows import tool_env

EXPERIMENT = "synthfaces/ae"


@pytest.fixture
def workdir(tmp_path: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    prepare_dataset(tiny_params, "synthfaces", progress=False)
    return tmp_path


def eight_steps(tiny_params: dict[str, Any]) -> dict[str, Any]:
    params = copy.deepcopy(tiny_params)
    params["training"].update(steps=8, checkpoint_every=2, log_every=1)
    return params


def poison_at(monkeypatch: pytest.MonkeyPatch, step: int, loss: float) -> None:
    """From training step `step` (1-based) on, an AE step leaves a NaN weight behind and
    reports `loss` as its L_recon: a divergence, as a too large learning rate makes one."""
    real_step = AEObjective.train_step
    calls = {"n": 0}

    def step_then_poison(self: AEObjective, x: torch.Tensor, rng: torch.Generator):
        scalars = real_step(self, x, rng)
        calls["n"] += 1
        if calls["n"] >= step:
            with torch.no_grad():
                next(self.generator.parameters()).fill_(math.nan)
            scalars["L_recon"] = loss
        return scalars

    monkeypatch.setattr(AEObjective, "train_step", step_then_poison)


def saved_checkpoint() -> dict[str, Any]:
    return torch.load(paths.resume_dir("synthfaces", "ae") / "checkpoint.pt", weights_only=False)


def model_weights(path: Path) -> dict[str, torch.Tensor]:
    modules = torch.load(path, weights_only=True)["modules"]
    return {f"{m}.{k}": v for m, state in modules.items() for k, v in state.items()}


def test_a_nan_loss_stops_training_and_the_last_good_checkpoint_resumes(
    workdir: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = eight_steps(tiny_params)
    train(params, EXPERIMENT, progress=False)
    uninterrupted = model_weights(paths.model_file("synthfaces", "ae"))

    with monkeypatch.context() as patch:
        poison_at(patch, 5, math.nan)
        with pytest.raises(DivergedError) as stopped:
            train(params, EXPERIMENT, progress=False, fresh=True)
    message = str(stopped.value)
    assert "synthfaces/ae: training diverged at step 5: L_recon = nan" in message
    assert "the last good checkpoint (step 4) is kept" in message
    checkpoint = saved_checkpoint()
    assert checkpoint["step"] == 4
    for tensor in checkpoint["modules"]["generator"].values():
        assert torch.isfinite(tensor).all()

    train(params, EXPERIMENT, progress=False)  # the cause gone: resumes from step 4
    resumed = model_weights(paths.model_file("synthfaces", "ae"))
    assert resumed.keys() == uninterrupted.keys()
    for key, tensor in uninterrupted.items():
        assert torch.equal(tensor, resumed[key]), key


def test_non_finite_weights_are_never_checkpointed(
    workdir: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update can poison the weights while the step's loss was still finite: the check
    before each checkpoint catches it, and the earlier checkpoint stays."""
    poison_at(monkeypatch, 4, 0.5)
    with pytest.raises(
        DivergedError, match=r"at step 4: the weights of generator, generator_average are not"
    ):
        train(eight_steps(tiny_params), EXPERIMENT, progress=False)
    checkpoint = saved_checkpoint()
    assert checkpoint["step"] == 2


def test_a_second_run_of_the_same_experiment_refuses(
    workdir: Path, tiny_params: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    params = copy.deepcopy(tiny_params)
    params["training"].update(steps=100_000, checkpoint_every=50, log_every=50)
    (workdir / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    command = [sys.executable, "-m", "gaia", "train", "--experiment", EXPERIMENT, "--no-progress"]
    first = subprocess.Popen(command, cwd=workdir, env=tool_env(), stderr=subprocess.DEVNULL)
    try:
        lock = paths.resume_dir("synthfaces", "ae") / ".lock"
        checkpoint = lock.parent / "checkpoint.pt"
        deadline = time.monotonic() + 120
        while not checkpoint.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None and lock.read_text().strip() == str(first.pid)

        assert main(["train", "--experiment", EXPERIMENT, "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert f"another `gaia train` (pid {first.pid}) is training it" in err, err
        assert "Traceback" not in err and checkpoint.exists()
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    # The kernel dropped the killed run's lock: the next run takes it and resumes.
    params["training"]["steps"] = torch.load(checkpoint, weights_only=False)["step"] + 1
    (workdir / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert main(["train", "--experiment", EXPERIMENT, "--no-progress"]) == 0
    assert paths.model_file("synthfaces", "ae").exists()
