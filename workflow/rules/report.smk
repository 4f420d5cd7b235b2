# Last stage: figures (reports/figures, PNG and PDF) and markdown reports (reports/). Every
# figure is an entry of gaia/figures/registry.py, drawn by the one rule below.


rule figure:
    input:
        unpack(figure_inputs),
        code=lambda w: step_code("figure", figure_of(w)[0].name),
    output:
        png=report(
            R(paths.figure("{figure}")),
            caption="../report/figure.rst",
            category="Figures",
            subcategory=lambda w: figure_of(w)[1] or "all datasets",
        ),
        pdf=R(paths.figure("{figure}", "pdf")),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        arguments=figure_arguments,
        caption=lambda w: figure_of(w)[0].caption_for(figure_of(w)[1]),
        values=lambda w: param_values(*figure_of(w)[0].param_keys(figure_of(w)[1]), root=w.root),
    log:
        R(paths.log_file("figure", "{figure}")),
    benchmark:
        R(paths.benchmark_file("figure", "{figure}")),
    resources:
        runtime=runtime_of("figure"),
        mem_mb=mem_of("figure"),
    conda:
        CONDA_ENV
    shell:
        "gaia figure {params.arguments} --target all --log {log} --params {params.params_file}{params.run}"


rule report_datasets:
    input:
        unpack(datasets_report_inputs),
        code=step_code("report", "datasets"),
    output:
        R(paths.datasets_report()),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("targets.all"),
    log:
        R(paths.log_file("report_datasets", "all")),
    benchmark:
        R(paths.benchmark_file("report_datasets", "all")),
    resources:
        runtime=runtime_of("report_datasets"),
        mem_mb=mem_of("report_datasets"),
    conda:
        CONDA_ENV
    shell:
        "gaia report datasets --target all --log {log} --params {params.params_file}{params.run}"


rule report_results:
    input:
        unpack(results_report_inputs),
        code=step_code("report", "results"),
    output:
        R(paths.results_report()),
    params:
        params_file=PARAMS_FILE,
        run=run_flag,
        values=values_of("targets.all", "fid.sets", "models", "report"),
    log:
        R(paths.log_file("report_results", "all")),
    benchmark:
        R(paths.benchmark_file("report_results", "all")),
    resources:
        runtime=runtime_of("report_results"),
        mem_mb=mem_of("report_results"),
    conda:
        CONDA_ENV
    shell:
        "gaia report results --target all --log {log} --params {params.params_file}{params.run}"
