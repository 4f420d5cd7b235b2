"""One `gaia train` of an experiment at a time: an exclusive lock on its resume folder.

Two runs of the same experiment would write the same checkpoint and outputs in turn, each
overwriting the other's. The lock is `flock` on resume/.lock, so the kernel releases it when
its process ends, however it ends (a SIGKILLed run leaves no stale lock to clear by hand).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from gaia.errors import GaiaError

LOCK_NAME = ".lock"


@contextlib.contextmanager
def training_lock(resume: Path, name: str) -> Iterator[None]:
    """Hold the lock of experiment `name`'s resume folder, or refuse with who holds it."""
    resume.mkdir(parents=True, exist_ok=True)
    path = resume / LOCK_NAME
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise GaiaError(
                f"{name}: another `gaia train` (pid {holder}) is training it in {resume}; wait "
                f"for it to finish or stop it ({path} is unlocked when that process ends)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def empty_folder(folder: Path) -> None:
    """Delete everything in `folder` but its lock (which the caller holds)."""
    for entry in folder.iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
