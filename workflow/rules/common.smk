# Shared helpers: parameter validation, paths, code dependencies.
import glob

from gaia import paths
from gaia.config import lookup, validate_params


validate_params(config, source="params.yaml (as loaded by Snakemake)")

# One environment for every rule: the package and its pinned dependencies.
CONDA_ENV = "../../environment.yml"
ALL = config["targets"]["all"]


wildcard_constraints:
    dataset="[a-z][a-z0-9_]*",


def package_files(*subpackages):
    """The Python files of gaia subpackages: a rule reruns when its code changes (as in DVC)."""
    return sorted(
        f for sub in subpackages for f in glob.glob(f"gaia/{sub}/**/*.py", recursive=True)
    )


def param_values(*keys):
    """The values of dotted params keys; Snakemake reruns a job when they change (as in DVC)."""
    return {key: lookup(config, key) for key in keys}


def all_target_outputs():
    return [
        paths.figure("datasets"),
        paths.figure("attribute_stats"),
        paths.datasets_report(),
        *(paths.dataset_stats(name) for name in ALL["datasets"]),
    ]
