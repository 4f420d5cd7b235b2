# Seeded targets (targets.full, targets.paper, and targets.all when it has seeds): the whole
# pipeline once per seed, each run in its own working directory results/TARGET_sSEED/
# (gaia/runs.py), then one report over the seeds in the target's report_dir. A run's own
# params.yaml has no seeded target, so inside a run these rules are not defined.

SEEDED = {name: entry for name, entry in config["targets"].items() if "seeds" in entry}


if SEEDED:

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


for SEEDED_TARGET, SEEDED_ENTRY in SEEDED.items():

    rule:
        name:
            f"report_{SEEDED_TARGET}"
        input:
            runs=[run_report(SEEDED_TARGET, seed) for seed in SEEDED_ENTRY["seeds"]],
            code=step_code("report", "target"),
        output:
            report=f"{SEEDED_ENTRY['report_dir']}/README.md",
            figures=directory(f"{SEEDED_ENTRY['report_dir']}/figures"),
        params:
            params_file=PARAMS_FILE,
            target=SEEDED_TARGET,  # the shell string must not name the loop variable itself:
            values=param_values(f"targets.{SEEDED_TARGET}"),  # it is formatted when the job runs
        log:
            paths.log_file("report_target", SEEDED_TARGET),
        benchmark:
            paths.benchmark_file("report_target", SEEDED_TARGET),
        conda:
            CONDA_ENV
        shell:
            "gaia report target --target {params.target} --log {log} --params {params.params_file}"

    if SEEDED_TARGET != "all":  # the Snakefile's own `all` (the default target) asks for it

        rule:
            name:
                SEEDED_TARGET
            input:
                f"{SEEDED_ENTRY['report_dir']}/README.md",
