"""The moving average of G's weights: its half-life, its ramp-up, and what the trainer exports."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from gaia import paths
from gaia.data.prepare import prepare_dataset
from gaia.experiment import resolve_experiment
from gaia.train.trainer import build_objective, train
from gaia.train.weight_average import WeightAverage


def constant_module(value: float) -> nn.Module:
    module = nn.BatchNorm1d(3)  # parameters and buffers
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(value)
        module.running_mean.fill_(value)
    return module


def test_a_weight_moves_halfway_to_a_constant_source_in_one_half_life() -> None:
    average = WeightAverage(constant_module(0.0), half_life_images=64, rampup=None)
    source = constant_module(1.0)
    for images_seen in (32, 64):  # 64 images: one half-life at batch 32
        average.update(source, images_seen, batch_size=32)
    for p in average.module.parameters():
        torch.testing.assert_close(p, torch.full_like(p, 0.5))
        assert not p.requires_grad
    for images_seen in (96, 128):
        average.update(source, images_seen, batch_size=32)
    for p in average.module.parameters():
        torch.testing.assert_close(p, torch.full_like(p, 0.75))
    torch.testing.assert_close(average.module.running_mean, torch.ones(3))  # buffers: copied


def test_rampup_caps_the_half_life_at_a_share_of_the_images_seen() -> None:
    average = WeightAverage(nn.Linear(2, 2), half_life_images=10_000, rampup=0.05)
    # After 32 images the half-life is 1.6 images: the first update all but copies the source.
    assert average.decay(32, 32) == pytest.approx(0.5**20)
    # After 10^6 images the cap (50,000) is above the half-life: 10,000 images rule.
    assert average.decay(10**6, 32) == pytest.approx(0.5 ** (32 / 10_000))
    assert WeightAverage(nn.Linear(2, 2), 10_000, None).decay(32, 32) == average.decay(10**6, 32)


def saved_generators(dataset: str, model: str) -> dict[str, dict[str, torch.Tensor]]:
    return torch.load(paths.model_file(dataset, model), weights_only=False)["modules"]


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


@pytest.mark.parametrize("model", ["gaia", "ae"])
def test_the_trainer_exports_the_average_and_reports_the_raw_weights_beside_it(
    tmp_path: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    monkeypatch.chdir(tmp_path)
    prepare_dataset(tiny_params, "synthfaces", progress=False)
    name = f"synthfaces/{model}"
    params = copy.deepcopy(tiny_params)

    # An average that never forgets (no ramp-up, astronomic half-life) stays at the initial
    # weights; the raw weights have trained away from them.
    params["training"]["weight_average"] = {"half_life_images": 1e30, "rampup": None}
    initial = build_objective(resolve_experiment(params, name), torch.device("cpu"))
    metrics = train(params, name, progress=False, fresh=True).metrics
    saved = saved_generators("synthfaces", model)
    assert_same(saved["generator"], initial.generator.state_dict())
    assert "generator_average" not in saved
    assert metrics["test_raw_recon_l1"] != metrics["test_recon_l1"]
    evals = [
        r for r in paths.train_log("synthfaces", model).read_text().splitlines() if "eval_" in r
    ]
    assert evals and all("eval_raw_recon_l1" in r for r in evals)

    # An average that forgets at once is the raw weights.
    params["training"]["weight_average"] = {"half_life_images": 1e-9, "rampup": None}
    metrics = train(params, name, progress=False, fresh=True).metrics
    saved = saved_generators("synthfaces", model)
    assert_same(saved["generator"], saved["generator_raw"])
    assert metrics["test_raw_recon_l1"] == metrics["test_recon_l1"]

    # No average: the raw weights are the model, and there is nothing "raw_" to report.
    params["training"]["weight_average"] = None
    metrics = train(params, name, progress=False, fresh=True).metrics
    saved = saved_generators("synthfaces", model)
    assert "generator_raw" not in saved and not any(k.startswith("test_raw_") for k in metrics)
