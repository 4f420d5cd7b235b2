"""reports/README.md: every metric of a run, every figure, and the paper's claims against them.

Every number is read from a metric file under results/ and printed with `markdown.number`
(tests/test_report.py checks each against its file). Verdicts on the paper's claims are computed
from the same numbers, never written by hand. Training times vary between runs, so they sit in
one section between TIMING_START and TIMING_END markers (tests compare reports without it).
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from gaia import __version__, paths
from gaia.report.markdown import number, table
from gaia.utils.io import sha256_file, write_text

TIMING_START, TIMING_END = "<!-- timing -->", "<!-- /timing -->"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _by_objective(params: dict[str, Any], models: Sequence[str], objective: str) -> str | None:
    return next((m for m in models if params["models"][m]["objective"] == objective), None)


def _figures(datasets: Sequence[str], attribute_datasets: Sequence[str]) -> list[tuple[str, str]]:
    """(figure file name, caption) in reading order."""
    out = []
    for d in datasets:
        out += [
            (f"training_{d}", f"Training dynamics on {d}: losses, lr_D/lr_G, p_fake/p_s."),
            (
                f"reconstructions_{d}",
                f"Held-out {d} images X, each model's G(X), GAIA's D(X) and D(G(X)).",
            ),
            (
                f"interpolations_{d}",
                f"Latent interpolations between held-out {d} pairs, with the pixel cross-fade.",
            ),
            (
                f"convexity_{d}",
                f"PCA of real {d} latents with interpolation midpoints and their re-encodings.",
            ),
        ]
        if d in attribute_datasets:
            out += [
                (
                    f"attribute_edits_{d}",
                    f"Attribute edits of held-out {d} faces, OLS next to mean difference.",
                ),
                (
                    f"entanglement_{d}",
                    "Change of every attribute per unit of each vector added, per method.",
                ),
            ]
    return out


def _claims(params: dict[str, Any], target: dict[str, Any]) -> list[list[str]]:
    """[claim, evidence, verdict] rows, computed from the metric files."""
    gaia = _by_objective(params, target["models"], "gaia")
    ae = _by_objective(params, target["models"], "ae")
    if gaia is None or ae is None:
        return []
    rows = []

    def claim(text: str, evidence: str, holds: bool, why_not: str = "") -> None:
        verdict = "supported" if holds else f"not supported{': ' + why_not if why_not else ''}"
        rows.append([text, evidence, verdict])

    budget = "at this training budget"
    for d in target["fid_datasets"]:
        g, a = _load(paths.fid_metrics(d, gaia)), _load(paths.fid_metrics(d, ae))
        for image_set, text in (
            ("recon", "GAIA reconstructs inputs realistically (paper's comparison figure)"),
            ("interp", "GAIA's interpolations decode to realistic images"),
        ):
            key = f"fid_domain_{image_set}"
            claim(
                f"{text} [{d}]",
                f"domain FID GAIA {number(g[key])} vs AE {number(a[key])}",
                g[key] <= a[key],
                f"GAIA's images are further from the real ones {budget}",
            )
        g_ratio = g["fid_domain_interp"] / g["fid_domain_recon"]
        a_ratio = a["fid_domain_interp"] / a["fid_domain_recon"]
        claim(
            f"Adversarial training on interpolations makes midpoints as realistic as "
            f"reconstructions [{d}]",
            f"FID(interp) / FID(recon): GAIA {number(g_ratio)}, AE {number(a_ratio)}",
            g_ratio < a_ratio,
            "GAIA's midpoints lose more against its reconstructions than the AE's",
        )
    for d in target["attribute_datasets"]:
        for model in (gaia, ae):
            s = _load(paths.attribute_summary(d, model))
            claim(
                f"OLS vectors are less entangled than mean-difference vectors [{d}, {model}]",
                f"mean leakage OLS {number(s['ols_mean_leakage'])} vs mean difference "
                f"{number(s['mean_difference_mean_leakage'])}",
                s["ols_mean_leakage"] < s["mean_difference_mean_leakage"],
            )
            ols, md = s["ols_leakage_Young_to_Male"], s["mean_difference_leakage_Young_to_Male"]
            claim(
                f"OLS removes the pull of 'young' towards 'female' (|OLS| below half of "
                f"|mean difference|) [{d}, {model}]",
                f"Young->Male leakage OLS {number(ols)} vs mean difference {number(md)}",
                abs(ols) < 0.5 * abs(md),
                "the OLS vector still changes P(Male) by more than half as much; the decoder "
                "draws 'young' as young women",
            )
        g = _load(paths.interpolation_metrics(d, gaia))
        a = _load(paths.interpolation_metrics(d, ae))
        g_ratio = g["nearest_real_midpoint"] / g["nearest_real_reconstruction"]
        a_ratio = a["nearest_real_midpoint"] / a["nearest_real_reconstruction"]
        claim(
            f"GAIA's latent space is closer to convex: midpoints stay near real images [{d}]",
            f"nearest-real distance midpoint / reconstruction: GAIA {number(g_ratio)}, "
            f"AE {number(a_ratio)}",
            g_ratio < a_ratio,
        )
    lines = [
        d
        for d in target["datasets"]
        if "mean_distance" in _load(paths.interpolation_metrics(d, gaia))
    ]
    for d in lines:
        g = _load(paths.interpolation_metrics(d, gaia))
        a = _load(paths.interpolation_metrics(d, ae))
        claim(
            f"GAIA interpolates lines better than the AE (ACAI's benchmark) [{d}]",
            f"Mean Distance GAIA {number(g['mean_distance'])} vs AE {number(a['mean_distance'])}",
            g["mean_distance"] < a["mean_distance"],
            f"GAIA has not learned to draw lines {budget}",
        )
    return rows


def _section(title: str, header: Sequence[str], rows: list[list[object]]) -> list[str]:
    return [f"## {title}", "", *table(header, rows)] if rows else []


def _metric_rows(
    experiments: Sequence[tuple[str, str]],
    file: Callable[[str, str], Path],
    keys: Sequence[str],
) -> list[list[object]]:
    rows = []
    for d, m in experiments:
        values = _load(file(d, m))
        rows.append([d, m, *(number(values[k]) if k in values else "" for k in keys)])
    return rows


def results_markdown(params: dict[str, Any], target_name: str = "all") -> str:
    target = params["targets"][target_name]
    experiments = [(d, m) for d in target["datasets"] for m in target["models"]]
    out = [
        "# GAIA reproduction: results of this run",
        "",
        "Generated by `gaia report results` from the metric files under `results/`; every",
        "number is read from them. Paper: Sainburg et al., *Generative adversarial interpolative",
        "autoencoding* (2018, arXiv 1807.06650). Method and metric definitions: the repository's",
        "README and docs/architecture.md.",
        "",
        "## What was run",
        "",
        f"- gaia-repro {__version__}; params.yaml sha256 "
        f"`{sha256_file('params.yaml')[:16]}…`; torch {torch.__version__}",
        f"- machine: {' '.join(filter(None, (platform.machine(), platform.processor())))}, "
        f"{os.cpu_count()} CPU cores, "
        f"{'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU'}",
        f"- datasets {', '.join(target['datasets'])}; models {', '.join(target['models'])}",
        "",
    ]
    out += [TIMING_START, "", "Training (steps x batch, seconds of the training loop):", ""]
    timing_rows = []
    for d, m in experiments:
        t = _load(paths.train_metrics(d, m))
        timing_rows.append([d, m, t["steps"], f"{t['train_seconds']:.0f}"])
    out += [*table(["dataset", "model", "steps", "train s"], timing_rows), TIMING_END, ""]
    out += _section(
        "Held-out reconstruction error (L1 and MSE of pixels in [0, 1])",
        ["dataset", "model", "G(X) L1", "G(X) MSE", "D(X) L1", "D(G(X)) vs X L1", "D(G(Zi)) L1"],
        _metric_rows(
            experiments,
            paths.train_metrics,
            [
                "test_recon_l1",
                "test_recon_mse",
                "test_d_real_l1",
                "test_d_fake_from_real_l1",
                "test_d_interp_l1",
            ],
        ),
    )
    fid_rows = []
    for d in target["fid_datasets"]:
        info = _load(paths.fid_reference_info(d))
        for m in target["models"]:
            values = _load(paths.fid_metrics(d, m))
            for label in info["extractors"]:
                for image_set in params["fid"]["sets"]:
                    tag = f"{label}_{image_set}"
                    if f"fid_{tag}" in values:
                        fid_rows.append(
                            [d, m, label, image_set]
                            + [number(values[k]) for k in (f"fid_{tag}", f"kid_{tag}_mean")]
                            + [values[f"images_{tag}"]]
                        )
        for label, reason in info["skipped"].items():
            out_reason = reason.split(";")[0]
            fid_rows.append([d, "", label, "skipped", out_reason, "", ""])
    out += _section(
        "FID and KID against the held-out test images (lower is better)",
        ["dataset", "model", "extractor", "set", "FID", "KID mean", "images"],
        fid_rows,
    )
    attribute_rows = []
    for d in target["attribute_datasets"]:
        for m in target["models"]:
            s = _load(paths.attribute_summary(d, m))
            for method in ("ols", "mean_difference"):
                pairs = [k for k in s if k.startswith(f"{method}_leakage_")]
                signed = "; ".join(
                    f"{k.removeprefix(f'{method}_leakage_')}: {number(s[k])}" for k in pairs
                )
                efficacy = number(s[f"{method}_mean_efficacy"])
                leakage = number(s[f"{method}_mean_leakage"])
                attribute_rows.append([d, m, method, efficacy, leakage, signed])
    out += _section(
        "Attribute vectors: efficacy and leakage at the report scale",
        ["dataset", "model", "method", "mean efficacy", "mean leakage", "signed leakage"],
        attribute_rows,
    )
    faces = [(d, m) for d, m in experiments if d in target["attribute_datasets"]]
    out += _section(
        "Interpolations of faces (classifier confidence, D error, nearest-real distances)",
        [
            *("dataset", "model", "confidence real", "confidence t=0.5"),
            *("D error t=0", "D error t=0.5", "nearest real: midpoint", "reconstruction"),
            "real-real",
        ],
        _metric_rows(
            faces,
            paths.interpolation_metrics,
            [
                "classifier_confidence_real",
                "classifier_confidence_alpha_0.50",
                "d_error_alpha_0.00",
                "d_error_alpha_0.50",
                "nearest_real_midpoint",
                "nearest_real_reconstruction",
                "nearest_real_real",
            ],
        ),
    )
    lines = [(d, m) for d, m in experiments if d not in target["attribute_datasets"]]
    out += _section(
        "Interpolations of lines (ACAI's Mean Distance and Smoothness; lower is better)",
        ["dataset", "model", "Mean Distance", "Smoothness", "flat", "angular MD", "cross-fade MD"],
        _metric_rows(
            lines,
            paths.interpolation_metrics,
            [
                "mean_distance",
                "smoothness",
                "flat_interpolations",
                "angular_mean_distance",
                "crossfade_mean_distance",
            ],
        ),
    )
    claims = _claims(params, target)
    out += _section("The paper's claims against this run", ["claim", "evidence", "verdict"], claims)
    out += ["## Figures", ""]
    for name, caption in _figures(target["datasets"], target["attribute_datasets"]):
        out += [f"![{caption}](figures/{name}.png)", "", f"*{caption}*", ""]
    return "\n".join(out)


def write_results_report(params: dict[str, Any], target: str = "all") -> Path:
    out = paths.results_report()
    write_text(out, results_markdown(params, target))
    return out
