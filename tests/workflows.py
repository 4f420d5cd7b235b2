"""Read the job graphs of both front ends, Snakemake and DVC, into one comparable form."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gaia.paths import EFFECTIVE_PARAMS


@dataclass(frozen=True)
class Stage:
    cmd: str
    deps: frozenset[str]
    outs: frozenset[str]


def tool_env() -> dict[str, str]:
    """The environment with this interpreter's bin directory (where `gaia` lives) on PATH."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_snakemake(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`snakemake ARGS` with this interpreter, run in `cwd`; the caller checks the exit status."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=cwd,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def full_seeds_config(folder: Path, seeds: list[int]) -> Path:
    """A Snakemake --configfile that runs `full` over `seeds`: with a seed no record holds
    (97), a test sees the jobs that train and record, whatever git has recorded."""
    config = folder / "full_seeds.yaml"
    config.write_text(f"targets: {{full: {{seeds: {list(seeds)}}}}}\n")
    return config


def snakemake_stages(
    root: Path,
    targets: tuple[str, ...] = ("all", "full", "paper"),
    forced: bool = True,
    extra: tuple[str, ...] = (),
) -> dict[str, Stage]:
    """Jobs of a dry run (forced: every job of the targets; `extra`: more Snakemake arguments),
    keyed like DVC stages: rule name, then -wildcard values."""
    flags = ["--cores", "1", "--dry-run", "--printshellcmds", "--nolock", *extra]
    done = run_snakemake(root, *flags, *(["--forceall"] if forced else []), *targets)
    if done.returncode != 0:
        raise AssertionError(f"Snakemake dry run failed:\n{done.stderr[-3000:]}")
    dry_run = done.stdout
    stages: dict[str, Stage] = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", dry_run):
        header = re.match(r"(?:local)?rule (\w+):\n", block)
        if not header or header.group(1) in targets:
            continue
        fields = dict(re.findall(r"^    (\w+): (.*)$", block, flags=re.M))
        command = re.search(r"^Shell command: (.*)$", block, flags=re.M)
        key = header.group(1)
        if "wildcards" in fields:
            # a run's root "results/full_s0/" names the stage by its run; the repository's, ""
            # (the jobs of `all`), not at all
            values = (v.split("=", 1)[1] for v in fields["wildcards"].split(", "))
            key += "".join("-" + Path(v).name for v in values if v)
        key = key.replace("@", "-at-")  # DVC reads "@" in a stage name as a foreach key

        def files(field: str, fields: dict[str, str] = fields) -> set[str]:
            return set(fields[field].split(", ")) if field in fields else set()

        # Snakemake's jobs read the effective parameters (overrides applied), DVC's params.yaml
        # itself (`dvc exp run -S` edits it): the same command otherwise.
        cmd = command.group(1).strip() if command else ""
        stages[key] = Stage(
            cmd=cmd.replace(f" --params {EFFECTIVE_PARAMS}", ""),
            deps=frozenset(files("input")),
            outs=frozenset(files("output") | files("log")),
        )
    if not stages and forced:
        raise AssertionError(f"no jobs found in the Snakemake dry run:\n{dry_run}")
    return stages


def dvc_stages(root: Path) -> dict[str, Stage]:
    """Stages of every dvc.yaml of the repository, as DVC reads them (params aside)."""
    from dvc.repo import Repo

    stages = {}
    with Repo(str(root)) as repo:
        for stage in repo.index.stages:
            deps = {
                str(dep.def_path) for dep in stage.deps if type(dep).__name__ != "ParamsDependency"
            }
            stages[stage.name] = Stage(
                cmd=stage.cmd,
                deps=frozenset(deps),
                outs=frozenset(str(out.def_path) for out in stage.outs),
            )
    return stages


def differences(snakemake: dict[str, Stage], dvc: dict[str, Stage]) -> list[str]:
    """Human-readable differences between the two graphs (empty when they agree)."""
    problems = []
    for name in sorted(snakemake.keys() ^ dvc.keys()):
        where = "Snakemake" if name in snakemake else "dvc.yaml"
        problems.append(f"stage {name} exists only in {where}")
    for name in sorted(snakemake.keys() & dvc.keys()):
        s, d = snakemake[name], dvc[name]
        if s.cmd != d.cmd:
            problems.append(f"{name}: command differs:\n  snakemake: {s.cmd}\n  dvc:       {d.cmd}")
        for field in ("deps", "outs"):
            only_s = sorted(getattr(s, field) - getattr(d, field))
            only_d = sorted(getattr(d, field) - getattr(s, field))
            if only_s or only_d:
                problems.append(f"{name}: {field} only in Snakemake {only_s}, only in DVC {only_d}")
    return problems
