"""Snakemake and DVC run the same pipeline: same stages, commands, inputs and outputs."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO
from workflows import differences, dvc_stages, snakemake_stages


def test_snakemake_and_dvc_graphs_agree() -> None:
    snakemake, dvc = snakemake_stages(REPO), dvc_stages(REPO)
    assert {"prepare_data@synthfaces", "prepare_data@lines", "report_datasets"} <= set(dvc)
    problems = differences(snakemake, dvc)
    assert not problems, "\n".join(problems)


def test_parity_check_catches_drift(repo_copy: Path) -> None:
    dvc_yaml = repo_copy / "dvc.yaml"
    text = dvc_yaml.read_text()
    dvc_yaml.write_text(
        text.replace(
            "gaia dataset-stats --dataset ${item}", "gaia dataset-stats --dataset x", 1
        ).replace("      - reports/figures/datasets.pdf\n", "", 1)
    )
    problems = differences(snakemake_stages(repo_copy), dvc_stages(repo_copy))
    assert any("dataset_stats@lines: command differs" in p for p in problems), problems
    assert any("figure_datasets: outs" in p and "datasets.pdf" in p for p in problems), problems
