"""`gaia prepare-data`: build every split of one dataset into data/processed/NAME, atomically.

Two stages, kept apart so that downloaded datasets fit the same mould:
  acquire  fetch raw files into data/raw/NAME and verify their checksums (gaia.data.celeba for
           CelebA and CelebA-HQ); generated datasets have nothing to acquire.
  prepare  turn raw files (or a seed) into the split store of gaia.data.store.
Each split draws from its own child of SeedSequence(seed), in the order of `paths.SPLITS`, so a
split's content does not depend on the size of the others.
"""

from __future__ import annotations

import logging
import time
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from gaia import __version__, paths
from gaia.config import dataset_config
from gaia.data import celeba, lines, synthfaces
from gaia.data.store import finish_split, open_images, write_split
from gaia.utils.io import atomic_directory

log = logging.getLogger(__name__)

GENERATORS: dict[str, ModuleType] = {"synthfaces": synthfaces, "lines": lines}


def split_seed(seed: int, split: str) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed).spawn(len(paths.SPLITS))[paths.SPLITS.index(split)]


def prepare_dataset(
    params: dict[str, Any], name: str, out_dir: Path | None = None, progress: bool = True
) -> Path:
    """Generate all splits of dataset `name`; the directory appears only once complete."""
    cfg = dataset_config(params, name)
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir(name)
    if cfg["kind"] not in GENERATORS:
        return prepare_downloaded(name, cfg, out_dir, progress)
    generator = GENERATORS[cfg["kind"]]
    with atomic_directory(out_dir) as tmp:
        for split in paths.SPLITS:
            count = cfg["splits"][split]
            started = time.perf_counter()
            images, labels = generator.generate_split(
                cfg, count, split_seed(cfg["seed"], split), progress
            )
            manifest = write_split(
                tmp / split,
                images,
                labels,
                {
                    "dataset": name,
                    "kind": cfg["kind"],
                    "split": split,
                    "generator": generator.__name__,
                    "generator_version": generator.GENERATOR_VERSION,
                    "seed": cfg["seed"],
                    "seed_derivation": (
                        f"numpy SeedSequence({cfg['seed']}).spawn({len(paths.SPLITS)})"
                        f"[{paths.SPLITS.index(split)}]"
                    ),
                    "params": cfg,
                    "resolution": cfg["resolution"],
                    "filter": generator.filter_description(cfg),
                    "binary_attributes": list(generator.ATTRIBUTES),
                    "continuous_labels": list(generator.CONTINUOUS_LABELS),
                    "class_labels": list(generator.CLASS_LABELS),
                },
            )
            seconds = time.perf_counter() - started
            log.info(
                "%s/%s: %d images %dx%dx%d in %.1f s (%.0f images/s), sha256 images %s",
                name,
                split,
                count,
                manifest["height"],
                manifest["width"],
                manifest["channels"],
                seconds,
                count / max(seconds, 1e-9),
                manifest["files"]["images.npy"]["sha256"][:12],
            )
    log.info("wrote %s (gaia %s)", out_dir, __version__)
    return out_dir


def prepare_downloaded(name: str, cfg: dict[str, Any], out_dir: Path, progress: bool) -> Path:
    """CelebA or CelebA-HQ: acquire the source files, then convert each split into the store."""
    files, checksums = celeba.acquire(name, cfg)
    plans = celeba.plans(cfg["kind"], files, cfg)
    archive_name = celeba.IMAGES_ZIP if cfg["kind"] == "celeba" else celeba.HQ_ZIP
    resolution = cfg["resolution"]
    with atomic_directory(out_dir) as tmp, zipfile.ZipFile(files[archive_name]) as archive:
        for split, plan in plans.items():
            started = time.perf_counter()
            images = open_images(tmp / split, (len(plan.members), resolution, resolution, 3))
            celeba.convert_split(archive, plan, cfg, images, progress)
            images.flush()
            del images
            manifest = finish_split(
                tmp / split,
                plan.labels,
                {
                    "dataset": name,
                    "kind": cfg["kind"],
                    "split": split,
                    "generator": celeba.__name__,
                    "generator_version": celeba.CONVERTER_VERSION,
                    "partition": f"CelebA list_eval_partition code {celeba.PARTITIONS[split]}",
                    "source_md5": checksums,
                    "params": cfg,
                    "resolution": resolution,
                    "filter": celeba.filter_description(cfg),
                    "binary_attributes": list(plan.labels.columns),
                    "continuous_labels": [],
                    "class_labels": [],
                },
            )
            log.info(
                "%s/%s: %d images in %.1f s, sha256 images %s",
                name,
                split,
                manifest["count"],
                time.perf_counter() - started,
                manifest["files"]["images.npy"]["sha256"][:12],
            )
    log.info("wrote %s (gaia %s)", out_dir, __version__)
    return out_dir
