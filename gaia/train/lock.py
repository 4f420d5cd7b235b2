"""One `gaia train` of an experiment at a time: an exclusive lock on its resume folder.

Two runs of the same experiment would write the same checkpoint and outputs in turn, each
overwriting the other's. The lock is a flock on resume/.lock (gaia/utils/locks.py).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from gaia.utils.locks import exclusive_lock

LOCK_NAME = ".lock"


@contextlib.contextmanager
def training_lock(resume: Path, name: str) -> Iterator[None]:
    """Hold the lock of experiment `name`'s resume folder, or refuse with who holds it."""
    with exclusive_lock(
        resume / LOCK_NAME,
        busy=f"{name}: another `gaia train` (pid {{pid}}) is training it in {resume}; wait for "
        "it to finish or stop it ({path} is unlocked when that process ends)",
    ):
        yield


def empty_folder(folder: Path) -> None:
    """Delete everything in `folder` but its lock (which the caller holds)."""
    for entry in folder.iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
