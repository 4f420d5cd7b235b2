# Stage 4: FID and KID (torch-fidelity) of each model's reconstructions, interpolation midpoints
# and OLS edits against the real test images, on the datasets of targets.all.fid_datasets. The
# real side (features and FID statistics per extractor) is computed once per dataset.


rule fid_reference:
    input:
        data=paths.processed_dir("{dataset}"),
        classifier=R(paths.classifier_file("{dataset}")),
        code=step_code("fid-reference"),
    output:
        stats=R(paths.fid_reference("{dataset}")),
        info=R(paths.fid_reference_info("{dataset}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("fid"),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("fid_reference", "{dataset}")),
    benchmark:
        R(paths.benchmark_file("fid_reference", "{dataset}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("fid_reference"),
        mem_mb=mem_of("fid_reference", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia fid-reference --dataset {wildcards.dataset} --log {log} --params {params.params_file}{params.run}"


rule fid:
    input:
        data=paths.processed_dir("{dataset}"),
        model=R(paths.model_file("{dataset}", "{model}")),
        latents=R(paths.latents("{dataset}", "{model}")),
        vectors=R(paths.attribute_vectors("{dataset}", "{model}")),
        classifier=R(paths.classifier_file("{dataset}")),
        stats=R(paths.fid_reference("{dataset}")),
        info=R(paths.fid_reference_info("{dataset}")),
        code=step_code("fid"),
    output:
        metrics=R(paths.fid_metrics("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("fid"),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("fid", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("fid", "{dataset}-{model}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("fid"),
        mem_mb=mem_of("fid", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia fid --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"
