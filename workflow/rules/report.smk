# Last stage: figures (reports/figures, PNG and PDF) and markdown reports (reports/). Every
# figure is an entry of gaia/figures/registry.py, drawn by the one rule below.


rule figure:
    input:
        unpack(figure_inputs),
        code=lambda w: step_code("figure", figure_of(w)[0].name),
    output:
        png=report(
            paths.figure("{figure}"),
            caption="../report/figure.rst",
            category="Figures",
            subcategory=lambda w: figure_of(w)[1] or "all datasets",
        ),
        pdf=paths.figure("{figure}", "pdf"),
    params:
        params_file=PARAMS_FILE,
        arguments=figure_arguments,
        caption=lambda w: figure_of(w)[0].caption_for(figure_of(w)[1]),
        values=lambda w: param_values(*figure_of(w)[0].param_keys(figure_of(w)[1])),
    log:
        paths.log_file("figure", "{figure}"),
    benchmark:
        paths.benchmark_file("figure", "{figure}"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure {params.arguments} --target all --log {log} --params {params.params_file}"


rule report_datasets:
    input:
        stats=expand(paths.dataset_stats("{dataset}"), dataset=ALL["datasets"]),
        data=expand(paths.processed_dir("{dataset}"), dataset=ALL["datasets"]),
        figures=all_figures([registry.TARGET]),
        code=step_code("report", "datasets"),
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


rule report_results:
    input:
        train=[paths.train_metrics(d, m) for d, m in judged_experiments()],
        logs=[paths.train_log(d, m) for d, m in judged_experiments()],
        interpolation=[paths.interpolation_metrics(d, m) for d, m in judged_experiments()],
        probe=[paths.probe(d, m) for d, m in judged_experiments()],
        attributes=[
            paths.attribute_summary(d, m)
            for d in ALL["attribute_datasets"]
            for m in judged_models(ALL, d)
        ],
        fid=[paths.fid_metrics(d, m) for d in ALL["fid_datasets"] for m in judged_models(ALL, d)],
        fid_info=[paths.fid_reference_info(d) for d in ALL["fid_datasets"]],
        judge=[paths.classifier_metrics(d) for d in ALL["attribute_datasets"]],
        figures=all_figures(),
        code=step_code("report", "results"),
    output:
        paths.results_report(),
    params:
        params_file=PARAMS_FILE,
        values=param_values("targets.all", "fid.sets", "models", "report"),
    log:
        paths.log_file("report_results", "all"),
    benchmark:
        paths.benchmark_file("report_results", "all"),
    conda:
        CONDA_ENV
    shell:
        "gaia report results --target all --log {log} --params {params.params_file}"
