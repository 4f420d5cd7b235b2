"""The workflow on a real SLURM cluster: a one-node cluster started on this machine
(tests/cluster/local_slurm.sh: root, Debian's packages) runs a tiny configuration through the
project's profile, `snakemake --workflow-profile profiles/slurm`; every job must run as a SLURM
job and build the same outputs as a local run. And how the profile's resources become sbatch
options, GPUs included, which that cluster (without GPUs) cannot show."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from outputs import output_hashes

from conftest import REPO
from workflows import tool_env

CLUSTER_SCRIPT = REPO / "tests/cluster/local_slurm.sh"
PROFILE = yaml.safe_load((REPO / "profiles/slurm/profile.yaml").read_text())
# A tiny two-seed target: each seed's AE on lines, its latents and the probe: one prepare_data
# job for both, then train, extract_latents and probe per seed, seven SLURM jobs (the training
# jobs declare the `gpu` resource, 0 here: the test cluster has no GPU).
SEEDS = (0, 1)
TARGETS = tuple(f"results/full_s{seed}/results/lines/ae/probe.json" for seed in SEEDS)
JOBS = {"prepare_data": 1, "train": 2, "extract_latents": 2, "probe": 2}
# Long enough to outlive a one-minute SLURM time limit (SLURM kills up to a minute late) on the
# test node's two CPUs; checkpoints often, so that each retry resumes where the kill left it.
# (The test copy's AE step on lines, 8 images, takes about 13 ms here: 12,000 steps, about
# two and a half minutes.)
TRAINING = {"steps": 12000, "eval_every": 4000, "sample_every": 12000, "checkpoint_every": 500}
# Only what the test cluster needs differs from profiles/slurm; the command line overrides it.
CLUSTER_ARGS = (
    # Without accounting sacct fails, and Snakemake, polling with it, would wait forever.
    *("--slurm-status-command", "squeue"),
    # Poll every 2 s (the plugin adds 10 s after each poll that finds no job finished).
    *("--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2"),
    "--slurm-keep-successful-logs",  # read below
    # Training gets one minute, less than it needs: SLURM kills it at that limit, and Snakemake
    # retries it, resuming from its checkpoint (more retries than the profile's 3: each try of
    # a minute gains less on a loaded machine).
    *("--set-resources", "train:runtime=1", "--retries", "10"),
)
# The node has 2 CPUs and about 20 GB: the profile's 4 CPUs per job do not fit twice.
CLUSTER_RESOURCES = {"slurm_partition": "debug", "cpus_per_task": 1}


def tiny_two_seed_target(root: Path) -> None:
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["training"]["device"] = "cpu"  # even where this machine sees a GPU
    params["targets"]["full"].update(
        datasets=["lines"],
        models=["ae"],
        attribute_datasets=[],
        fid_datasets=[],
        seeds=list(SEEDS),
        experiments={"lines": {"ae": TRAINING}},
    )
    params["targets"]["full"].pop("along_training")
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture
def local_slurm() -> Iterator[None]:
    """A running one-node SLURM cluster, stopped afterwards, failed or not (its jobs cancelled,
    every daemon it started stopped)."""
    if os.geteuid() != 0:
        pytest.skip("starting a SLURM cluster needs root (and installs Debian packages)")
    try:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "start"], check=True, timeout=180)
        yield
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], check=True, timeout=120)


def snakemake(root: Path, *args: str) -> str:
    """Snakemake's output (stderr) building the targets in `root`, checked."""
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", *TARGETS, *args],
        cwd=root,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return done.stderr


def slurm_job(job_id: str) -> dict[str, str]:
    """`scontrol show job` as a dict (finished jobs stay listed: MinJobAge)."""
    shown = subprocess.run(
        ["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, check=True
    ).stdout
    return dict(field.split("=", 1) for field in shown.split() if "=" in field)


@pytest.mark.slow
@pytest.mark.cluster
def test_slurm_runs_every_step_of_every_seed_and_resumes_a_timed_out_training(
    repo_copy: Path, local_slurm: None
) -> None:
    tiny_two_seed_target(repo_copy)
    local = repo_copy.with_name("local")
    shutil.copytree(repo_copy, local)

    snakemake(local, "--cores", "2")
    resources = PROFILE["default-resources"] | CLUSTER_RESOURCES
    log = snakemake(
        repo_copy,
        *("--workflow-profile", "profiles/slurm", *CLUSTER_ARGS),
        *("--default-resources", *(f"{k}={v}" for k, v in resources.items())),
    )

    # Every step of every seed ran as a SLURM job of its own, asking for the memory and time its
    # rule declares, no GPU; the training jobs timed out at one minute and were retried.
    submitted = re.findall(r"submitted with SLURM jobid (\d+) \(log: (.+?)\)\.", log)
    finished, timed_out = Counter(), Counter()
    for job_id, slurm_log in submitted:
        job = slurm_job(job_id)
        rule = re.match(r"rule_(\w+?)(_wildcards_|$)", job["Comment"]).group(1)
        assert (job["Partition"], job["NumCPUs"]) == ("debug", "1"), job
        assert int(job["MinMemoryNode"].removesuffix("M")) >= 100, job
        assert "gpu" not in job["TRES"], job
        if job["JobState"] == "TIMEOUT":
            assert rule == "train" and job["TimeLimit"] == "00:01:00", job
            timed_out[rule] += 1
            continue
        assert job["JobState"] == "COMPLETED", job
        finished[rule] += 1
        # The job's output (sbatch --output): the rule's command, run by Snakemake's job step.
        assert f"rule {rule}:" in Path(slurm_log).read_text()
    assert finished == JOBS, log
    assert timed_out["train"] >= len(SEEDS), log  # each seed's training was cut off at least once
    for seed in SEEDS:
        train_log = repo_copy / f"results/full_s{seed}/results/logs/train/lines-ae.log"
        assert "resuming" in train_log.read_text().lower(), train_log

    # The same outputs as an uninterrupted local run: the resumed weights equal to the bit.
    built = output_hashes(repo_copy)
    assert set(TARGETS) <= set(built)
    assert built == output_hashes(local)


class _Resources(dict):
    """A job's resources as the plugin reads them (`.get` and attributes)."""

    __getattr__ = dict.__getitem__


def sbatch_options(job_resources: dict[str, Any], threads: int = 1) -> str:
    """The sbatch command line snakemake-executor-plugin-slurm builds for a job with these
    resources, under the profile's default resources."""
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    job = SimpleNamespace(resources=_Resources(PROFILE["default-resources"] | job_resources))
    job.threads = threads
    params = dict.fromkeys(("run_uuid", "slurm_logfile", "comment_str", "workdir"), "x")
    params |= {"account": "", "partition": ""}
    return get_submit_command(job, params) + set_gres_string(job)


def test_profile_maps_the_gpu_resource_to_sbatch_gpus() -> None:
    cpu_job = sbatch_options({"gpu": 0, "cpu_slots": 1})
    for option in ("-t 60", "--mem 16000", "--cpus-per-task=4", "--nodes=1"):
        assert f" {option} " in f" {cpu_job} ", cpu_job
    assert "--gpus" not in cpu_job and "--gres" not in cpu_job, cpu_job
    # A training job of 4 data-parallel processes (torchrun): 4 GPUs of one node.
    training = sbatch_options({"gpu": 4, "cpu_slots": 4}, threads=4)
    for option in ("--gpus=4", "--nodes=1"):
        assert f" {option} " in f" {training} ", training
