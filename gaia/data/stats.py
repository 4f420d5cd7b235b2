"""Describe a prepared dataset: attribute frequencies, the young/old x male/female table, labels.

The reference numbers the report compares against live here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gaia import paths
from gaia.config import dataset_config
from gaia.data.store import Split, load_split
from gaia.utils.artifacts import load_json
from gaia.utils.io import write_json

# Young:old ratio among males and among females, as stated by the paper (via the mission text).
PAPER_YOUNG_TO_OLD = {"male": 0.28, "female": 8.49}
# CelebA attribute annotations of the 30,000 CelebA-HQ images (docs/method.md §5.5).
CELEBAHQ_COUNTS = {"male_young": 6654, "male_old": 4403, "female_young": 16714, "female_old": 2229}


def young_old_table(counts: dict[str, int]) -> dict[str, float]:
    """Add young:old ratios per sex and the male share to a table of the four counts."""
    male = counts["male_young"] + counts["male_old"]
    female = counts["female_young"] + counts["female_old"]
    return {
        **{key: float(value) for key, value in counts.items()},
        "male_young_to_old": counts["male_young"] / max(counts["male_old"], 1),
        "female_young_to_old": counts["female_young"] / max(counts["female_old"], 1),
        "male_share": male / max(male + female, 1),
    }


def split_stats(split: Split) -> dict[str, Any]:
    stats: dict[str, Any] = {"count": len(split)}
    attributes = split.attributes
    if len(attributes.columns):
        stats["frequency"] = {name: float(attributes[name].mean()) for name in attributes.columns}
    if {"Male", "Young"} <= set(attributes.columns):
        male, young = attributes["Male"] == 1, attributes["Young"] == 1
        stats["young_old_by_sex"] = young_old_table(
            {
                "male_young": int((male & young).sum()),
                "male_old": int((male & ~young).sum()),
                "female_young": int((~male & young).sum()),
                "female_old": int((~male & ~young).sum()),
            }
        )
    for column in split.manifest["continuous_labels"]:
        values = split.labels[column]
        stats.setdefault("continuous", {})[column] = {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    for column in split.manifest["class_labels"]:
        counts = split.labels[column].value_counts().sort_index()
        stats.setdefault("classes", {})[column] = {str(k): int(v) for k, v in counts.items()}
    return stats


def dataset_stats(dataset_dir: str | Path) -> dict[str, Any]:
    return {split: split_stats(load_split(dataset_dir, split)) for split in paths.SPLITS}


def write_dataset_stats(params: dict[str, Any], dataset: str, progress: bool = True) -> Path:
    """`gaia dataset-stats`: the statistics of a prepared dataset, as JSON."""
    dataset_config(params, dataset)  # a clear error for unknown names
    out = paths.dataset_stats(dataset)
    write_json(out, dataset_stats(paths.processed_dir(dataset)))
    return out


def load_stats(datasets: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The statistics `gaia dataset-stats` wrote for each dataset."""
    return {
        name: load_json(paths.dataset_stats(name), "dataset statistics file") for name in datasets
    }
