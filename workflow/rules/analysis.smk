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
        model=paths.classifier_file("{dataset}"),
        metrics=paths.classifier_metrics("{dataset}"),
    params:
        params_file=PARAMS_FILE,
        values=lambda w: param_values(
            "analysis.classifier", "analysis.edits.leakage_threshold", f"datasets.{w.dataset}"
        ),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("train_classifier", "{dataset}"),
    benchmark:
        paths.benchmark_file("train_classifier", "{dataset}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia train-classifier --dataset {wildcards.dataset} --log {log} --params {params.params_file}"


rule extract_latents:
    input:
        data=paths.processed_dir("{dataset}"),
        model=paths.model_file("{dataset}", "{model}"),
        code=step_code("extract-latents"),
    output:
        paths.latents("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("analysis.latents"),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("extract_latents", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("extract_latents", "{dataset}-{model}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia extract-latents --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"


rule attribute_vectors:
    input:
        data=paths.processed_dir("{dataset}"),
        latents=paths.latents("{dataset}", "{model}"),
        code=step_code("attribute-vectors"),
    output:
        vectors=paths.attribute_vectors("{dataset}", "{model}"),
        cosines=paths.attribute_cosines("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
    log:
        paths.log_file("attribute_vectors", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("attribute_vectors", "{dataset}-{model}"),
    conda:
        CONDA_ENV
    shell:
        "gaia attribute-vectors --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"


rule attribute_edits:
    input:
        data=paths.processed_dir("{dataset}"),
        model=paths.model_file("{dataset}", "{model}"),
        latents=paths.latents("{dataset}", "{model}"),
        vectors=paths.attribute_vectors("{dataset}", "{model}"),
        classifier=paths.classifier_file("{dataset}"),
        code=step_code("attribute-edits"),
    output:
        edits=paths.attribute_metrics("{dataset}", "{model}"),
        matched=paths.attribute_matched("{dataset}", "{model}"),
        metrics=paths.attribute_summary("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("analysis.edits"),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("attribute_edits", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("attribute_edits", "{dataset}-{model}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia attribute-edits --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"


rule interpolation_metrics:
    input:
        data=paths.processed_dir("{dataset}"),
        model=paths.model_file("{dataset}", "{model}"),
        latents=paths.latents("{dataset}", "{model}"),
        classifier=judge_of,
        code=step_code("interpolation-metrics"),
    output:
        metrics=paths.interpolation_metrics("{dataset}", "{model}"),
        convexity=paths.convexity_latents("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
        values=lambda w: param_values("analysis.interpolation", f"datasets.{w.dataset}"),
    threads: COMPUTE_THREADS
    log:
        paths.log_file("interpolation_metrics", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("interpolation_metrics", "{dataset}-{model}"),
    resources:
        gpu=GPU_SLOTS_PER_JOB,
        cpu_slots=COMPUTE_THREADS,
    conda:
        CONDA_ENV
    shell:
        "gaia interpolation-metrics --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"


rule probe:
    input:
        data=paths.processed_dir("{dataset}"),
        latents=paths.latents("{dataset}", "{model}"),
        code=step_code("probe"),
    output:
        paths.probe("{dataset}", "{model}"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("analysis.probe"),
    log:
        paths.log_file("probe", "{dataset}-{model}"),
    benchmark:
        paths.benchmark_file("probe", "{dataset}-{model}"),
    conda:
        CONDA_ENV
    shell:
        "gaia probe --experiment {wildcards.dataset}/{wildcards.model} --log {log} --params {params.params_file}"
