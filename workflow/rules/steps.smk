# One rule per step of the pipeline, made from the step table (gaia/steps.py), in its order:
#   1 data      prepare_data (shared by every run, under data/), dataset_stats
#   2 training  train (resumable: its checkpoint is no declared output), milestone
#   3 analyses  train_classifier, extract_latents, attribute_vectors, attribute_edits,
#               interpolation_metrics, probe
#   4 FID       fid_reference, fid
#   5 reports   figure (every entry of gaia/figures/registry.py), report_datasets, report_results
# Each job runs `gaia STEP ...` in its run (the `root` wildcard, common.smk); gaia/plan.py
# resolves the same table into dvc.yaml's stages. Rules that run networks use the GPU when
# present: each then holds a `gpu` slot, which keeps them from sharing it with a training job.


for STEP in steps.STEPS:

    rule:
        name:
            STEP.name
        input:
            unpack(step_inputs(STEP)),
            code=step_code_of(STEP),
        output:
            **step_outputs(STEP),
        wildcard_constraints:
            **step_constraints(STEP),
        params:
            params_file=PARAMS_FILE,
            arguments=step_arguments(STEP),
            run=run_flag if STEP.scope != steps.DATA else "",
            values=step_values(STEP),
            caption=step_caption(STEP),
        threads: step_threads(STEP)
        priority: step_priority(STEP)
        log:
            step_file(STEP, paths.log_file),
        benchmark:
            step_file(STEP, paths.benchmark_file)
        resources:
            **step_resources(STEP),
        conda:
            CONDA_ENV
        shell:
            "gaia {params.arguments} --log {log} --params {params.params_file}{params.run}"
