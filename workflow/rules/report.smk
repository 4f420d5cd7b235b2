# Last stage: figures (reports/figures, PNG and PDF) and markdown reports (reports/).


rule figure_datasets:
    input:
        data=expand(paths.processed_dir("{dataset}"), dataset=ALL["datasets"]),
        code=package_files("figures"),
    output:
        png=paths.figure("datasets"),
        pdf=paths.figure("datasets", "pdf"),
    params:
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_datasets", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure datasets --target all --log {log}"


rule figure_attribute_stats:
    input:
        stats=expand(paths.dataset_stats("{dataset}"), dataset=ALL["datasets"]),
        code=package_files("figures"),
    output:
        png=paths.figure("attribute_stats"),
        pdf=paths.figure("attribute_stats", "pdf"),
    params:
        values=param_values("targets.all"),
    log:
        paths.log_file("figure_attribute_stats", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure attribute-stats --target all --log {log}"


rule report_datasets:
    input:
        stats=expand(paths.dataset_stats("{dataset}"), dataset=ALL["datasets"]),
        data=expand(paths.processed_dir("{dataset}"), dataset=ALL["datasets"]),
        figures=[paths.figure("datasets"), paths.figure("attribute_stats")],
        code=package_files("report"),
    output:
        paths.datasets_report(),
    params:
        values=param_values("targets.all"),
    log:
        paths.log_file("report_datasets", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia report datasets --target all --log {log}"
