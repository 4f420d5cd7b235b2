"""The `paper` target: CelebA-HQ with the authors' network, in both engines, every step listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from gaia.runs import run_params

from workflows import run_snakemake, snakemake_stages, tool_env


def test_the_paper_run_is_celebahq_with_the_authors_network_and_inception(
    default_params: dict[str, Any],
) -> None:
    run = run_params(default_params, "paper", 0)
    assert run["targets"]["all"]["datasets"] == ["celebahq"]
    assert run["targets"]["all"]["models"] == ["gaia_paper", "ae_paper"]
    assert run["fid"]["extractors"] == ["domain", "inception-v3-compat"]  # required, not auto
    assert run["datasets"]["celebahq"]["resolution"] == 128
    assert run["models"]["gaia_paper"]["preset"] == "paper"


def test_snakemake_and_dvc_list_the_paper_steps(repo_copy: Path, default_params: dict) -> None:
    outer = snakemake_stages(repo_copy, ("paper",))
    assert set(outer) == {"run_target-paper-0", "report_paper"}
    # `dvc repro --dry` stops at the first stage whose input another stage makes (DVC 3.67:
    # "No such file"), so the DVC side is listed with `dvc dag`.
    dry = subprocess.run(
        [sys.executable, "-m", "dvc", "dag", "docs/paper/dvc.yaml:report_paper"],
        cwd=repo_copy,
        env=tool_env(),
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert "run_target-paper-0" in dry.stdout and "report_paper" in dry.stdout
    # Every step of the run itself: its own params.yaml, as `gaia run` writes it, dry-run.
    run = run_params(default_params, "paper", 0)
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(run, sort_keys=False))
    inner = run_snakemake(repo_copy, "-n", "--cores", "8", "all")
    assert inner.returncode == 0, inner.stderr[-2000:]
    for job in (
        "rule prepare_data:",
        "gaia train --experiment celebahq/gaia_paper",
        "gaia train --experiment celebahq/ae_paper",
        "gaia attribute-edits --experiment celebahq/gaia_paper",
        "gaia fid --experiment celebahq/ae_paper",
        "gaia figure entanglement --dataset celebahq",
        "gaia report results --target all",
    ):
        assert job in inner.stdout, job
