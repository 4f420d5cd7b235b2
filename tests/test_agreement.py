"""`gaia compare-runs`: a claim whose verdict differs between two runs is not settled."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from test_report import make_results, tables

from gaia import paths
from gaia.cli import main
from gaia.report.claims import Verdict
from gaia.utils.io import write_json

from conftest import REPO


def fake_run(folder: Path, params: dict, precision: str) -> dict:
    """A finished run's metric files (made up, as in test_report) in `folder`."""
    folder.mkdir()
    shutil.copy(REPO / "params.yaml", folder / "params.yaml")
    with contextlib.chdir(folder):
        files = make_results(params)
        for path, content in files.items():
            if path.name == paths.TRAIN_METRICS:
                write_json(path, content | {"precision": precision})
    return files


def cells(markdown: str, claim: str) -> list[str]:
    (row,) = [line for line in markdown.splitlines() if line.startswith(f"| {claim}")]
    return [cell.strip() for cell in row.strip("|").split(" | ")]


def test_verdicts_that_differ_between_runs_are_not_settled(default_params, tmp_path) -> None:
    fake_run(tmp_path / "auto", default_params, "bf16")
    files = fake_run(tmp_path / "fp32", default_params, "fp32")
    (faces,) = default_params["targets"]["all"]["fid_datasets"]
    worse = {"fid_domain_recon": 99.0, "kid_domain_recon_mean": 99.0, "c2st_recon": 99.0}
    for model in ("gaia", "gaia@0.5"):  # worse at the end and half way: settled within the run
        fid = paths.fid_metrics(faces, model)
        write_json(tmp_path / "fp32" / fid, files[fid] | worse)
    out = tmp_path / "precision.md"
    runs = ["--run", f"auto={tmp_path / 'auto'}", "--run", f"fp32={tmp_path / 'fp32'}"]
    assert main(["compare-runs", *runs, "--condition", "the precision", "--out", str(out)]) == 0

    markdown = out.read_text()
    realistic = cells(markdown, "GAIA's reconstructions are realistic [synthfaces]")
    assert realistic[1:] == ["supported", "not supported", str(Verdict.NOT_SETTLED)]
    assert cells(markdown, "GAIA's latent space is better for attribute edits")[3] != "not settled"
    # and the claim that compares midpoints with those reconstructions
    assert "Of 21 claims, 19 get the same verdict in every run and 2 do not" in markdown
    precision = tables(markdown)["The precision each model trained in"]
    assert {(r["auto"], r["fp32"]) for r in precision} == {("bf16", "fp32")}
    assert len(precision) == len(default_params["targets"]["all"]["models"]) * 2


def test_one_run_is_no_comparison(tmp_path) -> None:
    run = ["--run", f"auto={tmp_path}"]
    assert main(["compare-runs", *run, "--out", str(tmp_path / "x.md")]) == 2
