"""One DAG, two engines: dvc.yaml is generated from the Snakemake workflow and DVC reads the same
stages, commands, inputs and outputs as Snakemake runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO
from workflows import differences, dvc_stages, snakemake_stages, tool_env


def dvc_yaml_check(root: Path) -> subprocess.CompletedProcess[str]:
    gaia = str(Path(sys.executable).parent / "gaia")
    return subprocess.run(
        [gaia, "dvc-yaml", "--check"], cwd=root, env=tool_env(), capture_output=True, text=True
    )


def test_committed_dvc_yaml_is_generated_from_snakemake() -> None:
    done = dvc_yaml_check(REPO)
    assert done.returncode == 0, done.stderr


def test_dvc_reads_the_stages_snakemake_runs() -> None:
    """DVC's reading of the generated files equals Snakemake's dry run (parsed independently of
    the generator): the generator and DVC agree on what the files mean."""
    snakemake, dvc = snakemake_stages(REPO), dvc_stages(REPO)
    assert {"prepare_data-synthfaces", "figure-convexity_lines", "report_full"} <= set(dvc)
    problems = differences(snakemake, dvc)
    assert not problems, "\n".join(problems)


def test_a_workflow_edit_makes_dvc_yaml_stale(repo_copy: Path) -> None:
    rules = repo_copy / "workflow/rules/runs.smk"
    rules.write_text(rules.read_text().replace("gaia report target", "gaia  report target"))
    done = dvc_yaml_check(repo_copy)
    assert done.returncode == 2 and "gaia dvc-yaml" in done.stderr
    stale = done.stderr.partition("error: ")[2].partition(" differ")[0].split(", ")
    assert stale == ["docs/results/dvc.yaml", "docs/paper/dvc.yaml"]  # `all` has no such rule
