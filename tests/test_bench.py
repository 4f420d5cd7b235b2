"""`gaia bench` measures a real step and the matmul peak of the same device."""

from __future__ import annotations

import json

import pytest

from gaia.bench import benchmark, peak_matmul_flops
from gaia.cli import main


def test_benchmark_reports_flops_against_the_peak(tiny_params: dict) -> None:
    record = benchmark(tiny_params, "synthfaces/gaia", steps=1, overrides={"batch_size": 8})
    assert record["batch_size"] == 8 and record["dtype"] in ("float32", "bfloat16")
    assert record["flops_per_step"] > 1e6
    assert record["achieved_flops_per_s"] == pytest.approx(
        record["flops_per_step"] / record["seconds_per_step"]
    )
    assert record["fraction_of_peak"] == pytest.approx(
        record["achieved_flops_per_s"] / record["peak_matmul_flops_per_s"]
    )
    assert record["images_per_s"] == pytest.approx(8 / record["seconds_per_step"])


def test_peak_is_plausible() -> None:
    import torch

    assert peak_matmul_flops(torch.device("cpu"), torch.float32, seconds=0.2) > 1e9


def test_cli_prints_one_json_line(
    capsys: pytest.CaptureFixture[str], tmp_path, tiny_params
) -> None:
    import yaml

    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(tiny_params, sort_keys=False))
    args = ["bench", "--params", str(params_file), "--experiment", "lines/ae", "--steps", "1"]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["experiment"] == "lines/ae"


def test_largest_batch_doubles_until_a_step_no_longer_fits(monkeypatch) -> None:
    import torch

    from gaia import bench

    tried = []

    def fake(params: dict, name: str, steps: int, overrides: dict) -> dict:
        tried.append(overrides["batch_size"])
        assert overrides["compile"] == "default"  # the other overrides go along
        if overrides["batch_size"] > 32:
            raise torch.OutOfMemoryError("CUDA out of memory")
        return {"batch_size": overrides["batch_size"], "steps": steps}

    monkeypatch.setattr(bench, "benchmark", fake)
    record = bench.largest_batch(
        {}, "x/y", steps=5, start=8, max_batch=512, overrides={"compile": "default"}
    )
    assert tried == [8, 16, 32, 64, 32] and record["batch_size"] == 32
    assert record["steps"] == 5  # the largest that fits, measured with every step
    assert bench.spec_peak("NVIDIA H200") == 989.4e12 and bench.spec_peak("cpu") is None
