"""params.yaml validation: the default is valid, and every kind of mistake names its key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from gaia.config import dataset_config, load_params, validate_params
from gaia.data import synthfaces
from gaia.errors import ParamsError
from gaia.experiment import resolve_experiment


def check_error(params: dict, *fragments: str) -> str:
    with pytest.raises(ParamsError) as info:
        validate_params(params, source="test.yaml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    return message


def test_default_params_are_valid(default_params: dict) -> None:
    assert set(default_params["targets"]["all"]["datasets"]) == {"synthfaces", "lines"}


def test_schema_lists_exactly_the_rendered_attributes() -> None:
    from gaia.config import load_schema

    schema = load_schema()["$defs"]["synthfaces"]["properties"]["attributes"]
    assert tuple(schema["required"]) == synthfaces.ATTRIBUTES
    assert set(schema["properties"]) == set(synthfaces.ATTRIBUTES)


def test_unknown_key_is_named_with_the_allowed_ones(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["synthfaces"]["resolutoin"] = 32
    check_error(params, "datasets.synthfaces", "'resolutoin'", "allowed keys", "'resolution'")


def test_wrong_type_names_key_value_and_type(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["lines"]["seed"] = "two"
    check_error(params, "datasets.lines.seed", "'two'", "expected type integer")


def test_out_of_range_value_says_what_is_allowed(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["synthfaces"]["attributes"]["Male"]["p"] = 1.5
    check_error(params, "datasets.synthfaces.attributes.Male.p", "1.5", "<= 1")


def test_bad_resolution_and_kind(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["synthfaces"]["resolution"] = 30
    check_error(params, "datasets.synthfaces.resolution", "30", "multiple of 8")
    params = copy.deepcopy(default_params)
    params["datasets"]["lines"]["kind"] = "mnist"
    check_error(params, "datasets.lines.kind", "'mnist'", "allowed values", "synthfaces")


def test_attribute_law_must_have_one_form(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["synthfaces"]["attributes"]["Young"] = {"given": "Male", "p_if_true": 0.2}
    check_error(params, "datasets.synthfaces.attributes.Young", "odds_if_true")


def test_condition_on_a_later_attribute_is_refused(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["synthfaces"]["attributes"]["Male"] = {
        "given": "Young",
        "p_if_true": 0.3,
        "p_if_false": 0.5,
    }
    check_error(params, "attributes.Male.given", "'Young'", "listed before")


def test_target_naming_an_unknown_dataset(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["targets"]["all"]["datasets"].append("imagenet")
    check_error(params, "targets.all.datasets", "'imagenet'", "defined datasets")


def test_experiment_overrides_training_and_its_own_objective_only(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["experiments"]["synthfaces"]["ae"] = {"steps": 7, "ae": {"loss": "mse"}}
    exp = resolve_experiment(validate_params(params), "synthfaces/ae")
    assert exp.training["steps"] == 7 and "ae" not in exp.training
    assert exp.objective_params == {"loss": "mse"}
    assert resolve_experiment(params, "lines/ae").objective_params == {"loss": "mse"}
    params["experiments"]["synthfaces"]["ae"] = {"gaia": {"slope": 10.0}}
    check_error(params, "experiments.synthfaces.ae.gaia", "objective 'ae'")


def test_unknown_dataset_name_lists_the_defined_ones(default_params: dict) -> None:
    with pytest.raises(ParamsError, match=r"unknown dataset 'faces'.*lines.*synthfaces"):
        dataset_config(default_params, "faces")


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="parameter file not found"):
        load_params(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets: [unclosed\n")
    with pytest.raises(ParamsError, match=r"bad\.yaml: not valid YAML"):
        load_params(bad)
    bad.write_text(yaml.safe_dump({"datasets": {}}))
    with pytest.raises(ParamsError) as info:
        load_params(bad)
    message = str(info.value)
    assert "'targets' is a required property" in message
    assert "bad.yaml" in message


def test_fid_settings_are_cross_checked(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["fid"]["counts"]["domain"]["kid_subset_size"] = 5000
    check_error(params, "fid.counts.domain.kid_subset_size", "5000")
    params = copy.deepcopy(default_params)
    params["targets"]["all"]["fid_datasets"] = ["lines"]
    check_error(params, "targets.all.fid_datasets", "'lines'", "attribute_datasets")
    params = copy.deepcopy(default_params)
    params["fid"]["extractors"] = ["inception"]
    check_error(params, "fid.extractors", "'auto'")
