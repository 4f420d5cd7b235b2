"""benchmarks/learning_runs.py: the summary's rows are the logged evaluations, and `--terms`
averages the logged training terms over exactly the steps since the previous row shown."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import REPO


def _learning_runs():
    spec = importlib.util.spec_from_file_location(
        "learning_runs", REPO / "benchmarks" / "learning_runs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_log(tmp_path: Path) -> None:
    """Training rows every 50 steps (L_gr = step / 1000, p_fake = 0.5), evaluations every 100."""
    records = []
    for step in range(50, 401, 50):
        records.append({"step": step, "L_gr": step / 1000, "p_fake": 0.5, "images_per_s": 32.0})
        if step % 100 == 0:
            records.append({"step": step, "eval_recon_l1": 1.0 / step})
    log = tmp_path / "results" / "synthfaces" / "gaia_x" / "resume" / "train_log.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_curve_averages_terms_between_the_rows_shown(tmp_path, monkeypatch) -> None:
    _write_log(tmp_path)
    monkeypatch.chdir(tmp_path)
    curve = _learning_runs().curve

    every_row = curve("synthfaces", "gaia_x", 32, terms=("L_gr", "p_fake"))
    assert every_row["step"].tolist() == [100, 200, 300, 400]
    assert every_row["eval_recon_l1"].tolist() == pytest.approx([0.01, 0.005, 1 / 300, 0.0025])
    # steps 50 and 100, then 150 and 200, ...
    assert every_row["L_gr"].tolist() == pytest.approx([0.075, 0.175, 0.275, 0.375])
    assert every_row["p_fake"].tolist() == pytest.approx([0.5] * 4)
    assert every_row["seconds"].tolist() == pytest.approx([100.0, 200.0, 300.0, 400.0])

    second_rows = curve("synthfaces", "gaia_x", 32, every=2, terms=("L_gr",))
    assert second_rows["step"].tolist() == [200, 400]
    assert second_rows["L_gr"].tolist() == pytest.approx([0.125, 0.325])  # 50..200, 250..400


def test_curve_names_a_term_the_log_lacks(tmp_path, monkeypatch) -> None:
    _write_log(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"no logged term \['L_nope'\]"):
        _learning_runs().curve("synthfaces", "gaia_x", 32, terms=("L_nope",))
