"""Code dependencies are computed from the imports: an edited helper reruns exactly the steps
that import it, in Snakemake and in DVC."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaia import cli, steps
from gaia.code_deps import import_closure, step_code
from gaia.figures import registry

from workflows import snakemake_stages, tool_env


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_import_closure_follows_every_import_form(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "gaia/__init__.py": "",
            "gaia/step.py": "from gaia import helpers\nfrom .sub.a import f\n"
            "def run():\n    import gaia.lazy\n",
            "gaia/helpers.py": "import os\nimport gaia.sub\n",
            "gaia/lazy.py": "",
            "gaia/sub/__init__.py": "",
            "gaia/sub/a.py": "from . import b\n",
            "gaia/sub/b.py": "'import gaia.unused'\n",  # a string, not an import
            "gaia/unused.py": "",
        },
    )
    assert import_closure(["gaia.step"], tmp_path) == [
        "gaia/__init__.py",
        "gaia/helpers.py",
        "gaia/lazy.py",
        "gaia/step.py",
        "gaia/sub/__init__.py",
        "gaia/sub/a.py",
        "gaia/sub/b.py",
    ]
    # the CLI's lazy imports are its dispatch: only its module-level imports count
    assert "gaia/lazy.py" not in import_closure(["gaia.step"], tmp_path, ["gaia.step"])
    with pytest.raises(ValueError, match=r"gaia\.missing"):
        import_closure(["gaia.missing"], tmp_path)


def handler_imports(handler: object) -> set[str]:
    tree = ast.parse(inspect.getsource(handler))  # type: ignore[arg-type]
    return {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gaia")
    }


def test_each_step_names_the_code_its_cli_handler_runs() -> None:
    """Every step of the table is a CLI subcommand whose handler imports only modules the step
    names (its code dependencies), and whose function exists; the other subcommands are tools."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "step").choices
    commands = {entry.command.split()[0] for entry in steps.BY_NAME.values()}
    assert set(subparsers) - commands == {"bench", "compare-runs", "pull", "dvc-yaml"}
    for entry in steps.BY_NAME.values():
        module, name = entry.function.split(":")
        assert callable(getattr(importlib.import_module(module), name)), entry.function
        handler = subparsers[entry.command.split()[0]].get_default("handler")
        figures = [f.name for f in registry.FIGURES] if entry.scope == steps.FIGURE else [None]
        for figure in figures:
            assert handler_imports(handler) <= set(entry.code_modules(figure)), entry.name


def test_a_step_depends_on_its_imports_and_not_on_others() -> None:
    code = step_code("figure", "entanglement")
    assert "gaia/steps.py" not in code  # the rules' definition: no job computes with it
    assert {"gaia/figures/entanglement.py", "gaia/analysis/edits.py", "gaia/cli.py"} <= set(code)
    assert "gaia/figures/convexity.py" not in code
    assert not [f for f in code if f.startswith("gaia/train/")]
    train = step_code("train")
    assert "gaia/train/weight_average.py" in train and "gaia/figures/common.py" not in train


def fake_build(root: Path) -> set[str]:
    """Every output of `all` as a small file (or folder), all no newer than the code: a built
    workflow without running it. Returns the stage names."""
    stages = snakemake_stages(root, ("all",))
    for stage in stages.values():
        for out in stage.outs:
            path = root / out
            if not path.suffix:  # directory() outputs: datasets, samples
                path.mkdir(parents=True, exist_ok=True)
                path = path / "file"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(out)
    return set(stages)


def age_everything(root: Path) -> None:
    """One old modification time for every file and folder: nothing is newer than its inputs
    (DVC's commit rewrites the outputs it caches)."""
    created = time.time() - 3600
    for folder, folders, files in os.walk(root):
        if ".git" not in folder and ".dvc" not in folder:
            for name in (*files, *folders):
                os.utime(Path(folder) / name, (created, created))


def dvc(root: Path, *args: str) -> str:
    command = [sys.executable, "-m", "dvc", *args]
    done = subprocess.run(command, cwd=root, env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_editing_a_figure_helper_reruns_exactly_the_figures_that_import_it(
    repo_copy: Path,
) -> None:
    stages = fake_build(repo_copy)
    dvc(repo_copy, "commit", "--force", "dvc.yaml")
    age_everything(repo_copy)
    assert not snakemake_stages(repo_copy, ("all",), forced=False)  # all up to date

    helper = repo_copy / "gaia/figures/entanglement.py"  # attribute_edits imports its names
    helper.write_text(helper.read_text() + "\n# edited\n")
    importers = {"figure-entanglement_synthfaces", "figure-attribute_edits_synthfaces"}
    assert importers <= stages
    rerun = set(snakemake_stages(repo_copy, ("all",), forced=False))
    assert rerun == importers | {"report_results"}  # and the report that shows them
    status = dvc(repo_copy, "status", "dvc.yaml")
    changed = {line[:-1] for line in status.splitlines() if line and not line[0].isspace()}
    assert changed == importers, status
