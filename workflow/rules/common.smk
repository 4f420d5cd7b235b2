# Shared helpers: parameter validation, runs, and the rules' parts from the step table.
import functools
import os
from pathlib import Path

from gaia import code_deps, paths, plan, steps
from gaia import resources as costs
from gaia.config import lookup, validate_params, write_effective_params
from gaia.runs import built_by_run, is_recorded, run_params
from gaia.utils.gpus import gpu_slots_per_job, schedulable_cpus


validate_params(config, source="params.yaml with the --config / --configfile overrides")
# Every job reads the parameters Snakemake holds, overrides included, from one file written
# here: a `gaia` command reading params.yaml itself would silently ignore them. Each rule's
# `params:` carries the values it depends on, so a changed value reruns exactly those jobs.
write_effective_params(config, paths.EFFECTIVE_PARAMS)
PARAMS_FILE = str(paths.EFFECTIVE_PARAMS)  # every rule: params_file=PARAMS_FILE, `--params`

# One environment for every rule: the package, its dependencies at requirements.lock's pins.
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


# Every job belongs to a run (gaia/paths.py): the repository's own, whose results and reports
# are results/ and reports/, or one seed of a seeded target, whose are under results/TARGET_sSEED/.
# The wildcard `root` is the folder a run's results/ and reports/ lie in, "" or
# "results/TARGET_sSEED/", so one workflow holds the jobs of every seed (no nested Snakemake); the
# prepared data under data/ are shared by all runs.
wildcard_constraints:
    root=f"({paths.RESULTS}/{paths.RUN_NAME.pattern}/)?",
    **steps.WILDCARD_PATTERNS,


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
    return plan.run_flag(run_of(wildcards.root))


def step_code_of(step):
    """The Python files a job of `step` runs (its import closure, gaia/code_deps.py; a figure's
    with its drawing module): a job reruns when any of them changes, and only then (as in DVC,
    whose dvc.yaml lists the same). Read next to the Snakefile, named relative to the working
    directory."""

    def code(wildcards):
        figure = figure_of(wildcards)[0].name if step.scope == steps.FIGURE else None
        files = code_deps.step_code(step.name, figure, root=Path(workflow.basedir))
        return [os.path.relpath(os.path.join(workflow.basedir, f)) for f in files]

    return code


def param_values(*keys, root=""):
    """The values of dotted params keys in a run's parameters: Snakemake reruns a job when they
    change, and the generated dvc.yaml lists the same keys as the stage's params
    (gaia/dvc_export.py)."""
    return {key: lookup(run_config(root), key) for key in keys}


# What comes after a training (its analyses, figures, reports and records) goes before any
# training that waits for a core: a finished experiment's record is made as soon as it is
# trained, so results accrue (a run cut off with its machine keeps every experiment it
# finished) instead of waiting behind every other training of the DAG. The data's own jobs (the
# data and dataset scopes) keep priority 0, behind the trainings, so the longest training still
# starts first; report_datasets, of the run scope, ranks with the reports (a job of seconds).
AFTER_TRAINING_PRIORITY = 10**9


def step_priority(step):
    if step.name == "train":
        return training_priority
    return 0 if step.scope in (steps.DATA, steps.DATASET) else AFTER_TRAINING_PRIORITY


def training_priority(wildcards):
    """A training job's estimated cost (millions of pixels through a network): with fewer cores
    than jobs, Snakemake then starts the longest one, the critical path, first."""
    from gaia.experiment import resolve_experiment

    exp = resolve_experiment(run_config(wildcards.root), f"{wildcards.dataset}/{wildcards.model}")
    passes = 3 if exp.discriminator is not None else 1  # GAIA: G, then D on X, G(X), interps
    images = exp.training["steps"] * exp.training["batch_size"] * passes
    return min(images * exp.generator.resolution**2 // 10**6, AFTER_TRAINING_PRIORITY - 1)


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


def runtime_of(step):
    def runtime(wildcards):
        scale = max(costs.image_scale(config, d) for d in job_datasets(wildcards))
        return costs.step_minutes(step.cost, scale)

    return runtime


def mem_of(step):
    """A job's memory; a job that runs networks holds a CUDA context where they run on a GPU."""

    def mem_mb(wildcards):
        data_mb = max(costs.dataset_mb(config, d) for d in job_datasets(wildcards))
        on_gpu = step.networks and gpu_slots(wildcards) > 0
        return costs.step_mem_mb(step.cost, data_mb, on_gpu=on_gpu)

    return mem_mb


def training_runtime(wildcards):
    experiment = f"{wildcards.dataset}/{wildcards.model}"
    on_gpu = gpu_slots(wildcards) > 0
    return costs.training_minutes(run_config(wildcards.root), experiment, on_gpu)


def training_cpu_slots(wildcards):
    """Threads of a training job: `training.cpu_threads` per process."""
    return within_limit("cpu_slots", COMPUTE_THREADS * training_processes(wildcards))


def run_outputs(root):
    """Everything a run builds (gaia/runs.py)."""
    with in_run_of(root):
        return [str(path) for path in built_by_run(run_config(root))]


def record_files(target, seed):
    """Every file of a seed's record: its experiments' and its own."""
    return [str(f) for f in steps.record_files(config, target, seed)]


def seed_outputs(target, seed):
    """What `snakemake TARGET_sSEED` builds: the seed's run and its record (each experiment's as
    soon as it is analysed), or only the record where it is current: a recorded seed's run is
    not built again (its experiments would train, having no restore rules)."""
    if is_recorded(config, target, seed):
        return record_files(target, seed)
    return run_outputs(run_root_of(target, seed)) + record_files(target, seed)


def seeded_target_outputs(target):
    return [str(f) for f in steps.seeded_target_outputs(config, target)]


def figure_of(wildcards):
    """The registry entry and dataset of a figure job's file stem."""
    return steps.figure_of(run_config(wildcards.root), dict(wildcards.items()))


# The parts of a step's rule (workflow/rules/steps.smk), each from its entry in gaia/steps.py.
def in_job_run(step, wildcards):
    """The run a job works in, and the parameters it reads (DATA steps: the repository's)."""
    root = "" if step.scope == steps.DATA else wildcards.root
    return in_run_of(root), run_config(root)


def step_inputs(step):
    def inputs(wildcards):
        in_run, params = in_job_run(step, wildcards)
        with in_run:
            found = step.inputs(params, dict(wildcards.items()))
        return {name: [str(f) for f in files] for name, files in found.items()}

    return inputs


def step_pattern(step, path):
    """A path of the step's jobs, with their wildcards, in the job's run (`root`)."""
    return str(path) if step.scope == steps.DATA else R(path)


def step_outputs(step):
    """Output patterns by name: folders as directory(), a figure's PNG in the HTML report."""
    outputs = {}
    for name, path in step.outputs(step.placeholders).items():
        output = step_pattern(step, path)
        outputs[name] = directory(output) if name in step.directories else output
    if "png" in outputs:  # a figure (not an animation) in Snakemake's report
        outputs["png"] = report(
            outputs["png"],
            caption="../report/figure.rst",
            category="Figures",
            subcategory=lambda w: figure_of(w)[1] or "all datasets",
        )
    if "html" in outputs:  # a report page, shown first in Snakemake's report
        outputs["html"] = report(
            outputs["html"], caption="../report/results.rst", category="Results"
        )
    return outputs


def step_constraints(step):
    return {} if step.model_pattern is None else {"model": step.model_pattern}


def step_arguments(step):
    """The subcommand and its arguments: `gaia` ARGUMENTS --log ... --params ...(--run ...)."""
    return lambda w: step.arguments(in_job_run(step, w)[1], dict(w.items()))


def step_values(step):
    """The values of the params keys the step depends on: Snakemake reruns a job when they
    change, and the generated dvc.yaml lists the same keys as the stage's params."""

    def values(wildcards):
        params = in_job_run(step, wildcards)[1]
        return {key: lookup(params, key) for key in step.param_keys(params, dict(wildcards.items()))}

    return values


def step_caption(step):
    """A figure's caption (workflow/report/figure.rst shows it in the HTML report)."""
    if step.scope != steps.FIGURE:
        return ""
    return lambda w: figure_of(w)[0].caption_for(figure_of(w)[1])


def step_threads(step):
    if step.name == "train":
        return training_cpu_slots
    return COMPUTE_THREADS if step.networks or step.threaded else 1


def step_file(step, kind):
    """The job's log or benchmark file: kind(STEP, its name)."""
    return step_pattern(step, kind(step.name, step.log_name(step.placeholders)))


def step_resources(step):
    """What a job asks for: GPU and CPU slots, wall minutes and memory (gaia/resources.py)."""
    found = {"runtime": runtime_of(step), "mem_mb": mem_of(step)}
    if step.name == "train":
        return {"gpu": training_gpus, "cpu_slots": training_cpu_slots, **found} | {
            "runtime": training_runtime
        }
    if step.networks:
        found |= {"gpu": gpu_slots, "cpu_slots": COMPUTE_THREADS}
    elif step.threaded:
        found |= {"cpu_slots": COMPUTE_THREADS}
    return found
