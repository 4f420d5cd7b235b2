"""Faults: outputs written to a full, size-limited or read-only place. Each is one error line that
names the file; no partial or temporary file is left and earlier outputs are intact.

The file-size limit (RLIMIT_FSIZE) needs no privileges; the full file system (a small tmpfs) and
the read-only folder (a read-only bind mount) need root, which CI and these machines have.
"""

from __future__ import annotations

import contextlib
import copy
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gaia import paths
from gaia.cli import main
from gaia.data.prepare import prepare_dataset
from gaia.utils.io import sha256_file, tensor_digest

from workflows import tool_env

EXPERIMENT = ("--experiment", "synthfaces/ae", "--no-progress")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")


@pytest.fixture
def trained(tmp_path: Path, tiny_params: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the tiny synthfaces split, synthfaces/ae trained and its latents."""
    monkeypatch.chdir(tmp_path)
    params = copy.deepcopy(tiny_params)
    # The checkpoint is then the first big file in resume/.
    params["training"]["milestones"] = []
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    prepare_dataset(params, "synthfaces", progress=False)
    assert main(["train", *EXPERIMENT]) == 0
    assert main(["extract-latents", *EXPERIMENT]) == 0
    return tmp_path


def leftovers(root: Path) -> list[Path]:
    """Temporary files or folders of interrupted atomic writes."""
    return [p for p in root.rglob(".*") if p.name.endswith((".tmp", ".old"))]


def error_line(stderr: str, step: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith(f"gaia {step}: error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_file_size_limit_fails_the_checkpoint_cleanly(trained: Path) -> None:
    model = paths.model_file("synthfaces", "ae")
    before = tensor_digest(model)
    checkpoint = paths.resume_dir("synthfaces", "ae") / "checkpoint.pt"
    limit = checkpoint.stat().st_size // 2  # the logs and grids fit, the checkpoint does not

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "gaia", "train", *EXPERIMENT, "--fresh"],
        cwd=trained,
        env=tool_env(),
        preexec_fn=limited,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    line = error_line(done.stderr, "train")
    # torch.save's zip writer reports the refused write as a short one
    assert f"{checkpoint}: could not be written (a short write: the disk is full" in line, line
    assert not checkpoint.exists() and not leftovers(trained)
    assert tensor_digest(model) == before  # the finished output is untouched


@contextlib.contextmanager
def mounted(folder: Path, *options: str, read_only: bool = False) -> Iterator[None]:
    """`mount OPTIONS FOLDER` (then remounted read-only), unmounted at the end."""
    subprocess.run(["mount", *options, str(folder)], check=True)
    try:
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@needs_root
def test_a_full_file_system_fails_cleanly(trained: Path, capsys: pytest.CaptureFixture) -> None:
    resume = paths.resume_dir("synthfaces", "ae")
    size = (resume / "checkpoint.pt").stat().st_size // 2
    model = paths.model_file("synthfaces", "ae")
    before = tensor_digest(model)
    with mounted(resume, "-t", "tmpfs", "-o", f"size={size}", "tmpfs"):
        capsys.readouterr()
        assert main(["train", *EXPERIMENT]) == 2
        line = error_line(capsys.readouterr().err, "train")
        assert f"{resume / 'checkpoint.pt'}: could not be written (" in line, line
        assert not (resume / "checkpoint.pt").exists() and not leftovers(resume)
    assert tensor_digest(model) == before


@needs_root
def test_a_read_only_folder_fails_cleanly(trained: Path, capsys: pytest.CaptureFixture) -> None:
    latents = paths.latents("synthfaces", "ae")
    before = sha256_file(latents)
    folder = latents.parent
    with mounted(folder, "--bind", str(folder), read_only=True):
        capsys.readouterr()
        assert main(["extract-latents", *EXPERIMENT]) == 2
        line = error_line(capsys.readouterr().err, "extract-latents")
        assert f"{latents}: could not be written (Read-only file system" in line, line
    assert sha256_file(latents) == before and not leftovers(trained)
