"""Faults: damaged or foreign files in the pipeline's folders. Each is one line on stderr that
names the file, says what is wrong and how to rebuild it; never a traceback (that goes to the
step's --log, and `--debug` raises it)."""

from __future__ import annotations

import contextlib
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from gaia.cli import main

from conftest import tiny

EXPERIMENT = "synthfaces/ae"
BUILD = (
    ("prepare-data", "--dataset", "synthfaces"),
    ("dataset-stats", "--dataset", "synthfaces"),
    ("train", "--experiment", EXPERIMENT),
    ("train-classifier", "--dataset", "synthfaces"),
    ("extract-latents", "--experiment", EXPERIMENT),
    ("attribute-vectors", "--experiment", EXPERIMENT),
    ("fid-reference", "--dataset", "synthfaces"),
    ("interpolation-metrics", "--experiment", EXPERIMENT),
)


def faulty_params(default_params: dict[str, Any]) -> dict[str, Any]:
    params = tiny(default_params)
    params["targets"]["all"].update(datasets=["synthfaces"], models=["ae"])
    params["fid"]["extractors"] = ["domain"]
    return params


def write_params(root: Path, params: dict[str, Any]) -> None:
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, session_params: dict[str, Any]) -> Path:
    """A folder where the steps above ran once (tiny splits): the files the cases damage."""
    root = tmp_path_factory.mktemp("built")
    write_params(root, faulty_params(session_params))
    with contextlib.chdir(root):
        for command in BUILD:
            assert main([*command, "--no-progress"]) == 0, command
    return root


@pytest.fixture
def workdir(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the built folder, as the working directory."""
    root = tmp_path / "work"
    shutil.copytree(built, root)
    monkeypatch.chdir(root)
    return root


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def random_bytes(path: Path) -> None:
    size = max(path.stat().st_size, 64)
    path.write_bytes(random.Random(path.name).randbytes(size))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncate,
    "empty": empty,
    "random": random_bytes,
}
# (damaged file, the command that reads it, the advice the error must give)
READERS = (
    ("results/synthfaces/ae/model.pt", ("extract-latents", "--experiment", EXPERIMENT), "--force"),
    (
        "results/synthfaces/classifier/classifier.pt",
        ("interpolation-metrics", "--experiment", EXPERIMENT),
        "--force",
    ),
    (
        "results/synthfaces/ae/latents.npz",
        ("attribute-vectors", "--experiment", EXPERIMENT),
        "--force",
    ),
    ("results/synthfaces/ae/latents.npz", ("probe", "--experiment", EXPERIMENT), "--force"),
    ("results/synthfaces/fid_reference.npz", ("fid", "--experiment", EXPERIMENT), "--force"),
    ("results/synthfaces/fid_reference.json", ("fid", "--experiment", EXPERIMENT), "--force"),
    (
        "results/synthfaces/ae/attribute_vectors.npz",
        ("attribute-edits", "--experiment", EXPERIMENT),
        "--force",
    ),
    ("results/synthfaces/dataset_stats.json", ("report", "datasets"), "--force"),
    (
        "results/synthfaces/ae/interpolation_metrics.json",
        ("figure", "convexity", "--dataset", "synthfaces"),
        "--force",
    ),
    (
        "data/processed/synthfaces/test/manifest.json",
        ("extract-latents", "--experiment", EXPERIMENT),
        "gaia prepare-data --dataset synthfaces",
    ),
    (
        "data/processed/synthfaces/test/images.npy",
        ("extract-latents", "--experiment", EXPERIMENT),
        "gaia prepare-data --dataset synthfaces",
    ),
    (
        "data/processed/synthfaces/train/attributes.csv",
        ("extract-latents", "--experiment", EXPERIMENT),
        "gaia prepare-data --dataset synthfaces",
    ),
)


def one_line_error(capsys: pytest.CaptureFixture[str], command: tuple[str, ...]) -> str:
    """Run `gaia COMMAND` in-process; it must fail with exit status 2 and one stderr line."""
    capsys.readouterr()
    assert main([*command, "--no-progress"]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith(f"gaia {command[0]}: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize(("name", "command", "advice"), READERS, ids=lambda v: str(v))
def test_a_damaged_file_is_one_line_naming_it_and_its_rebuild(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    command: tuple[str, ...],
    advice: str,
    damage: str,
) -> None:
    DAMAGE[damage](workdir / name)
    line = one_line_error(capsys, command)
    assert name in line and advice in line, line


def test_a_missing_file_names_the_command_that_builds_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "results/synthfaces/ae/latents.npz").unlink()
    line = one_line_error(capsys, ("probe", "--experiment", EXPERIMENT))
    assert "snakemake --cores 8 results/synthfaces/ae/latents.npz" in line, line


def test_files_from_other_parameters_are_refused_with_what_differs(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = yaml.safe_load((workdir / "params.yaml").read_text())
    params["presets"]["small"]["generator"]["content_dim"] = 16  # the model.pt has 8
    write_params(workdir, params)
    line = one_line_error(capsys, ("extract-latents", "--experiment", EXPERIMENT))
    assert "trained with other parameters" in line and "content_dim: 8" in line, line

    # latents of another width than the model's (a latents.npz left from other parameters)
    params["presets"]["small"]["generator"]["content_dim"] = 8  # as the model was trained
    write_params(workdir, params)
    latents_file = workdir / "results/synthfaces/ae/latents.npz"
    with np.load(latents_file) as stored:
        latents = dict(stored)
    latents["test_latents"] = latents["test_latents"][:, :5]
    np.savez(latents_file, **latents)
    line = one_line_error(capsys, ("interpolation-metrics", "--experiment", EXPERIMENT))
    assert "test_latents of shape 48x5, expected 48x12" in line and "--force" in line, line


def test_the_traceback_goes_to_the_log_and_debug_raises_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truncate(workdir / "results/synthfaces/ae/model.pt")
    log = workdir / "step.log"
    one_line_error(capsys, ("extract-latents", "--experiment", EXPERIMENT, "--log", str(log)))
    assert "Traceback" in log.read_text()
    from gaia.utils.artifacts import ArtifactError

    with pytest.raises(ArtifactError, match=r"model\.pt"):
        main(["extract-latents", "--experiment", EXPERIMENT, "--debug", "--no-progress"])
