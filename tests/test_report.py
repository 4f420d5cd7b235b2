"""reports/README.md: each number in its tables is the value, in the metric file of its row, of
the key its column names; the claims' verdicts follow the numbers.

The metric files are made up here with a distinct value per key, so a cell that reads the wrong
key or the wrong file shows a number that is not the expected one. The column -> key maps below
are written from the metric files' documentation, independently of gaia/report/results.py.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gaia import paths
from gaia.errors import GaiaError
from gaia.experiment import judged_models
from gaia.report.markdown import number
from gaia.report.results import TIMING_END, TIMING_START, results_markdown
from gaia.report.target import compute_table, write_target_report
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
    "latent midpoint": "convexity_midpoint_distance",
    "re-encoded midpoint": "convexity_reencoded_distance",
}
LINES = {
    "Mean Distance": "mean_distance",
    "Smoothness": "smoothness",
    "flat": "flat_interpolations",
    "angular MD": "angular_mean_distance",
    "cross-fade MD": "crossfade_mean_distance",
}
LINES_HELD_OUT = {
    "lines at their angle": "test_angle_accuracy",
    "median angle error (deg)": "test_angle_error_median_deg",
    "lines drawn": "test_drawn_line_accuracy",
    "median line distance": "test_line_distance_median",
}
PROBE = {"mean accuracy": "mean_accuracy", "baseline": "mean_baseline"}
MATCHED_METHODS = {"OLS": "ols", "mean diff.": "mean_difference"}
SETS = ("recon", "interp", "edits")
SHARPNESS = ("laplacian", "high_frequency")
REALISM = {"two-sample accuracy": "c2st_{}", "sharpness (Laplacian)": "sharpness_laplacian_{}",
           "sharpness (high frequency)": "sharpness_high_frequency_{}"}  # fmt: skip
BASELINES = (", ae]", ", vae]", ", acai]")  # the claims of a baseline's own latent space


class Values:
    """Distinct numbers, distinct also at the report's four significant digits."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def __call__(self) -> float:
        return round(10.0 + 0.01 * next(self.counter), 2)


# The pairs an attribute summary was measured on (its dependence_ keys): as the default law's.
PAIRS = ("Male_to_Young", "Young_to_Male", "Goatee_to_Male", "Male_to_Goatee")


def leakage_pairs(params: dict[str, Any]) -> list[str]:
    return list(PAIRS)


FLAT_CURVE = [0.2, 0.1, 0.06, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]  # converged at step 40
RISING_CURVE = [0.2, 0.1, 0.06, 0.05, 0.08, 0.1, 0.12, 0.14, 0.15, 0.16]  # 3.2x its best


def write_log(path: Path, errors: list[float], diversity: float = 0.9) -> None:
    """A training log of 100 steps evaluated every 10 (the steps of make_results)."""
    records = [
        {"step": 10 * (i + 1), "eval_recon_l1": e, "eval_recon_diversity": diversity}
        for i, e in enumerate(errors)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def make_results(params: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Metric files for the default `all` target, written under the current directory."""
    target = params["targets"]["all"]
    value = Values()
    files: dict[Path, dict[str, Any]] = {}
    # every model, and the milestones the claims are judged at
    for d, m in [(ds, m) for ds in target["datasets"] for m in judged_models(target, ds)]:
        train = {key: value() for key in HELD_OUT.values()}
        if d not in target["attribute_datasets"]:  # lines: drawn at their angle, and judged
            train |= {key: value() for key in LINES_HELD_OUT.values()}
        files[paths.train_metrics(d, m)] = train | {
            "steps": 100, "train_seconds": 987.5, "precision": "bf16"
        }  # fmt: skip
        write_log(paths.train_log(d, m), FLAT_CURVE)
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
        for m in judged_models(target, d):
            fid = {}
            for image_set in SETS:
                fid |= {f"fid_domain_{image_set}": value(), f"kid_domain_{image_set}_mean": value()}
                fid[f"images_domain_{image_set}"] = 2000 + len(fid)
                for stem in (f"fid_domain_{image_set}", f"kid_domain_{image_set}"):
                    fid |= {f"{stem}_ci_low": value(), f"{stem}_ci_high": value()}
                fid[f"c2st_{image_set}"] = value()
                fid |= {f"c2st_{image_set}_ci_low": value(), f"c2st_{image_set}_ci_high": value()}
                fid[f"c2st_{image_set}_images"] = 1000
                fid |= {f"sharpness_{k}_{image_set}": value() for k in SHARPNESS}
            files[paths.fid_metrics(d, m)] = fid
    for d in target["attribute_datasets"]:
        judge = {f"judge_leakage_{pair}": value() for pair in PAIRS[:3]}  # one not measured
        files[paths.classifier_metrics(d)] = {"accuracy_min": 0.99, **judge}
    attribute_experiments = [
        (ds, m) for ds in target["attribute_datasets"] for m in judged_models(target, ds)
    ]
    for d, m in attribute_experiments:
        summary = {f"dependence_{pair}": value() for pair in PAIRS}
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
        summary["recon_attribute_agreement"] = value()
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
        expect(row, "dependence", metrics, f"dependence_{pair}")
        judge = files[paths.classifier_metrics(row["dataset"])]
        if f"judge_leakage_{pair}" in judge:
            expect(row, "judge's own leakage", judge, f"judge_leakage_{pair}")
        else:
            assert row["judge's own leakage"] == "not measurable"
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
        for stem in ("fid", "kid"):
            low, high = (number(metrics[f"{stem}_{tag}_ci_{end}"]) for end in ("low", "high"))
            assert row[f"{stem.upper()} 95% CI"] == f"[{low}, {high}]"
    realism = section(found, "Realism beyond FID")
    assert len(realism) == len(target["fid_datasets"]) * len(target["models"]) * len(SETS)
    for row in realism:
        metrics = files[paths.fid_metrics(row["dataset"], row["model"])]
        for column, key in REALISM.items():
            expect(row, column, metrics, key.format(row["set"]))
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
    assert "| synthfaces | gaia | 100 | 988 |" in timing  # 987.5 s printed as whole seconds
    rest = markdown.replace(timing, "")
    assert "988" not in rest and "987" not in rest


def test_claim_verdicts_follow_the_numbers(default_params, report) -> None:
    files, _ = report
    target = default_params["targets"]["all"]
    (faces,) = target["fid_datasets"]

    def everywhere(file, d: str, m: str, content: dict) -> None:
        """The same numbers at the end and at the milestones: the verdict is settled."""
        for name in [m, *(f"{m}@{f:g}" for f in target["along_training"]["fractions"])]:
            write_json(file(d, name), content)

    def verdict(markdown: str, claim_start: str) -> str:
        rows = section(tables(markdown), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim_start)]
        return row["verdict"]

    gaia_fid = files[paths.fid_metrics(faces, "gaia")]
    ae_fid = files[paths.fid_metrics(faces, "ae")]
    claim = "GAIA's reconstructions are realistic"
    # The made-up values grow with each file written: GAIA's FIDs and KIDs are below the AE's.
    assert gaia_fid["fid_domain_recon"] < ae_fid["fid_domain_recon"]
    assert verdict(results_markdown(default_params), claim) == "supported"
    # At the end only: the verdict changed in the last half of training.
    write_json(paths.fid_metrics(faces, "gaia"), gaia_fid | {"fid_domain_recon": 99.0})
    assert verdict(results_markdown(default_params), claim) == (
        "not settled: mixed at the end, supported at 0.5 of training"
    )
    everywhere(paths.fid_metrics, faces, "gaia", gaia_fid | {"fid_domain_recon": 99.0})
    assert verdict(results_markdown(default_params), claim) == (
        "mixed: holds on domain KID (recon), two-sample accuracy (recon); not on domain FID (recon)"
    )
    worse = {"fid_domain_recon": 99.0, "kid_domain_recon_mean": 99.0, "c2st_recon": 99.0}
    everywhere(paths.fid_metrics, faces, "gaia", gaia_fid | worse)
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
        everywhere(paths.attribute_summary, faces, "ae", summary | values)
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim) and ", ae]" in r["claim"]]
        assert row["verdict"].startswith(expected)
        ols_text = f"OLS {number(sum(ols) / 2)} [{number(ols[0])}, {number(ols[1])}]"
        assert ols_text in row["evidence"]
        judge = files[paths.classifier_metrics(faces)]["judge_leakage_Young_to_Male"]
        assert f"(shown, not judged): judge {number(judge)} vs truth 0" in row["evidence"]

    lines = next(d for d in target["datasets"] if d not in target["attribute_datasets"])
    claim = "GAIA's latents keep the data's structure"
    gaia_probe, ae_probe = files[paths.probe(lines, "gaia")], files[paths.probe(lines, "ae")]
    assert gaia_probe["mean_accuracy"] < ae_probe["mean_accuracy"]  # written first: smaller

    def probe_verdict() -> str:
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim) and f"[{lines}]" in r["claim"]]
        return row["verdict"]

    assert probe_verdict().startswith("not supported")
    everywhere(paths.probe, lines, "gaia", gaia_probe | {"mean_accuracy": 99.0})
    assert probe_verdict() == "supported"


def test_the_report_opens_with_the_answer(report) -> None:
    _, markdown = report
    sections = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert sections[0].startswith("## The answer")
    before = markdown.split("## The answer")[0]
    assert not re.search(r"\d", before), "no number before the answer table"
    found = tables(markdown)
    answer = section(found, "The answer")
    detail = {r["claim"]: r["verdict"] for r in section(found, "The paper's claims")}
    assert [r["claim"] for r in answer] == list(detail)
    for row in answer:
        assert detail[row["claim"]].startswith(row["verdict"])
        assert row["key number"] in next(
            r["evidence"]
            for r in section(found, "The paper's claims")
            if r["claim"] == row["claim"]
        )


def test_no_verdict_reads_another_models_pixel_error(default_params, report) -> None:
    """GAIA's held-out L1 at 50x the AE's changes no verdict: it is a finding, not a gate."""
    files, _ = report
    target = default_params["targets"]["all"]

    def verdicts() -> dict[str, str]:
        found = tables(results_markdown(default_params))
        return {r["claim"]: r["verdict"] for r in section(found, "The paper's claims")}

    expected = verdicts()
    for d in target["datasets"]:
        ae_l1 = files[paths.train_metrics(d, "ae")]["test_recon_l1"]
        metrics = files[paths.train_metrics(d, "gaia")] | {"test_recon_l1": 50 * ae_l1}
        write_json(paths.train_metrics(d, "gaia"), metrics)
    assert verdicts() == expected
    states = section(tables(results_markdown(default_params)), "Training: each model")
    (row,) = [r for r in states if (r["dataset"], r["model"]) == (target["datasets"][0], "gaia")]
    assert row["L1 / AE's L1"] == "50" and row["state"] == "converged"
    assert row["precision"] == "bf16"  # what each model trained in is stated


def test_a_collapsed_gaia_makes_its_claims_collapsed_and_leaves_the_baselines(
    default_params, report
) -> None:
    target = default_params["targets"]["all"]
    (faces,) = target["attribute_datasets"]

    def verdicts(dataset: str) -> dict[str, str]:
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        return {r["claim"]: r["verdict"] for r in rows if f"[{dataset}" in r["claim"]}

    write_log(paths.train_log(faces, "gaia"), RISING_CURVE)
    found = verdicts(faces)
    gaia_claims = {c: v for c, v in found.items() if not c.endswith(BASELINES)}
    assert len(gaia_claims) >= 6
    for claim, verdict in gaia_claims.items():
        assert verdict.startswith("collapsed: gaia collapsed from step 40"), claim
    baselines = {c: v for c, v in found.items() if c.endswith(BASELINES)}
    assert {c.rsplit(", ", 1)[1] for c in baselines} == {"ae]", "vae]", "acai]"}
    assert not any(v.startswith("collapsed") for v in baselines.values())

    # one image for every input, at a low error: collapsed too
    write_log(paths.train_log(faces, "gaia"), FLAT_CURVE, diversity=0.05)
    assert all(v.startswith("collapsed") for c, v in verdicts(faces).items() if "gaia]" in c)

    improving = [0.2, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04]
    write_log(paths.train_log(faces, "gaia"), improving)
    for claim, verdict in verdicts(faces).items():
        if not claim.endswith(BASELINES) and not verdict.startswith("not measured"):
            assert verdict.endswith("at this budget (gaia improving)"), claim


def test_the_regulariser_claim_needs_its_ablation(default_params, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    target = default_params["targets"]["all"]
    target["models"] = [*target["models"], "gaia_nodist"]  # this test's own copy
    files = make_results(default_params)
    claim = "The distance regulariser keeps latent distances like pixel distances"

    def verdict() -> str:
        rows = section(tables(results_markdown(default_params)), "The paper's claims")
        (row,) = [r for r in rows if r["claim"].startswith(claim) and "[synthfaces]" in r["claim"]]
        return row["verdict"]

    for model, rho in (("gaia", 0.8), ("gaia_nodist", 0.6), ("ae", 0.9)):
        path = paths.interpolation_metrics("synthfaces", model)
        write_json(path, files[path] | {"distance_correlation": rho})
    assert verdict() == "supported"  # judged against the ablation, not against the AE
    path = paths.interpolation_metrics("synthfaces", "gaia_nodist")
    write_json(path, files[path] | {"distance_correlation": 0.85})
    assert verdict().startswith("not supported")
    for model, rho in (("gaia", 0.8), ("gaia_nodist", 0.78)):  # within each other's intervals
        path = paths.interpolation_metrics("synthfaces", model)
        bounds = {
            "distance_correlation_ci_low": rho - 0.05,
            "distance_correlation_ci_high": rho + 0.05,
        }
        write_json(path, files[path] | {"distance_correlation": rho} | bounds)
    assert verdict().startswith("not told apart: the 95% intervals overlap")
    target["models"].remove("gaia_nodist")
    assert verdict().startswith("not measured: this target trains no GAIA with distance_weight 0")


def test_the_later_gaia_is_judged_apart_and_labelled(default_params, tmp_path, monkeypatch):
    """With the author's later GAIA trained beside the faithful one, every GAIA claim is judged
    on each, the later one's named in its words and scope; the regulariser claim (it has none)
    and the per-model OLS claims (once a run) are not repeated for it."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    target = default_params["targets"]["all"]
    target["models"] = [*target["models"], "gaia_later"]  # this test's own copy
    make_results(default_params)
    rows = section(tables(results_markdown(default_params)), "The paper's claims")
    claims = [r["claim"] for r in rows]
    later = [c for c in claims if c.endswith(", gaia_later]") and not c.startswith("OLS")]
    faithful = [c for c in claims if c.endswith(("[synthfaces]", "[lines]"))]
    assert len(later) == len(faithful) - 2  # no regulariser claim on either dataset
    assert not any("GAIA" in c.replace("later GAIA", "") for c in later)
    assert any(c.startswith("The later GAIA's reconstructions are realistic") for c in later)
    assert not any(c.startswith("The distance regulariser") for c in later)
    ols = "OLS attribute vectors are less entangled than mean-difference vectors"
    assert sorted(c for c in claims if c.startswith(ols)) == sorted(
        f"{ols} [synthfaces, {m}]" for m in target["models"]
    )
    write_log(paths.train_log("synthfaces", "gaia_later"), RISING_CURVE)
    verdicts = {
        r["claim"]: r["verdict"]
        for r in section(tables(results_markdown(default_params)), "The paper's claims")
    }
    assert all(v.startswith("collapsed: gaia_later") for c, v in verdicts.items()
               if c.endswith("[synthfaces, gaia_later]"))  # fmt: skip
    assert not any(v.startswith("collapsed") for c, v in verdicts.items() if c in faithful)


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


def test_equal_values_over_the_seeds_have_no_spread() -> None:
    from gaia.report.markdown import mean_sd, spread

    assert spread([0.9052] * 3) == "0.9052 ± 0"  # np.std gives 1.4e-16 for these
    assert mean_sd([0.1, 0.3]) == pytest.approx((0.2, 0.1414), abs=1e-4)
    assert spread([0.5]) == "0.5"


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


def test_compute_counts_core_hours_on_the_cpu_and_gpu_hours_on_cuda(tmp_path: Path) -> None:
    folders = {seed: tmp_path / f"s{seed}" for seed in (0, 1)}
    runs = {
        # seed 0: 2 threads for half an hour (1 core-hour); on CUDA, 2 GPUs for 3 hours (6)
        0: {
            ("lines", "gaia"): {"device": "cpu", "processes": 1, "threads": 2},
            ("lines", "ae"): {"device": "cuda", "processes": 2, "threads": 16},
        },
        # seed 1: a record from before the device was written: cpu_threads (4) on the CPU
        1: {("lines", "gaia"): {}},
    }
    seconds = {("lines", "gaia"): 1800.0, ("lines", "ae"): 10800.0}
    for seed, experiments in runs.items():
        for (dataset, model), resources in experiments.items():
            path = folders[seed] / paths.train_metrics(dataset, model)
            path.parent.mkdir(parents=True)
            metrics = {"steps": 100, "precision": "bf16", "train_seconds": seconds[dataset, model]}
            write_json(path, metrics | resources)

    entry = {"datasets": ["lines"], "models": ["gaia", "ae"]}
    lines = compute_table(entry, folders, cpu_threads=4)

    rows = {tuple(line.split(" | ")[1:3]): line.split(" | ") for line in lines if "| lines" in line}
    assert rows["gaia", "100"][3:] == ["core (bf16)", "1.5 ± 0.7071", "3", "2 |"]
    assert rows["ae", "100"][3:] == ["GPU (bf16)", "6", "6", "1 |"]
    assert (
        "In all: 3 core-hours, 6 GPU-hours (seed 0: 1 core-hours, 6 GPU-hours; "
        "seed 1: 2 core-hours)." in "\n".join(lines)
    )


def test_a_missing_record_stops_the_target_report_before_it_writes(
    default_params, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no records here
    default_params["targets"]["full"]["report_dir"] = "report"
    with pytest.raises(GaiaError, match=r"full_s0/results/.*no metrics file"):
        write_target_report(default_params, "full")
    assert not (tmp_path / "report").exists()  # no figure copied or drawn, no page
