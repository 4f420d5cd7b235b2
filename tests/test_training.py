"""The trainer: gradient ownership, determinism, kill-and-resume, and its errors."""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from gaia import paths
from gaia.data.prepare import prepare_dataset
from gaia.errors import GaiaError, ParamsError
from gaia.experiment import resolve_experiment
from gaia.models.trained import load_trained
from gaia.train.losses import sample_alphas
from gaia.train.monitor import held_out_errors
from gaia.train.objectives import GaiaObjective
from gaia.train.trainer import build_objective, late_gain, train
from gaia.utils.seeding import seeded_generator

from workflows import tool_env


@pytest.fixture
def workdir(tmp_path: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding the tiny synthfaces dataset (paths are relative to it)."""
    monkeypatch.chdir(tmp_path)
    prepare_dataset(tiny_params, "synthfaces", progress=False)
    return tmp_path


def weights(model_path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(model_path, weights_only=False)["modules"]
    return {f"{m}.{k}": v for m, sd in state.items() for k, v in sd.items()}


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.equal(wa[key], wb[key]), key


def test_each_optimiser_gets_only_its_own_loss_gradient(tiny_params: dict) -> None:
    exp = resolve_experiment(tiny_params, "synthfaces/gaia")
    objective = build_objective(exp, torch.device("cpu"))
    assert isinstance(objective, GaiaObjective)
    before = copy.deepcopy(objective)
    x = torch.rand(8, 3, 32, 32)
    objective.train_step(x, seeded_generator(0, 0))

    losses = before.forward_losses(x, *sample_alphas(4, seeded_generator(0, 0)))
    g_params = list(before.generator.parameters())
    d_params = list(before.discriminator.parameters())
    g_expected = torch.autograd.grad(losses.g_loss, g_params, retain_graph=True)
    d_expected = torch.autograd.grad(losses.d_loss, d_params, retain_graph=True)
    g_of_d_loss = torch.autograd.grad(losses.d_loss, g_params, retain_graph=True, allow_unused=True)
    d_of_g_loss = torch.autograd.grad(losses.g_loss, d_params, allow_unused=True)
    for p, expected in zip(objective.generator.parameters(), g_expected, strict=True):
        torch.testing.assert_close(p.grad, expected)
    for p, expected in zip(objective.discriminator.parameters(), d_expected, strict=True):
        torch.testing.assert_close(p.grad, expected)
    # The distinction matters: each loss does depend on the other network's parameters.
    assert any(g is not None and g.abs().sum() > 0 for g in g_of_d_loss)
    assert any(g is not None and g.abs().sum() > 0 for g in d_of_g_loss)
    # Both networks moved, with learning rates that add up to lr_max.
    for new, old in (
        (objective.generator, before.generator),
        (objective.discriminator, before.discriminator),
    ):
        assert not all(
            torch.equal(a, b) for a, b in zip(new.parameters(), old.parameters(), strict=True)
        )
    lrs = [o.param_groups[0]["lr"] for o in objective.optimizers.values()]
    assert sum(lrs) == pytest.approx(exp.training["lr_max"])


def test_alternating_update_runs(tiny_params: dict) -> None:
    params = copy.deepcopy(tiny_params)
    params["models"]["gaia"]["gaia"]["update"] = "alternating"
    objective = build_objective(resolve_experiment(params, "synthfaces/gaia"), torch.device("cpu"))
    scalars = objective.train_step(torch.rand(8, 3, 32, 32), seeded_generator(0, 0))
    assert scalars["lr_D"] + scalars["lr_G"] == pytest.approx(params["training"]["lr_max"])


def test_ae_baseline_learns(tiny_params: dict) -> None:
    objective = build_objective(
        resolve_experiment(tiny_params, "synthfaces/ae"), torch.device("cpu")
    )
    x = torch.rand(8, 3, 32, 32)
    first = objective.train_step(x, seeded_generator(0, 0))["L_recon"]
    for step in range(1, 30):
        last = objective.train_step(x, seeded_generator(0, step))["L_recon"]
    assert last < first * 0.9
    assert not hasattr(objective, "discriminator")


@pytest.mark.parametrize("model", ["gaia", "gaia_later", "ae", "vae", "acai"])
def test_training_writes_outputs_and_resumes_exactly(
    workdir: Path, tiny_params: dict, model: str
) -> None:
    name = f"synthfaces/{model}"
    result = train(tiny_params, name, progress=False)
    out = paths.experiment_dir("synthfaces", model)
    for path in (out / "model.pt", out / "train_log.jsonl", out / "train_metrics.json"):
        assert path.is_file()
    assert sorted(p.name for p in (out / "samples").iterdir()) == [
        "step_0000002.png",
        "step_0000004.png",
    ]
    assert result.metrics["test_recon_l1"] > 0 and result.metrics["steps"] == 4
    saved = torch.load(out / "model.pt", weights_only=False)
    assert saved["experiment"]["model"] == model and "gaia_version" in saved
    load_trained(out / "model.pt", torch.device("cpu"))  # what the analyses read
    uninterrupted = workdir / "uninterrupted.pt"
    (out / "model.pt").rename(uninterrupted)

    # Two steps, then a resumed run to four: the same weights as four steps straight.
    shorter = copy.deepcopy(tiny_params)
    shorter["training"]["steps"] = 2
    train(shorter, name, progress=False, fresh=True)
    train(tiny_params, name, progress=False)
    assert_same_weights(uninterrupted, out / "model.pt")
    steps_logged = [
        line for line in (out / "train_log.jsonl").read_text().splitlines() if '"L_' in line
    ]
    assert len(steps_logged) == 2  # one line per log interval, none repeated by the resume

    # Fewer steps than the checkpoint holds: start over, and end with a 2-step model.
    result = train(shorter, name, progress=False)
    assert result.metrics["steps"] == 2
    two_steps = workdir / "two_steps.pt"
    (out / "model.pt").rename(two_steps)
    train(shorter, name, progress=False, fresh=True)
    assert_same_weights(two_steps, out / "model.pt")


def test_lines_training_reports_whether_g_draws_the_lines(
    tmp_path: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    prepare_dataset(tiny_params, "lines", progress=False)
    metrics = train(tiny_params, "lines/ae", progress=False).metrics
    assert 0.0 <= metrics["test_angle_accuracy"] <= 1.0
    assert 0.0 <= metrics["test_angle_error_median_deg"] <= 180.0
    evals = [
        line
        for line in paths.train_log("lines", "ae").read_text().splitlines()
        if "eval_angle_accuracy" in line
    ]
    assert evals  # the curve, at every evaluation


def test_late_gain_compares_median_errors_of_the_last_two_quarters() -> None:
    def curve(*points: tuple[int, float]) -> list[dict]:
        return [{"step": s, "eval_recon_l1": l1} for s, l1 in points] + [{"step": 100, "L_G": 1}]

    falling = curve((25, 0.2), (50, 0.1), (60, 0.09), (70, 0.08), (80, 0.07), (90, 0.06))
    falling += curve((100, 0.05))
    assert late_gain(falling, 100) == pytest.approx((0.085 - 0.06) / 0.085)
    # One bad evaluation in the last quarter (a GAN's jump) does not read as "not flat".
    spiky = curve((60, 0.05), (70, 0.05), (80, 0.05), (90, 0.2), (100, 0.05))
    assert late_gain(spiky, 100) == pytest.approx(0.0)
    assert late_gain(curve((25, 0.2), (50, 0.1), (80, 0.05)), 100) is None  # no third quarter
    assert late_gain(curve((60, 0.1), (75, 0.08)), 100) is None  # no last quarter
    assert late_gain([], 100) is None


class _FixedViews:
    """A stand-in objective whose G(X) is `draw(X)`: all that held_out_errors reads."""

    def __init__(self, draw) -> None:
        self.draw = draw

    def views(self, x: torch.Tensor, generator=None) -> dict[str, torch.Tensor]:
        return {"G(X)": self.draw(x)}


def test_recon_diversity_tells_a_collapsed_generator_from_a_faithful_one() -> None:
    images = torch.rand(64, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    same = held_out_errors(_FixedViews(lambda x: x), images, batch_size=16)
    assert same["recon_l1"] == 0 and same["recon_diversity"] == pytest.approx(1.0)
    one_image = held_out_errors(_FixedViews(lambda x: x[:1].expand_as(x)), images, 16)
    assert one_image["recon_diversity"] == 0
    halved = held_out_errors(_FixedViews(lambda x: 0.5 * x), images, 16)
    assert halved["recon_diversity"] == pytest.approx(0.5)


def test_checkpoint_from_other_parameters_is_refused(workdir: Path, tiny_params: dict) -> None:
    train(tiny_params, "synthfaces/ae", progress=False)
    changed = copy.deepcopy(tiny_params)
    changed["training"]["lr_max"] = 0.5
    with pytest.raises(
        GaiaError, match=r"other parameters \(training.lr_max: 0.001 -> 0.5\).*--fresh"
    ):
        train(changed, "synthfaces/ae", progress=False)
    train(changed, "synthfaces/ae", progress=False, fresh=True)  # --fresh starts over


def test_bad_experiments_give_clear_errors(workdir: Path, tiny_params: dict) -> None:
    with pytest.raises(ParamsError, match=r"unknown model 'wgan'.*defined models: \[.*'gaia'"):
        train(tiny_params, "synthfaces/wgan", progress=False)
    with pytest.raises(ParamsError, match="must be written DATASET/MODEL"):
        train(tiny_params, "synthfaces", progress=False)
    with pytest.raises(GaiaError, match=r"data/processed/lines/train: no such split.*prepare-data"):
        train(tiny_params, "lines/gaia", progress=False)


def test_killed_run_resumes_to_the_same_weights(repo_copy: Path) -> None:
    """Kill a training subprocess once it has written a checkpoint, start it again, and compare
    the final weights with those of an uninterrupted run."""
    params = yaml.safe_load((repo_copy / "params.yaml").read_text())
    params["training"].update(
        steps=60, checkpoint_every=5, log_every=5, eval_every=30, sample_every=30
    )
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = tool_env()
    gaia = [sys.executable, "-m", "gaia"]
    subprocess.run(
        [*gaia, "prepare-data", "--dataset", "synthfaces", "--no-progress"],
        cwd=repo_copy,
        env=env,
        check=True,
    )
    command = [*gaia, "train", "--experiment", "synthfaces/gaia", "--no-progress"]
    subprocess.run(command, cwd=repo_copy, env=env, check=True, capture_output=True)
    model = repo_copy / "results/synthfaces/gaia/model.pt"
    uninterrupted = repo_copy / "uninterrupted.pt"
    model.rename(uninterrupted)

    checkpoint = repo_copy / "results/synthfaces/gaia/resume/checkpoint.pt"
    shutil.rmtree(checkpoint.parent)  # start from scratch, then kill after the first save
    process = subprocess.Popen(command, cwd=repo_copy, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not model.exists(), "the run finished before it could be killed; make it longer"
    resumed_from = torch.load(checkpoint, weights_only=False)["step"]
    assert 0 < resumed_from < 60
    subprocess.run(command, cwd=repo_copy, env=env, check=True, capture_output=True)
    assert_same_weights(uninterrupted, model)


@pytest.mark.slow
def test_compiled_training_resumes_and_matches_eager(
    workdir: Path, tiny_params: dict, caplog: pytest.LogCaptureFixture
) -> None:
    """training.compile: checkpoints and models keep eager's state_dict keys (a compiled run
    resumes from a checkpoint, the eager loader reads its model) and 2 + 2 compiled steps end
    within bf16 rounding of 4 eager steps."""
    from gaia.models.trained import load_trained

    name, out = "synthfaces/gaia", paths.experiment_dir("synthfaces", "gaia")
    eager = train(tiny_params, name, progress=False)
    (out / "model.pt").rename(workdir / "eager.pt")
    compiled_params = copy.deepcopy(tiny_params)
    compiled_params["training"]["compile"] = "default"
    shorter = copy.deepcopy(compiled_params)
    shorter["training"]["steps"] = 2
    train(shorter, name, progress=False, fresh=True)
    with caplog.at_level("INFO"):
        compiled = train(compiled_params, name, progress=False)
    assert "resuming from" in caplog.text and "at step 2" in caplog.text
    assert weights(workdir / "eager.pt").keys() == weights(out / "model.pt").keys()
    assert compiled.metrics["test_recon_l1"] == pytest.approx(
        eager.metrics["test_recon_l1"], rel=0.05
    )
    load_trained(out / "model.pt", torch.device("cpu"))
