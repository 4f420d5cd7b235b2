"""What each job asks a scheduler for (gaia/resources.py): every rule a runtime and memory, a
training job's runtime from its steps, the paper's networks on GPUs."""

from __future__ import annotations

import copy
import re

import pytest

from gaia import resources, steps
from gaia.experiment import resolve_experiment
from gaia.runs import run_params

from conftest import REPO
from workflows import full_seeds_config, run_snakemake


def test_training_time_follows_the_steps_and_the_device(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["experiments"]["synthfaces"]["gaia"] = {"steps": 4000}
    longer = resources.training_minutes(params, "synthfaces/gaia", on_gpu=False)
    params["experiments"]["synthfaces"]["gaia"] = {"steps": 2000}
    shorter = resources.training_minutes(params, "synthfaces/gaia", on_gpu=False)
    start = resources.START_MINUTES
    assert longer - start == pytest.approx(2 * (shorter - start), abs=1)
    # 2,000 steps of 0.99 s (fp32, as `auto` counts on the CPU) with the margin, and start-up
    assert shorter == -(-2000 * 0.99 * resources.MARGIN // 60) + start
    params["training"]["precision"] = "bf16"
    assert resources.training_minutes(params, "synthfaces/gaia", on_gpu=False) < shorter
    # AE steps cost less than GAIA's, in proportion to the measured table
    assert resources.step_seconds("cpu-fp32", "small", "ae", 32, 32) == 0.41
    # half the batch, half the time; twice the side, four times
    assert resources.step_seconds("cpu-fp32", "small", "gaia", 16, 64) == pytest.approx(2 * 0.99)


def test_an_unmeasured_gpu_step_is_estimated_from_its_flops(default_params: dict) -> None:
    gpu = resources.step_seconds("cuda", "paper", "gaia", 8, 128)
    flops = resources.GFLOP_PER_IMAGE["paper"]["gaia"] * 1e9 * 8
    assert gpu == max(flops / resources.GPU_FLOP_RATE, resources.GPU_FLOOR_SECONDS)
    # a preset never timed on the CPU: the small preset's time scaled by the FLOPs
    cpu = resources.step_seconds("cpu-fp32", "paper", "ae", 8, 128)
    ratio = (
        resources.GFLOP_PER_IMAGE["paper"]["ae"]
        * 8
        / (resources.GFLOP_PER_IMAGE["small"]["ae"] * 32)
    )
    assert cpu == pytest.approx(0.41 * ratio)


def test_memory_grows_with_the_data_and_a_gpu(default_params: dict) -> None:
    small = resources.step_mem_mb(
        steps.step("train").cost, resources.dataset_mb(default_params, "synthfaces")
    )
    faces = resources.dataset_mb(default_params, "celebahq")
    assert faces == 30_000 * 128 * 128 * 3 / 1e6  # every image: splits take them all
    large = resources.step_mem_mb(steps.step("train").cost, faces, on_gpu=True)
    assert large - small > 2 * faces + resources.CUDA_HOST_MB - 100


def dry_run_jobs(target: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, resources) of every job of a forced dry run of `target` in the repository."""
    done = run_snakemake(REPO, "-n", "--forceall", "--nolock", "--cores", "2", target)
    assert done.returncode == 0, done.stderr[-3000:]
    jobs = []
    for block in re.split(r"\n(?=rule \w+:\n)", done.stdout):
        rule = re.match(r"rule (\w+):\n", block)
        found = re.search(r"^    resources: (.*)$", block, flags=re.M)
        if rule and found and rule.group(1) != target:
            jobs.append((rule.group(1), dict(f.split("=", 1) for f in found.group(1).split(", "))))
    return jobs


def test_every_job_declares_its_time_and_memory_and_the_paper_trains_on_gpus(
    default_params: dict,
) -> None:
    jobs = dry_run_jobs("paper")
    assert {rule for rule, _ in jobs} >= {"prepare_data", "train", "fid", "figure", "report_paper"}
    for rule, asked in jobs:
        assert int(asked["runtime"]) >= 1 and int(asked["mem_mb"]) >= 100, (rule, asked)
    training = [asked for rule, asked in jobs if rule == "train"]
    assert len(training) == len(default_params["targets"]["paper"]["models"])
    run = run_params(default_params, "paper", 0)
    for asked in training:
        assert asked["gpu"] == "1"
    for model in run["targets"]["all"]["models"]:
        exp = resolve_experiment(run, f"celebahq/{model}")
        least = exp.training["steps"] * resources.step_seconds(
            "cuda", "paper", exp.objective, exp.training["batch_size"], 128
        )
        assert least >= 200_000 * resources.GPU_FLOOR_SECONDS
        assert min(int(asked["runtime"]) for asked in training) * 60 >= least


def test_trainings_start_longest_first_and_every_other_job_goes_before_them(tmp_path) -> None:
    """With fewer cores than jobs, the longest training (the critical path) starts first, before
    the data's own jobs, and every job after a training (a finished experiment's analyses, its
    record, the figures and reports) goes before any training still waiting: results accrue as
    experiments finish (workflow/rules/common.smk). `full` runs a seed without committed
    records here (the committed seeds' experiments are restored, not recorded)."""
    args = ["-n", "--forceall", "--nolock", "--cores", "2", "all", "full"]
    done = run_snakemake(REPO, *args, "--configfile", str(full_seeds_config(tmp_path, [0, 97])))
    assert done.returncode == 0, done.stderr[-3000:]
    trainings: dict[str, int] = {}
    others: dict[str, int] = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", done.stdout):
        rule = re.match(r"(?:local)?rule (\w+):\n", block)
        if not rule or rule.group(1) in ("all", "full"):
            continue
        found = re.search(r"^    priority: (\d+)$", block, flags=re.M)
        priority = int(found.group(1)) if found else 0
        if rule.group(1) == "train":
            wildcards = re.search(r"^    wildcards: (.*)$", block, flags=re.M)
            trainings[wildcards.group(1)] = priority
        else:
            others[rule.group(1)] = min(priority, others.get(rule.group(1), priority))
    assert {
        "extract_latents",
        "fid",
        "figure",
        "record_full_s97_synthfaces_ae",
        "report_full",
    } <= set(others)
    data_side = {"prepare_data", "dataset_stats", "train_classifier", "fid_reference"}
    assert {others.pop(rule) for rule in data_side} == {0}
    assert min(others.values()) > max(trainings.values())
    default = {key: value for key, value in trainings.items() if key.startswith("root=,")}
    assert max(default, key=default.get) == "root=, dataset=synthfaces, model=gaia"
