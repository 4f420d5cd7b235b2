"""Atomic writes: a failure leaves the previous output (or nothing), never a partial one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gaia.utils.io import atomic_directory, atomic_path, write_text


def test_atomic_path_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_outputs_get_the_usual_permissions(tmp_path: Path) -> None:
    write_text(tmp_path / "f.txt", "x")
    with atomic_directory(tmp_path / "d") as tmp:
        (tmp / "inner").write_text("y")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o777 & ~mask


def test_atomic_directory_failure_keeps_previous(tmp_path: Path) -> None:
    final = tmp_path / "data"
    with atomic_directory(final) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(ValueError), atomic_directory(final) as tmp:
        (tmp / "b").write_text("2")
        raise ValueError
    assert [p.name for p in final.iterdir()] == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
