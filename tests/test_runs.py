"""Seeded targets: each seed's run is the `all` workflow's jobs in its own folder with derived
params, all of them in one Snakemake DAG, and the target's report gathers the seeds."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from gaia import paths
from gaia.cli import main
from gaia.config import TARGET_KEYS, validate_params
from gaia.errors import GaiaError, ParamsError
from gaia.runs import (
    RECORD,
    experiment_files,
    is_recorded,
    params_digest,
    record_dir,
    run_files,
    run_params,
    trained_experiments,
)

from workflows import full_seeds_config, run_snakemake, snakemake_stages


def test_run_params_take_the_targets_models_seed_and_overrides(default_params: dict) -> None:
    params = copy.deepcopy(default_params)
    params["targets"]["full"]["experiments"] = {
        "lines": {"gaia": {"steps": 7, "gaia": {"sigma": 0.25}}}
    }
    params["models"]["gaia"]["gaia"]["slope"] = 10.0
    params["experiments"]["lines"]["gaia"] = {"lr_max": 1e-4, "gaia": {"p_fake_max": 0.8}}
    params["targets"]["full"]["seeds"] = [3]
    run = run_params(params, "full", 3)
    assert list(run["targets"]) == ["all"]
    assert run["targets"]["all"]["models"] == params["targets"]["full"]["models"]
    assert run["training"]["seed"] == 3
    # merged key by key: the target's steps and sigma over the experiment's lr and p_fake_max
    assert run["experiments"]["lines"]["gaia"] == {
        "lr_max": 1e-4,
        "steps": 7,
        "gaia": {"p_fake_max": 0.8, "sigma": 0.25},
    }
    assert run["experiments"]["synthfaces"] == params["experiments"]["synthfaces"]
    assert params["training"]["seed"] == default_params["training"]["seed"]  # not modified


def test_unknown_targets_and_seeds_are_refused(default_params: dict) -> None:
    with pytest.raises(
        GaiaError, match=r"'all' is not a seeded target; seeded targets: \['full', 'paper'\]"
    ):
        run_params(default_params, "all", 0)
    with pytest.raises(GaiaError, match=r"seed 5 is not among targets\.full\.seeds"):
        run_params(default_params, "full", 5)


def test_a_step_in_a_run_reads_its_parameters_and_writes_into_its_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with paths.in_run("full_s2"):
        assert paths.model_file("lines", "gaia") == Path(
            "results/full_s2/results/lines/gaia/model.pt"
        )
        assert paths.figure("training") == Path("results/full_s2/reports/figures/training.png")
        assert paths.processed_dir("lines") == Path("data/processed/lines")  # shared data
    assert paths.model_file("lines", "gaia") == Path("results/lines/gaia/model.pt")
    assert main(["dataset-stats", "--dataset", "lines", "--run", "full_s9"]) == 2
    assert "seed 9 is not among targets.full.seeds" in capsys.readouterr().err
    assert main(["dataset-stats", "--dataset", "lines", "--run", "full-0"]) == 2
    assert "write TARGET_sSEED, e.g. full_s0" in capsys.readouterr().err


def test_every_seed_is_jobs_of_one_dag(
    default_params: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`snakemake full` plans each seed's steps as jobs of their own (no nested Snakemake): a
    training job per model and seed, in the seed's folder, on the shared data, depending on
    the repository's code; or, for an experiment whose record is committed and current, a job
    that restores it from the record; and nothing for a seed whose whole record is. Seed 97,
    which no record holds, is added so that some seed trains whatever git holds."""
    repo = Path(__file__).resolve().parents[1]
    full = default_params["targets"]["full"]
    full["seeds"] = [*full["seeds"], 97]
    seeds_file = full_seeds_config(tmp_path, full["seeds"])
    stages = snakemake_stages(repo, ("full",), extra=("--configfile", str(seeds_file)))
    monkeypatch.chdir(repo)  # the records lie in the repository's docs/results/runs/
    for seed in full["seeds"]:
        if is_recorded(default_params, "full", seed):
            assert not [name for name in stages if f"full_s{seed}" in name]
            continue
        for dataset in full["datasets"]:
            for model in full["models"]:
                restore = stages.get(f"restore_full_s{seed}_{dataset}_{model}")
                if restore is not None:
                    assert restore.cmd.endswith(f"--run full_s{seed}")
                    record = f"docs/results/runs/full_s{seed}/results/{dataset}/{model}"
                    assert f"{record}/record.json" in restore.deps
                    assert f"train-full_s{seed}-{dataset}-{model}" not in stages
                    continue
                train = stages[f"train-full_s{seed}-{dataset}-{model}"]
                assert train.cmd.endswith(f"--run full_s{seed}")
                assert f"data/processed/{dataset}" in train.deps
                assert "gaia/train/trainer.py" in train.deps
                model_file = f"results/full_s{seed}/results/{dataset}/{model}/model.pt"
                assert model_file in train.outs
    assert not [name for name in stages if name.startswith("run_target")]
    prepared = sorted(name for name in stages if name.startswith("prepare_data"))
    assert prepared == ["prepare_data-lines", "prepare_data-synthfaces"]  # once for every seed


def test_all_takes_seeds_like_the_seeded_targets(repo_copy: Path, default_params: dict) -> None:
    """targets.all with `seeds` (and `report_dir`): one run per seed in results/all_sSEED/,
    each the plain `all`, and one report over them; seeds without report_dir are refused."""
    params = copy.deepcopy(default_params)
    params["targets"]["all"]["seeds"] = [0, 1]
    with pytest.raises(ParamsError, match=r"targets\.all: 'seeds' needs \['report_dir'\]"):
        validate_params(params)
    params["targets"]["all"]["report_dir"] = "reports/seeds"
    run = run_params(params, "all", 1)
    assert run["targets"] == {"all": {k: params["targets"]["all"][k] for k in TARGET_KEYS}}
    assert run["training"]["seed"] == 1
    seeded = yaml.safe_load((repo_copy / "params.yaml").read_text())
    seeded["targets"]["all"].update(seeds=[0, 1], report_dir="reports/seeds")
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(seeded, sort_keys=False))
    dry = run_snakemake(repo_copy, "-n", "--cores", "2")  # no target: `default`, which is `all`
    assert dry.returncode == 0, dry.stderr[-3000:]
    printed = dry.stdout + dry.stderr
    jobs = set(re.findall(r"^(?:local)?rule (\w+):", printed, flags=re.MULTILINE))
    assert {"default", "report_all", "train", "report_results"} <= jobs
    for seed in (0, 1):
        assert f"results/all_s{seed}/reports/README.md" in printed
        assert f"gaia train --experiment synthfaces/gaia --log results/all_s{seed}/" in printed


@pytest.mark.slow
def test_full_target_runs_each_seed_and_reports_over_them(repo_copy: Path) -> None:
    params_file = repo_copy / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    # What the claims compare, without the attribute analyses and FID (tested elsewhere): the
    # probe's claim is the one compared over the seeds here.
    models = ["gaia", "ae"]
    params["targets"]["full"].update(
        datasets=["synthfaces"],
        models=models,
        attribute_datasets=[],
        fid_datasets=[],
        seeds=[0, 1],
        experiments={"synthfaces": {model: {"steps": 6} for model in models}},
    )
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))
    # A figure of an earlier record (here: of a dataset this target no longer has) is neither
    # kept in the new record nor published beside the report.
    stale = repo_copy / "docs/results/runs/full_s0/reports/figures/stale_lines.png"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"not a figure of today's record")
    done = run_snakemake(repo_copy, "--cores", "2", "full")
    assert done.returncode == 0, done.stderr[-3000:]
    weights = {}
    for seed in (0, 1):
        run = repo_copy / f"results/full_s{seed}"
        metrics = (run / "results/synthfaces/gaia/train_metrics.json").read_text()
        assert '"steps": 6' in metrics
        assert (run / "reports/figures/training_synthfaces.png").is_file()
        assert not (run / "data").exists()  # the seeds share data/processed
        weights[seed] = (run / "results/synthfaces/gaia/model.pt").read_bytes()
    assert weights[0] != weights[1]  # each run trained with its own seed
    report = (repo_copy / "docs/results/README.md").read_text()
    assert "commit `" in report and "seeds [0, 1]" in report
    assert re.search(r"\| synthfaces \| gaia \| held-out L1 of G\(X\) \| [0-9.e-]+ ± ", report)
    claim = (
        r"\| [^|]+\[synthfaces\] \| [^|]+\(n = 2\) \| [^|]+ \| "
        r"seed 0: [a-z ]+; seed 1"  # e.g. "seed 0: supported; seed 1: collapsed"
    )
    assert re.search(claim, report)
    for model in models:  # the probe over the seeds
        assert re.search(
            rf"\| synthfaces \| {model} \| [0-9.e-]+ ± [0-9.e-]+ \| [^|]+ \| 2 \|", report
        )
    # The compute: each experiment's core-hours over the two seeds, from their records.
    assert re.search(
        r"\| synthfaces \| gaia \| \d+ \| core \(\w+\) \| [0-9.e-]+ ± [^|]+ \| [^|]+ \| 2 \|",
        report,
    )
    assert "## The report of seed 0" in report
    for figure in ("over_seeds", "curves_over_seeds"):
        assert f"(figures/{figure}.png)" in report
        assert (repo_copy / f"docs/results/figures/{figure}.png").is_file()
    again = run_snakemake(repo_copy, "--cores", "2", "-n", "full")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
    assert not stale.exists()
    figures = {p.name for p in (repo_copy / "docs/results/figures").glob("*.png")}
    assert {"training_synthfaces.png", "reconstructions_synthfaces.png"} <= figures
    for name in figures:
        assert f"(figures/{name})" in report or name in ("datasets.png", "attribute_stats.png")

    # Each seed's record is in docs/ (to commit), and the report reads only the records: with
    # nothing but them (a fresh clone: no results/, no data/), the report is rebuilt, nothing
    # trained.
    for seed in (0, 1):
        record = repo_copy / f"docs/results/runs/full_s{seed}"
        assert json.loads((record / "run.json").read_text())["seed"] == seed
        assert (record / "results/synthfaces/gaia/train_metrics.json").is_file()
        assert (record / "reports/README.md").is_file()
        experiment = record / "results/synthfaces/gaia"
        assert json.loads((experiment / "record.json").read_text())["experiment"] == (
            "synthfaces/gaia"
        )
        assert not list(record.rglob("*.pt"))  # no weights: the figures' images instead
        assert {p.name for p in record.rglob("*.npz")} == {"renders.npz", "convexity.npz"}
    shutil.rmtree(repo_copy / "results")
    shutil.rmtree(repo_copy / "data/processed")
    (repo_copy / "docs/results/README.md").unlink()
    fresh = run_snakemake(repo_copy, "--cores", "2", "full")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    ran = re.findall(r"^(?:local)?rule (\w+):", fresh.stdout + fresh.stderr, flags=re.M)
    assert ran == ["report_full", "full"]  # the report, then the target rule itself
    assert (repo_copy / "docs/results/README.md").read_text().split("## What was run")[0] == (
        report.split("## What was run")[0]
    )
    # A recorded seed's own target has nothing to do (its run is not built again).
    recorded = run_snakemake(repo_copy, "--cores", "2", "-n", "full_s0")
    assert recorded.returncode == 0 and "Nothing to be done" in recorded.stdout + recorded.stderr
    # Results accrue per experiment: without seed 1's own record and its AE's, only that AE
    # trains again; seed 1's GAIA is restored from its record, and the seed's figures and
    # reports are made again from both, and recorded: by the seed's own target too.
    record = repo_copy / "docs/results/runs/full_s1"
    (record / "run.json").unlink()
    (record / "results/synthfaces/ae/record.json").unlink()
    gaia_metrics = (record / "results/synthfaces/gaia/train_metrics.json").read_text()
    rebuilt = run_snakemake(repo_copy, "--cores", "2", "full_s1")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    printed = rebuilt.stdout + rebuilt.stderr
    training = re.findall(r"gaia train --experiment (\S+) --log (\S+)", printed)
    assert training == [("synthfaces/ae", "results/full_s1/results/logs/train/synthfaces-ae.log")]
    assert "gaia restore --experiment synthfaces/gaia" in printed
    assert (record / "results/synthfaces/gaia/train_metrics.json").read_text() == gaia_metrics
    assert json.loads((record / "run.json").read_text())["seed"] == 1
    assert (record / "results/synthfaces/ae/record.json").is_file()
    assert (repo_copy / "results/full_s1/reports/figures/reconstructions_synthfaces.png").is_file()
    assert not (repo_copy / "results/full_s1/results/synthfaces/gaia/model.pt").exists()


def test_the_lines_table_gives_every_model_and_the_references_over_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaia.report.target import _lines_table

    monkeypatch.chdir(tmp_path)
    entry = {"datasets": ["synthfaces", "lines"], "models": ["ae", "gaia"], "seeds": [0, 1]}
    folders = {seed: Path(f"results/full_s{seed}") for seed in (0, 1)}
    for seed, folder in folders.items():
        for model, distance in (("ae", 0.006), ("gaia", 0.002)):
            metrics = {
                "mean_distance": distance + 0.001 * seed,
                "smoothness": 0.5,
                "angular_mean_distance": 1e-6,
                "angular_smoothness": 0.0,
                "crossfade_mean_distance": 0.007,
                "crossfade_smoothness": 0.9,
            }
            file = folder / "results/lines" / model / "interpolation_metrics.json"
            file.parent.mkdir(parents=True)
            file.write_text(json.dumps(metrics))
    lines = _lines_table(entry, folders)
    assert lines[0] == "## Interpolating lines (lines): ACAI's benchmark over the seeds"
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert rows == [
        "| model | Mean Distance (x 10^-3) | Smoothness | n |",
        "| ae | 6.5 ± 0.7071 | 0.5 ± 0 | 2 |",  # sample sd of 0.006 and 0.007, in 10^-3
        "| gaia | 2.5 ± 0.7071 | 0.5 ± 0 | 2 |",
        "| correct interpolation | 0.001 ± 0 | 0 ± 0 | 2 |",
        "| pixel cross-fade | 7 ± 0 | 0.9 ± 0 | 2 |",
    ]


def test_the_numbers_table_gives_mean_sd_n_and_each_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaia.report.target import _numbers_table

    monkeypatch.chdir(tmp_path)
    entry = {"datasets": ["lines"], "models": ["ae"]}
    folders = {seed: Path(f"results/full_s{seed}") for seed in (0, 1)}
    for seed, folder in folders.items():
        file = folder / "results/lines/ae/train_metrics.json"
        file.parent.mkdir(parents=True)
        file.write_text(json.dumps({"test_recon_l1": 0.002 + 0.001 * seed}))

    def rows(found: list[str]) -> list[str]:
        return [line for line in found if line.startswith("| ") and "---" not in line]

    assert rows(_numbers_table(entry, folders)) == [
        "| dataset | model | quantity | mean ± sd | seed 0 | seed 1 |",
        "| lines | ae | held-out L1 of G(X) | 0.0025 ± 0.0007071 (n = 2) | 0.002 | 0.003 |",
    ]
    one = _numbers_table(entry, {1: folders[1]})  # one seed: its value, no spread and no n
    assert one[0] == "## Numbers per seed (1 seed)"
    assert rows(one) == [
        "| dataset | model | quantity | seed 1 |",
        "| lines | ae | held-out L1 of G(X) | 0.003 |",
    ]


def test_a_record_is_current_while_its_parameters_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_params: dict
) -> None:
    monkeypatch.chdir(tmp_path)
    assert not is_recorded(default_params, "full", 1)
    marker = record_dir(default_params, "full", 1) / RECORD
    assert marker == Path("docs/results/runs/full_s1/run.json")
    marker.parent.mkdir(parents=True)
    digest = params_digest(run_params(default_params, "full", 1))
    marker.write_text(json.dumps({"params_sha256": digest}))
    assert is_recorded(default_params, "full", 1)
    assert not is_recorded(default_params, "full", 0)  # another seed's
    changed = copy.deepcopy(default_params)
    changed["targets"]["full"]["experiments"]["lines"]["ae"]["steps"] += 1
    assert not is_recorded(changed, "full", 1)  # built with other parameters: built again
    more = copy.deepcopy(default_params)
    more["targets"]["full"]["seeds"].append(7)  # a new seed leaves the others' records current
    assert is_recorded(more, "full", 1)


def test_an_experiments_record_keeps_what_the_runs_figures_and_reports_read_of_it(
    default_params: dict,
) -> None:
    """Every file of an experiment (or of its milestones) that a figure or report job of the
    seed's run reads is in that experiment's record: the seed's figures and reports are made
    again from the records alone, without the weights."""
    from gaia import steps
    from gaia.experiment import judged_models
    from gaia.figures import registry

    params = run_params(default_params, "full", 0)
    target = params["targets"]["all"]
    with paths.in_run("full_s0"):
        read: set[Path] = set()
        for f, d in registry.target_figures(target):
            read |= {
                x for xs in steps.figure_inputs(params, {"figure": f.stem(d)}).values() for x in xs
            }
        for entry in steps.STEPS:
            if entry.scope == steps.RUN:
                read |= {x for xs in entry.inputs(params, {}).values() for x in xs}
        for dataset, model in trained_experiments(target):
            kept = set(experiment_files(params, dataset, model))
            folders = {
                paths.experiment_dir(dataset, m)
                for m in judged_models(target, dataset)
                if m.split("@")[0] == model
            }
            of_it = {x for x in read if x.parent in folders}
            assert of_it and of_it <= kept, sorted(map(str, of_it - kept))
            assert paths.model_file(dataset, model) not in kept  # never the weights
        experiments = trained_experiments(target)
        every = [f for d, m in experiments for f in experiment_files(params, d, m)]
        every += run_files(params)
    assert len(every) == len(set(every))  # no file in two records


def test_an_experiments_record_is_current_while_what_built_it_is_unchanged(
    default_params: dict,
) -> None:
    """Its digest covers the parameters of every job behind its files (training, analyses,
    judges, data), not those of the target's other experiments."""
    from gaia.plan import Planner

    def digest(params: dict, seed: int = 0, model: str = "gaia") -> str:
        return Planner(params).experiment_digest("full", seed, "synthfaces", model)

    base = digest(default_params)
    assert base == digest(copy.deepcopy(default_params))
    assert base != digest(default_params, seed=1)
    assert base != digest(default_params, model="ae")
    unrelated = copy.deepcopy(default_params)
    unrelated["targets"]["full"]["experiments"]["synthfaces"]["ae"]["steps"] += 1
    unrelated["targets"]["full"]["models"].remove("vae")
    assert digest(unrelated) == base
    for key, section in (
        ("its steps", lambda p: p["targets"]["full"]["experiments"]["synthfaces"]["gaia"]),
        ("the probe", lambda p: p["analysis"]["probe"]),
        ("the judge", lambda p: p["analysis"]["classifier"]),
    ):
        changed = copy.deepcopy(default_params)
        section(changed)["steps" if "steps" in section(changed) else "seed"] += 1
        assert digest(changed) != base, key


def test_a_target_may_not_change_a_dataset(default_params: dict) -> None:
    """Every run shares data/processed: a seeded target's `params` may not override `datasets`."""
    params = copy.deepcopy(default_params)
    params["targets"]["full"]["params"]["datasets"] = {"lines": {"count": 10}}
    with pytest.raises(ParamsError, match=r"targets\.full\.params: not allowed here\. .*datasets"):
        validate_params(params)
