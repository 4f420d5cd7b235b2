"""Results through a DVC remote (a local folder): push after a run, pull into a fresh clone with
`gaia pull`, and neither engine finds anything to do; the pulled files equal the pushed ones."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workflows import run_snakemake, tool_env

STAGES = ["extract_latents-lines-ae", "dataset_stats-lines"]  # with prepare_data and train
TARGETS = ["results/lines/ae/latents.npz", "results/lines/dataset_stats.json"]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]


def run(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


def dvc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(cwd, sys.executable, "-m", "dvc", *args)


def gaia_pull(cwd: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gaia", "pull", *targets]
    return subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True)


def digests(root: Path) -> dict[str, str]:
    """sha256 of every output file under results/ and data/processed/ (logs included; not the
    resumable checkpoints, which are no outputs)."""
    files = [p for folder in ("results", "data/processed") for p in (root / folder).rglob("*")]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file() and "params.effective" not in p.name and "resume" not in p.parts
    }


def snakemake_has_nothing_to_do(root: Path) -> bool:
    done = run_snakemake(root, "-n", *TARGETS)
    assert done.returncode == 0, done.stderr[-3000:]
    return "Nothing to be done" in done.stdout + done.stderr


@pytest.mark.slow
def test_push_clone_pull_leaves_nothing_to_do(repo_copy: Path, tmp_path: Path) -> None:
    run(repo_copy, *GIT, "add", "-A")
    run(repo_copy, *GIT, "commit", "-qm", "code")
    dvc(repo_copy, "remote", "add", "-d", "store", str(tmp_path / "remote"))
    dvc(repo_copy, "repro", *STAGES)
    dvc(repo_copy, "push")
    run(repo_copy, *GIT, "add", "-A")  # dvc.lock and the remote's configuration
    run(repo_copy, *GIT, "commit", "-qm", "results")
    pushed = digests(repo_copy)
    assert any(name.endswith(".log") for name in pushed)  # logs travel too: else stages rerun

    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(repo_copy), str(clone))
    done = gaia_pull(clone, *TARGETS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert digests(clone) == pushed
    assert snakemake_has_nothing_to_do(clone)
    assert "Running stage" not in dvc(clone, "repro", *STAGES).stdout

    # The order `dvc pull` writes files in is arbitrary: outputs older than an input (here
    # made so on purpose) make Snakemake rerun everything downstream; `gaia pull` repairs it.
    earlier = time.time() - 60
    for output in (clone / "results/lines/ae").iterdir():
        os.utime(output, (earlier, earlier))
    assert not snakemake_has_nothing_to_do(clone)
    done = gaia_pull(clone, *TARGETS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert snakemake_has_nothing_to_do(clone) and digests(clone) == pushed

    # Results of other parameters than the checkout's: refused, nothing touched.
    params = (clone / "params.yaml").read_text()
    (clone / "params.yaml").write_text(params.replace("steps: 4", "steps: 6", 1))
    done = gaia_pull(clone, *TARGETS)
    assert done.returncode == 2 and "are not those of this checkout" in done.stderr
