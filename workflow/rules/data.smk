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
        runtime=runtime_of("prepare_data"),
        mem_mb=mem_of("prepare_data"),
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
        metrics=R(paths.dataset_stats("{dataset}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
    log:
        R(paths.log_file("dataset_stats", "{dataset}")),
    benchmark:
        R(paths.benchmark_file("dataset_stats", "{dataset}")),
    resources:
        runtime=runtime_of("dataset_stats"),
        mem_mb=mem_of("dataset_stats"),
    conda:
        CONDA_ENV
    shell:
        "gaia dataset-stats --dataset {wildcards.dataset} --log {log} --params {params.params_file}{params.run}"
