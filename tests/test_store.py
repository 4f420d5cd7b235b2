"""Prepared splits: round trip, byte-identical regeneration, and clear errors on corruption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gaia.data.prepare import prepare_dataset
from gaia.data.store import load_split, write_split
from gaia.errors import DataError
from gaia.utils.io import sha256_file


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_round_trip(tmp_path: Path) -> None:
    images = np.arange(2 * 4 * 4 * 3, dtype=np.uint8).reshape(2, 4, 4, 3)
    labels = pd.DataFrame({"Male": [0, 1], "angle": [0.5, 1.25]})
    manifest = {"binary_attributes": ["Male"], "continuous_labels": ["angle"], "class_labels": []}
    written = write_split(tmp_path / "d" / "train", images, labels, manifest)
    assert written["count"] == 2 and set(written["files"]) == {"images.npy", "attributes.csv"}
    split = load_split(tmp_path / "d", "train")
    assert np.array_equal(split.images, images)
    assert split.labels.equals(labels) and split.attributes.columns.tolist() == ["Male"]


@pytest.mark.parametrize("name", ["synthfaces", "lines"])
def test_same_seed_gives_byte_identical_files(tiny_params: dict, tmp_path: Path, name: str) -> None:
    first = prepare_dataset(tiny_params, name, tmp_path / "a", progress=False)
    second = prepare_dataset(tiny_params, name, tmp_path / "b", progress=False)
    hashes = file_hashes(first)
    assert hashes == file_hashes(second)
    assert set(hashes) == {
        f"{s}/{f}"
        for s in ("train", "test")
        for f in ("images.npy", "attributes.csv", "manifest.json")
    }
    manifest = json.loads((first / "train" / "manifest.json").read_text())
    assert manifest["files"]["images.npy"]["sha256"] == hashes["train/images.npy"]
    assert manifest["seed"] == tiny_params["datasets"][name]["seed"]
    assert "box" in manifest["filter"]
    tiny_params["datasets"][name]["seed"] += 1
    third = prepare_dataset(tiny_params, name, tmp_path / "c", progress=False)
    assert file_hashes(third)["train/images.npy"] != hashes["train/images.npy"]


def test_rebuild_replaces_the_directory_atomically(tiny_params: dict, tmp_path: Path) -> None:
    out = prepare_dataset(tiny_params, "lines", tmp_path / "lines", progress=False)
    (out / "stale.txt").write_text("left over")
    prepare_dataset(tiny_params, "lines", out, progress=False)
    assert not (out / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["lines"]  # no temporaries left behind


def test_corrupted_file_is_named(tiny_params: dict, tmp_path: Path) -> None:
    out = prepare_dataset(tiny_params, "lines", tmp_path / "lines", progress=False)
    images = out / "test" / "images.npy"
    data = bytearray(images.read_bytes())
    data[-1] ^= 0xFF
    images.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"test/images\.npy: checksum mismatch.*gaia prepare-data"):
        load_split(out, "test")
    load_split(out, "train")  # the other split is untouched


def test_missing_split_and_manifest(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such split"):
        load_split(tmp_path / "nothing", "train")
    (tmp_path / "d" / "train").mkdir(parents=True)
    with pytest.raises(DataError, match=r"manifest\.json: missing"):
        load_split(tmp_path / "d", "train")
