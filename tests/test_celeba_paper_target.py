"""The `paper` target: CelebA-HQ with the authors' network, in both engines, every step listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from gaia.runs import run_params

from workflows import snakemake_stages, tool_env


def test_the_paper_run_is_celebahq_with_the_authors_network_and_inception(
    default_params: dict[str, Any],
) -> None:
    run = run_params(default_params, "paper", 0)
    assert run["targets"]["all"]["datasets"] == ["celebahq"]
    assert run["targets"]["all"]["models"] == ["gaia_paper", "ae_paper"]
    assert run["fid"]["extractors"] == ["domain", "inception-v3-compat"]  # required, not auto
    assert run["datasets"]["celebahq"]["resolution"] == 128
    assert run["models"]["gaia_paper"]["preset"] == "paper"


def test_snakemake_and_dvc_list_the_paper_steps(repo_copy: Path) -> None:
    """Every step of the paper's run is a job of its own: the CelebA-HQ preparation, each
    model's training, the analyses, FID with Inception, the figures and the reports."""
    stages = snakemake_stages(repo_copy, ("paper",))
    for stage, command in (
        ("prepare_data-celebahq", "gaia prepare-data --dataset celebahq"),
        ("train-paper_s0-celebahq-gaia_paper", "gaia train --experiment celebahq/gaia_paper"),
        ("train-paper_s0-celebahq-ae_paper", "gaia train --experiment celebahq/ae_paper"),
        ("attribute_edits-paper_s0-celebahq-gaia_paper", "gaia attribute-edits"),
        ("fid-paper_s0-celebahq-ae_paper", "gaia fid --experiment celebahq/ae_paper"),
        ("figure-paper_s0-entanglement_celebahq", "gaia figure entanglement --dataset celebahq"),
        ("report_results-paper_s0", "gaia report results --target all"),
        ("report_paper", "gaia report target --target paper"),
    ):
        assert stages[stage].cmd.startswith(command), (stage, stages[stage].cmd)
    assert stages["train-paper_s0-celebahq-gaia_paper"].cmd.endswith("--run paper_s0")
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
    for stage in ("prepare_data-celebahq", "train-paper_s0-celebahq-gaia_paper", "report_paper"):
        assert stage in dry.stdout, stage
