"""Load params.yaml, validate it against workflow/schemas/params.schema.yaml, resolve names.

Every consumer (the CLI, the Snakefile, the tests) goes through `validate_params`, so an invalid
file fails the same way everywhere: with the key, the bad value and what is allowed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gaia.errors import ParamsError
from gaia.utils.io import write_text

# Dataset kinds whose images carry binary attributes (OLS vs mean-difference vectors, edits).
ATTRIBUTE_KINDS = ("synthfaces", "celeba", "celebahq")
# Model objectives (gaia/train/objectives.py); a model's settings go under its objective's name.
OBJECTIVES = ("gaia", "gaia_later", "ae", "vae", "acai")

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "workflow" / "schemas" / "params.schema.yaml"
DEFAULT_PARAMS = Path("params.yaml")


def load_schema() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():
        raise ParamsError(
            f"parameter schema not found at {SCHEMA_PATH}; run gaia from a checkout of gaia-repro "
            "installed with `pip install -e .`"
        )
    return yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    """The schema's validator, built once per process: every command validates its parameters,
    and parsing the schema is not free (docs/benchmarks.md)."""
    return jsonschema.Draft202012Validator(load_schema())


def load_params(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """Read and validate a parameter file; raise ParamsError naming the file and every bad key."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(
            f"{path}: parameter file not found; run from the repository root or pass --params"
        )
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from exc
    return validate_params(params, source=str(path))


def write_effective_params(params: dict[str, Any], path: Path) -> None:
    """Write `params` (Snakemake's config: params.yaml with --config / --configfile applied) as
    the parameter file that every job of the run reads, atomically; left untouched when its
    content is the same, so that its time stamp moves only with the parameters."""
    text = yaml.safe_dump(params, sort_keys=False)  # order matters (the joint law)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)


def validate_params(params: Any, source: str = "params.yaml") -> dict[str, Any]:
    """Check `params` against the schema and the cross-references the schema cannot express."""
    problems = params_problems(params)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise ParamsError(f"{source}: invalid parameters:\n{listing}")
    return params


def params_problems(params: Any) -> list[str]:
    """One line per problem of `params` (the schema's first, then the cross-references)."""
    errors = sorted(
        _validator().iter_errors(params), key=lambda e: [str(p) for p in e.absolute_path]
    )
    problems = [_describe(error) for error in errors]
    return problems or list(_cross_reference_problems(params)) or list(_seeded_run_problems(params))


def _seeded_run_problems(params: dict[str, Any]) -> Iterable[str]:
    """A seeded target's overrides, checked where they apply: in the parameters of its runs
    (only once the file itself is valid, so that its own problems are not listed again)."""
    for target, spec in params["targets"].items():
        if "seeds" in spec:
            for problem in params_problems(seeded_run_params(params, target, spec["seeds"][0])):
                yield f"targets.{target} (in the parameters of its runs): {problem}"


TARGET_KEYS = ("datasets", "models", "attribute_datasets", "fid_datasets", "along_training")


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` applied key by key, recursively for nested dicts."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def seeded_run_params(params: dict[str, Any], target: str, seed: int) -> dict[str, Any]:
    """The parameters of one seed's run of seeded target `target` (gaia/runs.py), unchecked:
    the target's datasets and models as `targets.all`, its `experiments` merged over
    `experiments`, its `params` over the rest, and `training.seed` = `seed`."""
    entry = params["targets"][target]
    run = copy.deepcopy(params)
    run["targets"] = {
        "all": {key: copy.deepcopy(entry[key]) for key in TARGET_KEYS if key in entry}
    }
    run["training"]["seed"] = seed
    run["experiments"] = merge(run.get("experiments", {}), entry.get("experiments", {}))
    return merge(run, entry.get("params", {}))


def _key(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    """One line per error: the dotted key, the offending value and what the schema allows."""
    key, value, rule, schema = (
        _key(error.absolute_path),
        error.instance,
        error.validator,
        error.schema,
    )
    if rule == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(value) - set(allowed))
        return f"{key}: unknown key(s) {unknown}; allowed keys: {allowed}"
    if rule == "required":
        return f"{key}: {error.message}"
    if rule == "type":
        return (
            f"{key}: {value!r} is a {type(value).__name__}, expected type {error.validator_value}"
        )
    if rule in ("enum", "const"):
        allowed = error.validator_value if rule == "enum" else [error.validator_value]
        return f"{key}: {value!r} is not allowed; allowed values: {allowed}"
    if rule == "oneOf":
        hint = schema.get("description", "").strip()
        return f"{key}: {value!r} does not match any allowed form. {hint}".strip()
    if rule == "dependentRequired":  # one error per missing key; name the key that needs it
        needs = {k: [n for n in ns if n not in value] for k, ns in error.validator_value.items()}
        return "; ".join(f"{key}: {k!r} needs {n}" for k, n in needs.items() if k in value and n)
    if rule == "propertyNames":
        return f"{key}: invalid name: {error.message}"
    if rule == "not":  # a forbidden form: the schema's description says which and why
        return f"{key}: not allowed here. {schema.get('description', '').strip()}".strip()
    bounds = {
        "minimum": ">=",
        "maximum": "<=",
        "exclusiveMinimum": ">",
        "exclusiveMaximum": "<",
        "multipleOf": "a multiple of",
        "minItems": "at least this many items:",
        "maxItems": "at most this many items:",
        "minProperties": "at least this many entries:",
    }
    if rule in bounds:
        return f"{key}: {value!r} is not allowed; it must be {bounds[rule]} {error.validator_value}"
    return f"{key}: {error.message}"


def _cross_reference_problems(params: dict[str, Any]) -> Iterable[str]:
    datasets, models = params["datasets"], params["models"]
    for target, spec in params["targets"].items():
        for section, defined in (("datasets", datasets), ("models", models)):
            for name in spec[section]:
                if name not in defined:
                    yield (
                        f"targets.{target}.{section}: unknown {section[:-1]} {name!r}; "
                        f"defined {section}: {sorted(defined)}"
                    )
    for target, spec in params["targets"].items():
        for name in spec["attribute_datasets"]:
            if name not in spec["datasets"]:
                yield (
                    f"targets.{target}.attribute_datasets: {name!r} is not in "
                    f"targets.{target}.datasets {spec['datasets']}"
                )
            elif name in datasets and datasets[name]["kind"] not in ATTRIBUTE_KINDS:
                yield (
                    f"targets.{target}.attribute_datasets: {name!r} (kind "
                    f"{datasets[name]['kind']!r}) has no binary attributes"
                )
        for name in spec["fid_datasets"]:
            if name not in spec["attribute_datasets"]:
                yield (
                    f"targets.{target}.fid_datasets: {name!r} is not in "
                    f"targets.{target}.attribute_datasets {spec['attribute_datasets']} (the "
                    "edits set needs its attribute vectors)"
                )
    for extractor, counts in params["fid"]["counts"].items():
        if counts["kid_subset_size"] > min(counts["reference"], counts["generated"]):
            yield (
                f"fid.counts.{extractor}.kid_subset_size: {counts['kid_subset_size']} exceeds "
                f"its reference ({counts['reference']}) or generated ({counts['generated']}) count"
            )
    for name, model in models.items():
        if model["preset"] not in params["presets"]:
            yield (
                f"models.{name}.preset: unknown preset {model['preset']!r}; "
                f"defined presets: {sorted(params['presets'])}"
            )
        for objective in OBJECTIVES:
            if model["objective"] != objective and objective in model:
                yield (
                    f"models.{name}.{objective}: only a model with objective {objective!r} "
                    "takes these settings"
                )
    for dataset, per_model in params.get("experiments", {}).items():
        if dataset not in datasets:
            yield f"experiments.{dataset}: unknown dataset; defined datasets: {sorted(datasets)}"
        for model, overrides in per_model.items():
            if model not in models:
                yield (
                    f"experiments.{dataset}.{model}: unknown model; "
                    f"defined models: {sorted(models)}"
                )
                continue
            for objective in OBJECTIVES:
                if objective in overrides and models[model]["objective"] != objective:
                    yield (
                        f"experiments.{dataset}.{model}.{objective}: model {model!r} has "
                        f"objective {models[model]['objective']!r}, not {objective!r}"
                    )
    edits = params["analysis"]["edits"]
    if edits["report_scale"] not in edits["scales"]:
        yield (
            f"analysis.edits.report_scale: {edits['report_scale']!r} must be one of "
            f"analysis.edits.scales {edits['scales']!r}"
        )
    for name in models:
        if name == "classifier":
            yield "models.classifier: the name is reserved for results/DATASET/classifier/"
    for name, cfg in datasets.items():
        if cfg["kind"] != "synthfaces":
            continue
        seen: list[str] = []
        for attribute, law in cfg["attributes"].items():
            given = law.get("given")
            if given is not None and given not in seen:
                yield (
                    f"datasets.{name}.attributes.{attribute}.given: {given!r} must be an attribute "
                    f"listed before {attribute!r}; listed before it: {seen}"
                )
            seen.append(attribute)
        low, high = cfg["nuisance"]["scale_range"]
        if low > high:
            yield f"datasets.{name}.nuisance.scale_range: {[low, high]!r} must be [min, max]"


def dataset_config(params: dict[str, Any], name: str) -> dict[str, Any]:
    """The entry of dataset `name`, or an error listing the defined datasets."""
    try:
        return params["datasets"][name]
    except KeyError:
        raise ParamsError(
            f"unknown dataset {name!r}; defined datasets: {sorted(params['datasets'])} "
            "(add an entry under `datasets:` in params.yaml)"
        ) from None


def lookup(params: dict[str, Any], dotted_key: str) -> Any:
    """The value at a dotted key such as 'datasets.lines', as DVC's `params:` names it."""
    node: Any = params
    for part in dotted_key.split("."):
        node = node[part]
    return node
