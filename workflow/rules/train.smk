# Stage 2: train every experiment DATASET/MODEL of the target (GAIA and the AE baseline).
# The resumable checkpoint lives in results/DATASET/MODEL/resume/, which is not a declared
# output: Snakemake deletes declared outputs before a job runs, and a killed run must resume.


rule train:
    input:
        data=paths.processed_dir("{dataset}"),
        code=step_code("train"),
    output:
        model=paths.model_file("{dataset}", "{model}"),
        log=paths.train_log("{dataset}", "{model}"),
        metrics=paths.train_metrics("{dataset}", "{model}"),
        samples=directory(paths.samples_dir("{dataset}", "{model}")),
        milestones=directory(paths.milestones_dir("{dataset}", "{model}")),
    wildcard_constraints:
        model=TRAINED_MODEL,
    params:
        params_file=PARAMS_FILE,
        values=lambda w: param_values(*experiment_param_keys(config, w.dataset, w.model)),
    threads: training_cpu_slots
    priority: training_priority
    log:
        paths.log_file("train", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("train", "{dataset}-{model}"),
    resources:
        gpu=training_gpus,
        cpu_slots=training_cpu_slots,
    conda:
        CONDA_ENV
    shell:
        "gaia train --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"


# A milestone MODEL@FRACTION (gaia/train/milestones.py): the model training kept after that
# fraction of its steps, as an experiment of its own that the analyses treat like any other.
rule milestone:
    input:
        milestones=paths.milestones_dir("{dataset}", "{model}"),
        code=step_code("milestone"),
    output:
        model=paths.model_file("{dataset}", "{model}@{fraction}"),
        log=paths.train_log("{dataset}", "{model}@{fraction}"),
        metrics=paths.train_metrics("{dataset}", "{model}@{fraction}"),
    wildcard_constraints:
        model=TRAINED_MODEL,
        fraction=FRACTION,
    params:
        params_file=PARAMS_FILE,
    log:
        paths.log_file("milestone", "{dataset}-{model}@{fraction}"),
    conda:
        CONDA_ENV
    shell:
        "gaia milestone --experiment {wildcards.dataset}/{wildcards.model}@{wildcards.fraction} --log {log} --params {params.params_file}"
