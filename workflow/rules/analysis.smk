# Stage 3: latent-space analyses of every trained experiment. The attribute classifier (once per
# dataset) judges edited images; attribute vectors and edits run on the datasets listed under
# targets.all.attribute_datasets (those with binary attributes); interpolation metrics and the
# linear probe run on all.
# Rules that run networks use the GPU when present: each then holds a `gpu` slot (common.smk),
# which keeps them from sharing the local GPU with a training job.


rule train_classifier:
    input:
        data=paths.processed_dir("{dataset}"),
        code=step_code("train-classifier"),
    output:
        model=R(paths.classifier_file("{dataset}")),
        metrics=R(paths.classifier_metrics("{dataset}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=lambda w: param_values(
            "analysis.classifier",
            "analysis.edits.leakage_threshold",
            f"datasets.{w.dataset}",
            root=w.root,
        ),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("train_classifier", "{dataset}")),
    benchmark:
        R(paths.benchmark_file("train_classifier", "{dataset}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("train_classifier"),
        mem_mb=mem_of("train_classifier", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia train-classifier --dataset {wildcards.dataset} --log {log} --params {params.params_file}{params.run}"


rule extract_latents:
    input:
        data=paths.processed_dir("{dataset}"),
        model=R(paths.model_file("{dataset}", "{model}")),
        code=step_code("extract-latents"),
    output:
        R(paths.latents("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("analysis.latents"),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("extract_latents", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("extract_latents", "{dataset}-{model}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("extract_latents"),
        mem_mb=mem_of("extract_latents", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia extract-latents --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"


rule attribute_vectors:
    input:
        data=paths.processed_dir("{dataset}"),
        latents=R(paths.latents("{dataset}", "{model}")),
        code=step_code("attribute-vectors"),
    output:
        vectors=R(paths.attribute_vectors("{dataset}", "{model}")),
        cosines=R(paths.attribute_cosines("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
    log:
        R(paths.log_file("attribute_vectors", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("attribute_vectors", "{dataset}-{model}")),
    resources:
        runtime=runtime_of("attribute_vectors"),
        mem_mb=mem_of("attribute_vectors"),
    conda:
        CONDA_ENV
    shell:
        "gaia attribute-vectors --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"


rule attribute_edits:
    input:
        data=paths.processed_dir("{dataset}"),
        model=R(paths.model_file("{dataset}", "{model}")),
        latents=R(paths.latents("{dataset}", "{model}")),
        vectors=R(paths.attribute_vectors("{dataset}", "{model}")),
        classifier=R(paths.classifier_file("{dataset}")),
        code=step_code("attribute-edits"),
    output:
        edits=R(paths.attribute_metrics("{dataset}", "{model}")),
        matched=R(paths.attribute_matched("{dataset}", "{model}")),
        metrics=R(paths.attribute_summary("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("analysis.edits"),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("attribute_edits", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("attribute_edits", "{dataset}-{model}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("attribute_edits"),
        mem_mb=mem_of("attribute_edits", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia attribute-edits --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"


rule interpolation_metrics:
    input:
        data=paths.processed_dir("{dataset}"),
        model=R(paths.model_file("{dataset}", "{model}")),
        latents=R(paths.latents("{dataset}", "{model}")),
        classifier=judge_of,
        code=step_code("interpolation-metrics"),
    output:
        metrics=R(paths.interpolation_metrics("{dataset}", "{model}")),
        convexity=R(paths.convexity_latents("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=lambda w: param_values(
            "analysis.interpolation", f"datasets.{w.dataset}", root=w.root
        ),
    threads: COMPUTE_THREADS
    log:
        R(paths.log_file("interpolation_metrics", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("interpolation_metrics", "{dataset}-{model}")),
    resources:
        gpu=gpu_slots,
        cpu_slots=COMPUTE_THREADS,
        runtime=runtime_of("interpolation_metrics"),
        mem_mb=mem_of("interpolation_metrics", runs_networks=True),
    conda:
        CONDA_ENV
    shell:
        "gaia interpolation-metrics --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"


rule probe:
    input:
        data=paths.processed_dir("{dataset}"),
        latents=R(paths.latents("{dataset}", "{model}")),
        code=step_code("probe"),
    output:
        R(paths.probe("{dataset}", "{model}")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("analysis.probe"),
    log:
        R(paths.log_file("probe", "{dataset}-{model}")),
    benchmark:
        R(paths.benchmark_file("probe", "{dataset}-{model}")),
    resources:
        runtime=runtime_of("probe"),
        mem_mb=mem_of("probe"),
    conda:
        CONDA_ENV
    shell:
        "gaia probe --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}{params.run}"
