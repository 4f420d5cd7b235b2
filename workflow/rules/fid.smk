# Stage 4: FID and KID (torch-fidelity) of each model's reconstructions, interpolation midpoints
# and OLS edits against the real test images, on the datasets of targets.all.fid_datasets. The
# real side (features and FID statistics per extractor) is computed once per dataset.


rule fid_reference:
    input:
        data=paths.processed_dir("{dataset}"),
        classifier=paths.classifier_file("{dataset}"),
        code=step_code("fid-reference"),
    output:
        stats=paths.fid_reference("{dataset}"),
        info=paths.fid_reference_info("{dataset}"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("fid"),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("fid_reference", "{dataset}"),
    benchmark:
        paths.benchmark_file("fid_reference", "{dataset}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia fid-reference --dataset {wildcards.dataset} --log {log} --params {params.params_file}"


rule fid:
    input:
        data=paths.processed_dir("{dataset}"),
        model=paths.model_file("{dataset}", "{model}"),
        latents=paths.latents("{dataset}", "{model}"),
        vectors=paths.attribute_vectors("{dataset}", "{model}"),
        classifier=paths.classifier_file("{dataset}"),
        stats=paths.fid_reference("{dataset}"),
        info=paths.fid_reference_info("{dataset}"),
        code=step_code("fid"),
    output:
        metrics=paths.fid_metrics("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("fid"),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("fid", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("fid", "{dataset}-{model}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia fid --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"
