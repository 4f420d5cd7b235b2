"""End to end on a fresh copy of the repository with tiny splits: Snakemake builds everything,
DVC rebuilds the same bytes, and the `gaia` command fails clearly on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gaia.utils.io import sha256_file, tensor_digest

from workflows import tool_env

OUTPUT_ROOTS = ("data/processed", "results", "reports/figures", "reports/datasets.md")
TIMING_KEYS = {"images_per_s", "train_seconds"}  # measured, so they differ between runs


def without_timing(path: Path) -> str:
    """A JSON or JSON-lines file with its timing fields removed."""
    text = path.read_text()
    records = (
        [json.loads(text)] if path.suffix == ".json" else [json.loads(x) for x in text.splitlines()]
    )
    return json.dumps([{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in records])


def weights_digest(path: Path) -> str:
    """A model file's tensors and metadata (torch.save's bytes are not canonical)."""
    import hashlib

    import torch

    state = torch.load(path, weights_only=False)
    metadata = json.dumps(state.get("experiment", state.get("config")), sort_keys=True)
    return hashlib.sha256((metadata + tensor_digest(path)).encode()).hexdigest()


def arrays_digest(path: Path) -> str:
    """The sha256 of an .npz file's arrays, names, dtypes and shapes."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256()
    with np.load(path) as arrays:
        for name in sorted(arrays.files):
            array = arrays[name]
            digest.update(f"{name}{array.dtype}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def run(root: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=root, env=tool_env(), capture_output=True, text=True, check=check
    )


def output_hashes(root: Path) -> dict[str, str]:
    """sha256 of every pipeline output (training logs: their content less timings), except
    step logs (timestamps) and Snakemake's directory markers (which .dvcignore hides from DVC)."""
    hashes = {}
    for name in OUTPUT_ROOTS:
        top = root / name
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            relative = str(path.relative_to(root))
            bookkeeping = (
                relative.startswith("results/logs/")
                or "/resume/" in relative  # training state, not an output
                or path.name == ".snakemake_timestamp"
            )
            if not path.is_file() or bookkeeping:
                continue
            if path.name in ("train_log.jsonl", "train_metrics.json"):
                hashes[relative] = without_timing(path)
            elif path.suffix == ".pt":
                hashes[relative] = weights_digest(path)
            elif path.suffix == ".npz":  # zip members carry their write time
                hashes[relative] = arrays_digest(path)
            else:
                hashes[relative] = sha256_file(path)
    return hashes


def require_inception(root: Path, weights: Path) -> None:
    """FID with both extractors, Inception from a locally made weights file."""
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["fid"]["extractors"] = ["domain", "inception-v3-compat"]
    params["fid"]["inception"].update(weights=str(weights), sha256=sha256_file(weights))
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.mark.slow
def test_snakemake_and_dvc_build_identical_outputs(repo_copy: Path, he_inception_weights) -> None:
    require_inception(repo_copy, he_inception_weights)
    run(repo_copy, sys.executable, "-m", "snakemake", "--cores", "2", "all")
    built = output_hashes(repo_copy)
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
        "results/lines/classifier/classifier.pt",
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
    ):
        assert expected in built, f"{expected} missing from {sorted(built)}"
    for log in ("prepare_data/synthfaces", "report_datasets/all"):
        assert (repo_copy / "results/logs" / f"{log}.log").stat().st_size > 0

    stats = json.loads((repo_copy / "results/synthfaces/dataset_stats.json").read_text())
    assert stats["train"]["count"] == 96
    report = (repo_copy / "reports/datasets.md").read_text()
    assert "young:old" in report and "## lines" in report
    summary = json.loads((repo_copy / "results/synthfaces/gaia/attribute_summary.json").read_text())
    assert {"ols_leakage_Young_to_Male", "mean_difference_leakage_Young_to_Male"} <= set(summary)
    lines = json.loads((repo_copy / "results/lines/ae/interpolation_metrics.json").read_text())
    assert {"mean_distance", "smoothness", "angular_mean_distance"} <= set(lines)
    fid = json.loads((repo_copy / "results/synthfaces/ae/fid.json").read_text())
    for extractor in ("domain", "inception"):
        for image_set in ("recon", "interp", "edits"):
            assert fid[f"fid_{extractor}_{image_set}"] > 0
            assert f"kid_{extractor}_{image_set}_mean" in fid
    assert (fid["images_domain_recon"], fid["images_inception_edits"]) == (24, 4)
    metrics = run(repo_copy, sys.executable, "-m", "dvc", "metrics", "show")
    assert "fid_inception_interp" in metrics.stdout, metrics.stdout

    for name in OUTPUT_ROOTS:
        path = repo_copy / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    run(repo_copy, sys.executable, "-m", "dvc", "repro")
    assert output_hashes(repo_copy) == built
    status = run(repo_copy, sys.executable, "-m", "dvc", "status")
    assert "up to date" in status.stdout, status.stdout


def test_cli_errors_are_clear(repo_copy: Path) -> None:
    gaia = str(Path(sys.executable).parent / "gaia")
    result = run(repo_copy, gaia, "prepare-data", "--dataset", "celeba", check=False)
    assert result.returncode == 2
    assert "unknown dataset 'celeba'" in result.stderr and "synthfaces" in result.stderr
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
