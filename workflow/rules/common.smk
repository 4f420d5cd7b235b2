# Shared helpers: parameter validation, paths, code dependencies.
import glob
import os

from gaia import paths
from gaia.config import lookup, validate_params, write_effective_params
from gaia.runs import run_params
from gaia.utils.gpus import gpu_slots_per_job


validate_params(config, source="params.yaml with the --config / --configfile overrides")
# Every job reads the parameters Snakemake holds, overrides included, from one file written
# here: a `gaia` command reading params.yaml itself would silently ignore them. Each rule's
# `params:` carries the values it depends on, so a changed value reruns exactly those jobs.
write_effective_params(config, paths.EFFECTIVE_PARAMS)
PARAMS_FILE = str(paths.EFFECTIVE_PARAMS)  # every rule: params_file=PARAMS_FILE, `--params`

# One environment for every rule: the package and its pinned dependencies.
CONDA_ENV = "../../environment.yml"
ALL = config["targets"]["all"]
# Threads of the steps that run networks (and of dataset generation): Snakemake then runs no
# more of them at once than `--cores` allows.
COMPUTE_THREADS = config["training"]["cpu_threads"]
# The `gpu` resource of those steps: 1 where a GPU is visible (the default profile then runs one
# at a time), 0 on a machine without one, where `--cores` alone limits them.
GPU_SLOTS_PER_JOB = gpu_slots_per_job(config["training"]["device"])


wildcard_constraints:
    dataset="[a-z][a-z0-9_]*",
    model="[a-z][a-z0-9_]*",
    target="[a-z][a-z0-9]*",
    seed="[0-9]+",


def package_files(*subpackages):
    """The Python files of gaia subpackages: a rule reruns when its code changes (as in DVC).

    Found next to the Snakefile and named relative to the working directory, so that a run in
    another folder (`--directory results/full_s0`, gaia/runs.py) depends on the same code.
    """
    pattern = os.path.join(workflow.basedir, "gaia", "{}", "**", "*.py")
    return sorted(
        os.path.relpath(f)
        for sub in subpackages
        for f in glob.glob(pattern.format(sub), recursive=True)
    )


# Every subpackage: the code a whole run of the pipeline depends on.
ALL_SUBPACKAGES = ("analysis", "data", "figures", "metrics", "models", "report", "train", "utils")


def param_values(*keys):
    """The values of dotted params keys; Snakemake reruns a job when they change (as in DVC)."""
    return {key: lookup(config, key) for key in keys}


def experiment_params(dataset, model):
    """Everything an experiment's training depends on (the resolved experiment)."""
    from gaia.experiment import resolve_experiment

    return resolve_experiment(config, f"{dataset}/{model}").to_dict()


def run_report(target, seed):
    """The report of one seed's run of a seeded target (gaia/runs.py)."""
    return str(paths.run_dir(target, seed) / paths.results_report())


def target_experiments():
    return [(d, m) for d in ALL["datasets"] for m in ALL["models"]]


def all_figures():
    """Every figure of the `all` target (PNG; each rule also writes the PDF)."""
    per_dataset = ("training", "reconstructions", "interpolations", "convexity")
    per_attribute_dataset = ("entanglement", "attribute_edits")
    return [
        *(paths.figure(f"{f}_{d}") for f in per_dataset for d in ALL["datasets"]),
        *(paths.figure(f"{f}_{d}") for f in per_attribute_dataset for d in ALL["attribute_datasets"]),
    ]


def all_target_outputs():
    attribute_experiments = [(d, m) for d in ALL["attribute_datasets"] for m in ALL["models"]]
    return [
        *(paths.train_metrics(d, m) for d, m in target_experiments()),
        *(paths.classifier_metrics(d) for d in ALL["datasets"]),
        *(paths.interpolation_metrics(d, m) for d, m in target_experiments()),
        *(paths.attribute_summary(d, m) for d, m in attribute_experiments),
        *(paths.attribute_cosines(d, m) for d, m in attribute_experiments),
        *(paths.fid_metrics(d, m) for d in ALL["fid_datasets"] for m in ALL["models"]),
        paths.figure("datasets"),
        *all_figures(),
        paths.results_report(),
        paths.datasets_report(),
        *(paths.dataset_stats(name) for name in ALL["datasets"]),
    ]
