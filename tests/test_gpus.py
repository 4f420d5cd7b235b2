"""GPU detection for the workflow's `gpu` resource, with a stand-in nvidia-smi on PATH."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gaia.utils.gpus import gpu_slots_per_job, visible_gpu_count


@pytest.fixture
def fake_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\nprintf 'GPU 0: NVIDIA H200 (UUID: GPU-a)\\nGPU 1: x\\n'\n")
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_no_nvidia_smi_means_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert visible_gpu_count() == 0
    assert gpu_slots_per_job() == 0


def test_counts_listed_gpus(fake_smi: None) -> None:
    assert visible_gpu_count() == 2
    assert gpu_slots_per_job() == 1


def test_cuda_visible_devices_limits_the_count(
    fake_smi: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert visible_gpu_count() == 1
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert visible_gpu_count() == 0


def test_cpu_device_holds_no_gpu_slot(fake_smi: None) -> None:
    assert visible_gpu_count("cpu") == 0
    assert gpu_slots_per_job("cpu") == 0


def test_the_cpu_slots_are_this_machines_cpus() -> None:
    import os

    from gaia.utils.gpus import schedulable_cpus

    assert schedulable_cpus() == len(os.sched_getaffinity(0)) >= 1


def test_cuda_device_asks_for_a_gpu_even_where_none_is_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi: a cluster's login node
    assert gpu_slots_per_job("cuda") == 1 and gpu_slots_per_job("auto") == 0
