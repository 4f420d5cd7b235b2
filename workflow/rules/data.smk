# Stage 1: datasets (generate or download), and their statistics.


rule prepare_data:
    input:
        code=step_code("prepare-data"),
    output:
        directory(paths.processed_dir("{dataset}")),
    params:
        params_file=PARAMS_FILE,
        values=lambda w: param_values(f"datasets.{w.dataset}"),
    threads: COMPUTE_THREADS
    resources:
        cpu_slots=COMPUTE_THREADS,
    log:
        paths.log_file("prepare_data", "{dataset}"),
    benchmark:
        paths.benchmark_file("prepare_data", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia prepare-data --dataset {wildcards.dataset} --log {log} --params {params.params_file}"


rule dataset_stats:
    input:
        data=paths.processed_dir("{dataset}"),
        code=step_code("dataset-stats"),
    output:
        metrics=paths.dataset_stats("{dataset}"),
    params:
        params_file=PARAMS_FILE,
    log:
        paths.log_file("dataset_stats", "{dataset}"),
    benchmark:
        paths.benchmark_file("dataset_stats", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia dataset-stats --dataset {wildcards.dataset} --log {log} --params {params.params_file}"
