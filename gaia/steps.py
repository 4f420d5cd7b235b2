"""Every step of the pipeline, declared once: what the CLI, Snakemake, DVC and the reports read.

A step is one `gaia` subcommand that one job runs. Its entry says what it runs (a function), what
one job of it covers (its scope: a dataset, an experiment, a figure, a run), what it reads and
writes (paths relative to its run's folder, gaia/paths.py), which parameters it depends on, what
it costs, and which of the numbers it writes the reports compare over seeds. From this table:

- the CLI builds the subcommands (gaia/cli.py);
- workflow/rules/steps.smk makes one Snakemake rule per step;
- gaia/code_deps.py finds the code a step runs (its modules' import closure);
- gaia/dvc_export.py writes dvc.yaml by resolving a target's files to the jobs that write them
  (gaia/plan.py), as Snakemake does, without Snakemake;
- gaia/report/target.py reads the headline metrics (`metrics`) of every step.

Adding a step: one entry here and its function. Adding a metric to the reports over seeds: one
`Metric` in its step's entry, the function writing the key. Adding a figure: one entry of
gaia/figures/registry.py (the `figure` step draws them all).

The seeded targets' steps `record` and `report-target` cover a seed's run and a whole target; their
jobs are made per seed in workflow/rules/runs.smk, from the functions at the end of this file.
Torch-free: the CLI and the workflow import it to start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.experiment import experiment_param_keys, fits_attribute_vectors, judged_models
from gaia.figures import registry
from gaia.resources import StepCost
from gaia.runs import (
    RECORD,
    experiment_copies,
    experiment_marker,
    judged_by_classifier,
    judged_experiments,
    record_copies,
    record_dir,
    run_figures,
    run_params,
    seeded_target,
    trained_experiments,
)

# What one job of a step covers, and so its wildcards: DATA and DATASET one dataset (DATA's
# outputs are shared by every run, under data/), EXPERIMENT one DATASET/MODEL (a model may be a
# milestone MODEL@FRACTION), FIGURE one figure file of the registry, RUN the run as a whole.
DATA, DATASET, EXPERIMENT, FIGURE, RUN = "data", "dataset", "experiment", "figure", "run"

# A model is a trained one or a milestone of one, MODEL@FRACTION (gaia/train/milestones.py).
TRAINED_MODEL = "[a-z][a-z0-9_]*"
FRACTION = "0?[.][0-9]+"
WILDCARD_PATTERNS = {
    "dataset": "[a-z][a-z0-9_]*",
    "model": f"{TRAINED_MODEL}(@{FRACTION})?",
    "fraction": FRACTION,
    "figure": "[a-z0-9_]+",
}

Wildcards = Mapping[str, str]  # a job's wildcard values: dataset, model, fraction, figure
# (the run's parameters, the job's wildcards) -> input files by name, in the run (paths.in_run)
Inputs = Callable[[dict[str, Any], Wildcards], dict[str, list[Path]]]
# (the run's parameters, the job's wildcards) -> the params keys its results depend on
ParamKeys = Callable[[dict[str, Any], Wildcards], list[str]]


@dataclass(frozen=True)
class Metric:
    """A number a step writes into its `metrics` output, compared over a target's seeds."""

    key: str
    label: str


@dataclass(frozen=True)
class Step:
    name: str  # the rule, the DVC stage's prefix and the cost's key (gaia/resources.py)
    command: str  # the `gaia` subcommand (with its choice: "report results")
    function: str  # "module:function" that does the work
    scope: str
    help: str
    inputs: Inputs
    # Output files by name ("metrics": the file DVC shows as metrics), given the wildcards'
    # values or patterns. A name in `directories` is a folder.
    outputs: Callable[[Wildcards], dict[str, Path]]
    # Its largest job in the embedded default: wall seconds and peak MB (2-core AMD EPYC,
    # 2026-12-05, benchmarks/pipeline_stages.py over results/benchmarks/); gaia/resources.py
    # scales them to a job's images.
    cost: StepCost
    param_keys: ParamKeys = lambda params, w: []
    directories: frozenset[str] = frozenset()
    networks: bool = False  # runs networks: threads, and a GPU where the run's device has one
    threaded: bool = False  # takes `training.cpu_threads` threads without running networks
    modules: tuple[str, ...] = ()  # modules it runs beyond `function`'s
    metrics: tuple[Metric, ...] = ()
    # A column of its `curve` output drawn over `step` by `dvc plots`, one line per model.
    curve: Metric | None = None
    # only this form of the model wildcard (train, milestone: the trained models)
    model_pattern: str | None = None
    fraction: bool = False  # a milestone's: the experiment DATASET/MODEL@FRACTION

    @property
    def wildcards(self) -> tuple[str, ...]:
        """The wildcards of a job of this step, in the order of its stage's name."""
        if self.scope in (DATA, DATASET):
            return ("dataset",)
        if self.scope == EXPERIMENT:
            return ("dataset", "model", "fraction") if self.fraction else ("dataset", "model")
        return ("figure",) if self.scope == FIGURE else ()

    @property
    def module(self) -> str:
        return self.function.partition(":")[0]

    def code_modules(self, figure: str | None = None) -> tuple[str, ...]:
        """The modules a job of this step runs (a figure's: the registry and its module)."""
        drawing = (registry.figure(figure).module,) if figure else ()
        return (self.module, *self.modules, *drawing)

    @property
    def placeholders(self) -> dict[str, str]:
        """Each wildcard as its own placeholder ("{dataset}"): the outputs given these are
        the step's path patterns."""
        return {name: f"{{{name}}}" for name in self.wildcards}

    def wildcard_patterns(self) -> dict[str, str]:
        if self.model_pattern is None:
            return WILDCARD_PATTERNS
        return {**WILDCARD_PATTERNS, "model": self.model_pattern}

    def log_name(self, w: Wildcards) -> str:
        """The job's log file name (results/logs/STEP/NAME.log)."""
        if self.scope in (DATA, DATASET):
            return w["dataset"]
        if self.scope == EXPERIMENT:
            return f"{w['dataset']}-{experiment_model(w)}"
        return w["figure"] if self.scope == FIGURE else "all"

    def arguments(self, params: dict[str, Any], w: Wildcards) -> str:
        """The subcommand and its arguments for one job (no --log, --params or --run)."""
        if self.scope in (DATA, DATASET):
            return f"{self.command} --dataset {w['dataset']}"
        if self.scope == EXPERIMENT:
            return f"{self.command} --experiment {w['dataset']}/{experiment_model(w)}"
        if self.scope == FIGURE:
            entry, dataset = figure_of(params, w)
            drawn = entry.name if dataset is None else f"{entry.name} --dataset {dataset}"
            return f"{self.command} {drawn} --target all"
        return f"{self.command} --target all"


def experiment_model(w: Wildcards) -> str:
    """The model of an experiment job: MODEL, or MODEL@FRACTION for a milestone."""
    return f"{w['model']}@{w['fraction']}" if "fraction" in w else w["model"]


def figure_of(params: dict[str, Any], w: Wildcards) -> tuple[registry.Figure, str | None]:
    """The registry entry and dataset of a figure job (its file stem)."""
    return registry.from_stem(w["figure"], params["targets"]["all"])


def files_of(w: Wildcards, **kinds: Callable[..., Path]) -> dict[str, list[Path]]:
    """Inputs of a job: one file of each kind, of the job's dataset (and model)."""
    args = (w["dataset"], w["model"]) if "model" in w else (w["dataset"],)
    return {name: [kind(*args)] for name, kind in kinds.items()}


def data_and(**kinds: Callable[..., Path]) -> Inputs:
    """The prepared dataset, then one file of each kind of the job's dataset (and model)."""
    return lambda params, w: {"data": [paths.processed_dir(w["dataset"])], **files_of(w, **kinds)}


def of_its_dataset(kind: Callable[[str], Path]) -> Callable[[str, str], Path]:
    """A file of an experiment's dataset, among the experiment job's inputs."""
    return lambda dataset, model: kind(dataset)


def keys(*names: str) -> ParamKeys:
    """Fixed params keys ("{dataset}" filled in)."""
    return lambda params, w: [name.format(**w) for name in names]


def judge_inputs(params: dict[str, Any], w: Wildcards) -> dict[str, list[Path]]:
    """An interpolation-metrics job's inputs: the classifier only where it judges the dataset."""
    inputs = data_and(model=paths.model_file, latents=paths.latents)(params, w)
    judged = judged_by_classifier(params, w["dataset"], params["targets"]["all"])
    return {**inputs, "classifier": [paths.classifier_file(w["dataset"])] if judged else []}


def render_inputs(params: dict[str, Any], w: Wildcards) -> dict[str, list[Path]]:
    """A render job's inputs: the attribute vectors only where the run fits them."""
    inputs = data_and(model=paths.model_file, latents=paths.latents)(params, w)
    fitted = fits_attribute_vectors(params, w["dataset"])
    vectors = [paths.attribute_vectors(w["dataset"], w["model"])] if fitted else []
    return {**inputs, "vectors": vectors}


def figure_inputs(params: dict[str, Any], w: Wildcards) -> dict[str, list[Path]]:
    entry, dataset = figure_of(params, w)
    return entry.inputs(dataset, params["targets"]["all"])


def figure_keys(params: dict[str, Any], w: Wildcards) -> list[str]:
    entry, dataset = figure_of(params, w)
    return entry.param_keys(dataset)


def datasets_report_inputs(params: dict[str, Any], w: Wildcards) -> dict[str, list[Path]]:
    target = params["targets"]["all"]
    return {
        "stats": [paths.dataset_stats(d) for d in target["datasets"]],
        "data": [paths.processed_dir(d) for d in target["datasets"]],
        "figures": run_figures(target, (registry.TARGET,)),
    }


def results_report_inputs(params: dict[str, Any], w: Wildcards) -> dict[str, list[Path]]:
    """Every file the results report reads: the metrics of the run's experiments (and of the
    milestones its claims are judged at), the judge's, and the figures it embeds."""
    target = params["targets"]["all"]
    judged = judged_experiments(target)

    def of(kind: Callable[[str, str], Path], datasets: list[str]) -> list[Path]:
        return [kind(d, m) for d in datasets for m in judged_models(target, d)]

    return {
        "train": [paths.train_metrics(d, m) for d, m in judged],
        "logs": [paths.train_log(d, m) for d, m in judged],
        "interpolation": [paths.interpolation_metrics(d, m) for d, m in judged],
        "probe": [paths.probe(d, m) for d, m in judged],
        "attributes": of(paths.attribute_summary, target["attribute_datasets"]),
        "fid": of(paths.fid_metrics, target["fid_datasets"]),
        "fid_info": [paths.fid_reference_info(d) for d in target["fid_datasets"]],
        "judge": [paths.classifier_metrics(d) for d in target["attribute_datasets"]],
        "figures": run_figures(target, (registry.DATASET, registry.ATTRIBUTE, registry.RUN)),
    }


def of_experiment(**kinds: Callable[[str, str], Path]) -> Callable[[Wildcards], dict[str, Path]]:
    return lambda w: {name: kind(w["dataset"], experiment_model(w)) for name, kind in kinds.items()}


def of_dataset(**kinds: Callable[[str], Path]) -> Callable[[Wildcards], dict[str, Path]]:
    return lambda w: {name: kind(w["dataset"]) for name, kind in kinds.items()}


NO_INPUTS: Inputs = lambda params, w: {}  # noqa: E731

STEPS: tuple[Step, ...] = (
    # Stage 1: the datasets (generated or downloaded; shared by every run) and their statistics.
    Step(
        "prepare_data",
        "prepare-data",
        "gaia.data.prepare:prepare_dataset",
        DATA,
        "generate or download a dataset into data/processed",
        NO_INPUTS,
        of_dataset(data=paths.processed_dir),
        StepCost(23, 350),
        param_keys=keys("datasets.{dataset}"),
        directories=frozenset({"data"}),
        threaded=True,
    ),
    Step(
        "dataset_stats",
        "dataset-stats",
        "gaia.data.stats:write_dataset_stats",
        DATASET,
        "attribute statistics of a prepared dataset",
        data_and(),
        of_dataset(metrics=paths.dataset_stats),
        StepCost(1, 100),
    ),
    # Stage 2: training, resumable (its checkpoint, results/DATASET/MODEL/resume/, is no declared
    # output: the engines delete declared outputs before a job runs, and a killed run resumes).
    Step(
        "train",
        "train",
        "gaia.train.trainer:train",
        EXPERIMENT,
        "train one experiment (GAIA, AE, VAE or ACAI), resumably",
        data_and(),
        of_experiment(
            model=paths.model_file,
            log=paths.train_log,
            metrics=paths.train_metrics,
            samples=paths.samples_dir,
            milestones=paths.milestones_dir,
            curve=paths.learning_curve,
        ),
        StepCost(570, 1250),
        param_keys=lambda params, w: experiment_param_keys(params, w["dataset"], w["model"]),
        directories=frozenset({"samples", "milestones"}),
        networks=True,
        modules=("gaia.train.distributed",),
        metrics=(
            Metric("test_recon_l1", "held-out L1 of G(X)"),
            Metric("test_raw_recon_l1", "held-out L1 of G(X), raw weights"),
            Metric("late_gain_recon_l1", "L1 drop over the last quarter"),
            Metric("test_angle_accuracy", "lines at their angle"),
            Metric("test_drawn_line_accuracy", "lines drawn (at their angle, near a true line)"),
        ),
        model_pattern=TRAINED_MODEL,
        curve=Metric("eval_recon_l1", "held-out L1 of G(X)"),
    ),
    # A milestone MODEL@FRACTION: the model training kept after that fraction of its steps, as
    # an experiment of its own that the analyses treat like any other.
    Step(
        "milestone",
        "milestone",
        "gaia.train.milestones:extract_milestone",
        EXPERIMENT,
        "a model part way through its training (DATASET/MODEL@FRACTION) as an experiment",
        lambda params, w: {"milestones": [paths.milestones_dir(w["dataset"], w["model"])]},
        of_experiment(model=paths.model_file, log=paths.train_log, metrics=paths.train_metrics),
        StepCost(2, 300),
        model_pattern=TRAINED_MODEL,
        fraction=True,
    ),
    # Stage 3: the latent-space analyses of every experiment. The attribute classifier (once
    # per dataset) judges edited images; attribute vectors and edits run on the datasets of
    # targets.all.attribute_datasets (binary attributes); interpolation metrics and the linear
    # probe on all.
    Step(
        "train_classifier",
        "train-classifier",
        "gaia.analysis.classifier_training:train_classifier",
        DATASET,
        "fit the attribute classifier",
        data_and(),
        of_dataset(model=paths.classifier_file, metrics=paths.classifier_metrics),
        StepCost(68, 860),
        param_keys=keys(
            "analysis.classifier", "analysis.edits.leakage_threshold", "datasets.{dataset}"
        ),
        networks=True,
    ),
    Step(
        "extract_latents",
        "extract-latents",
        "gaia.analysis.latents:extract_latents",
        EXPERIMENT,
        "encode training and test images",
        data_and(model=paths.model_file),
        of_experiment(latents=paths.latents),
        StepCost(14, 760),
        param_keys=keys("analysis.latents"),
        networks=True,
    ),
    Step(
        "attribute_vectors",
        "attribute-vectors",
        "gaia.analysis.attributes:fit_attribute_vectors",
        EXPERIMENT,
        "OLS and mean-difference vectors",
        data_and(latents=paths.latents),
        of_experiment(vectors=paths.attribute_vectors, cosines=paths.attribute_cosines),
        StepCost(4, 680),
    ),
    Step(
        "attribute_edits",
        "attribute-edits",
        "gaia.analysis.attributes:edit_attributes",
        EXPERIMENT,
        "edit held-out faces; efficacy and leakage",
        data_and(
            model=paths.model_file,
            latents=paths.latents,
            vectors=paths.attribute_vectors,
            classifier=of_its_dataset(paths.classifier_file),
        ),
        of_experiment(
            edits=paths.attribute_metrics,
            matched=paths.attribute_matched,
            metrics=paths.attribute_summary,
        ),
        StepCost(59, 800),
        param_keys=keys("analysis.edits"),
        networks=True,
        metrics=(
            Metric("matched_ols_mean_abs_leakage", "OLS mean absolute leakage (matched)"),
            Metric("matched_mean_difference_mean_abs_leakage", "mean-diff. mean absolute leakage"),
            Metric("matched_ols_leakage_Young_to_Male", "OLS Young->Male (matched)"),
            Metric("matched_mean_difference_leakage_Young_to_Male", "mean-diff. Young->Male"),
        ),
    ),
    Step(
        "interpolation_metrics",
        "interpolation-metrics",
        "gaia.analysis.interpolation:interpolation_metrics",
        EXPERIMENT,
        "judge latent interpolations",
        judge_inputs,
        of_experiment(metrics=paths.interpolation_metrics, convexity=paths.convexity_latents),
        StepCost(19, 1300),
        param_keys=keys("analysis.interpolation", "datasets.{dataset}"),
        networks=True,
        metrics=(
            Metric("mean_distance", "lines Mean Distance (ACAI)"),
            Metric("smoothness", "lines Smoothness (ACAI)"),
        ),
    ),
    Step(
        "probe",
        "probe",
        "gaia.analysis.probe:probe",
        EXPERIMENT,
        "linear probe of the latents: attributes or line angles",
        data_and(latents=paths.latents),
        of_experiment(metrics=paths.probe),
        StepCost(5, 700),
        param_keys=keys("analysis.probe"),
        metrics=(Metric("mean_accuracy", "linear probe accuracy"),),
    ),
    # Stage 4: FID and KID (torch-fidelity) of each model's reconstructions, interpolation
    # midpoints and OLS edits against the real test images, on targets.all.fid_datasets. The real
    # side (features and statistics per extractor) is computed once per dataset.
    Step(
        "fid_reference",
        "fid-reference",
        "gaia.metrics.fid:write_fid_reference",
        DATASET,
        "features and FID statistics of the real test images",
        data_and(classifier=paths.classifier_file),
        of_dataset(stats=paths.fid_reference, info=paths.fid_reference_info),
        StepCost(6, 780),
        param_keys=keys("fid"),
        networks=True,
    ),
    Step(
        "fid",
        "fid",
        "gaia.metrics.fid:evaluate_fid",
        EXPERIMENT,
        "FID/KID of reconstructions, interpolations and edits",
        data_and(
            model=paths.model_file,
            latents=paths.latents,
            vectors=paths.attribute_vectors,
            classifier=of_its_dataset(paths.classifier_file),
            stats=of_its_dataset(paths.fid_reference),
            info=of_its_dataset(paths.fid_reference_info),
        ),
        of_experiment(metrics=paths.fid_metrics),
        StepCost(32, 1030),
        param_keys=keys("fid"),
        networks=True,
        metrics=(
            Metric("fid_domain_recon", "domain FID reconstructions"),
            Metric("fid_domain_interp", "domain FID midpoints"),
        ),
    ),
    # Last stage: the images each trained model decodes for the figures (once per experiment,
    # so that figures are drawn from files, without the weights), the figures (every entry of
    # gaia/figures/registry.py, PNG and PDF) and the run's markdown reports.
    Step(
        "render",
        "render",
        "gaia.figures.renders:render",
        EXPERIMENT,
        "decode the images the figures show: reconstructions, interpolations, edits",
        render_inputs,
        of_experiment(renders=paths.renders),
        StepCost(11, 810),  # the slowest of the default run's 8, on 2 cores shared with 2 trainings
        param_keys=keys(
            "analysis.interpolation.faces.seed",
            "analysis.edits.scales",
            "targets.all.attribute_datasets",
        ),
        networks=True,
        model_pattern=TRAINED_MODEL,
    ),
    Step(
        "figure",
        "figure",
        "gaia.figures.registry:figure",
        FIGURE,
        "draw a figure into reports/figures (PNG and PDF)",
        figure_inputs,
        lambda w: {"png": paths.figure(w["figure"]), "pdf": paths.figure(w["figure"], "pdf")},
        StepCost(10, 1150),
        param_keys=figure_keys,
    ),
    Step(
        "animation",
        "figure",
        "gaia.figures.registry:figure",
        FIGURE,
        "draw an animation of the registry into reports/figures (GIF)",
        figure_inputs,
        lambda w: {"gif": paths.figure(w["figure"], "gif")},
        StepCost(9, 660),  # the default run's slower GIF, on the same shared cores
        param_keys=figure_keys,
    ),
    Step(
        "report_datasets",
        "report datasets",
        "gaia.report.datasets:write_datasets_report",
        RUN,
        "the datasets' report, reports/datasets.md",
        datasets_report_inputs,
        lambda w: {"report": paths.datasets_report()},
        StepCost(1, 150),
        param_keys=keys("targets.all"),
    ),
    Step(
        "report_results",
        "report results",
        "gaia.report.results:write_results_report",
        RUN,
        "the run's results and the paper's claims, reports/README.md",
        results_report_inputs,
        lambda w: {"report": paths.results_report(), "html": paths.results_report_html()},
        StepCost(4, 600),
        param_keys=keys("targets.all", "fid.sets", "models", "report"),
    ),
)


def headline_metrics() -> list[tuple[Step, Metric]]:
    """The numbers the report over seeds compares, with the step whose metrics hold them."""
    return [(s, metric) for s in STEPS for metric in s.metrics]


def metrics_file(step_name: str, dataset: str, model: str) -> Path:
    """The `metrics` output of one experiment's job of a step, in the current run."""
    return step(step_name).outputs({"dataset": dataset, "model": model})["metrics"]


# The steps of seeded targets, outside the table's scopes: an experiment's record as it finishes,
# its restoring from the record (instead of training it again), a seed's record, and the report
# over a target's seeds. gaia/plan.py makes their jobs (workflow/rules/runs.smk: their rules).
RECORD_STEP = Step(
    "record",
    "record",
    "gaia.runs:record_run",
    RUN,
    "copy a finished experiment's metrics, logs and renders (--experiment), or a built seed's "
    "figures and reports, into its target's report folder, REPORT_DIR/runs/TARGET_sSEED/, to "
    "commit (never the weights)",
    NO_INPUTS,
    lambda w: {},
    StepCost(5, 250),
    modules=("gaia.plan",),
)
RESTORE_STEP = Step(
    "restore",
    "restore",
    "gaia.runs:restore_experiment",
    RUN,
    "copy a recorded experiment's files back into its seed's run, which then does not train it",
    NO_INPUTS,
    lambda w: {},
    StepCost(1, 100),  # a lines GAIA's 14 files: 0.8 s, 42 MB peak
)
TARGET_REPORT_STEP = Step(
    "report_target",
    "report target",
    "gaia.report.target:write_target_report",
    RUN,
    "a seeded target's report over its seeds (docs/results/ for full)",
    NO_INPUTS,
    lambda w: {},
    StepCost(10, 800),
)
BY_NAME = {step.name: step for step in (*STEPS, RECORD_STEP, RESTORE_STEP, TARGET_REPORT_STEP)}
REPORT_STEPS = {s.command.split()[1]: s for s in (*STEPS, TARGET_REPORT_STEP) if " " in s.command}


def step(name: str) -> Step:
    if name not in BY_NAME:
        raise KeyError(f"unknown step {name!r}; steps: {sorted(BY_NAME)}")
    return BY_NAME[name]


def experiment_markers(params: dict[str, Any], target: str, seed: int) -> list[Path]:
    """The record.json of every experiment of a seed's run, in its record."""
    run = run_params(params, target, seed)["targets"]["all"]
    return [experiment_marker(params, target, seed, d, m) for d, m in trained_experiments(run)]


def record_sources(params: dict[str, Any], target: str, seed: int) -> list[Path]:
    """What a seed's own record job reads: the run's files it keeps, and every experiment's
    record (each made as it finished), which it completes."""
    own = [source for source, _ in record_copies(params, target, seed)]
    return [*own, *experiment_markers(params, target, seed)]


def record_outputs(params: dict[str, Any], target: str, seed: int) -> list[Path]:
    """What a seed's own record job writes: the run's kept files, in its record folder, and
    its run.json."""
    copies = [copy for _, copy in record_copies(params, target, seed)]
    return [*copies, record_dir(params, target, seed) / RECORD]


def experiment_record_outputs(
    params: dict[str, Any], target: str, seed: int, dataset: str, model: str
) -> list[Path]:
    """An experiment's record: its kept files, in its seed's record folder, and record.json."""
    copies = [copy for _, copy in experiment_copies(params, target, seed, dataset, model)]
    return [*copies, experiment_marker(params, target, seed, dataset, model)]


def record_files(params: dict[str, Any], target: str, seed: int) -> list[Path]:
    """Every file of a seed's record: its experiments' and its own."""
    run = run_params(params, target, seed)["targets"]["all"]
    return [
        *(
            f
            for d, m in trained_experiments(run)
            for f in experiment_record_outputs(params, target, seed, d, m)
        ),
        *record_outputs(params, target, seed),
    ]


def target_report_outputs(params: dict[str, Any], target: str) -> dict[str, Path]:
    report_dir = Path(seeded_target(params, target)["report_dir"])
    return {"report": report_dir / "README.md", "figures": report_dir / "figures"}


def seeded_target_outputs(params: dict[str, Any], target: str) -> list[Path]:
    """What a seeded target builds: its report, and every seed's record, asked for directly:
    Snakemake rebuilds a missing file that an up-to-date report read only when it is asked
    for, so a removed record is built again (its experiment trained) and the report with it."""
    seeds = seeded_target(params, target)["seeds"]
    records = [record for seed in seeds for record in record_files(params, target, seed)]
    return [target_report_outputs(params, target)["report"], *records]
