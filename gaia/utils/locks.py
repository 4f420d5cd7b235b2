"""One process at a time in a folder: an exclusive `flock` on a file inside it.

The kernel releases a flock when its process ends, however it ends, so a SIGKILLed holder
leaves no stale lock to clear by hand (unlike Snakemake's lock files).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from gaia.errors import GaiaError


@contextlib.contextmanager
def exclusive_lock(path: Path, busy: str) -> Iterator[None]:
    """Hold the flock on `path` (created with its folder), writing our pid into it.

    If another process holds it, raise a GaiaError with `busy`, formatted with `pid` (the
    holder's, as it wrote it) and `path`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise GaiaError(busy.format(pid=holder, path=path)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
