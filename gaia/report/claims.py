"""The paper's claims against a run: evidence and a verdict computed from the metric files.

A verdict compares GAIA with the AE, or OLS with mean-difference vectors, so it means something
only when the models it reads are trained. GAIA counts as trained on a dataset when its held-out
L1 of G(X) (of the evaluated weights: their moving average where training keeps one) is at
most `report.max_recon_ratio` times the AE's (and, on lines, when it draws the
test lines at their angle: `test_angle_accuracy` at least `report.min_angle_accuracy`). Every
claim that reads GAIA is otherwise "inconclusive: GAIA undertrained" with the numbers, never
"supported" or "not supported".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.report.markdown import number

SUPPORTED = "supported"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def by_objective(params: dict[str, Any], models: Sequence[str], objective: str) -> str | None:
    return next((m for m in models if params["models"][m]["objective"] == objective), None)


def undertrained(
    settings: dict[str, Any], gaia_train: dict[str, Any], ae_train: dict[str, Any]
) -> str | None:
    """Why GAIA is not trained enough to be judged against the AE, or None when it is."""
    ratio = gaia_train["test_recon_l1"] / ae_train["test_recon_l1"]
    if ratio > settings["max_recon_ratio"]:
        gaia_l1, ae_l1 = number(gaia_train["test_recon_l1"]), number(ae_train["test_recon_l1"])
        numbers = (
            f"held-out L1 of G(X) {gaia_l1} = {ratio:.2f}x the AE's {ae_l1}, above "
            f"{settings['max_recon_ratio']}x"
        )
        if gaia_train.get("test_raw_recon_l1") is not None:  # G is a weight average
            raw = gaia_train["test_raw_recon_l1"] / ae_train["test_raw_recon_l1"]
            numbers += f" (raw weights: {raw:.2f}x)"
        gain, flat = gaia_train.get("late_gain_recon_l1"), settings["flat_gain"]
        if gain is not None and gain <= -flat:
            return (
                f"inconclusive: GAIA's held-out error rose by {-100 * gain:.0f}% over the last "
                f"quarter of training (unstable) and its {numbers}"
            )
        if gain is not None and gain < flat:
            # Trained until flat and still behind: a result about GAIA, not a short budget.
            return (
                f"inconclusive: GAIA's held-out curve is flat (L1 drop over the last quarter "
                f"{100 * gain:.1f}%, below {100 * flat:.0f}%) but its {numbers}: it loses to "
                "the AE in pixel error"
            )
        return f"inconclusive: GAIA undertrained ({numbers})"
    accuracy = gaia_train.get("test_angle_accuracy")
    if accuracy is not None and accuracy < settings["min_angle_accuracy"]:
        return (
            f"inconclusive: GAIA undertrained (it draws {100 * accuracy:.1f}% of the test lines "
            f"within the angle tolerance, below {100 * settings['min_angle_accuracy']:.0f}%)"
        )
    return None


def _verdict(holds: bool, why_not: str = "") -> str:
    return SUPPORTED if holds else f"not supported{': ' + why_not if why_not else ''}"


def _interval(summary: dict[str, Any], key: str) -> str:
    low, high = summary[key + "_ci_low"], summary[key + "_ci_high"]
    return f"{number(summary[key])} [{number(low)}, {number(high)}]"


def _matched(summary: dict[str, Any], method: str, source: str, target: str) -> bool:
    return summary.get(f"matched_{method}_leakage_{source}_to_{target}") is not None


def intervals_apart(summary: dict[str, Any], ols_key: str, md_key: str, sign: float) -> bool:
    """OLS's 95% interval lies wholly on the unentangled side of mean difference's: along the
    expected sign of the entanglement (the attributes' correlation), OLS's highest value is
    below mean difference's lowest."""
    if sign == 0:
        return False

    def along(key: str) -> list[float]:
        return sorted(sign * summary[key + end] for end in ("_ci_low", "_ci_high"))

    return along(ols_key)[1] < along(md_key)[0]


def claim_rows(params: dict[str, Any], target: dict[str, Any]) -> list[list[str]]:
    """[claim, evidence, verdict] rows for the datasets and models of `target`."""
    gaia = by_objective(params, target["models"], "gaia")
    ae = by_objective(params, target["models"], "ae")
    if gaia is None or ae is None:
        return []
    settings = params["report"]
    gates = {
        d: undertrained(
            settings, load(paths.train_metrics(d, gaia)), load(paths.train_metrics(d, ae))
        )
        for d in target["datasets"]
    }
    rows: list[list[str]] = []

    def claim(text: str, evidence: str, holds: bool, why_not: str = "", gate: str | None = None):
        rows.append([text, evidence, gate or _verdict(holds, why_not)])

    for d in target["fid_datasets"]:
        g, a = load(paths.fid_metrics(d, gaia)), load(paths.fid_metrics(d, ae))
        for image_set, text in (
            ("recon", "GAIA reconstructs inputs realistically (paper's comparison figure)"),
            ("interp", "GAIA's interpolations decode to realistic images"),
        ):
            key = f"fid_domain_{image_set}"
            claim(
                f"{text} [{d}]",
                f"domain FID GAIA {number(g[key])} vs AE {number(a[key])}",
                g[key] <= a[key],
                "GAIA's images are further from the real ones",
                gates[d],
            )
        g_ratio = g["fid_domain_interp"] / g["fid_domain_recon"]
        a_ratio = a["fid_domain_interp"] / a["fid_domain_recon"]
        claim(
            f"Adversarial training on interpolations makes midpoints as realistic as "
            f"reconstructions [{d}]",
            f"FID(interp) / FID(recon): GAIA {number(g_ratio)}, AE {number(a_ratio)}",
            g_ratio < a_ratio,
            "GAIA's midpoints lose more against its reconstructions than the AE's",
            gates[d],
        )
    for d in target["attribute_datasets"]:
        for model in (gaia, ae):
            gate = gates[d] if model == gaia else None
            s = load(paths.attribute_summary(d, model))
            ols, md = (
                s["matched_ols_mean_abs_leakage"],
                s["matched_mean_difference_mean_abs_leakage"],
            )
            reached = s["matched_ols_edits_reached"] + s["matched_mean_difference_edits_reached"]
            edits = s["matched_ols_edits"] + s["matched_mean_difference_edits"]
            complete = ols is not None and md is not None
            claim(
                f"OLS vectors are less entangled than mean-difference vectors at equal edit "
                f"strength [{d}, {model}]",
                f"mean absolute leakage at matched efficacy OLS "
                f"{number(ols) if ols is not None else '-'} vs mean difference "
                f"{number(md) if md is not None else '-'} "
                f"({reached} of {edits} edits reached the efficacy)",
                complete and ols < md,
                "OLS leaks as much or more",
                gate
                or (
                    None
                    if complete
                    else "inconclusive: no leakage pair reaches the matched efficacy under both "
                    "methods (the decoder does not draw the edited attributes)"
                ),
            )
            key = "matched_{}_leakage_Young_to_Male"
            if _matched(s, "ols", "Young", "Male") and _matched(
                s, "mean_difference", "Young", "Male"
            ):
                ols_key, md_key = key.format("ols"), key.format("mean_difference")
                separated = intervals_apart(
                    s, ols_key, md_key, s["matched_expected_sign_Young_to_Male"]
                )
                claim(
                    f"OLS weakens the pull of 'young' towards 'female' at equal edit strength "
                    f"(95% intervals apart) [{d}, {model}]",
                    f"Young->Male leakage OLS {_interval(s, ols_key)} vs mean difference "
                    f"{_interval(s, md_key)}",
                    separated,
                    "the intervals overlap; the decoder may draw 'young' as young women",
                    gate,
                )
        g = load(paths.interpolation_metrics(d, gaia))
        a = load(paths.interpolation_metrics(d, ae))
        g_ratio = g["nearest_real_midpoint"] / g["nearest_real_reconstruction"]
        a_ratio = a["nearest_real_midpoint"] / a["nearest_real_reconstruction"]
        claim(
            f"GAIA's latent space is closer to convex: midpoints stay near real images [{d}]",
            f"nearest-real distance midpoint / reconstruction: GAIA {number(g_ratio)}, "
            f"AE {number(a_ratio)}",
            g_ratio < a_ratio,
            gate=gates[d],
        )
    for d in target["datasets"]:
        g, a = load(paths.probe(d, gaia)), load(paths.probe(d, ae))
        claim(
            f"GAIA's latents keep the data's structure: a linear probe reads the "
            f"{'attributes' if g['task'] == 'attributes' else 'line angles'} as well as from "
            f"the AE's [{d}]",
            f"held-out probe accuracy GAIA {number(g['mean_accuracy'])} vs AE "
            f"{number(a['mean_accuracy'])} (baseline {number(g['mean_baseline'])})",
            g["mean_accuracy"] >= a["mean_accuracy"],
            "the AE's latents are more linearly readable",
            gates[d],
        )
    for d in target["datasets"]:
        g = load(paths.interpolation_metrics(d, gaia))
        if "mean_distance" not in g:
            continue
        a = load(paths.interpolation_metrics(d, ae))
        claim(
            f"GAIA interpolates lines better than the AE (ACAI's benchmark) [{d}]",
            f"Mean Distance GAIA {number(g['mean_distance'])} vs AE {number(a['mean_distance'])}",
            g["mean_distance"] < a["mean_distance"],
            gate=gates[d],
        )
    return rows
