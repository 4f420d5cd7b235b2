"""Snakemake's --config / --configfile overrides reach the jobs, or stop the run before any."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from gaia import paths

from workflows import run_snakemake


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
