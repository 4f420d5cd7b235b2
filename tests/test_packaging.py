"""requirements.lock pins pyproject.toml's requirements with hashes, environment.yml pins the
same versions, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO


def project_requirements() -> list[Requirement]:
    """pyproject.toml's dependencies and its dev extra (what the lock is compiled from)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    listed = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(text) for text in dict.fromkeys(listed)]


def locked() -> dict[str, tuple[str, int]]:
    """requirements.lock: package -> (version, number of hashes)."""
    text = (REPO / "requirements.lock").read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.\-]+)==([^ \\;]+)[^\n]*\\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
        text,
        re.M,
    )
    return {
        canonicalize_name(name): (version, hashes.count("--hash"))
        for name, version, hashes in entries
    }


def test_the_lock_pins_every_requirement_with_hashes() -> None:
    text = (REPO / "requirements.lock").read_text()
    packages = re.findall(r"^[A-Za-z0-9]", text, re.M)  # a package's line; hashes are indented
    pins = locked()
    assert len(pins) == len(packages) > 100  # every package parsed, each with its hashes
    assert all(count >= 1 for _, count in pins.values())
    for requirement in project_requirements():
        version, _ = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), (requirement, version)


def test_environment_yml_pins_the_locked_versions() -> None:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    pins = locked()
    wanted = {f"{r.name}=={pins[canonicalize_name(r.name)][0]}" for r in project_requirements()}
    assert set(pip_section) - {"-e ."} == wanted
    assert "-e ." in pip_section
    assert conda_python == ["python=3.11"]


def test_setup_installs_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in makefile
    assert "pip install --no-deps --no-build-isolation -e ." in makefile


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and "make reproduce" in readme
    assert "make test" in ci
