"""benchmarks/gpu_check.sh cannot rot: its --dry mode runs the same commands on the CPU."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from workflows import tool_env


@pytest.mark.slow
def test_gpu_check_dry_prints_every_measurement() -> None:
    done = subprocess.run(
        ["bash", str(REPO / "benchmarks/gpu_check.sh"), "--dry"],
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    experiments = [r["experiment"] for r in records]
    assert experiments == ["synthfaces/gaia", "synthfaces/ae", "synthfaces/ae", "synthfaces/gaia"]
    assert [r["compile"] for r in records] == [False, False, "default", False]
    for record in records:
        assert record["steps_per_s"] > 0 and record["images_per_s"] > 0
        assert record["achieved_flops_per_s"] > 0 and record["peak_memory_bytes"] > 0
        assert record["mfu"] is None  # no published peak for a CPU
    assert records[-1]["batch_size"] == 16  # the CPU never runs out: the cap is the largest
    assert Path(REPO / "benchmarks/gpu_check.sh").stat().st_mode & 0o111  # executable
