# Last stage: figures (reports/figures, PNG and PDF) and markdown reports (reports/).


rule figure_datasets:
    input:
        data=expand(paths.processed_dir("{dataset}"), dataset=ALL["datasets"]),
        code=package_files("figures"),
    output:
        png=paths.figure("datasets"),
        pdf=paths.figure("datasets", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_datasets", "all"),
    benchmark:
        paths.benchmark_file("figure_datasets", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure datasets --target all --log {log} --params {params.params_file}"


rule figure_attribute_stats:
    input:
        stats=expand(paths.dataset_stats("{dataset}"), dataset=ALL["datasets"]),
        code=package_files("figures"),
    output:
        png=paths.figure("attribute_stats"),
        pdf=paths.figure("attribute_stats", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_attribute_stats", "all"),
    benchmark:
        paths.benchmark_file("figure_attribute_stats", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure attribute-stats --target all --log {log} --params {params.params_file}"


rule report_datasets:
    input:
        stats=expand(paths.dataset_stats("{dataset}"), dataset=ALL["datasets"]),
        data=expand(paths.processed_dir("{dataset}"), dataset=ALL["datasets"]),
        figures=[paths.figure("datasets"), paths.figure("attribute_stats")],
        code=package_files("report"),
    output:
        paths.datasets_report(),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all"),
    log:
        paths.log_file("report_datasets", "all"),
    benchmark:
        paths.benchmark_file("report_datasets", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia report datasets --target all --log {log} --params {params.params_file}"


rule figure_training:
    input:
        logs=expand(paths.train_log("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("training_{dataset}"),
            caption="../report/training.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("training_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_training", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_training", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure training --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule figure_reconstructions:
    input:
        data=paths.processed_dir("{dataset}"),
        models=expand(paths.model_file("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("reconstructions_{dataset}"),
            caption="../report/reconstructions.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("reconstructions_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_reconstructions", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_reconstructions", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure reconstructions --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule figure_interpolations:
    input:
        data=paths.processed_dir("{dataset}"),
        models=expand(paths.model_file("{{dataset}}", "{model}"), model=ALL["models"]),
        latents=expand(paths.latents("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("interpolations_{dataset}"),
            caption="../report/interpolations.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("interpolations_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=lambda w: param_values(
            "targets.all", "analysis.interpolation.faces.seed", f"datasets.{w.dataset}"
        ),
    log:
        paths.log_file("figure_interpolations", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_interpolations", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure interpolations --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule figure_entanglement:
    input:
        metrics=expand(paths.attribute_metrics("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("entanglement_{dataset}"),
            caption="../report/entanglement.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("entanglement_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all", "analysis.edits.report_scale"),
    log:
        paths.log_file("figure_entanglement", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_entanglement", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure entanglement --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule figure_convexity:
    input:
        models=expand(paths.model_file("{{dataset}}", "{model}"), model=ALL["models"]),
        latents=expand(paths.latents("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("convexity_{dataset}"),
            caption="../report/convexity.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("convexity_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values(
            "targets.all", "analysis.interpolation.faces.seed", "analysis.latents.batch_size"
        ),
    log:
        paths.log_file("figure_convexity", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_convexity", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure convexity --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule figure_attribute_edits:
    input:
        data=paths.processed_dir("{dataset}"),
        models=expand(paths.model_file("{{dataset}}", "{model}"), model=ALL["models"]),
        latents=expand(paths.latents("{{dataset}}", "{model}"), model=ALL["models"]),
        vectors=expand(paths.attribute_vectors("{{dataset}}", "{model}"), model=ALL["models"]),
        code=package_files("figures"),
    output:
        png=report(
            paths.figure("attribute_edits_{dataset}"),
            caption="../report/attribute_edits.rst",
            category="Figures",
            subcategory="{dataset}",
        ),
        pdf=paths.figure("attribute_edits_{dataset}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all", "analysis.edits.scales"),
    log:
        paths.log_file("figure_attribute_edits", "{dataset}"),
    benchmark:
        paths.benchmark_file("figure_attribute_edits", "{dataset}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure attribute-edits --dataset {wildcards.dataset} --target all --log {log} --params {params.params_file}"


rule report_results:
    input:
        train=[paths.train_metrics(d, m) for d, m in target_experiments()],
        interpolation=[paths.interpolation_metrics(d, m) for d, m in target_experiments()],
        attributes=[
            paths.attribute_summary(d, m) for d in ALL["attribute_datasets"] for m in ALL["models"]
        ],
        fid=[paths.fid_metrics(d, m) for d in ALL["fid_datasets"] for m in ALL["models"]],
        fid_info=[paths.fid_reference_info(d) for d in ALL["fid_datasets"]],
        figures=all_figures(),
        code=package_files("report"),
    output:
        paths.results_report(),
    params:
        params_file=PARAMS_FILE,
        values=param_values(
            "targets.all", "fid.sets", "models", "report", "analysis.edits.leakage_pairs"
        ),
    log:
        paths.log_file("report_results", "all"),
    benchmark:
        paths.benchmark_file("report_results", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia report results --target all --log {log} --params {params.params_file}"
