"""Where every artifact lives, relative to the repository root.

One place for the layout, used by the CLI and by the Snakemake rules (called with wildcard
patterns such as "{dataset}"); dvc.yaml spells the same paths out and a test checks that the two
workflows agree.
"""

from __future__ import annotations

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

SPLITS = ("train", "test")
# The files training writes for an evaluated model, the final one and each milestone.
MODEL_FILE, TRAIN_LOG, TRAIN_METRICS = "model.pt", "train_log.jsonl", "train_metrics.json"


def run_dir(target: str, seed: int) -> Path:
    """The working directory of one seed's run of a seeded target (gaia/runs.py)."""
    return RESULTS / f"{target}_s{seed}"


def raw_dir(dataset: str) -> Path:
    return DATA_RAW / dataset


def processed_dir(dataset: str) -> Path:
    return DATA_PROCESSED / dataset


def dataset_stats(dataset: str) -> Path:
    return RESULTS / dataset / "dataset_stats.json"


def experiment_dir(dataset: str, model: str) -> Path:
    return RESULTS / dataset / model


def model_file(dataset: str, model: str) -> Path:
    """Final weights with the resolved parameters and the code version."""
    return experiment_dir(dataset, model) / MODEL_FILE


def train_log(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / TRAIN_LOG


def train_metrics(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / TRAIN_METRICS


def milestones_dir(dataset: str, model: str) -> Path:
    """The milestones training kept (one folder per fraction, each with the three files
    above), copied to the experiments MODEL@FRACTION by the `milestone` rule."""
    return experiment_dir(dataset, model) / "milestones"


def samples_dir(dataset: str, model: str) -> Path:
    return experiment_dir(dataset, model) / "samples"


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
    return RESULTS / dataset / "fid_reference.npz"


def fid_reference_info(dataset: str) -> Path:
    return RESULTS / dataset / "fid_reference.json"


def resume_dir(dataset: str, model: str) -> Path:
    """Resumable training state. Not a declared output: Snakemake and DVC delete declared
    outputs before running a job, which would throw away the progress of a killed run."""
    return experiment_dir(dataset, model) / "resume"


def classifier_dir(dataset: str) -> Path:
    return RESULTS / dataset / "classifier"


def classifier_file(dataset: str) -> Path:
    return classifier_dir(dataset) / "classifier.pt"


def classifier_metrics(dataset: str) -> Path:
    return classifier_dir(dataset) / "classifier_metrics.json"


def figure(name: str, ext: str = "png") -> Path:
    return FIGURES / f"{name}.{ext}"


def results_report() -> Path:
    return REPORTS / "README.md"


def datasets_report() -> Path:
    return REPORTS / "datasets.md"


def log_file(rule: str, name: str) -> Path:
    return LOGS / rule / f"{name}.log"


def benchmark_file(rule: str, name: str) -> Path:
    """Snakemake's benchmark table of one job (wall seconds, memory, CPU time)."""
    return BENCHMARKS / rule / f"{name}.tsv"
