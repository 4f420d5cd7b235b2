# Stage 2: train every experiment DATASET/MODEL of the target (GAIA and the AE baseline).
# The resumable checkpoint lives in results/DATASET/MODEL/resume/, which is not a declared
# output: Snakemake deletes declared outputs before a job runs, and a killed run must resume.


rule train:
    input:
        data=paths.processed_dir("{dataset}"),
        code=step_code("train"),
    output:
        model=R(paths.model_file("{dataset}", "{model}")),
        log=R(paths.train_log("{dataset}", "{model}")),
        metrics=R(paths.train_metrics("{dataset}", "{model}")),
        samples=directory(R(paths.samples_dir("{dataset}", "{model}"))),
        milestones=directory(R(paths.milestones_dir("{dataset}", "{model}"))),
    wildcard_constraints:
        model=TRAINED_MODEL,
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=lambda w: param_values(
            *experiment_param_keys(run_config(w.root), w.dataset, w.model), root=w.root
        ),
    threads: training_cpu_slots
    priority: training_priority
    log:
        R(paths.log_file("train", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("train", "{dataset}-{model}")),
    resources:
        gpu=training_gpus,
        cpu_slots=training_cpu_slots,
        runtime=training_runtime,
        mem_mb=mem_of("train", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia train --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"


# A milestone MODEL@FRACTION (gaia/train/milestones.py): the model training kept after that
# fraction of its steps, as an experiment of its own that the analyses treat like any other.
rule milestone:
    input:
        milestones=R(paths.milestones_dir("{dataset}", "{model}")),
        code=step_code("milestone"),
    output:
        model=R(paths.model_file("{dataset}", "{model}@{fraction}")),
        log=R(paths.train_log("{dataset}", "{model}@{fraction}")),
        metrics=R(paths.train_metrics("{dataset}", "{model}@{fraction}")),
    wildcard_constraints:
        model=TRAINED_MODEL,
        fraction=FRACTION,
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
    log:
        R(paths.log_file("milestone", "{dataset}-{model}@{fraction}")),
    resources:
        runtime=runtime_of("milestone"),
        mem_mb=mem_of("milestone"),
    conda:
        CONDA_ENV
    shell:
        "gaia milestone --experiment {wildcards.dataset}/{wildcards.model}@{wildcards.fraction} --log {log} --params {params.params_file}{params.run}"
