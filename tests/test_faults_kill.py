"""Faults: the workflow SIGKILLed in the middle of a step of every kind, again and again, then
finished: its outputs equal those of an uninterrupted run, and at no kill did a declared output
exist half-written."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from outputs import output_hashes

from conftest import copy_repo
from workflows import run_snakemake, tool_env

# One rule of every kind of step (an analysis, a figure and a report stand for the others), in
# the order the workflow reaches them.
KILL_IN = (
    "prepare_data",
    "train",
    "train_classifier",
    "extract_latents",
    "attribute_edits",
    "fid_reference",
    "fid",
    "figure",
    "report_results",
)
pytestmark = pytest.mark.slow
SNAKEMAKE = (sys.executable, "-m", "snakemake", "--cores", "2", "all", "--rerun-incomplete")


def is_temporary(path: Path) -> bool:
    """A killed atomic write's leftover (gaia/utils/io.py): hidden, .tmp or .old."""
    return path.name.startswith(".") and path.name.endswith((".tmp", ".old"))


def started_jobs(root: Path, rule: str) -> set[Path]:
    """The logs of `rule`'s jobs: a job's `gaia` command creates its log when it starts."""
    folder = root / "results/logs" / rule
    return set(folder.glob("*.log")) if folder.is_dir() else set()


def kill_during(root: Path, rule: str, delay: float) -> bool:
    """Run the workflow until a job of `rule` starts, wait `delay` seconds, then SIGKILL
    Snakemake and all its jobs at once. False when the workflow finished first."""
    before = started_jobs(root, rule)
    workflow = subprocess.Popen(
        SNAKEMAKE,
        cwd=root,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the jobs too
    )
    deadline = time.monotonic() + 600
    while started_jobs(root, rule) == before and workflow.poll() is None:
        assert time.monotonic() < deadline, f"no {rule} job started"
        time.sleep(0.02)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):  # the whole workflow may have ended by now
        os.killpg(workflow.pid, signal.SIGKILL)
    return workflow.wait() == -signal.SIGKILL


def test_killed_anywhere_the_workflow_finishes_as_if_never_killed(
    built_pipeline: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    reference_root, reference = built_pipeline
    params = yaml.safe_load((reference_root / "params.yaml").read_text())
    root = copy_repo(tmp_path / "repo", params)
    rng = random.Random(17)
    kills = 0
    for rule in KILL_IN:
        kills += kill_during(root, rule, delay=rng.uniform(0.0, 2.5))
        partial = output_hashes(root)  # loads every .pt and .npz: a torn one fails here
        torn = [
            name
            for name, digest in partial.items()
            if reference.get(name) != digest and not is_temporary(Path(name))
        ]
        assert not torn, f"after a kill in {rule}: outputs differ from the reference: {torn}"
        unlocked = run_snakemake(root, "--unlock")  # Snakemake's own lock outlives a SIGKILL
        assert unlocked.returncode == 0, unlocked.stderr[-2000:]
    assert kills >= len(KILL_IN) - 1  # the last kills may come after the workflow ended
    done = subprocess.run(SNAKEMAKE, cwd=root, env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert output_hashes(root) == reference
    outputs = [root / top for top in ("data", "results", "reports")]
    leftovers = [p for top in outputs for p in top.rglob(".*") if is_temporary(p)]
    assert not leftovers, leftovers  # each rerun write removed its killed write's temporary
