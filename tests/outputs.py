"""Digests of a pipeline run's outputs, comparable between runs (timings and the bytes that
torch.save and np.savez vary left out), and the tiny pipeline's configuration with Inception."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import torch
import yaml

from gaia.report.results import TIMING_END, TIMING_START
from gaia.utils.io import sha256_file, tensor_digest

OUTPUT_ROOTS = (
    "data/processed",
    "results",
    "reports/figures",
    "reports/datasets.md",
    "reports/README.md",
)
RUN_FOLDER = re.compile(r"^results/[a-z][a-z0-9]*_s[0-9]+/")
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
    state = torch.load(path, weights_only=False)
    metadata = json.dumps(state.get("experiment", state.get("config")), sort_keys=True)
    return hashlib.sha256((metadata + tensor_digest(path)).encode()).hexdigest()


def arrays_digest(path: Path) -> str:
    """The sha256 of an .npz file's arrays, names, dtypes and shapes."""
    digest = hashlib.sha256()
    with np.load(path) as arrays:
        for name in sorted(arrays.files):
            array = arrays[name]
            digest.update(f"{name}{array.dtype}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def output_hashes(root: Path) -> dict[str, str]:
    """sha256 of every pipeline output (training logs: their content less timings), except
    step logs (timestamps), Snakemake's benchmark tables (timings) and Snakemake's directory
    markers (which .dvcignore hides from DVC)."""
    hashes = {}
    for name in OUTPUT_ROOTS:
        top = root / name
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            relative = str(path.relative_to(root))
            in_run = RUN_FOLDER.sub("", relative)  # a seed's run: the same layout in its folder
            bookkeeping = (
                in_run.startswith(("results/logs/", "results/benchmarks/"))
                or "/resume/" in relative  # training state, not an output
                or path.name == ".snakemake_timestamp"
            )
            if not path.is_file() or bookkeeping:
                continue
            if path.name in ("train_log.jsonl", "train_metrics.json"):
                hashes[relative] = without_timing(path)
            elif in_run == "reports/README.md":  # training times differ between runs
                text = path.read_text()
                start, end = text.index(TIMING_START), text.index(TIMING_END)
                hashes[relative] = text[:start] + text[end:]
            elif path.suffix == ".pt":
                hashes[relative] = weights_digest(path)
            elif path.suffix == ".npz":  # zip members carry their write time
                hashes[relative] = arrays_digest(path)
            else:
                hashes[relative] = sha256_file(path)
    return hashes


def across_runs(hashes: dict[str, str]) -> dict[str, str]:
    """Output digests comparable between two runs of the workflow, whose training took other
    times: the training figures count by name only (their last panel plots seconds)."""
    return {
        name: "drawn against measured seconds"
        if name.startswith("reports/figures/training_")
        else digest
        for name, digest in hashes.items()
    }


def require_inception(root: Path, weights: Path) -> None:
    """FID with both extractors, Inception from a locally made weights file."""
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["fid"]["extractors"] = ["domain", "inception-v3-compat"]
    params["fid"]["inception"].update(weights=str(weights), sha256=sha256_file(weights))
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
