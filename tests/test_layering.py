"""The package's layers: analysis, metrics, figures and the report never reach into training."""

from __future__ import annotations

import ast
from pathlib import Path

import gaia

PACKAGE = Path(gaia.__file__).parent
BELOW_TRAINING = ("analysis", "metrics", "figures", "report")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_nothing_below_training_runs_training_code() -> None:
    """Not even indirectly: the import closure of every analysis, metric, figure and report
    module (gaia/code_deps.py) holds no file of gaia/train/."""
    from gaia.code_deps import import_closure

    for sub in BELOW_TRAINING:
        for path in sorted((PACKAGE / sub).rglob("*.py")):
            module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            module = module.removesuffix(".__init__")
            closure = import_closure([module], PACKAGE.parent)
            assert not [f for f in closure if f.startswith("gaia/train/")], module


def test_no_analysis_metric_figure_or_report_module_imports_the_training_package() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in imported_modules(path) if m.startswith("gaia.train")
        )
        for sub in BELOW_TRAINING
        for path in sorted((PACKAGE / sub).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 20  # the walk did find the modules


def test_the_check_sees_both_import_forms(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import gaia.train.losses\nfrom gaia.train.trainer import train\n")
    assert imported_modules(source) == {"gaia.train.losses", "gaia.train.trainer"}


def test_the_package_never_imports_snakemake() -> None:
    """Snakemake runs the package's commands; the package (dvc.yaml's generation included,
    gaia/plan.py) reads the step table, never Snakemake's internals."""
    offenders = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(m.split(".")[0] == "snakemake" for m in imported_modules(path))
    }
    assert offenders == set()
