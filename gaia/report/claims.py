"""The paper's claims against a run: measures, the training state of every model read, a verdict.

Verdicts are data. A `Claim` holds its measures (each a comparison of two numbers, with their
intervals where the metric files have them) and the training state of each model it reads
(gaia/report/training_state.py: judged on the model's own held-out curve, never on another
model's pixel error); its `verdict` is computed from those values alone, and the prose of the
reports is written from it, never parsed back:

    collapsed       a model the claim reads collapsed: a failure of the method
    not settled     the verdict at a milestone of the last half of training (targets.*.
                    along_training) differs from the verdict at the end
    supported       every measure goes the way the paper says
    not supported   none does
    mixed           the measures disagree (the report says which holds)
    not told apart  every measure with both numbers has 95% intervals that overlap: the data
                    cannot tell the two apart
    not measured    no measure has both numbers

A verdict on a model that is still improving (or degrading) holds "at this budget".
Along training (`claims_along_training`), every claim is judged again on the models' milestones
(gaia/train/milestones.py): the same measures of the same models part way through training.
Over seeds (`over_seeds`) every seed's verdict is counted, collapses included, and the verdict
is the common one when all seeds agree and "mixed" otherwise.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.experiment import judged_datasets, judged_milestones, milestone_name
from gaia.report.markdown import spread, with_interval
from gaia.report.training_state import TrainingAssessment, TrainingState, assess_log
from gaia.utils.artifacts import load_json


class Verdict(StrEnum):
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not supported"
    MIXED = "mixed"
    COLLAPSED = "collapsed"
    NOT_SETTLED = "not settled"
    NOT_TOLD_APART = "not told apart"
    NOT_MEASURED = "not measured"


# A verdict that changes at a milestone from this fraction of training on is not settled.
SETTLED_FROM = 0.5


Interval = tuple[float, float]


@dataclass(frozen=True)
class Measure:
    """One number of the claim's subject against one of its reference.

    It holds when `values[0]` is below `values[1]` (above when `higher_holds`; ties hold when
    `ties_hold`) unless `required` gives the test's outcome itself (e.g. 95% intervals apart).
    """

    quantity: str
    names: tuple[str, str]
    values: tuple[float | None, float | None]
    intervals: tuple[Interval | None, Interval | None] = (None, None)
    higher_holds: bool = False
    ties_hold: bool = False
    required: bool | None = None
    votes: bool = True  # False: shown beside the verdict, never part of it

    @property
    def overlapping(self) -> bool:
        """Both values have 95% intervals and they overlap: the measure cannot tell them apart."""
        first, second = self.intervals
        return (
            first is not None
            and second is not None
            and first[0] <= second[1]
            and second[0] <= first[1]
        )

    @property
    def holds(self) -> bool | None:
        """Whether the measure goes the claim's way; None when a value is missing, the measure
        does not vote, or the two intervals overlap on a claim that one is better. Where ties
        hold (a claim of "as well as"), overlapping intervals are a tie, and it holds."""
        a, b = self.values
        if a is None or b is None or not self.votes:
            return None
        if self.required is not None:
            return self.required
        if self.overlapping:
            return True if self.ties_hold else None
        return ordered(a, b, self.higher_holds, self.ties_hold)

    def text(self) -> str:
        cells = [
            f"{name} {with_interval(value, interval)}"
            for name, value, interval in zip(self.names, self.values, self.intervals, strict=True)
        ]
        shown = "" if self.votes else " (shown, not judged)"
        if self.votes and self.required is None and self.overlapping:
            shown = " (intervals overlap: " + (
                "a tie, which holds)" if self.ties_hold else "not told apart)"
            )
        return f"{self.quantity}{shown}: {' vs '.join(cells)}"


def ordered(a: float, b: float, higher_holds: bool = False, ties_hold: bool = False) -> bool:
    """Whether `a` against `b` goes the way a claim says."""
    if ties_hold and a == b:
        return True
    return a > b if higher_holds else a < b


@dataclass(frozen=True)
class Claim:
    """One claim of the paper tested on one run."""

    key: str  # stable across runs: the claim and its scope, e.g. "recon_realism/synthfaces"
    words: str  # what the paper says, in its words where they are known
    scope: str  # dataset (and model) it is tested on
    measures: tuple[Measure, ...]
    states: dict[str, TrainingAssessment] = field(default_factory=dict)  # model -> its state
    why_not: str = ""  # what a "not supported" means, in a few words
    untested: str = ""  # why no measure votes here, when none can
    # fraction of training -> the verdict on the models' milestones there (claims_along_training)
    history: dict[float, Verdict] = field(default_factory=dict)

    @property
    def collapsed(self) -> list[str]:
        return [m for m, a in self.states.items() if a.state is TrainingState.COLLAPSED]

    @property
    def at_budget(self) -> list[str]:
        """The models read that are not converged: a verdict holds at this budget only."""
        return [m for m, a in self.states.items() if a.state.at_budget]

    @property
    def verdict(self) -> Verdict:
        """Collapsed, not settled, or the measures' verdict at the end of training."""
        if self.collapsed:
            return Verdict.COLLAPSED
        if self.unsettled:
            return Verdict.NOT_SETTLED
        return self.measured

    @property
    def unsettled(self) -> dict[float, Verdict]:
        """The milestones of the last half of training whose verdict differs from the end's."""
        end = self.measured
        return {f: v for f, v in self.history.items() if f >= SETTLED_FROM and v != end}

    @property
    def measured(self) -> Verdict:
        """The verdict of the measures at the end of training."""
        results = [m.holds for m in self.measures if m.holds is not None]
        if not results:
            if any(m.votes and m.overlapping and None not in m.values for m in self.measures):
                return Verdict.NOT_TOLD_APART
            return Verdict.NOT_MEASURED
        if all(results):
            return Verdict.SUPPORTED
        return Verdict.MIXED if any(results) else Verdict.NOT_SUPPORTED

    def reason(self) -> str:
        """Why the verdict is what it is, in one line written from the data."""
        verdict = self.verdict
        if verdict is Verdict.COLLAPSED:
            return "; ".join(
                f"{m} collapsed from step {self.states[m].onset_step} ({self.states[m].describe()})"
                for m in self.collapsed
            )
        if verdict is Verdict.NOT_SETTLED:
            earlier = ", ".join(f"{v} at {f:g} of training" for f, v in self.unsettled.items())
            verdict = self.measured
            return f"{verdict} at the end, {earlier}"
        parts = []
        if verdict is Verdict.NOT_SUPPORTED:
            parts.append(self.why_not)
        elif verdict is Verdict.MIXED:
            held = [m.quantity for m in self.measures if m.holds]
            failed = [m.quantity for m in self.measures if m.holds is False]
            parts.append(f"holds on {', '.join(held)}; not on {', '.join(failed)}")
        elif verdict in (Verdict.NOT_TOLD_APART, Verdict.NOT_MEASURED):
            parts.append(self.why_undecided())
        if self.at_budget and verdict is not Verdict.NOT_MEASURED:
            states = ", ".join(f"{m} {self.states[m].state}" for m in self.at_budget)
            parts.append(f"at this budget ({states})")
        return "; ".join(p for p in parts if p)

    def why_undecided(self) -> str:
        """Why no measure voted: their intervals overlap, or a number is missing."""
        if self.measured is Verdict.NOT_TOLD_APART:
            return "the 95% intervals overlap"
        return self.untested or "no measure has both numbers"

    def verdict_text(self) -> str:
        reason = self.reason()
        return f"{self.verdict}: {reason}" if reason else str(self.verdict)

    @property
    def title(self) -> str:
        return f"{self.words} [{self.scope}]"

    def evidence(self) -> str:
        return "; ".join(m.text() for m in self.measures)

    def row(self) -> list[str]:
        return [self.title, self.evidence(), self.verdict_text()]


def load(path: Path) -> dict[str, Any]:
    return load_json(path)


def by_objective(params: dict[str, Any], models: Sequence[str], objective: str) -> str | None:
    return next((m for m in models if params["models"][m]["objective"] == objective), None)


def without_regulariser(params: dict[str, Any], models: Sequence[str]) -> str | None:
    """The target's GAIA trained with the distance regulariser's weight at 0 (the ablation of
    the regulariser claim), if it has one."""
    return next(
        (
            m
            for m in models
            if params["models"][m]["objective"] == "gaia"
            and params["models"][m]["gaia"]["distance_weight"] == 0
        ),
        None,
    )


def training_states(
    params: dict[str, Any], target: dict[str, Any], at: float | None = None
) -> dict[tuple[str, str], TrainingAssessment]:
    """(dataset, model) -> the state of its training, from its own log, for the run in the
    working directory (at its milestone `at` where given: the log up to there)."""
    states = {}
    for d in target["datasets"]:
        for m in target["models"]:
            name = experiment_name(m, at)
            steps = load(paths.train_metrics(d, name))["steps"]
            states[d, m] = assess_log(paths.train_log(d, name), steps, params["report"])
    return states


def experiment_name(model: str, at: float | None) -> str:
    """The experiment holding `model`'s results: itself, or its milestone at fraction `at`."""
    return model if at is None else milestone_name(model, at)


@dataclass
class _Claims:
    """The claims of one run as they are added: a GAIA (`gaia`) against the AE (`ae`), each
    with the training states of the models it reads. The faithful GAIA's claims are keyed by
    dataset; the author's later GAIA's (`later`) by dataset and model, its words naming it."""

    gaia: str
    ae: str
    states: dict[tuple[str, str], TrainingAssessment]
    at: float | None = None  # judged on the models' milestones at this fraction of training
    later: bool = False
    found: list[Claim] = field(default_factory=list)

    @property
    def pair(self) -> tuple[str, str]:
        return self.gaia, self.ae

    def load(self, file: Callable[[str, str], Path], d: str, model: str) -> dict[str, Any]:
        """The metric file `file` of `model` on dataset `d` (of its milestone where judged
        along training)."""
        return load(file(d, experiment_name(model, self.at)))

    def both(self, file: Callable[[str, str], Path], d: str) -> tuple[dict, dict]:
        """The metric file `file` of GAIA and of the AE."""
        return self.load(file, d, self.gaia), self.load(file, d, self.ae)

    def add(
        self,
        key: str,
        words: str,
        d: str,
        measures: list[Measure],
        models: Sequence[str] = (),
        scope: str | None = None,
        **more: Any,
    ) -> None:
        """A claim on dataset `d` reading `models` (GAIA and the AE unless given)."""
        if self.later and scope is None:
            scope = f"{d}, {self.gaia}"
            words = words.replace("GAIA", "the later GAIA")
            words = words[0].upper() + words[1:]
        scope = scope or d
        states = {m: self.states[d, m] for m in models or self.pair}
        self.found.append(Claim(f"{key}/{scope}", words, scope, tuple(measures), states, **more))

    def versus(self, quantity: str, g: dict, a: dict, key: str, **order: bool) -> Measure:
        """The measure `key` of GAIA (in `g`) against the AE's (in `a`), with their 95%
        intervals where the files have them (KEY_ci_low and KEY_ci_high, KEY without _mean)."""
        stem = key.removesuffix("_mean")
        intervals = (_interval_of(g, stem), _interval_of(a, stem))
        return Measure(quantity, self.pair, (g.get(key), a.get(key)), intervals, **order)


def judged_gaias(params: dict[str, Any], models: Sequence[str]) -> list[str]:
    """The GAIAs whose claims are judged, in the target's order: the faithful one (objective
    gaia, its regulariser on) and the author's later one (gaia_later), where trained."""
    ablation = without_regulariser(params, models)
    faithful = [m for m in models if params["models"][m]["objective"] == "gaia" and m != ablation]
    later = [m for m in models if params["models"][m]["objective"] == "gaia_later"]
    return [m for m in models if m in faithful[:1] + later[:1]]


def claims(params: dict[str, Any], target: dict[str, Any], at: float | None = None) -> list[Claim]:
    """Every claim tested on the run in the working directory, for `target`'s datasets and
    models (none when it lacks a GAIA or the AE, the reference of GAIA's claims); on each GAIA
    it trains (the faithful and the later one, judged apart); at the milestones `at` of the
    models where given."""
    ablation = without_regulariser(params, target["models"])
    ae = by_objective(params, target["models"], "ae")
    gaias = judged_gaias(params, target["models"])
    if not gaias or ae is None:
        return []
    states = training_states(params, target, at)
    found: list[Claim] = []
    for first, gaia in zip([True, False], gaias, strict=False):
        later = params["models"][gaia]["objective"] == "gaia_later"
        b = _Claims(gaia, ae, states, at, later)
        for d in target["fid_datasets"]:
            _realism_claims(b, d)
        for d in target["attribute_datasets"]:
            _attribute_claims(b, d, target, every_model=first)
        for d in target["datasets"]:
            _lines_claims(b, d)
            # The later GAIA has no distance regulariser, and its ablation is the faithful one's.
            _structure_claims(b, d, ablation, regulariser=not later)
        found += b.found
    return found


def _realism_claims(b: _Claims, d: str) -> None:
    """Realistic reconstructions and midpoints, sharpness, midpoints against reconstructions."""
    g, a = b.both(paths.fid_metrics, d)
    for image_set, key, words in (
        ("recon", "recon_realism", "GAIA's reconstructions are realistic"),
        ("interp", "interp_realism", "GAIA's interpolations decode to realistic images"),
    ):
        b.add(
            key,
            words,
            d,
            realism_measures(b.pair, g, a, image_set),
            why_not="GAIA's images are further from the real ones than the AE's",
        )
    b.add(
        "sharp",
        "GAIA's reconstructions are sharp, not blurry",
        d,
        [
            Measure(
                f"|log sharpness ratio| ({what}; 0 = as sharp as the data)",
                b.pair,
                (
                    _log_distance(g, f"sharpness_{measure}_recon"),
                    _log_distance(a, f"sharpness_{measure}_recon"),
                ),
            )
            for measure, what in (
                ("laplacian", "variance of the Laplacian"),
                ("high_frequency", "high-frequency power"),
            )
        ],
        why_not="GAIA's reconstructions are further from the data's sharpness than the AE's",
    )
    b.add(
        "midpoints_like_reconstructions",
        "Adversarial training on interpolations makes midpoints as realistic as reconstructions",
        d,
        [
            *(
                Measure(
                    f"{kind}(midpoints) / {kind}(reconstructions)",
                    b.pair,
                    (_ratio(g, kind, "interp", "recon"), _ratio(a, kind, "interp", "recon")),
                )
                for kind in ("FID", "KID")
            ),
            Measure(
                "two-sample accuracy, midpoints minus reconstructions",
                b.pair,
                (
                    _difference(g, "c2st_interp", "c2st_recon"),
                    _difference(a, "c2st_interp", "c2st_recon"),
                ),
                (
                    _difference_interval(g, "c2st_interp", "c2st_recon"),
                    _difference_interval(a, "c2st_interp", "c2st_recon"),
                ),
            ),
        ],
        why_not="GAIA's midpoints lose more realism against its reconstructions than the AE's",
    )


def _attribute_claims(b: _Claims, d: str, target: dict[str, Any], every_model: bool) -> None:
    """OLS against mean difference in every model's latents (`every_model`: once a run);
    GAIA's reconstructions keeping attributes, its latents for edits, and convexity, against
    the AE's."""
    # The paper's OLS claim in every model's latent space: a property of OLS where the
    # baselines' latents show it too.
    summaries = {m: b.load(paths.attribute_summary, d, m) for m in target["models"]}
    for model, s in summaries.items() if every_model else ():
        b.add(
            "ols_less_entangled",
            "OLS attribute vectors are less entangled than mean-difference vectors",
            d,
            [
                Measure(
                    "mean absolute leakage at matched efficacy",
                    ("OLS", "mean difference"),
                    (
                        s.get("matched_ols_mean_abs_leakage"),
                        s.get("matched_mean_difference_mean_abs_leakage"),
                    ),
                )
            ],
            (model,),
            scope=f"{d}, {model}",
            why_not="OLS leaks as much or more",
        )
        young_male = _young_male(s)
        if young_male is not None:
            judge = load(paths.classifier_metrics(d)).get("judge_leakage_Young_to_Male")
            own = Measure(
                "the judge's own Young->Male leakage (faces re-rendered with Young flipped)",
                ("judge", "truth"),
                (judge, 0.0 if judge is not None else None),
                votes=False,
            )
            b.add(
                "ols_young_not_female",
                "OLS weakens the pull of 'young' towards 'female' (95% intervals apart)",
                d,
                [young_male, own],
                (model,),
                scope=f"{d}, {model}",
                why_not="the intervals overlap",
            )
    g, a = summaries[b.gaia], summaries[b.ae]
    gt, ae_train = b.both(paths.train_metrics, d)
    b.add(
        "recon_keeps_input",
        "GAIA's reconstructions keep the input's high- and low-level features",
        d,
        [
            b.versus(
                "attributes read alike in X and G(X)",
                g,
                a,
                "recon_attribute_agreement",
                higher_holds=True,
                ties_hold=True,
            ),
            # One model's pixel error is never judged against another's: an adversarial
            # model trades it for realism by design.
            b.versus("held-out pixel L1 of G(X)", gt, ae_train, "test_recon_l1", votes=False),
        ],
        why_not="the AE's reconstructions keep more of the input",
    )
    fids = b.both(paths.fid_metrics, d) if d in target["fid_datasets"] else ({}, {})
    b.add(
        "gaia_edits_better",
        "GAIA's latent space is better for attribute edits than the AE's",
        d,
        [
            b.versus(
                "OLS mean absolute leakage at matched efficacy",
                g,
                a,
                "matched_ols_mean_abs_leakage",
            ),
            Measure(
                "share of OLS edits reaching the efficacy",
                b.pair,
                (_share(g), _share(a)),
                higher_holds=True,
                ties_hold=True,
            ),
            *(
                [
                    b.versus("domain FID (OLS edits)", *fids, "fid_domain_edits"),
                    b.versus("two-sample accuracy (OLS edits)", *fids, "c2st_edits"),
                ]
                if d in target["fid_datasets"]
                else []
            ),
        ],
        why_not="the AE's latent space edits as well or better",
    )
    gi = b.load(paths.interpolation_metrics, d, b.gaia)
    ai = b.load(paths.interpolation_metrics, d, b.ae)
    b.add(
        "convex_latents",
        "GAIA's latent space is closer to convex: midpoints stay near real data",
        d,
        [
            b.versus(
                "nearest-real distance midpoint / reconstruction (judge's features)",
                gi,
                ai,
                "nearest_real_ratio",
            ),
            _d_at_midpoints(gi),
            b.versus(
                "re-encoded midpoints' distance to the nearest real latent (1: as near as "
                "real latents are to each other)",
                gi,
                ai,
                "convexity_reencoded_distance",
            ),
        ],
        why_not="GAIA's midpoints move further from real faces than the AE's",
    )


def _d_at_midpoints(metrics: dict[str, Any]) -> Measure:
    """GAIA's D, trained to reconstruct real images well and generated ones badly, on
    midpoints against real images: it holds unless the midpoints' 95% interval lies wholly
    above the real images' (D tells them apart)."""
    keys = ("d_error_midpoint", "d_error_real")
    intervals = (_interval_of(metrics, keys[0]), _interval_of(metrics, keys[1]))
    required = None
    if intervals[0] is not None and intervals[1] is not None:
        required = intervals[0][0] <= intervals[1][1]
    return Measure(
        "GAIA's D: its error at midpoints against on real images (not above: they look real to it)",
        ("midpoints", "real images"),
        (metrics.get(keys[0]), metrics.get(keys[1])),
        intervals,
        required=required,
    )


def _lines_claims(b: _Claims, d: str) -> None:
    """ACAI's benchmark, and G(X) drawing X's line (lines datasets only)."""
    g, a = b.both(paths.interpolation_metrics, d)
    if "mean_distance" not in g:
        return
    b.add(
        "lines_interpolation",
        "GAIA interpolates lines better than the AE (ACAI's benchmark)",
        d,
        [
            b.versus("Mean Distance", g, a, "mean_distance"),
            b.versus("Smoothness", g, a, "smoothness"),
        ],
        why_not="the AE's interpolations are as close to real lines or closer",
    )
    gt, ae_train = b.both(paths.train_metrics, d)
    b.add(
        "lines_drawn",
        "GAIA's reconstructions keep the input: G(X) draws X's line",
        d,
        [
            b.versus(
                "test lines drawn (at their angle, near a true line)",
                gt,
                ae_train,
                "test_drawn_line_accuracy",
                higher_holds=True,
                ties_hold=True,
            )
        ],
        why_not="GAIA draws fewer of the test lines than the AE",
    )


def _structure_claims(b: _Claims, d: str, ablation: str | None, regulariser: bool) -> None:
    """The distance regulariser (against its ablation; for a GAIA that has one) and the linear
    probe."""
    if regulariser:
        _regulariser_claim(b, d, ablation)
    g, a = b.both(paths.probe, d)
    b.add(
        "probe",
        "GAIA's latents keep the data's structure: a linear probe reads "
        f"{'the attributes' if g['task'] == 'attributes' else 'the line angles'} as well "
        "as from the AE's",
        d,
        [
            b.versus(
                "held-out probe accuracy",
                g,
                a,
                "mean_accuracy",
                higher_holds=True,
                ties_hold=True,
            )
        ],
        why_not="the AE's latents are more linearly readable",
    )


def _regulariser_claim(b: _Claims, d: str, ablation: str | None) -> None:
    g, a = b.both(paths.interpolation_metrics, d)
    key = "distance_correlation"
    shown = Measure(
        "rank correlation of latent and pixel distances over test pairs (higher is better)",
        b.pair,
        (g.get(key), a.get(key)),
        (_interval_of(g, key), _interval_of(a, key)),
        votes=False,
    )
    if ablation is not None:
        n = b.load(paths.interpolation_metrics, d, ablation)
        judged = Measure(
            shown.quantity,
            (b.gaia, ablation),
            (g.get(key), n.get(key)),
            (_interval_of(g, key), _interval_of(n, key)),
            higher_holds=True,
        )
    b.add(
        "distance_regulariser",
        "The distance regulariser keeps latent distances like pixel distances",
        d,
        [judged, shown] if ablation is not None else [shown],
        (b.gaia, b.ae, *([ablation] if ablation is not None else [])),
        why_not="GAIA without the regulariser keeps the pairwise structure as well",
        untested=""
        if ablation is not None
        else "this target trains no GAIA with distance_weight 0 to compare with "
        "(model gaia_nodist; in `full`)",
    )


def realism_measures(
    names: tuple[str, str], g: dict[str, Any], a: dict[str, Any], image_set: str
) -> list[Measure]:
    """Realism of one image set by three measures (lower is more realistic), with their
    intervals: domain FID, domain KID, and the two-sample test's accuracy (0.5: the critic
    cannot tell the images from real ones)."""
    keys = (
        ("domain FID", f"fid_domain_{image_set}"),
        ("domain KID", f"kid_domain_{image_set}_mean"),
        ("two-sample accuracy", f"c2st_{image_set}"),
    )
    measures = []
    for quantity, key in keys:
        stem = key.removesuffix("_mean")
        measures.append(
            Measure(
                f"{quantity} ({image_set})",
                names,
                (g.get(key), a.get(key)),
                (_interval_of(g, stem), _interval_of(a, stem)),
            )
        )
    return measures


def _interval_of(metrics: dict[str, Any], stem: str) -> Interval | None:
    low, high = metrics.get(f"{stem}_ci_low"), metrics.get(f"{stem}_ci_high")
    return (low, high) if low is not None and high is not None else None


def _log_distance(metrics: dict[str, Any], key: str) -> float | None:
    """|log x|: how far a ratio to the data's own is from 1, either way."""
    value = metrics.get(key)
    return abs(math.log(value)) if value else None


def _difference(metrics: dict[str, Any], first: str, second: str) -> float | None:
    a, b = metrics.get(first), metrics.get(second)
    return a - b if a is not None and b is not None else None


def _difference_interval(metrics: dict[str, Any], first: str, second: str) -> Interval | None:
    """A conservative interval of first - second from the two intervals (the widest the two
    allow together)."""
    a, b = _interval_of(metrics, first), _interval_of(metrics, second)
    return (a[0] - b[1], a[1] - b[0]) if a is not None and b is not None else None


def _ratio(metrics: dict[str, Any], kind: str, top: str, bottom: str) -> float | None:
    key = "fid_domain_{}" if kind == "FID" else "kid_domain_{}_mean"
    return _over(metrics, key.format(top), key.format(bottom))


def _over(metrics: dict[str, Any], top: str, bottom: str) -> float | None:
    a, b = metrics.get(top), metrics.get(bottom)
    return a / b if a is not None and b else None


def _share(summary: dict[str, Any]) -> float | None:
    total = summary.get("matched_ols_edits")
    return summary["matched_ols_edits_reached"] / total if total else None


def _young_male(summary: dict[str, Any]) -> Measure | None:
    """OLS against mean difference on Young -> Male, along the entanglement's expected sign,
    holding when the two 95% intervals lie apart; None when either is not matched."""
    key = "matched_{}_leakage_Young_to_Male"
    ols, md = key.format("ols"), key.format("mean_difference")
    if summary.get(ols) is None or summary.get(md) is None:
        return None
    sign = summary["matched_expected_sign_Young_to_Male"]
    return Measure(
        "Young->Male leakage at matched efficacy",
        ("OLS", "mean difference"),
        (summary[ols], summary[md]),
        (_interval(summary, ols), _interval(summary, md)),
        required=intervals_apart(summary, ols, md, sign),
    )


def _interval(summary: dict[str, Any], key: str) -> Interval:
    return summary[key + "_ci_low"], summary[key + "_ci_high"]


def intervals_apart(summary: dict[str, Any], ols_key: str, md_key: str, sign: float) -> bool:
    """OLS's 95% interval lies wholly on the unentangled side of mean difference's: along the
    expected sign of the entanglement (the attributes' correlation), OLS's highest value is
    below mean difference's lowest."""
    if sign == 0:
        return False

    def along(key: str) -> list[float]:
        return sorted(sign * summary[key + end] for end in ("_ci_low", "_ci_high"))

    return along(ols_key)[1] < along(md_key)[0]


def claims_along_training(params: dict[str, Any], target: dict[str, Any]) -> list[Claim]:
    """`claims` at the end of training, each with its verdicts at the target's milestones
    (along_training): a claim is judged at a milestone when every model it reads has one
    there."""
    milestones = judged_milestones(target)
    final = claims(params, target)
    histories: dict[str, dict[float, Verdict]] = {c.key: {} for c in final}
    judged = judged_datasets(target)
    part = {
        **{key: [d for d in target[key] if d in judged] for key in DATASET_KEYS},
        "models": sorted({m for m, _ in milestones}, key=target["models"].index),
    }
    for fraction in sorted({f for _, f in milestones}):
        for claim in claims(params, part, fraction):
            if claim.key in histories:
                histories[claim.key][fraction] = claim.measured
    return [replace(c, history=histories[c.key]) if _reads(c, part["models"]) else c for c in final]


def _reads(claim: Claim, models: Sequence[str]) -> bool:
    return all(m in models for m in claim.states)


DATASET_KEYS = ("datasets", "attribute_datasets", "fid_datasets")


def claim_rows(params: dict[str, Any], target: dict[str, Any]) -> list[list[str]]:
    """[claim, evidence, verdict] rows for the datasets and models of `target`."""
    return [c.row() for c in claims(params, target)]


@dataclass(frozen=True)
class OverSeeds:
    """One claim over several seeds' runs."""

    runs: dict[int, Claim]

    @property
    def first(self) -> Claim:
        return next(iter(self.runs.values()))

    @property
    def counts(self) -> Counter[Verdict]:
        return Counter(c.verdict for c in self.runs.values())

    @property
    def verdict(self) -> Verdict:
        """The seeds' common verdict, or mixed when they differ: a collapse in one seed makes
        a claim supported in the others mixed, never supported."""
        (verdict, *others) = self.counts
        return Verdict.MIXED if others else verdict

    def tally(self) -> str:
        """'supported in 2 of 3 seeds; collapsed in 1'."""
        n = len(self.runs)
        parts = [f"{v} in {k}" for v, k in self.counts.most_common()]
        parts[0] += f" of {n} seed{'s' * (n > 1)}"
        return "; ".join(parts)

    def at_budget(self) -> list[str]:
        return sorted({m for c in self.runs.values() for m in c.at_budget})

    def evidence(self) -> str:
        """Each measure's two numbers as mean ± sd over the seeds that measured both, with n."""
        return "; ".join(self.evidence_parts())

    def evidence_parts(self) -> list[str]:
        """`evidence`, a part per measure (a measure's own words may hold '; ')."""
        parts = []
        for i, measure in enumerate(self.first.measures):
            known = [
                c.measures[i].values
                for c in self.runs.values()
                if i < len(c.measures) and None not in c.measures[i].values
            ]
            if not known:
                parts.append(f"{measure.quantity}: not measured")
                continue
            a, b = ([float(v[j]) for v in known] for j in (0, 1))  # type: ignore[arg-type]
            parts.append(
                f"{measure.quantity}: {measure.names[0]} {spread(a)} vs {measure.names[1]} "
                f"{spread(b)} (n = {len(known)})"
            )
        return parts

    def reason(self) -> str:
        """The seeds' collapses and budgets, in one line."""
        parts = []
        collapsed = {seed: c.collapsed for seed, c in self.runs.items() if c.collapsed}
        if collapsed:
            parts.append(
                "collapsed: "
                + ", ".join(f"{'/'.join(ms)} in seed {seed}" for seed, ms in collapsed.items())
            )
        if self.verdict is Verdict.NOT_SUPPORTED and self.first.why_not:
            parts.append(self.first.why_not)
        if self.verdict in (Verdict.NOT_TOLD_APART, Verdict.NOT_MEASURED):
            parts.append(self.first.why_undecided())
        budget = self.at_budget()
        if budget and self.verdict is not Verdict.NOT_MEASURED:
            parts.append(f"at this budget: {', '.join(budget)} not converged in some seed")
        return "; ".join(parts)

    def verdict_text(self) -> str:
        reason = self.reason()
        return f"{self.verdict} ({self.tally()})" + (f"; {reason}" if reason else "")

    def per_seed(self) -> str:
        return "; ".join(f"seed {seed}: {c.verdict}" for seed, c in self.runs.items())

    def row(self) -> list[str]:
        return [self.first.title, self.evidence(), self.verdict_text(), self.per_seed()]

    def answer_row(self) -> list[str]:
        """[claim, verdict with its tally, the first measure over the seeds, why]."""
        key_number = self.evidence_parts()[0] if self.first.measures else ""
        return [self.first.title, f"{self.verdict} ({self.tally()})", key_number, self.reason()]


def over_seeds(runs: dict[int, Claim]) -> list[str]:
    """[claim, evidence over the seeds, verdict with the tally, verdict per seed]."""
    return OverSeeds(runs).row()
