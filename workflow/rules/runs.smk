# Seeded targets (targets.full): the whole pipeline once per seed, each run in its own working
# directory results/TARGET_sSEED/ (gaia/runs.py), then one report over the seeds. A run's own
# params.yaml has no seeded target, so inside a run these rules are not defined.


if "full" in config["targets"]:
    FULL = config["targets"]["full"]
    FULL_REPORT = f"{FULL['report_dir']}/README.md"

    rule run_target:
        input:
            code=all_code(),
        output:
            run_report("{target}", "{seed}"),
        params:
            params_file=PARAMS_FILE,
            values=lambda w: param_values(*run_param_keys(config, w.target)),
        threads: 1024  # every core: Snakemake lowers a job's threads to --cores
        log:
            paths.log_file("run_target", "{target}-{seed}"),
        benchmark:
            paths.benchmark_file("run_target", "{target}-{seed}"),
        conda:
            CONDA_ENV
        shell:
            "gaia run --target {wildcards.target} --seed {wildcards.seed} --log {log} --params {params.params_file}"


    rule report_full:
        input:
            runs=[run_report("full", seed) for seed in FULL["seeds"]],
            code=step_code("report", "target"),
        output:
            report=FULL_REPORT,
            figures=directory(f"{FULL['report_dir']}/figures"),
        params:
            params_file=PARAMS_FILE,
            values=param_values("targets.full"),
        log:
            paths.log_file("report_target", "full"),
        benchmark:
            paths.benchmark_file("report_target", "full"),
        conda:
            CONDA_ENV
        shell:
            "gaia report target --target full --log {log} --params {params.params_file}"

    rule full:
        input:
            FULL_REPORT,
