"""Milestones: the model part way through training, kept, evaluated and analysed like a model."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import torch

from gaia import paths
from gaia.cli import main
from gaia.errors import GaiaError, ParamsError
from gaia.experiment import milestone_name, milestone_step, resolve_experiment, split_milestone
from gaia.models.trained import load_experiment_model
from gaia.train.milestones import extract_milestone
from gaia.train.trainer import train

from test_training import assert_same_weights, workdir  # noqa: F401 (a fixture)


def test_milestone_names_and_steps() -> None:
    assert milestone_name("gaia", 0.5) == "gaia@0.5"
    assert split_milestone("gaia@0.25") == ("gaia", 0.25)
    assert split_milestone("gaia") == ("gaia", None)
    for bad in ("gaia@1", "gaia@0", "gaia@half"):
        with pytest.raises(ParamsError, match="MODEL@FRACTION"):
            split_milestone(bad)
    assert milestone_step(1000, 0.25) == 250
    assert milestone_step(3, 0.25) == 1  # never step 0: the untrained model


def test_a_milestone_resolves_as_its_model(tiny_params: dict) -> None:
    exp = resolve_experiment(tiny_params, "synthfaces/gaia@0.5")
    base = resolve_experiment(tiny_params, "synthfaces/gaia")
    assert exp.model == "gaia@0.5" and exp.generator == base.generator
    assert exp.out_dir == Path("results/synthfaces/gaia@0.5")


@pytest.mark.parametrize("model", ["gaia", "ae"])
def test_training_keeps_its_milestones_as_the_shorter_runs_would_end(
    workdir: Path,  # noqa: F811
    tiny_params: dict,
    model: str,
) -> None:
    """The milestone at 1/2 of 4 steps holds the weights a 2-step run ends with, evaluated the
    same way; a run resumed past a milestone keeps it; `gaia milestone` makes it an experiment
    the analyses load."""
    params = copy.deepcopy(tiny_params)
    params["training"]["milestones"] = [0.25, 0.5]
    name = f"synthfaces/{model}"
    train(params, name, progress=False)
    kept = paths.milestones_dir("synthfaces", model)
    assert sorted(p.name for p in kept.iterdir()) == ["0.25", "0.5"]
    half = json.loads((kept / "0.5" / paths.TRAIN_METRICS).read_text())
    assert half["steps"] == 2 and half["fraction_of_steps"] == 0.5
    logged = [
        json.loads(line) for line in (kept / "0.5" / paths.TRAIN_LOG).read_text().splitlines()
    ]
    assert max(r["step"] for r in logged) == 2

    shorter = copy.deepcopy(params)
    shorter["training"]["steps"] = 2
    shutil.copytree(kept, workdir / "kept")
    two_steps = train(shorter, name, progress=False, fresh=True).metrics
    assert_same_weights(
        workdir / "kept" / "0.5" / paths.MODEL_FILE, paths.model_file(*name.split("/"))
    )
    assert two_steps["test_recon_l1"] == pytest.approx(half["test_recon_l1"])

    # The milestones live beside the checkpoint in resume/: a run that resumes (here from its
    # last checkpoint, with nothing left to train) hands them over again.
    train(params, name, progress=False, fresh=True)
    shutil.rmtree(kept)
    resume = paths.resume_dir("synthfaces", model)
    checkpoint = torch.load(resume / "checkpoint.pt", weights_only=False)
    assert checkpoint["step"] == 4
    train(params, name, progress=False)  # nothing to train: writes the outputs again
    assert sorted(p.name for p in kept.iterdir()) == ["0.25", "0.5"]

    extract_milestone(params, "synthfaces", f"{model}@0.5", progress=False)
    assert_same_weights(
        paths.model_file("synthfaces", f"{model}@0.5"), workdir / "kept" / "0.5" / paths.MODEL_FILE
    )
    trained = load_experiment_model(params, "synthfaces", f"{model}@0.5", torch.device("cpu"))
    assert trained.latent_dim > 0


def test_a_milestone_training_did_not_keep_is_a_clear_error(
    workdir: Path,  # noqa: F811
    tiny_params: dict,
) -> None:
    params = copy.deepcopy(tiny_params)
    params["training"]["milestones"] = [0.5]
    train(params, "synthfaces/ae", progress=False)
    with pytest.raises(GaiaError, match=r"no milestone 0.25 of synthfaces/ae.*--fresh"):
        extract_milestone(params, "synthfaces", "ae@0.25")
    with pytest.raises(GaiaError, match="not a milestone"):
        extract_milestone(params, "synthfaces", "ae")


def test_a_milestone_is_not_trained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    params = Path(__file__).resolve().parents[1] / "params.yaml"
    code = main(["train", "--experiment", "synthfaces/gaia@0.5", "--params", str(params)])
    assert code != 0
