# Shared helpers: parameter validation, runs, paths, code dependencies, the targets' outputs.
import functools
import os
from pathlib import Path

from gaia import code_deps, paths
from gaia import resources as costs
from gaia.config import lookup, validate_params, write_effective_params
from gaia.experiment import experiment_param_keys, judged_models
from gaia.figures import registry
from gaia.runs import (
    RECORD,
    built_by_run,
    is_recorded,
    judged_by_classifier,
    judged_experiments,
    record_copies,
    record_dir,
    run_figures,
    run_params,
)
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
SEEDED = {name: entry for name, entry in config["targets"].items() if "seeds" in entry}
# Threads of the steps that run networks (and of dataset generation). Each also holds that many
# `cpu_slots`, of which there are as many as this machine has CPUs: `--cores 8` on 2 CPUs then
# runs as many of them at once as `--cores 2` (torch jobs beyond the CPUs only slow each other
# down; measured in docs/benchmarks.md). `--resources cpu_slots=N` or a profile sets another
# limit (profiles/slurm: the cluster's, not this machine's).
COMPUTE_THREADS = config["training"]["cpu_threads"]
if "cpu_slots" not in workflow.global_resources:
    workflow.register_resource("cpu_slots", schedulable_cpus())


# A model is a trained one or a milestone of one, MODEL@FRACTION (gaia/train/milestones.py).
TRAINED_MODEL = "[a-z][a-z0-9_]*"
FRACTION = "0?[.][0-9]+"


# Every job belongs to a run (gaia/paths.py): the repository's own, whose results and reports
# are results/ and reports/, or one seed of a seeded target, whose are under results/TARGET_sSEED/.
# The wildcard `root` is the folder a run's results/ and reports/ lie in, "" or
# "results/TARGET_sSEED/", so one workflow holds the jobs of every seed (no nested Snakemake); the
# prepared data under data/ are shared by all runs.
wildcard_constraints:
    root=f"({paths.RESULTS}/{paths.RUN_NAME.pattern}/)?",
    dataset="[a-z][a-z0-9_]*",
    model=f"{TRAINED_MODEL}(@{FRACTION})?",


def R(path):
    """A results or reports path in the run of the job (the `root` wildcard)."""
    return f"{{root}}{path}"


def run_of(root):
    """The run's name (full_s0), or None for the repository's run."""
    return Path(root).name if root else None


def run_root_of(target, seed):
    return f"{paths.run_dir(target, seed)}/"


@functools.cache
def run_config(root):
    """The parameters of a run's jobs: the configuration, or a seed's run of it (validated)."""
    if not root:
        return config
    return run_params(config, *paths.parse_run(run_of(root)))


def target_of(root):
    """What a run builds: `targets.all` of its parameters."""
    return run_config(root)["targets"]["all"]


def gpu_slots(wildcards):
    """The `gpu` resource of a job that runs networks in its run: 1 where a GPU is visible or
    the run's `training.device` is cuda (the default profile then runs one at a time), 0 on the
    CPU, where `--cores` alone limits them. Training jobs ask for one per data-parallel
    process (training_gpus)."""
    device = run_config(dict(wildcards.items()).get("root", ""))["training"]["device"]
    return gpu_slots_per_job(device)


def in_run_of(root):
    """Within the block, gaia.paths gives the run's paths (for lists of concrete files)."""
    return paths.in_run(run_of(root))


def run_flag(wildcards):
    """The `gaia` commands' flag that puts a job in its run ("" for the repository's)."""
    return f" --run {run_of(wildcards.root)}" if wildcards.root else ""


def step_code(step, choice=None):
    """The Python files `gaia STEP [CHOICE]` runs (its import closure, gaia/code_deps.py): a job
    reruns when any of them changes, and only then (as in DVC, whose dvc.yaml lists the same).
    Read next to the Snakefile, named relative to the working directory."""
    files = code_deps.step_code(step, choice, root=Path(workflow.basedir))
    return [os.path.relpath(os.path.join(workflow.basedir, f)) for f in files]


def param_values(*keys, root=""):
    """The values of dotted params keys in a run's parameters: Snakemake reruns a job when they
    change, and the generated dvc.yaml lists the same keys as the stage's params
    (gaia/dvc_export.py)."""
    return {key: lookup(run_config(root), key) for key in keys}


def values_of(*keys):
    """A rule's `values` param: these keys in the parameters of the job's run."""
    return lambda wildcards: param_values(*keys, root=wildcards.root)


def training_priority(wildcards):
    """A training job's estimated cost (millions of pixels through a network): with fewer cores
    than jobs, Snakemake then starts the longest one, the critical path, first."""
    from gaia.experiment import resolve_experiment

    exp = resolve_experiment(run_config(wildcards.root), f"{wildcards.dataset}/{wildcards.model}")
    passes = 3 if exp.discriminator is not None else 1  # GAIA: G, then D on X, G(X), interps
    images = exp.training["steps"] * exp.training["batch_size"] * passes
    return images * exp.generator.resolution**2 // 10**6


def training_processes(wildcards):
    """Data-parallel processes of a training job (`training.processes`, gaia train starts
    them under torchrun)."""
    from gaia.experiment import resolve_experiment

    exp = resolve_experiment(run_config(wildcards.root), f"{wildcards.dataset}/{wildcards.model}")
    return exp.training["processes"]


def within_limit(resource, amount):
    """`amount` of a resource, at most its global limit where one is set (a job asking for
    more than the limit would never run): --resources, the profile, or common.smk's."""
    found = workflow.global_resources.get(resource)
    limit = getattr(found, "value", found)  # a Resource, or a number; None: no limit
    return amount if limit is None else min(amount, limit)


def training_gpus(wildcards):
    """The `gpu` resource of a training job: one per process where it trains on a GPU (the
    SLURM executor asks for that many, `--gpus`), capped at a local `gpu` limit (the default
    profile's 1 stands for the machine's GPUs: the job then holds them all)."""
    if gpu_slots(wildcards) == 0:
        return 0
    return within_limit("gpu", training_processes(wildcards))


# What each job asks a cluster for (gaia/resources.py): `runtime` (minutes) and `mem_mb`, from
# what its rule took in the embedded default, scaled to its images; a training job's runtime from
# its steps and the table of seconds per step of its device and preset.
def job_datasets(wildcards):
    """The datasets a job reads: its own, its figure's, or all of its run's."""
    found = dict(wildcards.items())
    if "dataset" in found:
        return [found["dataset"]]
    if "figure" in found and figure_of(wildcards)[1] is not None:
        return [figure_of(wildcards)[1]]
    return target_of(found.get("root", ""))["datasets"]


def runtime_of(rule):
    def runtime(wildcards):
        scale = max(costs.image_scale(config, d) for d in job_datasets(wildcards))
        return costs.step_minutes(rule, scale)

    return runtime


def mem_of(rule, runs_networks=False):
    """A job's memory; a job that runs networks holds a CUDA context where they run on a GPU."""

    def mem_mb(wildcards):
        data_mb = max(costs.dataset_mb(config, d) for d in job_datasets(wildcards))
        on_gpu = runs_networks and gpu_slots(wildcards) > 0
        return costs.step_mem_mb(rule, data_mb, on_gpu=on_gpu)

    return mem_mb


def training_runtime(wildcards):
    experiment = f"{wildcards.dataset}/{wildcards.model}"
    on_gpu = gpu_slots(wildcards) > 0
    return costs.training_minutes(run_config(wildcards.root), experiment, on_gpu)


def training_cpu_slots(wildcards):
    """Threads of a training job: `training.cpu_threads` per process."""
    return within_limit("cpu_slots", COMPUTE_THREADS * training_processes(wildcards))


def judge_of(wildcards):
    """The classifier file an interpolation_metrics job reads, where it reads one."""
    if not judged_by_classifier(config, wildcards.dataset, target_of(wildcards.root)):
        return []
    return [f"{wildcards.root}{paths.classifier_file(wildcards.dataset)}"]


def run_outputs(root):
    """Everything a run builds (gaia/runs.py)."""
    with in_run_of(root):
        return [str(path) for path in built_by_run(run_config(root))]


def record_sources(target, seed):
    """The files of a seeded run that its record keeps."""
    return [str(source) for source, _ in record_copies(config, target, seed)]


def record_outputs(target, seed):
    """A seeded run's record: its kept files, in its record folder, and its run.json."""
    copies = [copy for _, copy in record_copies(config, target, seed)]
    return [str(f) for f in [*copies, record_dir(config, target, seed) / RECORD]]


def seeded_target_outputs(target):
    """What a seeded target builds: its report, and every seed's record, asked for directly:
    Snakemake rebuilds a missing file that an up-to-date report read only when it is asked
    for, so a removed record is built again (its seed trained) and the report with it."""
    entry = config["targets"][target]
    records = [record for seed in entry["seeds"] for record in record_outputs(target, seed)]
    return [f"{entry['report_dir']}/README.md", *records]


# The figure rule (report.smk) draws every entry of gaia/figures/registry.py.
def figure_of(wildcards):
    """The registry entry and dataset of a figure file's stem."""
    return registry.from_stem(wildcards.figure, target_of(wildcards.root))


def figure_inputs(wildcards):
    entry, dataset = figure_of(wildcards)
    with in_run_of(wildcards.root):
        inputs = entry.inputs(dataset, target_of(wildcards.root))
    return {name: [str(f) for f in files] for name, files in inputs.items()}


def figure_arguments(wildcards):
    """The command's arguments: the figure's name, and its dataset where it draws one."""
    entry, dataset = figure_of(wildcards)
    return entry.name if dataset is None else f"{entry.name} --dataset {dataset}"


# The reports (report.smk) read every file of their run.
def datasets_report_inputs(wildcards):
    target = target_of(wildcards.root)
    with in_run_of(wildcards.root):
        return {
            "stats": [paths.dataset_stats(d) for d in target["datasets"]],
            "data": [paths.processed_dir(d) for d in target["datasets"]],
            "figures": run_figures(target, [registry.TARGET]),
        }


def results_report_inputs(wildcards):
    """Every file the results report reads: the metrics of the run's experiments (and of the
    milestones its claims are judged at), the judge's, and the figures it embeds."""
    target = target_of(wildcards.root)
    judged = judged_experiments(target)
    with in_run_of(wildcards.root):
        return {
            "train": [paths.train_metrics(d, m) for d, m in judged],
            "logs": [paths.train_log(d, m) for d, m in judged],
            "interpolation": [paths.interpolation_metrics(d, m) for d, m in judged],
            "probe": [paths.probe(d, m) for d, m in judged],
            "attributes": [
                paths.attribute_summary(d, m)
                for d in target["attribute_datasets"]
                for m in judged_models(target, d)
            ],
            "fid": [
                paths.fid_metrics(d, m)
                for d in target["fid_datasets"]
                for m in judged_models(target, d)
            ],
            "fid_info": [paths.fid_reference_info(d) for d in target["fid_datasets"]],
            "judge": [paths.classifier_metrics(d) for d in target["attribute_datasets"]],
            "figures": run_figures(target, (registry.DATASET, registry.ATTRIBUTE, registry.RUN)),
        }
