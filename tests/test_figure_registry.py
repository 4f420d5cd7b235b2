"""One figure registry: the CLI, the Snakemake rule, dvc.yaml and the report all follow it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gaia import steps
from gaia.figures import registry

from workflows import tool_env

TARGET = {"datasets": ["synthfaces", "lines"], "attribute_datasets": ["synthfaces"]}


def test_every_figure_is_drawn_by_a_function_of_its_module() -> None:
    import importlib

    for entry in registry.FIGURES:
        module, name = entry.plot.split(":")
        assert callable(getattr(importlib.import_module(module), name)), entry.plot
        assert entry.scope in registry.SCOPES
        assert steps.step("figure").code_modules(entry.name)[-1] == module


def test_file_stems_map_back_to_their_figure() -> None:
    drawn = registry.target_figures({**TARGET, "models": ["gaia"]})
    stems = [entry.stem(dataset) for entry, dataset in drawn]
    # 2 of the target, 5 per dataset (the interpolation loop among them), 2 per attribute
    # dataset, the claims once per run
    assert len(stems) == len(set(stems)) == 2 + 5 * 2 + 2 * 1 + 1
    assert "attribute_edits_synthfaces" in stems and "attribute_edits_lines" not in stems
    for entry, dataset in drawn:
        assert registry.from_stem(entry.stem(dataset), TARGET) == (entry, dataset)
    with pytest.raises(KeyError, match="attribute_edits_lines"):
        registry.from_stem("attribute_edits_lines", TARGET)


def test_the_gallery_reads_dataset_by_dataset_with_captions() -> None:
    gallery = registry.gallery(TARGET)
    names = [name for name, _ in gallery]
    assert names[:2] == ["training_synthfaces.png", "reconstructions_synthfaces.png"]
    assert gallery[-1][0] == "convexity_lines.png"
    assert "interpolation_loop_lines.gif" in names  # an animation, embedded as its GIF
    assert all("{dataset}" not in caption for _, caption in gallery)
    assert "held-out lines images" in dict(gallery)["reconstructions_lines.png"]


EXTRA_MODULE = """
from gaia import paths
from gaia.figures.common import plt, save_figure


def plot_extra(params, dataset, models, out_png=None):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    return save_figure(fig, out_png or paths.figure(f"extra_{dataset}"))
"""
EXTRA_ENTRY = """
FIGURES = (*FIGURES, Figure("extra", "gaia.figures.extra:plot_extra", DATASET,
    _per_model(paths.train_log), ("targets.all",), "An extra figure of {dataset}."))
BY_NAME = {figure.name: figure for figure in FIGURES}
"""


def test_a_new_figure_is_one_registry_entry_and_its_module(repo_copy: Path) -> None:
    (repo_copy / "gaia/figures/extra.py").write_text(EXTRA_MODULE)
    source = repo_copy / "gaia/figures/registry.py"
    text = source.read_text()
    anchor = "\n\ndef figure(name: str)"
    source.write_text(text.replace(anchor, EXTRA_ENTRY + anchor, 1))
    env = tool_env() | {"PYTHONPATH": str(repo_copy)}  # the copy's package, not this one

    def run(*args: str) -> str:
        done = subprocess.run(args, cwd=repo_copy, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout + done.stderr

    dry = run(sys.executable, "-m", "snakemake", "-n", "-p", "--cores", "1", "all")
    for dataset in ("synthfaces", "lines"):
        assert f"gaia figure extra --dataset {dataset} --target all" in dry
        assert f"reports/figures/extra_{dataset}.png" in dry
    run(sys.executable, "-m", "gaia", "dvc-yaml")
    dvc_yaml = (repo_copy / "dvc.yaml").read_text()
    assert "figure-extra_lines:" in dvc_yaml and "gaia/figures/extra.py" in dvc_yaml
    listed = run(
        sys.executable,
        "-c",
        "from gaia.figures.registry import gallery; "
        "print(gallery({'datasets': ['lines'], 'attribute_datasets': []}))",
    )
    assert "('extra_lines.png', 'An extra figure of lines.')" in listed
