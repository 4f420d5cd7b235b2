# Seeded targets (targets.full, targets.paper, and targets.all when it has seeds): the pipeline
# once per seed, each seed a run TARGET_sSEED whose jobs are this workflow's own (the `root`
# wildcard, common.smk) writing into results/TARGET_sSEED/; its record (gaia/runs.py: the small
# files the reports read) copied into REPORT_DIR/runs/TARGET_sSEED/ to commit, each experiment's
# as soon as it is analysed and the seed's figures and reports last; then one report over the
# seeds' records in the target's report_dir. An experiment whose record is committed and
# current is restored from it (`gaia restore`, a rule without wildcards, which Snakemake
# prefers to the steps' rules) and not trained again; a seed whose whole record is has no rules
# at all. `snakemake full_s1` builds one seed's run and records it.


PLANNER = plan.Planner(config)  # the seeded targets' own jobs, as dvc.yaml's (gaia/plan.py)

for SEEDED_TARGET, SEEDED_ENTRY in SEEDED.items():
    for SEED in SEEDED_ENTRY["seeds"]:

        rule:
            name:
                paths.run_name(SEEDED_TARGET, SEED)
            input:
                seed_outputs(SEEDED_TARGET, SEED),

    # Each experiment's record as it finishes, or its restoring where its record is current,
    # and each seed's own record.
    for RECORD_ENTRY, RECORD_JOB in PLANNER.records(SEEDED_TARGET):

        rule:
            name:
                RECORD_JOB.step
            input:
                RECORD_JOB.inputs,
            output:
                RECORD_JOB.outputs,
            params:
                params_file=PARAMS_FILE,
                command=RECORD_JOB.command,  # `gaia record|restore ... --log ... --run ...`
            log:
                RECORD_JOB.log,
            priority: AFTER_TRAINING_PRIORITY
            resources:
                runtime=runtime_of(RECORD_ENTRY),
                mem_mb=mem_of(RECORD_ENTRY),
            conda:
                CONDA_ENV
            shell:
                "{params.command} --params {params.params_file}"

    rule:
        name:
            f"report_{SEEDED_TARGET}"
        input:
            records=[
                record
                for seed in SEEDED_ENTRY["seeds"]
                for record in record_files(SEEDED_TARGET, seed)
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
        priority: AFTER_TRAINING_PRIORITY
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
