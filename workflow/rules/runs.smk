# Seeded targets (targets.full, targets.paper, and targets.all when it has seeds): the pipeline
# once per seed, each seed a run TARGET_sSEED whose jobs are this workflow's own (the `root`
# wildcard, common.smk) writing into results/TARGET_sSEED/; its record (gaia/runs.py: the small
# files the reports read) copied into REPORT_DIR/runs/TARGET_sSEED/ to commit; then one report
# over the seeds' records in the target's report_dir. A seed whose record is committed and whose
# parameters are unchanged has no record rule: its record is a source file here, and the seed
# is not built again. `snakemake full_s1` builds one seed's run.


for SEEDED_TARGET, SEEDED_ENTRY in SEEDED.items():
    for SEED in SEEDED_ENTRY["seeds"]:
        RUN_ROOT = run_root_of(SEEDED_TARGET, SEED)

        rule:
            name:
                paths.run_name(SEEDED_TARGET, SEED)
            input:
                run_outputs(RUN_ROOT),

        if not is_recorded(config, SEEDED_TARGET, SEED):

            rule:
                name:
                    f"record_{paths.run_name(SEEDED_TARGET, SEED)}"
                input:
                    files=record_sources(SEEDED_TARGET, SEED),
                    code=step_code_of(steps.RECORD_STEP),
                output:
                    record_outputs(SEEDED_TARGET, SEED),
                params:
                    params_file=PARAMS_FILE,
                    run=paths.run_name(SEEDED_TARGET, SEED),
                log:
                    f"{RUN_ROOT}{paths.log_file('record', 'run')}",
                resources:
                    runtime=runtime_of(steps.RECORD_STEP),
                    mem_mb=mem_of(steps.RECORD_STEP),
                conda:
                    CONDA_ENV
                shell:
                    "gaia record --log {log} --params {params.params_file} --run {params.run}"

    rule:
        name:
            f"report_{SEEDED_TARGET}"
        input:
            records=[
                record
                for seed in SEEDED_ENTRY["seeds"]
                for record in record_outputs(SEEDED_TARGET, seed)
            ],
            code=step_code_of(steps.TARGET_REPORT_STEP),
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
        resources:
            runtime=runtime_of(steps.TARGET_REPORT_STEP),
            mem_mb=mem_of(steps.TARGET_REPORT_STEP),
        conda:
            CONDA_ENV
        shell:
            "gaia report target --target {params.target} --log {log} --params {params.params_file}"

    if SEEDED_TARGET != "all":  # the Snakefile's own `all` (the default target) asks for it

        rule:
            name:
                SEEDED_TARGET
            input:
                seeded_target_outputs(SEEDED_TARGET),
