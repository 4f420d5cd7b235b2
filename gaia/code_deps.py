"""The source files a pipeline step runs: the import closure of its modules within `gaia`.

Both engines declare these files as a step's code dependencies (workflow/rules/common.smk and
the generated dvc.yaml), so that editing any helper a step imports reruns that step, and only
the steps that import it. Read from the code with `ast`, nothing is imported: an import inside
a function counts (it runs when the function does), an import in a string does not.

The CLI itself is the exception: `gaia/cli.py` imports each step's module lazily inside its
handler, so only its module-level imports count, and each step's entry in gaia/steps.py names the
modules it runs (tests/test_code_deps.py checks them against the CLI's handlers).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACKAGE = "gaia"
SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the folder that holds gaia/


def module_file(module: str, root: Path = SOURCE_ROOT) -> Path | None:
    """gaia/a/b.py or gaia/a/b/__init__.py for `gaia.a.b`; None when it is not a gaia module."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(node: ast.Import | ast.ImportFrom, package: str) -> Iterable[str]:
    """Dotted names an import statement may load: `from a import b` may load a.b or only a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolved against the importing module's package
        parts = package.split(".")
        anchor = parts[: len(parts) - node.level + 1]
        base = ".".join(anchor + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


@cache
def imports(path: Path, module: str, root: Path, top_level_only: bool = False) -> frozenset[str]:
    """The gaia modules a source file imports (only its module-level statements if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= {
                name
                for name in _imported_names(node, package)
                if module_file(name, root) is not None
            }
    return frozenset(found)


def _with_parents(module: str) -> list[str]:
    """A module and its packages: importing gaia.a.b runs gaia/__init__ and gaia/a/__init__."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def import_closure(
    modules: Iterable[str], root: Path = SOURCE_ROOT, top_level_only: Iterable[str] = ()
) -> list[str]:
    """Source files (relative to `root`, sorted) that importing `modules` may run.

    Modules named in `top_level_only` contribute only their module-level imports (the CLI).
    """
    shallow = set(top_level_only)
    seen: set[str] = set()
    pending = [m for module in modules for m in _with_parents(module)]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        path = module_file(module, root)
        if path is None:
            raise ValueError(f"{module!r} is not a module of {root / PACKAGE}")
        seen.add(module)
        for name in imports(path, module, root, module in shallow):
            pending += _with_parents(name)
    files = {module_file(m, root) for m in seen}
    return sorted(str(f.relative_to(root)) for f in files if f is not None)


def step_code(step: str, figure: str | None = None, root: Path = SOURCE_ROOT) -> list[str]:
    """The source files a job of `step` (gaia/steps.py; a figure's: of `figure`) runs: the
    CLI's own imports and its step's modules."""
    from gaia.steps import step as entry

    modules = entry(step).code_modules(figure)
    return import_closure([f"{PACKAGE}.cli", *modules], root, top_level_only=[f"{PACKAGE}.cli"])
