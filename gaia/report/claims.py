"""The paper's claims against a run: evidence and a verdict computed from the metric files.

A verdict compares GAIA with the AE, or OLS with mean-difference vectors, so it means something
only when the models it reads are trained. GAIA counts as trained on a dataset when its held-out
L1 of G(X) (of the evaluated weights: their moving average where training keeps one) is at
most `report.max_recon_ratio` times the AE's (and, on lines, when it draws the
test lines at their angle: `test_angle_accuracy` at least `report.min_angle_accuracy`). Every
claim that reads GAIA is otherwise "inconclusive: GAIA undertrained" with the numbers, never
"supported" or "not supported".

Each claim is a `Comparison` of two numbers (GAIA vs the AE, OLS vs mean difference), so that
a seeded target can put the same claim of several runs together: `over_seeds` gives the verdict
of the seeds' means and flags it when the two numbers' spreads (mean ± sd) overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.report.markdown import mean_sd, number, spread
from gaia.utils.artifacts import load_json

SUPPORTED = "supported"
# Why a claim is inconclusive in one run, in a word or two, for the per-seed column: the first
# of these phrases that its gate (written below) contains.
GATE_KINDS = (
    ("GAIA undertrained", "undertrained"),
    ("held-out error rose", "unstable"),
    ("held-out curve is flat", "flat, behind the AE"),
    ("no leakage pair reaches", "edits not reached"),
)


@dataclass(frozen=True)
class Comparison:
    """One claim tested on one run: the two numbers it compares and the verdict they give.

    The claim holds when `values[0]` is below `values[1]` (above when `higher_holds`; ties hold
    when `ties_hold`; never without both values) unless `required` says otherwise: the
    Young->Male claim asks for 95% intervals apart, not only a lower value. A `gate`
    ("inconclusive: ...") replaces the verdict.
    """

    claim: str
    evidence: str
    quantity: str  # what the two values are, e.g. "domain FID"
    names: tuple[str, str]  # e.g. ("GAIA", "AE")
    values: tuple[float | None, float | None]
    why_not: str = ""
    gate: str | None = None
    higher_holds: bool = False
    ties_hold: bool = False
    required: bool | None = None  # the run's verdict where the values' order is not enough

    @property
    def holds(self) -> bool:
        if self.required is not None:
            return self.required
        a, b = self.values
        return a is not None and b is not None and _ordered(self, a, b)

    @property
    def verdict(self) -> str:
        return self.gate or _verdict(self.holds, self.why_not)

    def row(self) -> list[str]:
        return [self.claim, self.evidence, self.verdict]


def _ordered(comparison: Comparison, a: float, b: float) -> bool:
    """Whether `a` vs `b` goes the way the claim says."""
    if comparison.ties_hold and a == b:
        return True
    return a > b if comparison.higher_holds else a < b


def load(path: Path) -> dict[str, Any]:
    return load_json(path)


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


def seed_verdict(comparison: Comparison) -> str:
    """A run's verdict in short: supported, not supported, or inconclusive (why, in brief)."""
    if comparison.gate is None:
        return comparison.verdict.split(":")[0]
    kind = next((kind for phrase, kind in GATE_KINDS if phrase in comparison.gate), None)
    return f"inconclusive ({kind})" if kind else "inconclusive"


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
    return [c.row() for c in comparisons(params, target)]


def comparisons(params: dict[str, Any], target: dict[str, Any]) -> list[Comparison]:
    """Every claim tested on the run in the working directory, for `target`'s datasets and
    models (none when it lacks GAIA or the AE)."""
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
    rows: list[Comparison] = []

    def claim(
        text: str,
        evidence: str,
        compared: tuple[str, str, str, float | None, float | None],
        why_not: str = "",
        gate: str | None = None,
        **order: bool,
    ) -> None:
        quantity, first, second, a, b = compared
        rows.append(
            Comparison(text, evidence, quantity, (first, second), (a, b), why_not, gate, **order)
        )

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
                (f"domain FID ({image_set})", "GAIA", "AE", g[key], a[key]),
                "GAIA's images are further from the real ones",
                gates[d],
                ties_hold=True,
            )
        g_ratio = g["fid_domain_interp"] / g["fid_domain_recon"]
        a_ratio = a["fid_domain_interp"] / a["fid_domain_recon"]
        claim(
            f"Adversarial training on interpolations makes midpoints as realistic as "
            f"reconstructions [{d}]",
            f"FID(interp) / FID(recon): GAIA {number(g_ratio)}, AE {number(a_ratio)}",
            ("FID(interp) / FID(recon)", "GAIA", "AE", g_ratio, a_ratio),
            "GAIA's midpoints lose more against its reconstructions than the AE's",
            gates[d],
        )
    for d in target["attribute_datasets"]:
        # The paper's OLS claim in every model's latent space: GAIA's (gated on its training),
        # and the baselines' as controls (is it a property of GAIA's latents or of OLS?).
        for model in target["models"]:
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
                ("mean absolute leakage (matched)", "OLS", "mean difference", ols, md),
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
                sign = s["matched_expected_sign_Young_to_Male"]
                claim(
                    f"OLS weakens the pull of 'young' towards 'female' at equal edit strength "
                    f"(95% intervals apart) [{d}, {model}]",
                    f"Young->Male leakage OLS {_interval(s, ols_key)} vs mean difference "
                    f"{_interval(s, md_key)}",
                    # Over seeds: the leakage along the entanglement's expected sign.
                    (
                        "Young->Male leakage along the expected sign",
                        "OLS",
                        "mean difference",
                        sign * s[ols_key],
                        sign * s[md_key],
                    ),
                    "the intervals overlap; the decoder may draw 'young' as young women",
                    gate,
                    required=intervals_apart(s, ols_key, md_key, sign),
                )
        g = load(paths.interpolation_metrics(d, gaia))
        a = load(paths.interpolation_metrics(d, ae))
        g_ratio = g["nearest_real_midpoint"] / g["nearest_real_reconstruction"]
        a_ratio = a["nearest_real_midpoint"] / a["nearest_real_reconstruction"]
        claim(
            f"GAIA's latent space is closer to convex: midpoints stay near real images [{d}]",
            f"nearest-real distance midpoint / reconstruction: GAIA {number(g_ratio)}, "
            f"AE {number(a_ratio)}",
            ("nearest-real distance midpoint / reconstruction", "GAIA", "AE", g_ratio, a_ratio),
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
            ("held-out probe accuracy", "GAIA", "AE", g["mean_accuracy"], a["mean_accuracy"]),
            "the AE's latents are more linearly readable",
            gates[d],
            higher_holds=True,
            ties_hold=True,
        )
    for d in target["datasets"]:
        g = load(paths.interpolation_metrics(d, gaia))
        if "mean_distance" not in g:
            continue
        a = load(paths.interpolation_metrics(d, ae))
        claim(
            f"GAIA interpolates lines better than the AE (ACAI's benchmark) [{d}]",
            f"Mean Distance GAIA {number(g['mean_distance'])} vs AE {number(a['mean_distance'])}",
            ("Mean Distance", "GAIA", "AE", g["mean_distance"], a["mean_distance"]),
            gate=gates[d],
        )
    return rows


def over_seeds(runs: dict[int, Comparison]) -> list[str]:
    """[claim, evidence, verdict, per seed] of one claim tested in several seeds' runs.

    The verdict is that of the two numbers' means over the seeds, with "spreads overlap" added
    when mean ± sd of one reaches that of the other (the difference is within seed-to-seed
    variation) and "one seed" when there is no spread. A gate in any seed (GAIA undertrained
    there) makes the whole claim inconclusive: a mean over an untrained model says nothing.
    """
    first = next(iter(runs.values()))
    per_seed = "; ".join(f"seed {seed}: {seed_verdict(c)}" for seed, c in runs.items())
    known = {seed: c for seed, c in runs.items() if None not in c.values}
    a_values = [float(c.values[0]) for c in known.values()]  # type: ignore[arg-type]
    b_values = [float(c.values[1]) for c in known.values()]  # type: ignore[arg-type]
    evidence = (
        f"{first.quantity}: {first.names[0]} {spread(a_values)} vs {first.names[1]} "
        f"{spread(b_values)} (mean ± sd, n = {len(known)})"
        if known
        else f"{first.quantity}: not measured in any seed"
    )
    gated = {seed: c.gate for seed, c in runs.items() if c.gate}
    if gated:
        why = next(iter(gated.values())).removeprefix("inconclusive: ")
        verdict = f"inconclusive (seeds {list(gated)} of {len(runs)}): {why}"
    elif not known:
        verdict = "inconclusive: not measured"
    else:
        (a, a_sd), (b, b_sd) = mean_sd(a_values), mean_sd(b_values)
        verdict = _verdict(_ordered(first, a, b), first.why_not)
        if len(known) == 1:
            verdict += " (one seed: no spread)"
        elif abs(a - b) <= a_sd + b_sd:
            verdict += " (spreads overlap: within seed-to-seed variation)"
    return [first.claim, evidence, verdict, per_seed]
