"""The on-disk format of a prepared dataset split, with checksums.

    data/processed/NAME/SPLIT/images.npy      uint8 (N, H, W, C), one file for the whole split
    data/processed/NAME/SPLIT/attributes.csv  one row per image: binary attributes as 0/1 columns
                                              (CelebA names), then continuous and class labels
    data/processed/NAME/SPLIT/manifest.json   generator, version, seed, parameters, resolution,
                                              resize filter, column roles, sha256 of each file

A few large files per split keep DVC fast (it slows to hours with one file per image).
`load_split` verifies the sha256 of every file against the manifest before use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gaia.errors import DataError
from gaia.utils.io import sha256_file, write_json, write_npy, write_text

IMAGES = "images.npy"
LABELS = "attributes.csv"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Split:
    """A loaded split: images, label table and the manifest that describes them."""

    images: np.ndarray
    labels: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def attribute_names(self) -> list[str]:
        return list(self.manifest["binary_attributes"])

    @property
    def attributes(self) -> pd.DataFrame:
        return self.labels[self.attribute_names]

    def __len__(self) -> int:
        return len(self.images)


def write_split(
    directory: Path, images: np.ndarray, labels: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Write the three files of a split; returns the manifest completed with shapes and hashes."""
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(f"images must be uint8 (N, H, W, C), got {images.dtype} {images.shape}")
    directory.mkdir(parents=True, exist_ok=True)
    write_npy(directory / IMAGES, np.ascontiguousarray(images))
    return finish_split(directory, labels, manifest)


def open_images(directory: Path, shape: tuple[int, int, int, int]) -> np.memmap:
    """A writable images.npy of this (N, H, W, C) shape, filled in place by the caller: a split
    larger than memory (CelebA) is written image by image. `finish_split` completes it."""
    directory.mkdir(parents=True, exist_ok=True)
    return np.lib.format.open_memmap(directory / IMAGES, mode="w+", dtype=np.uint8, shape=shape)


def finish_split(directory: Path, labels: pd.DataFrame, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the labels and the manifest (shapes, sha256) next to a written images.npy."""
    images = np.load(directory / IMAGES, mmap_mode="r")
    if len(labels) != len(images):
        raise ValueError(f"{len(labels)} label rows for {len(images)} images")
    write_text(directory / LABELS, labels.to_csv(index=False, lineterminator="\n"))
    count, height, width, channels = images.shape
    del images  # close the map before hashing the file
    manifest = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "count": count,
        "height": height,
        "width": width,
        "channels": channels,
        "files": {
            name: {
                "sha256": sha256_file(directory / name),
                "bytes": (directory / name).stat().st_size,
            }
            for name in (IMAGES, LABELS)
        },
    }
    write_json(directory / MANIFEST, manifest)
    return manifest


MANIFEST_KEYS = frozenset({"count", "height", "width", "channels", "files"})


def _regenerate_hint(directory: Path) -> str:
    dataset = directory.parent.name
    return (
        f"delete {directory.parent} and rebuild it with `gaia prepare-data --dataset {dataset}` "
        "(or `snakemake --cores 8 all` / `dvc repro`)"
    )


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise DataError(
            f"{path}: missing; the split was never prepared or is incomplete; "
            + _regenerate_hint(directory)
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError of random bytes
        raise DataError(f"{path}: not valid JSON ({exc}); " + _regenerate_hint(directory)) from exc
    if not isinstance(manifest, dict) or not manifest.keys() >= MANIFEST_KEYS:
        raise DataError(
            f"{path}: not a split manifest (it needs the keys {sorted(MANIFEST_KEYS)}); "
            + _regenerate_hint(directory)
        )
    return manifest


def verify_split(directory: Path, manifest: dict[str, Any] | None = None) -> None:
    """Raise DataError naming the first file whose sha256 differs from the manifest."""
    manifest = manifest or read_manifest(directory)
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise DataError(f"{path}: missing; " + _regenerate_hint(directory))
        actual = sha256_file(path)
        if actual != expected["sha256"]:
            raise DataError(
                f"{path}: checksum mismatch (sha256 {actual}, manifest says {expected['sha256']}); "
                "the file is corrupted or was modified; " + _regenerate_hint(directory)
            )


def load_split(dataset_dir: str | Path, split: str, verify: bool = True) -> Split:
    """Load one split of a prepared dataset, verifying its checksums first (unless told not to)."""
    directory = Path(dataset_dir) / split
    if not directory.is_dir():
        raise DataError(f"{directory}: no such split; " + _regenerate_hint(directory))
    manifest = read_manifest(directory)
    if verify:
        verify_split(directory, manifest)
    images = np.load(directory / IMAGES, allow_pickle=False)
    labels = pd.read_csv(directory / LABELS)
    expected_shape = (
        manifest["count"],
        manifest["height"],
        manifest["width"],
        manifest["channels"],
    )
    if images.shape != expected_shape or len(labels) != manifest["count"]:
        raise DataError(
            f"{directory}: images {images.shape} / {len(labels)} label rows do not match the "
            f"manifest {expected_shape}; " + _regenerate_hint(directory)
        )
    return Split(images=images, labels=labels, manifest=manifest)
