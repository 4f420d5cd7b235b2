"""The step table resolved into jobs without Snakemake (gaia/plan.py): each file to the one step
that writes it, with its run and wildcards; the Snakemake side is compared in test_dag_parity."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gaia import paths, plan, steps
from gaia.errors import GaiaError
from gaia.resources import StepCost


def test_a_seeded_runs_file_is_written_by_its_step_in_that_run(default_params: dict) -> None:
    planner = plan.Planner(default_params)
    job = planner.producer("results/full_s1/results/synthfaces/gaia/model.pt")
    assert job is not None
    assert (job.step, job.run, job.wildcards) == ("train", "full_s1", ("synthfaces", "gaia"))
    assert job.stage_name == "train-full_s1-synthfaces-gaia"
    assert job.command.endswith(
        "--log results/full_s1/results/logs/train/synthfaces-gaia.log --run full_s1"
    )
    assert job.inputs[0] == "data/processed/synthfaces"  # the data are shared by every run
    assert "targets.full.experiments" in job.param_keys  # the target's overrides
    assert "gaia/train/trainer.py" in job.inputs and "gaia/steps.py" not in job.inputs


def test_a_milestone_is_its_own_step_with_a_fraction(default_params: dict) -> None:
    job = plan.Planner(default_params).producer("results/synthfaces/gaia@0.5/train_metrics.json")
    assert job is not None and (job.step, job.wildcards) == (
        "milestone",
        ("synthfaces", "gaia", "0.5"),
    )
    assert job.inputs[0] == "results/synthfaces/gaia/milestones"
    assert "--experiment synthfaces/gaia@0.5" in job.command


def test_sources_and_unwritten_results(default_params: dict) -> None:
    planner = plan.Planner(default_params)
    assert planner.producer("gaia/cli.py") is None  # code: a source
    with pytest.raises(GaiaError, match=r"no step writes results/synthfaces/gaia/nothing\.json"):
        planner.producer("results/synthfaces/gaia/nothing.json")


def test_every_job_of_all_and_its_order(default_params: dict) -> None:
    jobs = plan.target_jobs(default_params, "all")
    names = [job.stage_name for job in jobs]
    assert len(names) == len(set(names))
    ranks = [job.rank for job in jobs]
    assert ranks == sorted(ranks)  # in the table's order
    target = default_params["targets"]["all"]
    trained = {job.wildcards for job in jobs if job.step == "train"}
    assert trained == {(d, m) for d in target["datasets"] for m in target["models"]}
    assert {job.step for job in jobs} == {step.name for step in steps.STEPS}


def test_adding_a_step_is_one_entry(default_params: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new experiment step, asked for by a file: its job, inputs resolved through the table."""

    def outputs(w: Any) -> dict[str, Any]:
        return {"metrics": paths.experiment_dir(w["dataset"], w["model"]) / "novelty.json"}

    novelty = dataclasses.replace(
        steps.step("probe"),
        name="novelty",
        command="novelty",
        outputs=outputs,
        cost=StepCost(1, 100),
        metrics=(steps.Metric("novelty", "a new number"),),
    )
    monkeypatch.setattr(plan, "STEPS", (*steps.STEPS, novelty))
    monkeypatch.setattr(plan, "code_files", lambda step, figure=None: [])
    jobs = plan.Planner(default_params).jobs_for(["results/lines/ae/novelty.json"])
    assert [job.step for job in jobs] == ["prepare_data", "train", "extract_latents", "novelty"]
    assert jobs[-1].metrics == {"results/lines/ae/novelty.json"}
    assert jobs[-1].command.startswith("gaia novelty --experiment lines/ae --log ")
