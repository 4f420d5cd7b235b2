"""Snakemake's --config / --configfile overrides reach the jobs, or stop the run before any;
DVC's `exp run -S` reaches its stages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from gaia import paths

from workflows import run_snakemake, tool_env


def test_a_configfile_override_changes_what_the_job_trains(repo_copy: Path) -> None:
    (repo_copy / "over.yaml").write_text(
        yaml.safe_dump({"experiments": {"lines": {"ae": {"steps": 6, "log_every": 3}}}})
    )
    metrics = paths.train_metrics("lines", "ae")
    done = run_snakemake(repo_copy, "--cores", "2", str(metrics), "--configfile", "over.yaml")
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads((repo_copy / metrics).read_text())["steps"] == 6  # params.yaml says 4
    effective = yaml.safe_load((repo_copy / paths.EFFECTIVE_PARAMS).read_text())
    assert effective["experiments"]["lines"]["ae"]["steps"] == 6

    # Without the override the parameters differ from what the job used: Snakemake reruns it.
    dry = run_snakemake(repo_copy, "--cores", "2", str(metrics), "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "rule train:" in dry.stdout or "localrule train:" in dry.stdout
    assert yaml.safe_load((repo_copy / paths.EFFECTIVE_PARAMS).read_text())["experiments"] == {}


def test_an_invalid_override_stops_the_run_before_any_job(repo_copy: Path) -> None:
    (repo_copy / "bad.yaml").write_text(yaml.safe_dump({"training": {"steps": 0}}))
    done = run_snakemake(repo_copy, "--cores", "1", "all", "--dry-run", "--configfile", "bad.yaml")
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "invalid parameters" in said and "training.steps: 0" in said, said[-3000:]
    assert "--configfile" in said  # where the bad value came from
    assert not (repo_copy / "results").exists()  # no job ran, no parameter file written


def test_dvc_exp_run_set_param_reaches_the_stage(repo_copy: Path) -> None:
    """`dvc exp run -S` edits params.yaml, which DVC's commands read: the metric follows."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "add", "-A"], cwd=repo_copy, check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo_copy, check=True)
    stage = "train-lines-ae"
    done = subprocess.run(
        [sys.executable, "-m", "dvc", "exp", "run", "-S", "training.steps=6", stage],
        cwd=repo_copy,
        env=tool_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    metrics = json.loads((repo_copy / paths.train_metrics("lines", "ae")).read_text())
    assert metrics["steps"] == 6  # params.yaml of the copy says 4
    shown = subprocess.run(
        [sys.executable, "-m", "dvc", "exp", "show", "--json"],
        cwd=repo_copy,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    recorded = set()  # (training.steps, metric steps) of every experiment DVC recorded

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "params" in node and "metrics" in node and node.get("rev") != "workspace":
                params = (node["params"] or {}).get("params.yaml", {}).get("data", {})
                trained = (node["metrics"] or {}).get(str(paths.train_metrics("lines", "ae")))
                steps = params.get("training", {}).get("steps")
                recorded.add((steps, (trained or {}).get("data", {}).get("steps")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(shown))
    assert (6, 6) in recorded, recorded
