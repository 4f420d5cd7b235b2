"""environment.yml mirrors pyproject.toml; the README's commands are the ones CI runs."""

from __future__ import annotations

import tomllib

import yaml

from conftest import REPO


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert set(pip_section) - {"-e ."} == wanted
    assert "-e ." in pip_section
    assert conda_python == ["python=3.11"]
    assert project["requires-python"] == ">=3.11"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and "make reproduce" in readme
    assert "make test" in ci
