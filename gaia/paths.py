"""Where every artifact lives, relative to the repository root.

One place for the layout, used by the CLI and by the Snakemake rules (called with wildcard
patterns such as "{dataset}"); dvc.yaml spells the same paths out and a test checks that the two
workflows agree.

A run is one build of the pipeline: the repository's own (`all`: results/, reports/) or one
seed of a seeded target, whose results and reports lie under its folder results/TARGET_sSEED/
with the same layout. The prepared data under data/ are shared by every run (a target may not
change a dataset). A process works in one run at a time (`gaia STEP --run full_s0` sets it,
`in_run`); every results and reports path below lies in that run.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

DATA_RAW = Path("data/raw")
DATA_PROCESSED = Path("data/processed")
RESULTS = Path("results")
REPORTS = Path("reports")
FIGURES = REPORTS / "figures"
LOGS = RESULTS / "logs"
BENCHMARKS = RESULTS / "benchmarks"
# The parameters every Snakemake job reads: params.yaml with --config/--configfile applied.
EFFECTIVE_PARAMS = RESULTS / "params.effective.yaml"

# DVC pipeline file -> the target it runs, and the file's working directory (gaia/dvc_export.py).
DVC_FILES = {
    Path("dvc.yaml"): ("all", None),
    Path("docs/results/dvc.yaml"): ("full", "../.."),
    Path("docs/paper/dvc.yaml"): ("paper", "../.."),
}

SPLITS = ("train", "test")
# The files training writes for an evaluated model, the final one and each milestone.
MODEL_FILE, TRAIN_LOG, TRAIN_METRICS = "model.pt", "train_log.jsonl", "train_metrics.json"
LEARNING_CURVE = "learning_curve.csv"  # the held-out errors over steps (DVC plots)


# A seeded run's name, TARGET_sSEED: its folder under results/.
RUN_NAME = re.compile(r"([a-z][a-z0-9]*)_s([0-9]+)")
_run_root = Path(".")  # the folder the current run's results/ and reports/ lie in


def run_name(target: str, seed: int) -> str:
    return f"{target}_s{seed}"


def parse_run(name: str) -> tuple[str, int]:
    """(target, seed) of a run's name such as "full_s0"."""
    match = RUN_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not a run's name: write TARGET_sSEED, e.g. full_s0")
    return match[1], int(match[2])


def run_dir(target: str, seed: int) -> Path:
    """The folder of one seed's run of a seeded target: its results/ and reports/."""
    return RESULTS / run_name(target, seed)


def run_root(run: str | None) -> Path:
    """The folder of a run by name; None: the repository's own run."""
    return Path(".") if run is None else run_dir(*parse_run(run))


@contextlib.contextmanager
def in_folder(folder: Path) -> Iterator[None]:
    """Within the block, results and reports paths lie in `folder` (a run's, or its record's:
    gaia/runs.py)."""
    global _run_root
    before, _run_root = _run_root, folder
    try:
        yield
    finally:
        _run_root = before


def in_run(run: str | None) -> contextlib.AbstractContextManager[None]:
    """Within the block, results and reports paths lie in the run `run` (None: the
    repository's own)."""
    return in_folder(run_root(run))


def use_run(run: str | None) -> None:
    """Results and reports paths lie in the run `run` from now on (the CLI's --run)."""
    global _run_root
    _run_root = run_root(run)


def _results() -> Path:
    return _run_root / RESULTS


def _reports() -> Path:
    return _run_root / REPORTS


def raw_dir(dataset: str) -> Path:
    return DATA_RAW / dataset


def processed_dir(dataset: str) -> Path:
    return DATA_PROCESSED / dataset


def dataset_stats(dataset: str) -> Path:
    return _results() / dataset / "dataset_stats.json"


def experiment_dir(dataset: str, model: str) -> Path:
    return _results() / dataset / model


def model_file(dataset: str, model: str) -> Path:
    """Final weights with the resolved parameters and the code version."""
    return experiment_dir(dataset, model) / MODEL_FILE


def train_log(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / TRAIN_LOG


def train_metrics(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / TRAIN_METRICS


def learning_curve(dataset: str, model: str) -> Path:
    """Every evaluation of training, one row per step: the log's `eval_*` columns."""
    return experiment_dir(dataset, model) / LEARNING_CURVE


def milestones_dir(dataset: str, model: str) -> Path:
    """The milestones training kept (one folder per fraction, each with the three files
    above), copied to the experiments MODEL@FRACTION by the `milestone` rule."""
    return experiment_dir(dataset, model) / "milestones"


def samples_dir(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "samples"


def renders(dataset: str, model: str) -> Path:
    """The images the model decodes for the figures (gaia/figures/renders.py)."""
    return experiment_dir(dataset, model) / "renders.npz"


def latents(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "latents.npz"


def attribute_vectors(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "attribute_vectors.npz"


def attribute_cosines(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "attribute_cosines.csv"


def attribute_metrics(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "attribute_metrics.csv"


def attribute_matched(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "attribute_matched.csv"


def attribute_summary(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "attribute_summary.json"


def probe(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "probe.json"


def interpolation_metrics(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "interpolation_metrics.json"


def convexity_latents(dataset: str, model: str) -> Path:
    """Real test latents, interpolation midpoints and their re-encodings (convexity figure)."""
    return experiment_dir(dataset, model) / "convexity.npz"


def fid_metrics(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "fid.json"


def fid_reference(dataset: str) -> Path:
    """Features and FID statistics of the real test images, per extractor."""
    return _results() / dataset / "fid_reference.npz"


def fid_reference_info(dataset: str) -> Path:
    return _results() / dataset / "fid_reference.json"


def resume_dir(dataset: str, model: str) -> Path:
    """Resumable training state. Not a declared output: Snakemake and DVC delete declared
    outputs before running a job, which would throw away the progress of a killed run."""
    return experiment_dir(dataset, model) / "resume"


def classifier_dir(dataset: str) -> Path:
    return _results() / dataset / "classifier"


def classifier_file(dataset: str) -> Path:
    return classifier_dir(dataset) / "classifier.pt"


def classifier_metrics(dataset: str) -> Path:
    return classifier_dir(dataset) / "classifier_metrics.json"


def figure(name: str, ext: str = "png") -> Path:
    return _reports() / FIGURES.relative_to(REPORTS) / f"{name}.{ext}"


def results_report() -> Path:
    return _reports() / "README.md"


def results_report_html() -> Path:
    """The results report as HTML, for Snakemake's report."""
    return _reports() / "README.html"


def datasets_report() -> Path:
    return _reports() / "datasets.md"


def log_file(rule: str, name: str) -> Path:
    return _results() / "logs" / rule / f"{name}.log"


def benchmark_file(rule: str, name: str) -> Path:
    """Snakemake's benchmark table of one job (wall seconds, memory, CPU time)."""
    return _results() / "benchmarks" / rule / f"{name}.tsv"


def dvc_file(target: str) -> Path:
    """The DVC pipeline file that runs `target`."""
    return next(file for file, (name, _) in DVC_FILES.items() if name == target)
