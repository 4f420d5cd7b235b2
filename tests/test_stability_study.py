"""benchmarks/stability_study.py: each committed run judged by the pipeline's detector, the
collapse rate per variant with its Wilson interval, onsets and every seed's curve."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from conftest import REPO


def _study():
    sys.path.insert(0, str(REPO / "benchmarks"))  # it imports learning_runs, as when run
    spec = importlib.util.spec_from_file_location(
        "stability_study", REPO / "benchmarks" / "stability_study.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_run(folder: Path, curve: list[float]) -> None:
    folder.mkdir(parents=True)
    records = [{"step": 200 * (i + 1), "eval_recon_l1": l1, "eval_recon_diversity": 0.9}
               for i, l1 in enumerate(curve)]  # fmt: skip
    (folder / "train_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    metrics = {"steps": 200 * len(curve), "test_recon_l1": curve[-1], "train_seconds": 600.0}
    (folder / "train_metrics.json").write_text(json.dumps(metrics | {"precision": "bf16"}))
    (folder / "params.yaml").write_text("training: {}\n")


def test_the_report_counts_collapses_with_their_interval(tmp_path, monkeypatch) -> None:
    study = _study()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text((REPO / "params.yaml").read_text())
    runs = tmp_path / "docs" / "stability" / "runs" / "synthfaces"
    falling = [0.1, 0.08, 0.06, 0.05, 0.045, 0.042, 0.041, 0.0405]
    _write_run(runs / "gaia" / "s0", falling)
    _write_run(runs / "gaia" / "s1", [0.1, 0.05, 0.04, 0.06, 0.1, 0.15, 0.16, 0.17])  # 4.25x
    _write_run(runs / "gaia_later" / "s0", falling)
    monkeypatch.setattr(sys, "argv", ["stability_study.py", "report"])
    study.main()
    text = (tmp_path / "docs" / "stability" / "README.md").read_text()
    # 1 of 2 collapsed: Wilson 95% interval [0.0945, 0.9055]; its onset is its best (step 600)
    assert "| gaia | 2 (of 8) | 1 | 0.5 [0.09453, 0.9055] | 600 |" in text
    assert "| gaia_later | 1 (of 8) | 0 |" in text
    assert "| gaia | s1 | bf16 | 10 | collapsed |" in text
    assert (tmp_path / "docs" / "stability" / "curves.png").is_file()


def test_a_variant_outside_the_study_is_refused() -> None:
    study = _study()
    with pytest.raises(SystemExit):
        study.main.__globals__["sys"].argv = [
            "stability_study.py",
            "run",
            "--variant",
            "x",
            "--seed",
            "0",
        ]
        study.main()
