"""Faults: params.yaml fuzzed. Seeded random mutations that make the file invalid (a wrong type,
a missing required key, an unknown key, a value out of range, a broken cross-reference) must
each be refused with a ParamsError that names the key; never a traceback, never a silent run.

The mutations are drawn from the schema itself (which keys are required, which objects are
closed, each value's type and bounds), so every one of them is invalid by construction.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gaia.cli import main
from gaia.config import load_schema, validate_params
from gaia.errors import ParamsError

CASES = 300
Path_ = tuple[str | int, ...]


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node` with its $ref and allOf parts merged in (enough of JSON Schema for ours)."""
    node = dict(node)
    while "$ref" in node:
        target: Any = root
        for part in node.pop("$ref").removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **node}
    for part in node.pop("allOf", []):
        part = resolve(root, part)
        node["properties"] = {**node.get("properties", {}), **part.get("properties", {})}
        node["required"] = [*node.get("required", []), *part.get("required", [])]
        node.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    return node


def schema_at(root: dict[str, Any], path: Path_) -> dict[str, Any] | None:
    """The schema of the value at `path`, or None where the schema does not describe it."""
    node = resolve(root, root)
    for part in path:
        if isinstance(part, int):
            child = node.get("items")
        else:
            child = node.get("properties", {}).get(part)
            if child is None and isinstance(node.get("additionalProperties"), dict):
                child = node["additionalProperties"]
        if not isinstance(child, dict):
            return None
        node = resolve(root, child)
    return node


def walk(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, (*path, index))


def dotted(path: Path_) -> str:
    return ".".join(map(str, path))


def put(params: dict[str, Any], path: Path_, value: Any) -> None:
    parent: Any = params
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value


WRONG_TYPE = {
    "integer": "seven",
    "number": "seven",
    "string": {"not": "a string"},
    "boolean": "yes",
    "array": "not a list",
    "object": ["not", "a", "mapping"],
}


def mutations(params: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Every invalid mutation the schema implies: (kind, how to apply it, the key it names)."""
    found: list[tuple[str, Any, str]] = []
    for path, value in walk(params):
        node = schema_at(schema, path)
        if node is None or not path:
            continue
        kind = node.get("type")
        if isinstance(kind, str) and kind in WRONG_TYPE and "oneOf" not in node:
            found.append(("wrong type", (path, WRONG_TYPE[kind]), dotted(path)))
        if kind in ("integer", "number") and not isinstance(value, bool):
            if "minimum" in node:
                found.append(("out of range", (path, node["minimum"] - 1), dotted(path)))
            if "exclusiveMinimum" in node:
                found.append(("out of range", (path, node["exclusiveMinimum"]), dotted(path)))
            if "maximum" in node:
                found.append(("out of range", (path, node["maximum"] + 1), dotted(path)))
        if "enum" in node:
            found.append(("out of range", (path, "no-such-choice"), dotted(path)))
        if isinstance(value, dict):
            for key in node.get("required", []):
                found.append(("missing key", (path, key), f"{dotted(path)}: '{key}'"))
            if node.get("additionalProperties") is False:
                found.append(("unknown key", (path, "fuzz_key"), dotted(path)))
    for target, entry in params["targets"].items():
        for section in ("datasets", "models"):
            found.append(
                ("broken reference", ((target, section), "no_such_name"), f"targets.{target}")
            )
        if "seeds" in entry:  # its overrides only apply in its runs: checked there
            found.append(("seeded override", target, f"targets.{target} (in the parameters"))
    for name in params["models"]:
        found.append(("broken reference", (("models", name, "preset"),), f"models.{name}.preset"))
    found.append(("broken reference", (("experiments", "lines", "no_such_model"),), "lines"))
    return found


def apply(params: dict[str, Any], kind: str, how: Any) -> dict[str, Any]:
    params = copy.deepcopy(params)
    if kind in ("wrong type", "out of range"):
        put(params, *how)
    elif kind == "missing key":
        path, key = how
        parent = params
        for part in path:
            parent = parent[part]
        del parent[key]
    elif kind == "unknown key":
        path, key = how
        put(params, (*path, key), 1)
    elif kind == "seeded override":
        entry = params["targets"][how]
        entry["experiments"] = {"synthfaces": {"gaia": {"steps": 0}}}
    elif (target_section := how[0]) and len(how) == 2:  # a target names what is not defined
        target, section = target_section
        params["targets"][target][section] = [*params["targets"][target][section], how[1]]
    else:
        (path,) = how
        put(params, path, {} if path[0] == "experiments" else "no_such_preset")
    return params


def test_hundreds_of_invalid_params_each_fail_naming_the_key(default_params: dict) -> None:
    schema = load_schema()
    every = mutations(default_params, schema)
    kinds = {kind for kind, _, _ in every}
    assert kinds == {
        *("wrong type", "out of range", "missing key", "unknown key"),
        *("broken reference", "seeded override"),
    }
    # Every cross-reference case, and a seeded sample of the schema's (hundreds) to CASES.
    references = [m for m in every if m[0] in ("broken reference", "seeded override")]
    schema_cases = [m for m in every if m not in references]
    drawn = references + random.Random(0).sample(schema_cases, CASES - len(references))
    assert {kind for kind, _, _ in drawn} == kinds
    for kind, how, key in drawn:
        mutated = apply(default_params, kind, how)
        with pytest.raises(ParamsError) as refused:
            validate_params(mutated)
        assert key in str(refused.value), (kind, how, str(refused.value))


def test_the_cli_prints_the_problems_without_a_traceback(
    default_params: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = load_schema()
    rng = random.Random(1)
    for kind, how, key in rng.sample(mutations(default_params, schema), 5):
        file = tmp_path / "params.yaml"
        file.write_text(yaml.safe_dump(apply(default_params, kind, how), sort_keys=False))
        assert main(["dataset-stats", "--dataset", "lines", "--params", str(file)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"gaia dataset-stats: error: {file}: invalid parameters:"), err
        assert key in err and "Traceback" not in err, err
