"""Shared fixtures: the repository root, a tiny parameter set, a copy of the repository."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DVC_NO_ANALYTICS", "1")


@pytest.fixture(scope="session")
def session_params() -> dict[str, Any]:
    """params.yaml, loaded and validated once; never change it (use `default_params`)."""
    from gaia.config import load_params

    return load_params(REPO / "params.yaml")


@pytest.fixture
def default_params(session_params: dict[str, Any]) -> dict[str, Any]:
    """params.yaml, each test its own copy: a test may change it without touching the others."""
    return copy.deepcopy(session_params)


TINY_PRESET = {
    "generator": {
        "width": 4,
        "n_down": 2,
        "n_res": 1,
        "style_down": 2,
        "style_dim": 4,
        "content_dim": 8,
    },
    "discriminator": {"width": 4, "n_down": 2, "n_res": 1, "style_down": 2, "style_dim": 4},
}


def tiny(params: dict[str, Any]) -> dict[str, Any]:
    """The default parameters with small splits: same code paths, seconds instead of minutes."""
    params = copy.deepcopy(params)
    params["datasets"]["synthfaces"]["splits"] = {"train": 96, "test": 48}
    params["datasets"]["lines"]["splits"] = {"train": 64, "test": 32}
    params["presets"]["small"] = TINY_PRESET
    params["training"].update(
        steps=4, batch_size=8, log_every=2, eval_every=2, sample_every=2, checkpoint_every=2
    )
    params["training"]["eval_images"] = 16
    params["experiments"] = {}
    analysis = params["analysis"]
    analysis["latents"].update(fit_images=96, batch_size=32)
    analysis["classifier"].update(width=4, features=8, steps=4, batch_size=16)
    analysis["edits"].update(images=4, scales=[1.0], report_scale=1.0, batch_size=16)
    analysis["interpolation"]["lines"].update(pairs=4, steps=4, reference_lines=64)
    analysis["interpolation"]["faces"].update(pairs=4, alphas=[0.0, 0.5, 1.0])
    fid = params["fid"]
    fid["batch_size"] = 16
    fid["kid_subsets"] = 10
    fid["counts"]["domain"] = {
        "reference": 48, "generated": 24, "kid_subset_size": 16, "bootstrap": 10
    }  # fmt: skip
    fid["counts"]["inception-v3-compat"] = {
        "reference": 8, "generated": 4, "kid_subset_size": 4, "bootstrap": 5
    }  # fmt: skip
    fid["two_sample"].update(steps=5, batch_size=8, width=4)
    analysis["classifier"]["judge_faces"] = 16
    # Hermetic: never download Inception, never find a user's copy (auto then skips it).
    fid["inception"].update(weights="no-inception-weights-in-tests.pth", url=None, package=None)
    return params


@pytest.fixture
def tiny_params(default_params: dict[str, Any]) -> dict[str, Any]:
    return tiny(default_params)


def repo_files() -> list[str]:
    """Tracked and untracked-but-not-ignored files: what a fresh clone of this work tree holds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted({f for f in listed.split("\0") if f and (REPO / f).is_file()})


def copy_repo(root: Path, params: dict[str, Any]) -> Path:
    """A fresh copy of the repository in `root` (its own git repo) with these parameters."""
    for name in repo_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def repo_copy(tmp_path: Path, default_params: dict[str, Any]) -> Path:
    """A fresh copy of the repository (its own git repo) whose params.yaml has tiny splits."""
    return copy_repo(tmp_path / "repo", tiny(default_params))


@pytest.fixture(scope="session")
def built_pipeline(
    tmp_path_factory: pytest.TempPathFactory,
    session_params: dict[str, Any],
    he_inception_weights: Path,
) -> tuple[Path, dict[str, str]]:
    """The tiny pipeline built once by `snakemake --cores 2 all` (FID with both extractors),
    and the digests of its outputs as built (tests may go on to change the folder)."""
    from outputs import output_hashes, require_inception

    from workflows import run_snakemake

    root = copy_repo(tmp_path_factory.mktemp("pipeline") / "repo", tiny(session_params))
    require_inception(root, he_inception_weights)
    done = run_snakemake(root, "--cores", "2", "all")
    assert done.returncode == 0, done.stderr[-3000:]
    return root, output_hashes(root)


@pytest.fixture(scope="session")
def he_inception_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gaia.metrics.inception_stand_in import write_stand_in_weights

    return write_stand_in_weights(tmp_path_factory.mktemp("inception") / "inception.pth")
