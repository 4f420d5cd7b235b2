"""One DAG, two engines: the Snakemake rules and dvc.yaml are both made from the step table
(gaia/steps.py), and DVC reads the same stages, commands, inputs and outputs as Snakemake runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO
from workflows import differences, dvc_stages, snakemake_stages, tool_env


def dvc_yaml_check(root: Path) -> subprocess.CompletedProcess[str]:
    gaia = str(Path(sys.executable).parent / "gaia")
    return subprocess.run(
        [gaia, "dvc-yaml", "--check"], cwd=root, env=tool_env(), capture_output=True, text=True
    )


def test_committed_dvc_yaml_is_generated_from_the_step_table() -> None:
    done = dvc_yaml_check(REPO)
    assert done.returncode == 0, done.stderr


def test_dvc_reads_the_stages_snakemake_runs() -> None:
    """DVC's reading of the generated files equals Snakemake's dry run (parsed independently of
    the generator): the generator and DVC agree on what the files mean."""
    snakemake, dvc = snakemake_stages(REPO), dvc_stages(REPO)
    assert {"prepare_data-synthfaces", "figure-convexity_lines", "report_full"} <= set(dvc)
    problems = differences(snakemake, dvc)
    assert not problems, "\n".join(problems)


def test_a_params_edit_makes_its_dvc_yaml_stale(repo_copy: Path) -> None:
    """A seed fewer in `full` changes docs/results/dvc.yaml only (the check names it); the
    workflow's side of an edit is the dry run's, compared above."""
    file = repo_copy / "params.yaml"
    params = yaml.safe_load(file.read_text())
    params["targets"]["full"]["seeds"] = [0, 1]
    file.write_text(yaml.safe_dump(params, sort_keys=False))
    done = dvc_yaml_check(repo_copy)
    assert done.returncode == 2 and "gaia dvc-yaml" in done.stderr
    stale = done.stderr.partition("error: ")[2].partition(" differ")[0].split(", ")
    assert stale == ["docs/results/dvc.yaml"]
