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
from outputs import across_runs, output_hashes

from conftest import copy_repo
from workflows import run_snakemake, tool_env

# One rule of every kind of step (an analysis, a figure and the report stand for the others);
# each round kills the workflow in the first job of a kind not killed yet.
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
# Rounds after the first run with --nolock (one workflow at a time here), so the lock that
# outlives a SIGKILL (`snakemake --unlock`, docs/running.md, "Reliability": tested after the
# first round) costs no extra Snakemake start per round.
SNAKEMAKE = (sys.executable, "-m", "snakemake", "--cores", "2", "all", "--rerun-incomplete")
ROUND = (*SNAKEMAKE, "--nolock")


def is_temporary(path: Path) -> bool:
    """A killed atomic write's leftover (gaia/utils/io.py): hidden, .tmp or .old."""
    return path.name.startswith(".") and path.name.endswith((".tmp", ".old"))


def started_jobs(root: Path, rule: str, since: float) -> list[Path]:
    """The logs of `rule`'s jobs started at or after `since`: a job's `gaia` command opens its
    log for writing when it starts (a rerun of a killed job too)."""
    folder = root / "results/logs" / rule
    logs = folder.glob("*.log") if folder.is_dir() else []
    return [log for log in logs if log.stat().st_mtime >= since]


def kill_at_next_start(
    root: Path, kinds: list[str], delay: float, command: tuple[str, ...]
) -> str | None:
    """Run the workflow until a job of one of `kinds` (rules) starts, wait `delay` seconds,
    then SIGKILL Snakemake and all its jobs at once. The rule it killed in, or None when the
    workflow finished first."""
    since = time.time() - 0.01  # file times are coarser than the clock
    workflow = subprocess.Popen(
        command,
        cwd=root,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the jobs too
    )
    deadline = time.monotonic() + 600
    started: list[str] = []
    while not started and workflow.poll() is None:
        assert time.monotonic() < deadline, f"no job of {kinds} started"
        time.sleep(0.02)
        started = [rule for rule in kinds if started_jobs(root, rule, since)]
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):  # the whole workflow may have ended by now
        os.killpg(workflow.pid, signal.SIGKILL)
    return started[0] if workflow.wait() == -signal.SIGKILL and started else None


def test_killed_anywhere_the_workflow_finishes_as_if_never_killed(
    built_pipeline: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    reference_root, built = built_pipeline
    reference = across_runs(built)
    params = yaml.safe_load((reference_root / "params.yaml").read_text())
    root = copy_repo(tmp_path / "repo", params)
    rng = random.Random(17)
    remaining = list(KILL_IN)
    while remaining:  # each round kills the workflow in the first job of a kind not yet killed
        first = remaining == list(KILL_IN)
        command = SNAKEMAKE if first else ROUND
        rule = kill_at_next_start(root, remaining, rng.uniform(0.0, 2.5), command)
        if rule is None:
            break
        remaining.remove(rule)
        if first:  # the users' way: Snakemake's lock outlives the kill, `--unlock` clears it
            assert list((root / ".snakemake/locks").glob("*")), "the killed run left no lock"
            unlocked = run_snakemake(root, "--unlock")
            assert unlocked.returncode == 0, unlocked.stderr[-2000:]
        partial = across_runs(output_hashes(root))  # loads each .pt and .npz: a torn one fails
        torn = [
            name
            for name, digest in partial.items()
            if reference.get(name) != digest
            and not any(is_temporary(Path(part)) for part in Path(name).parts)
        ]
        assert not torn, f"after a kill in {rule}: outputs differ from the reference: {torn}"
    # Every kind was killed (the report, last of all, may have finished within its delay).
    assert set(remaining) <= {"report_results"}, remaining
    done = subprocess.run(SNAKEMAKE, cwd=root, env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert across_runs(output_hashes(root)) == reference
    outputs = [root / top for top in ("data", "results", "reports")]
    leftovers = [p for top in outputs for p in top.rglob(".*") if is_temporary(p)]
    assert not leftovers, leftovers  # each rerun write removed its killed write's temporary
