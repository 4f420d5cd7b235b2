# Shared helpers: parameter validation, paths, code dependencies, the target's outputs.
import glob
import os
from pathlib import Path

from gaia import code_deps, paths
from gaia.config import lookup, validate_params, write_effective_params
from gaia.experiment import experiment_param_keys, judged_models
from gaia.figures import registry
from gaia.runs import run_param_keys
from gaia.utils.gpus import gpu_slots_per_job, schedulable_cpus


validate_params(config, source="params.yaml with the --config / --configfile overrides")
# Every job reads the parameters Snakemake holds, overrides included, from one file written
# here: a `gaia` command reading params.yaml itself would silently ignore them. Each rule's
# `params:` carries the values it depends on, so a changed value reruns exactly those jobs.
write_effective_params(config, paths.EFFECTIVE_PARAMS)
PARAMS_FILE = str(paths.EFFECTIVE_PARAMS)  # every rule: params_file=PARAMS_FILE, `--params`

# One environment for every rule: the package and its pinned dependencies.
CONDA_ENV = "../../environment.yml"
ALL = config["targets"]["all"]
# Threads of the steps that run networks (and of dataset generation). Each also holds that many
# `cpu_slots`, of which there are as many as this machine has CPUs: `--cores 8` on 2 CPUs then
# runs as many of them at once as `--cores 2` (torch jobs beyond the CPUs only slow each other
# down; measured in docs/benchmarks.md). `--resources cpu_slots=N` or a profile sets another
# limit (profiles/slurm: the cluster's, not this machine's).
COMPUTE_THREADS = config["training"]["cpu_threads"]
if "cpu_slots" not in workflow.global_resources:
    workflow.register_resource("cpu_slots", schedulable_cpus())
# The `gpu` resource of those steps: 1 where a GPU is visible or `training.device` is cuda (the
# default profile then runs one at a time), 0 on the CPU, where `--cores` alone limits them.
# Training jobs ask for one per data-parallel process (training_gpus).
GPU_SLOTS_PER_JOB = gpu_slots_per_job(config["training"]["device"])


# A model is a trained one or a milestone of one, MODEL@FRACTION (gaia/train/milestones.py).
TRAINED_MODEL = "[a-z][a-z0-9_]*"
FRACTION = "0?[.][0-9]+"


wildcard_constraints:
    dataset="[a-z][a-z0-9_]*",
    model=f"{TRAINED_MODEL}(@{FRACTION})?",
    target="[a-z][a-z0-9]*",
    seed="[0-9]+",


def step_code(step, choice=None):
    """The Python files `gaia STEP [CHOICE]` runs (its import closure, gaia/code_deps.py): a job
    reruns when any of them changes, and only then (as in DVC, whose dvc.yaml lists the same).

    Read next to the Snakefile and named relative to the working directory, so that a run in
    another folder (`--directory results/full_s0`, gaia/runs.py) depends on the same code.
    """
    files = code_deps.step_code(step, choice, root=Path(workflow.basedir))
    return [os.path.relpath(os.path.join(workflow.basedir, f)) for f in files]


def all_code():
    """Every Python file of the package and the workflow's files: a seed's run executes the
    whole pipeline."""
    patterns = ("gaia/**/*.py", "Snakefile", "workflow/**/*.smk", "workflow/Snakefile")
    return sorted(
        os.path.relpath(f)
        for pattern in patterns
        for f in glob.glob(os.path.join(workflow.basedir, pattern), recursive=True)
    )


def param_values(*keys):
    """The values of dotted params keys: Snakemake reruns a job when they change, and the
    generated dvc.yaml lists the same keys as the stage's params (gaia/dvc_export.py)."""
    return {key: lookup(config, key) for key in keys}


def run_report(target, seed):
    """The report of one seed's run of a seeded target (gaia/runs.py)."""
    return str(paths.run_dir(target, seed) / paths.results_report())


def training_priority(wildcards):
    """A training job's estimated cost (millions of pixels through a network): with fewer cores
    than jobs, Snakemake then starts the longest one, the critical path, first."""
    from gaia.experiment import resolve_experiment

    exp = resolve_experiment(config, f"{wildcards.dataset}/{wildcards.model}")
    passes = 3 if exp.discriminator is not None else 1  # GAIA: G, then D on X, G(X), interps
    images = exp.training["steps"] * exp.training["batch_size"] * passes
    return images * exp.generator.resolution**2 // 10**6


def training_processes(wildcards):
    """Data-parallel processes of a training job (`training.processes`, gaia train starts
    them under torchrun)."""
    from gaia.experiment import resolve_experiment

    exp = resolve_experiment(config, f"{wildcards.dataset}/{wildcards.model}")
    return exp.training["processes"]


def within_limit(resource, amount):
    """`amount` of a resource, at most its global limit where one is set (a job asking for
    more than the limit would never run): --resources, the profile, or common.smk's."""
    limit = workflow.global_resources.get(resource)
    return amount if limit is None else min(amount, getattr(limit, "value", limit))


def training_gpus(wildcards):
    """The `gpu` resource of a training job: one per process where it trains on a GPU (the
    SLURM executor asks for that many, `--gpus`), capped at a local `gpu` limit (the default
    profile's 1 stands for the machine's GPUs: the job then holds them all)."""
    if GPU_SLOTS_PER_JOB == 0:
        return 0
    return within_limit("gpu", training_processes(wildcards))


def training_cpu_slots(wildcards):
    """Threads of a training job: `training.cpu_threads` per process."""
    return within_limit("cpu_slots", COMPUTE_THREADS * training_processes(wildcards))


def judged_by_classifier(dataset):
    """Whether a dataset's analyses read its attribute classifier (the judge): on faces, its
    interpolations and convexity (in its features), FID's domain extractor and the edits. A
    lines dataset is judged by its reference lines unless it gets FID."""
    faces = config["datasets"][dataset]["kind"] != "lines"
    return faces or dataset in ALL["fid_datasets"] or dataset in ALL["attribute_datasets"]


def judge_of(wildcards):
    """The classifier file an interpolation_metrics job reads, where it reads one."""
    return [paths.classifier_file(wildcards.dataset)] if judged_by_classifier(wildcards.dataset) else []


def target_experiments():
    return [(d, m) for d in ALL["datasets"] for m in ALL["models"]]


def judged_experiments():
    """The target's experiments and the milestones its claims are judged at."""
    return [(d, m) for d in ALL["datasets"] for m in judged_models(ALL, d)]


def all_figures(scopes=(registry.DATASET, registry.ATTRIBUTE, registry.RUN)):
    """The figures of the `all` target (PNG; each job also writes the PDF) of these scopes."""
    return [
        paths.figure(f.stem(d)) for f, d in registry.target_figures(ALL) if f.scope in scopes
    ]


def all_target_outputs():
    attribute_experiments = [
        (d, m) for d in ALL["attribute_datasets"] for m in judged_models(ALL, d)
    ]
    return [
        *(paths.train_metrics(d, m) for d, m in judged_experiments()),
        *(paths.classifier_metrics(d) for d in ALL["datasets"] if judged_by_classifier(d)),
        *(paths.interpolation_metrics(d, m) for d, m in judged_experiments()),
        *(paths.probe(d, m) for d, m in judged_experiments()),
        *(paths.attribute_summary(d, m) for d, m in attribute_experiments),
        *(paths.attribute_cosines(d, m) for d, m in attribute_experiments),
        *(paths.fid_metrics(d, m) for d in ALL["fid_datasets"] for m in judged_models(ALL, d)),
        *all_figures(registry.SCOPES),
        paths.results_report(),
        paths.datasets_report(),
        *(paths.dataset_stats(name) for name in ALL["datasets"]),
    ]


# The figure rule (report.smk) draws every entry of gaia/figures/registry.py.
def figure_of(wildcards):
    """The registry entry and dataset of a figure file's stem."""
    return registry.from_stem(wildcards.figure, ALL)


def figure_inputs(wildcards):
    entry, dataset = figure_of(wildcards)
    return {name: [str(f) for f in files] for name, files in entry.inputs(dataset, ALL).items()}


def figure_arguments(wildcards):
    """The command's arguments: the figure's name, and its dataset where it draws one."""
    entry, dataset = figure_of(wildcards)
    return entry.name if dataset is None else f"{entry.name} --dataset {dataset}"
