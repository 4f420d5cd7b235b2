"""End to end on a fresh copy of the repository with tiny splits: Snakemake builds everything,
DVC rebuilds one stage of every kind to the same bytes, and the `gaia` command fails clearly on
bad input."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from outputs import output_hashes

from gaia.report.markdown import number
from gaia.steps import STEPS

from conftest import REPO
from workflows import tool_env

# One stage of every kind, for DVC to rebuild (their outputs, or enough of them to make the
# stage out of date; training also loses its resumable state).
DVC_REBUILDS = (
    "data/processed/lines",
    "results/lines/dataset_stats.json",
    "results/lines/ae/model.pt",
    "results/lines/ae/resume",
    "results/synthfaces/classifier/classifier.pt",
    "results/synthfaces/ae/latents.npz",
    "results/synthfaces/ae/attribute_vectors.npz",
    "results/synthfaces/ae/attribute_metrics.csv",
    "results/lines/ae/interpolation_metrics.json",
    "results/synthfaces/fid_reference.npz",
    "results/synthfaces/ae/fid.json",
    *(
        f"reports/figures/{name}.png"
        for name in (
            "datasets",
            "attribute_stats",
            "training_lines",
            "reconstructions_lines",
            "interpolations_lines",
            "convexity_lines",
            "entanglement_synthfaces",
            "attribute_edits_synthfaces",
        )
    ),
    "reports/datasets.md",
    "reports/README.md",
)


def metric_values(root: Path) -> set[str]:
    """Every number of every JSON metric file under results/, as the report prints it."""
    values = set()

    def collect(node: object) -> None:  # nested too: probe.json's per-probe accuracies
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            values.add(number(node))

    for path in (root / "results").rglob("*.json"):
        collect(json.loads(path.read_text()))
    return values


def check_report_numbers(root: Path) -> None:
    """Every number in the result tables of reports/README.md is one of a metric file's."""
    text = (root / "reports/README.md").read_text()
    tables = text[text.index("## Held-out") : text.index("## The paper's claims")]
    known = metric_values(root)
    checked = 0
    for line in tables.splitlines():
        if not line.startswith("| ") or line.startswith("| dataset") or "| skipped |" in line:
            continue
        for cell in line.strip("| ").split(" | ")[2:]:
            for token in re.findall(r"-?\d[\d.e+-]*", cell):
                assert token in known, f"{token!r} in {line!r} is in no metric file"
                checked += 1
    assert checked > 50, checked


def expected_layouts(params: dict) -> dict[str, dict[str, str]]:
    """Panels and tile grids (rows x columns) each result figure must have, from the figure
    modules' constants and the models of the target (GAIA's rows add D(X) and D(G(X)))."""
    from gaia.figures import renders, training

    target = params["targets"]["all"]
    models = target["models"]
    with_d = sum(params["models"][m]["objective"] == "gaia" for m in models)
    layouts = {}
    for d in target["datasets"]:
        references = 1 + (params["datasets"][d]["kind"] == "lines")  # cross-fade (+ angle)
        strips = renders.PAIRS * (len(models) + references)
        layouts |= {
            f"training_{d}": {"Panels": str(training.PANEL_COUNT), "Tiles": ""},
            f"reconstructions_{d}": {
                "Panels": "1",
                "Tiles": f"{1 + len(models) + 2 * with_d}x{renders.IMAGES}",
            },
            f"interpolations_{d}": {"Panels": "1", "Tiles": f"{strips}x{renders.STEPS + 2}"},
            f"convexity_{d}": {"Panels": str(len(models)), "Tiles": ""},
        }
    for d in target["attribute_datasets"]:
        attributes = len(params["datasets"][d]["attributes"])
        edit_rows = renders.FACES * len(models) * 2  # OLS and mean difference
        layouts[f"attribute_edits_{d}"] = {
            "Panels": "2",
            "Tiles": f"{edit_rows}x{2 + 2 * attributes};{2 * len(models)}x{attributes}",
        }
        layouts[f"entanglement_{d}"] = {"Panels": str(2 * len(models) + 1), "Tiles": ""}
    return layouts


def check_figures(root: Path) -> None:
    """Every result figure: a PNG and a PDF, not empty, with the expected layout."""
    from gaia.figures.common import figure_layout

    params = yaml.safe_load((root / "params.yaml").read_text())
    layouts = expected_layouts(params)
    assert len(layouts) == 10
    for name, layout in layouts.items():
        png = root / "reports/figures" / f"{name}.png"
        assert png.stat().st_size > 10_000 and png.with_suffix(".pdf").stat().st_size > 5_000
        assert figure_layout(png) == layout, name


def run(root: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=root, env=tool_env(), capture_output=True, text=True, check=check
    )


@pytest.mark.slow
def test_snakemake_and_dvc_build_identical_outputs(built_pipeline: tuple[Path, dict]) -> None:
    repo_copy, built = built_pipeline
    for expected in (
        "data/processed/synthfaces/train/images.npy",
        "data/processed/lines/test/manifest.json",
        "results/synthfaces/dataset_stats.json",
        "reports/figures/datasets.png",
        "reports/figures/datasets.pdf",
        "reports/figures/attribute_stats.png",
        "reports/datasets.md",
        "results/synthfaces/gaia/model.pt",
        "results/lines/ae/train_metrics.json",
        "results/synthfaces/ae/samples/step_0000004.png",
        "results/synthfaces/classifier/classifier_metrics.json",
        "results/synthfaces/gaia/latents.npz",
        "results/synthfaces/ae/attribute_vectors.npz",
        "results/synthfaces/gaia/attribute_cosines.csv",
        "results/synthfaces/ae/attribute_metrics.csv",
        "results/synthfaces/gaia/attribute_summary.json",
        "results/lines/gaia/interpolation_metrics.json",
        "results/synthfaces/ae/interpolation_metrics.json",
        "results/synthfaces/fid_reference.npz",
        "results/synthfaces/fid_reference.json",
        "results/synthfaces/gaia/fid.json",
        "results/synthfaces/ae/fid.json",
        "results/synthfaces/vae/fid.json",
        "results/lines/acai/model.pt",
        "reports/figures/training_lines.png",
        "reports/figures/reconstructions_synthfaces.pdf",
        "reports/figures/interpolations_lines.png",
        "reports/figures/entanglement_synthfaces.png",
        "reports/figures/convexity_lines.pdf",
        "reports/figures/attribute_edits_synthfaces.png",
        "reports/figures/interpolation_loop_lines.gif",
    ):
        assert expected in built, f"{expected} missing from {sorted(built)}"
    # lines is judged by its reference lines, not by a classifier nothing would read
    assert not any(path.startswith("results/lines/classifier") for path in built)
    for log in ("prepare_data/synthfaces", "report_datasets/all"):
        assert (repo_copy / "results/logs" / f"{log}.log").stat().st_size > 0
    stages = run(repo_copy, sys.executable, "benchmarks/pipeline_stages.py").stdout
    for rule in (step.name for step in STEPS):
        assert f"\n| {rule} | " in stages, f"no benchmark table of rule {rule}"

    stats = json.loads((repo_copy / "results/synthfaces/dataset_stats.json").read_text())
    assert stats["train"]["count"] == 96
    report = (repo_copy / "reports/datasets.md").read_text()
    assert "young:old" in report and "## lines" in report
    summary = json.loads((repo_copy / "results/synthfaces/gaia/attribute_summary.json").read_text())
    assert {"ols_leakage_Young_to_Male", "mean_difference_leakage_Young_to_Male"} <= set(summary)
    with np.load(repo_copy / "results/synthfaces/gaia/latents.npz") as faces:
        assert faces["fit_latents"].shape == (96, 12) and faces["test_latents"].shape == (48, 12)
    with np.load(repo_copy / "results/lines/ae/latents.npz") as lines:  # they fit the probe
        assert lines["fit_latents"].shape == (64, 12) and len(lines["fit_index"]) == 64
    for dataset, task in (("synthfaces", "attributes"), ("lines", "angle_bins")):
        for model in ("gaia", "ae", "vae", "acai"):
            probe = json.loads((repo_copy / f"results/{dataset}/{model}/probe.json").read_text())
            assert probe["task"] == task and 0 <= probe["mean_accuracy"] <= 1
            interval = probe["mean_accuracy_ci_low"], probe["mean_accuracy_ci_high"]
            assert interval[0] <= probe["mean_accuracy"] <= interval[1]
    lines = json.loads((repo_copy / "results/lines/ae/interpolation_metrics.json").read_text())
    assert {"mean_distance", "smoothness", "angular_mean_distance"} <= set(lines)
    fid = json.loads((repo_copy / "results/synthfaces/ae/fid.json").read_text())
    for extractor in ("domain", "inception"):
        for image_set in ("recon", "interp", "edits"):
            assert fid[f"fid_{extractor}_{image_set}"] > 0
            assert f"kid_{extractor}_{image_set}_mean" in fid
    assert (fid["images_domain_recon"], fid["images_inception_edits"]) == (24, 4)
    check_report_numbers(repo_copy)
    check_figures(repo_copy)
    report = (repo_copy / "reports/README.md").read_text()
    assert report.split("\n## ")[1].startswith("The answer") and "supported" in report
    for figure in ("training_lines", "attribute_edits_synthfaces", "convexity_synthfaces"):
        assert f"(figures/{figure}.png)" in report
    assert "(figures/interpolation_loop_synthfaces.gif)" in report  # the animation, embedded
    html = repo_copy / "reports/snakemake_report.html"
    run(repo_copy, sys.executable, "-m", "snakemake", "--report", str(html), "all")
    assert html.stat().st_size > 10_000
    pages = [  # the results embedded in the report, as data URIs
        base64.b64decode(data).decode("utf-8", "replace")
        for data in re.findall(r"data:text/html[^,\"]*;base64,([A-Za-z0-9+/=]+)", html.read_text())
    ]
    assert any("<h2>The answer" in page and "<table>" in page for page in pages)
    metrics = run(repo_copy, sys.executable, "-m", "dvc", "metrics", "show")
    assert "fid_inception_interp" in metrics.stdout, metrics.stdout
    assert "mean_accuracy" in metrics.stdout  # the probe's metrics file
    # the learning curves as DVC plots (declared by gaia/steps.py's `curve`), one per dataset
    curve = (repo_copy / "results/synthfaces/gaia/learning_curve.csv").read_text().splitlines()
    assert curve[0].startswith("step,") and "eval_recon_l1" in curve[0] and len(curve) > 2
    plots = repo_copy.parent / "plots"  # outside the repository: not an output of the run
    run(repo_copy, sys.executable, "-m", "dvc", "plots", "show", "-o", str(plots))
    page = (plots / "index.html").read_text()
    for title in ("held-out L1 of G(X), synthfaces", "held-out L1 of G(X), lines"):
        assert title in page

    # DVC rebuilds one stage of every kind (a full second build doubled this test's time): the
    # lock records Snakemake's outputs, the outputs below are deleted, and `dvc repro` (without
    # its run cache, which would restore instead of run) must recreate the same bytes.
    # dvc.yaml: the embedded default (docs/results/dvc.yaml holds the `full` target's stages)
    run(repo_copy, sys.executable, "-m", "dvc", "commit", "--force", "dvc.yaml")
    for name in DVC_REBUILDS:
        path = repo_copy / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    started = time.time()
    run(repo_copy, sys.executable, "-m", "dvc", "repro", "--no-run-cache")
    assert output_hashes(repo_copy) == built
    for log in ("train/lines-ae", "fid/synthfaces-ae", "report_results/all"):  # ran, not restored
        assert (repo_copy / "results/logs" / f"{log}.log").stat().st_mtime >= started
    status = run(repo_copy, sys.executable, "-m", "dvc", "status", "dvc.yaml")
    assert "up to date" in status.stdout, status.stdout


def test_cli_errors_are_clear(repo_copy: Path) -> None:
    gaia = str(Path(sys.executable).parent / "gaia")
    result = run(repo_copy, gaia, "prepare-data", "--dataset", "imagenet", check=False)
    assert result.returncode == 2
    assert "unknown dataset 'imagenet'" in result.stderr and "synthfaces" in result.stderr
    assert "Traceback" not in result.stderr

    result = run(repo_copy, gaia, "dataset-stats", "--dataset", "lines", check=False)
    assert result.returncode == 2 and "gaia prepare-data --dataset lines" in result.stderr

    params = yaml.safe_load((repo_copy / "params.yaml").read_text())
    params["datasets"]["lines"]["line_width"] = "thick"
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(params))
    result = run(repo_copy, gaia, "prepare-data", "--dataset", "lines", check=False)
    assert result.returncode == 2
    assert "params.yaml" in result.stderr and "datasets.lines.line_width" in result.stderr
    smk = run(repo_copy, sys.executable, "-m", "snakemake", "-n", "--cores", "1", check=False)
    assert smk.returncode != 0
    assert "datasets.lines.line_width: 'thick'" in smk.stdout + smk.stderr


def test_the_explorer_notebook_runs_on_the_default_run(built_pipeline: tuple[Path, dict]) -> None:
    """notebooks/explore.ipynb, top to bottom in a kernel, on the tiny pipeline's outputs: its
    interpolations and its OLS and mean-difference edits are drawn."""
    import nbformat
    from nbclient import NotebookClient

    root, _ = built_pipeline
    notebook = nbformat.read(REPO / "notebooks" / "explore.ipynb", as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells)  # committed without outputs
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(root)}}
    )
    client.execute()
    drawn = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert len(drawn) == 2  # the interpolations and the edits
