"""reports/README.md: each number in its tables is the value, in the metric file of its row, of
the key its column names; the claims' verdicts follow the numbers.

The metric files are made up here with a distinct value per key, so a cell that reads the wrong
key or the wrong file shows a number that is not the expected one. The column -> key maps below
are written from the metric files' documentation, independently of gaia/report/results.py.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gaia import paths
from gaia.report.markdown import number
from gaia.report.results import TIMING_END, TIMING_START, results_markdown
from gaia.utils.io import write_json

from conftest import REPO

HELD_OUT = {
    "G(X) L1": "test_recon_l1",
    "G(X) MSE": "test_recon_mse",
    "D(X) L1": "test_d_real_l1",
    "D(G(X)) vs X L1": "test_d_fake_from_real_l1",
    "D(G(Zi)) L1": "test_d_interp_l1",
    "L1 drop, last quarter": "late_gain_recon_l1",
}
FACES = {
    "confidence real": "classifier_confidence_real",
    "confidence t=0.5": "classifier_confidence_alpha_0.50",
    "D error t=0": "d_error_alpha_0.00",
    "D error t=0.5": "d_error_alpha_0.50",
    "nearest real: midpoint": "nearest_real_midpoint",
    "reconstruction": "nearest_real_reconstruction",
    "real-real": "nearest_real_real",
}
LINES = {
    "Mean Distance": "mean_distance",
    "Smoothness": "smoothness",
    "flat": "flat_interpolations",
    "angular MD": "angular_mean_distance",
    "cross-fade MD": "crossfade_mean_distance",
}
LINES_HELD_OUT = {
    "lines drawn at their angle": "test_angle_accuracy",
    "median angle error (deg)": "test_angle_error_median_deg",
}
PROBE = {"mean accuracy": "mean_accuracy", "baseline": "mean_baseline"}
MATCHED_METHODS = {"OLS": "ols", "mean diff.": "mean_difference"}
SETS = ("recon", "interp", "edits")
BASELINES = (", ae]", ", vae]", ", acai]")  # the claims of a baseline's own latent space


class Values:
    """Distinct numbers, distinct also at the report's four significant digits."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def __call__(self) -> float:
        return round(10.0 + 0.01 * next(self.counter), 2)


def leakage_pairs(params: dict[str, Any]) -> list[str]:
    return [f"{s}_to_{t}" for s, t in params["analysis"]["edits"]["leakage_pairs"]]


def make_results(params: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Metric files for the default `all` target, written under the current directory."""
    target = params["targets"]["all"]
    value = Values()
    files: dict[Path, dict[str, Any]] = {}
    for d, m in itertools.product(target["datasets"], target["models"]):
        train = {key: value() for key in HELD_OUT.values()}
        if d not in target["attribute_datasets"]:  # lines: drawn at their angle, and judged
            train |= {"test_angle_accuracy": 0.95 + 0.001 * value(), **{LINES_HELD_OUT[
                "median angle error (deg)"]: value()}}  # fmt: skip
        files[paths.train_metrics(d, m)] = train | {"steps": 100, "train_seconds": 12.5}
        keys = FACES.values() if d in target["attribute_datasets"] else LINES.values()
        files[paths.interpolation_metrics(d, m)] = {key: value() for key in keys}
        task = "attributes" if d in target["attribute_datasets"] else "angle_bins"
        probes = {
            name: {"accuracy": value(), "baseline": value(), "n_train": 10, "n_test": 5}
            for name in (["Male", "Young"] if task == "attributes" else ["angle_10_bins"])
        }
        files[paths.probe(d, m)] = {
            "task": task,
            "probes": probes,
            **{key: value() for key in PROBE.values()},
        }
    for d in target["fid_datasets"]:
        files[paths.fid_reference_info(d)] = {
            "extractors": ["domain"],
            "skipped": {"inception-v3-compat": "weights missing; offline"},
        }
        for m in target["models"]:
            fid = {}
            for image_set in SETS:
                fid |= {f"fid_domain_{image_set}": value(), f"kid_domain_{image_set}_mean": value()}
                fid[f"images_domain_{image_set}"] = 2000 + len(fid)
            files[paths.fid_metrics(d, m)] = fid
    for d, m in itertools.product(target["attribute_datasets"], target["models"]):
        summary = {}
        for method in ("ols", "mean_difference"):
            summary[f"{method}_mean_efficacy"] = value()
            summary[f"{method}_mean_leakage"] = value()
            summary |= {f"{method}_leakage_{pair}": value() for pair in leakage_pairs(params)}
            for pair in leakage_pairs(params):
                key = f"matched_{method}_leakage_{pair}"
                summary |= {key: value(), f"{key}_ci_low": value(), f"{key}_ci_high": value()}
                summary[f"matched_expected_sign_{pair}"] = -1.0
            summary[f"matched_{method}_mean_abs_leakage"] = value()
            summary |= {f"matched_{method}_edits_reached": 16, f"matched_{method}_edits": 16}
        files[paths.attribute_summary(d, m)] = summary
    for path, content in files.items():
        write_json(path, content)
    return files


def tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Each `## title` section's table as a list of {header: cell} rows."""
    out = {}
    for section in markdown.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("|")]
        if not lines:
            continue
        header = [cell.strip() for cell in lines[0].strip("|").split(" | ")]
        out[title] = [
            dict(zip(header, (c.strip() for c in line.strip("|").split(" | ")), strict=True))
            for line in lines[2:]
        ]
    return out


def section(found: dict[str, list[dict[str, str]]], prefix: str) -> list[dict[str, str]]:
    (title,) = [t for t in found if t.startswith(prefix)]
    return found[title]


@pytest.fixture
def report(default_params, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    files = make_results(default_params)
    return files, results_markdown(default_params)


def test_every_table_cell_is_its_metric_files_value(default_params, report) -> None:
    files, markdown = report
    target = default_params["targets"]["all"]
    found = tables(markdown)
    checked = 0

    def expect(row: dict[str, str], column: str, metrics: dict[str, Any], key: str) -> None:
        nonlocal checked
        assert row[column] == number(metrics[key]), (row, column, key)
        checked += 1

    held_out = section(found, "Held-out reconstruction error")
    assert [(r["dataset"], r["model"]) for r in held_out] == list(
        itertools.product(target["datasets"], target["models"])
    )
    for row in held_out:
        metrics = files[paths.train_metrics(row["dataset"], row["model"])]
        for column, key in HELD_OUT.items():
            expect(row, column, metrics, key)
        if row["dataset"] in target["attribute_datasets"]:
            assert all(row[column] == "" for column in LINES_HELD_OUT)
        else:
            for column, key in LINES_HELD_OUT.items():
                expect(row, column, metrics, key)

    matched = section(found, "Attribute leakage at matched efficacy")
    pairs = leakage_pairs(default_params)
    assert len(matched) == len(target["attribute_datasets"]) * len(target["models"]) * len(pairs)
    for row in matched:
        metrics = files[paths.attribute_summary(row["dataset"], row["model"])]
        pair = row["source -> target"].replace(" -> ", "_to_")
        assert row["expected sign"] == "-1"
        for column, method in MATCHED_METHODS.items():
            key = f"matched_{method}_leakage_{pair}"
            expect(row, f"{column} leakage", metrics, key)
            low, high = number(metrics[f"{key}_ci_low"]), number(metrics[f"{key}_ci_high"])
            assert row[f"{column} 95% CI"] == f"[{low}, {high}]"

    fid_rows = section(found, "FID and KID")
    measured = [r for r in fid_rows if r["set"] != "skipped"]
    assert len(measured) == len(target["fid_datasets"]) * len(target["models"]) * len(SETS)
    for row in measured:
        metrics = files[paths.fid_metrics(row["dataset"], row["model"])]
        tag = f"{row['extractor']}_{row['set']}"
        expect(row, "FID", metrics, f"fid_{tag}")
        expect(row, "KID mean", metrics, f"kid_{tag}_mean")
        assert row["images"] == str(metrics[f"images_{tag}"])
    skipped = [r for r in fid_rows if r["set"] == "skipped"]
    assert [(r["extractor"], r["FID"]) for r in skipped] == [
        ("inception-v3-compat", "weights missing")
    ]

    attribute_rows = section(found, "Attribute vectors")
    assert len(attribute_rows) == len(target["attribute_datasets"]) * len(target["models"]) * 2
    for row in attribute_rows:
        metrics = files[paths.attribute_summary(row["dataset"], row["model"])]
        method = row["method"]
        expect(row, "mean efficacy", metrics, f"{method}_mean_efficacy")
        expect(row, "mean leakage", metrics, f"{method}_mean_leakage")
        signed = dict(part.split(": ") for part in row["signed leakage"].split("; "))
        expected = {
            p: number(metrics[f"{method}_leakage_{p}"]) for p in leakage_pairs(default_params)
        }
        assert signed == expected
        checked += len(signed)

    for prefix, columns in (("Interpolations of faces", FACES), ("Interpolations of lines", LINES)):
        rows = section(found, prefix)
        assert rows, prefix
        for row in rows:
            metrics = files[paths.interpolation_metrics(row["dataset"], row["model"])]
            for column, key in columns.items():
                expect(row, column, metrics, key)
    probe_rows = section(found, "Linear probe of the latents")
    assert [(r["dataset"], r["model"]) for r in probe_rows] == list(
        itertools.product(target["datasets"], target["models"])
    )
    for row in probe_rows:
        metrics = files[paths.probe(row["dataset"], row["model"])]
        for column, key in PROBE.items():
            expect(row, column, metrics, key)
        lowest = min(metrics["probes"].items(), key=lambda item: item[1]["accuracy"])
        assert row["lowest"] == f"{lowest[0]} {number(lowest[1]['accuracy'])}"
    assert checked > 60, checked


def test_training_times_sit_between_the_timing_markers(report) -> None:
    _, markdown = report
    timing = markdown[markdown.index(TIMING_START) : markdown.index(TIMING_END)]
    assert "| synthfaces | gaia | 100 | 12 |" in timing  # 12.5 s printed as whole seconds
    assert "12" not in markdown.replace(timing, "").split("## Held-out")[0]


def test_claim_verdicts_follow_the_numbers(default_params, report) -> None:
    files, _ = report
    target = default_params["targets"]["all"]
    (faces,) = target["fid_datasets"]

    def verdict(markdown: str, claim_start: str) -> str:
        rows = section(tables(markdown), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim_start)]
        return row["verdict"]

    gaia_fid = files[paths.fid_metrics(faces, "gaia")]
    ae_fid = files[paths.fid_metrics(faces, "ae")]
    claim = "GAIA reconstructs inputs realistically"
    # The made-up values grow with each file written: GAIA's FIDs are below the AE's.
    assert gaia_fid["fid_domain_recon"] < ae_fid["fid_domain_recon"]
    assert verdict(results_markdown(default_params), claim) == "supported"
    write_json(paths.fid_metrics(faces, "gaia"), gaia_fid | {"fid_domain_recon": 99.0})
    assert verdict(results_markdown(default_params), claim).startswith("not supported")

    summary = files[paths.attribute_summary(faces, "ae")]
    claim = "OLS weakens the pull of 'young' towards 'female'"
    key = "matched_{}_leakage_Young_to_Male"
    # (OLS interval, mean-difference interval), expected sign -1: apart when OLS is above
    for ols, md, expected in (
        ((-0.05, 0.02), (-0.4, -0.2), "supported"),
        ((-0.25, -0.1), (-0.4, -0.2), "not supported"),
    ):
        values = {}
        for method, (low, high) in (("ols", ols), ("mean_difference", md)):
            k = key.format(method)
            values |= {k: (low + high) / 2, f"{k}_ci_low": low, f"{k}_ci_high": high}
        write_json(paths.attribute_summary(faces, "ae"), summary | values)
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim) and ", ae]" in r["claim"]]
        assert row["verdict"].startswith(expected)
        ols_text = f"OLS {number(sum(ols) / 2)} [{number(ols[0])}, {number(ols[1])}]"
        assert ols_text in row["evidence"]

    lines = next(d for d in target["datasets"] if d not in target["attribute_datasets"])
    claim = "GAIA's latents keep the data's structure"
    gaia_probe, ae_probe = files[paths.probe(lines, "gaia")], files[paths.probe(lines, "ae")]
    assert gaia_probe["mean_accuracy"] < ae_probe["mean_accuracy"]  # written first: smaller

    def probe_verdict() -> str:
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim) and f"[{lines}]" in r["claim"]]
        return row["verdict"]

    assert probe_verdict().startswith("not supported")
    write_json(paths.probe(lines, "gaia"), gaia_probe | {"mean_accuracy": 99.0})
    assert probe_verdict() == "supported"


def test_verdicts_on_an_undertrained_gaia_are_inconclusive(default_params, report) -> None:
    files, _ = report
    target = default_params["targets"]["all"]
    limit = default_params["report"]["max_recon_ratio"]
    (faces,) = target["attribute_datasets"]
    (lines,) = [d for d in target["datasets"] if d not in target["attribute_datasets"]]

    def verdicts(dataset: str) -> dict[str, str]:
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        return {r["claim"]: r["verdict"] for r in rows if f"[{dataset}" in r["claim"]}

    def gaia_claims(found: dict[str, str]) -> dict[str, str]:
        return {c: v for c, v in found.items() if not c.endswith(BASELINES)}

    trained = verdicts(faces)
    assert not any(v.startswith("inconclusive") for v in trained.values())
    ae_l1 = files[paths.train_metrics(faces, "ae")]["test_recon_l1"]
    for ratio, judged in ((limit * 0.99, True), (limit * 1.01, False)):
        gaia = files[paths.train_metrics(faces, "gaia")] | {"test_recon_l1": ratio * ae_l1}
        write_json(paths.train_metrics(faces, "gaia"), gaia)
        found = verdicts(faces)
        assert len(gaia_claims(found)) >= 5
        for claim, verdict in gaia_claims(found).items():
            assert verdict.startswith("inconclusive: GAIA undertrained") != judged, claim
            if not judged:
                assert f"{ratio:.2f}x" in verdict and number(ae_l1) in verdict
        # the baselines' own OLS vs mean-difference claims do not read GAIA
        baselines = {c: v for c, v in found.items() if c.endswith(BASELINES)}
        assert {c.rsplit(", ", 1)[1] for c in baselines} == {"ae]", "vae]", "acai]"}
        assert not any(v.startswith("inconclusive") for v in baselines.values())

    # Behind the AE with a flat curve: reported as losing in pixel error, not as undertrained.
    flat = default_params["report"]["flat_gain"] / 2
    gaia = files[paths.train_metrics(faces, "gaia")] | {
        "test_recon_l1": limit * 1.01 * ae_l1,
        "late_gain_recon_l1": flat,
    }
    write_json(paths.train_metrics(faces, "gaia"), gaia)
    for claim, verdict in gaia_claims(verdicts(faces)).items():
        assert verdict.startswith("inconclusive: GAIA's held-out curve is flat"), claim
        assert f"{limit * 1.01:.2f}x" in verdict and "loses to the AE" in verdict
    # Behind the AE with an error that rose late: unstable, neither flat nor undertrained.
    write_json(paths.train_metrics(faces, "gaia"), gaia | {"late_gain_recon_l1": -0.5})
    for claim, verdict in gaia_claims(verdicts(faces)).items():
        assert verdict.startswith("inconclusive: GAIA's held-out error rose by 50%"), claim

    assert not verdicts(lines)["GAIA interpolates lines better than the AE (ACAI's benchmark) "
                                f"[{lines}]"].startswith("inconclusive")  # fmt: skip
    gaia = files[paths.train_metrics(lines, "gaia")] | {"test_angle_accuracy": 0.5}
    write_json(paths.train_metrics(lines, "gaia"), gaia)
    for verdict in verdicts(lines).values():  # the benchmark's and the probe's claims
        assert verdict.startswith("inconclusive: GAIA undertrained") and "50.0%" in verdict


def test_every_figure_is_embedded_with_its_caption(default_params, report) -> None:
    _, markdown = report
    target = default_params["targets"]["all"]
    embedded = re.findall(r"!\[([^\]]+)\]\(figures/([a-z_]+)\.png\)\n\n\*([^*]+)\*", markdown)
    names = [name for _, name, _ in embedded]
    expected = [
        f"{figure}_{d}"
        for d in target["datasets"]
        for figure in ("training", "reconstructions", "interpolations", "convexity")
    ] + [
        f"{figure}_{d}"
        for d in target["attribute_datasets"]
        for figure in ("attribute_edits", "entanglement")
    ]
    assert sorted(names) == sorted(expected)
    assert all(alt == caption for alt, _, caption in embedded)


def test_a_pipe_inside_a_cell_does_not_split_it() -> None:
    from gaia.report.markdown import table

    header, _, row, blank = table(["claim", "verdict"], [["mean |leakage| of x", "ok"]])
    assert row == "| mean \\|leakage\\| of x | ok |" and blank == ""
    assert len(re.split(r"(?<!\\)\|", row)) == len(re.split(r"(?<!\\)\|", header))


def test_the_stamp_ignores_the_reports_own_folder(tmp_path: Path, monkeypatch) -> None:
    from gaia.report.target import git_commit

    monkeypatch.chdir(tmp_path)
    for name in ("code.py", "docs/results/README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("v1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    (tmp_path / "docs/results/README.md").write_text("v2\n")  # the report rewriting itself
    assert not git_commit("docs/results").endswith("+changes")
    assert git_commit().endswith("+changes")
    (tmp_path / "code.py").write_text("v2\n")
    assert git_commit("docs/results").endswith("+changes")
    outside = tmp_path.parent / "elsewhere"  # a report_dir outside the repository
    assert git_commit(str(outside)).endswith("+changes")  # not 'unknown'


def test_interpolation_tables_follow_the_dataset_kind(default_params, tmp_path, monkeypatch):
    """A faces dataset outside attribute_datasets still has the faces metrics (the kind decides
    what interpolation-metrics measures), so its rows go to the faces table, not the lines one."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    make_results(default_params)
    default_params["targets"]["all"]["attribute_datasets"] = []  # this test's own copy
    found = tables(results_markdown(default_params))
    faces = section(found, "Interpolations of faces")
    lines = section(found, "Interpolations of lines")
    assert {r["dataset"] for r in faces} == {"synthfaces"}
    assert {r["dataset"] for r in lines} == {"lines"}
    assert all(r["confidence real"] for r in faces)
