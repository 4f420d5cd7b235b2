"""Atomic output: every file or directory appears complete or not at all.

A step killed half-way leaves at most a hidden temporary next to its output, never a truncated
output that a later step (or Snakemake/DVC) would mistake for a finished one; the next write of
that output removes the temporary.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from gaia.errors import GaiaError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_digest(
    path: str | os.PathLike[str], algorithm: str = "sha256", chunk_bytes: int = 1 << 22
) -> str:
    """Hex digest of a file (any hashlib algorithm), read in chunks: large files need no memory."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk_bytes: int = 1 << 22) -> str:
    """Hex sha256 of a file."""
    return file_digest(path, "sha256", chunk_bytes)


# Write failures that are the place's fault, not the program's: full, over quota, a file-size
# limit, read-only, no permission.
PLACE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)


class OutputError(GaiaError):
    """An output could not be written where it belongs (disk full, read-only, ...)."""


def _is_place_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in PLACE_ERRNOS
    # torch.save reports a short write (a full disk) as a RuntimeError of its zip writer
    return isinstance(exc, RuntimeError) and (
        "unexpected pos" in str(exc) or "PytorchStreamWriter failed" in str(exc)
    )


@contextlib.contextmanager
def writing_to(final: Path) -> Iterator[None]:
    """Turn a failure of the place `final` is written to into one OutputError line, which says
    that nothing was written there and how much space is left."""
    try:
        yield
    except GaiaError:
        raise
    except (OSError, RuntimeError) as exc:
        if not _is_place_failure(exc):
            raise
        try:
            free = f"{shutil.disk_usage(final.parent).free / 2**20:.0f} MiB free there"
        except OSError:
            free = "free space unknown"
        reason = (
            exc.strerror
            if isinstance(exc, OSError)
            else "a short write: the disk is full or a file-size limit was reached"
        )
        raise OutputError(
            f"{final}: could not be written ({reason}; {free}); nothing was written in its "
            "place and earlier outputs are intact: free space (or make the folder writable, or "
            "raise the file-size limit) and rerun"
        ) from exc


def remove_stale_temporaries(final: Path) -> None:
    """Delete what interrupted earlier writes of `final` left next to it (a SIGKILL skips
    every cleanup): its temporaries and moved-aside old copies. Only one writer of an output
    runs at a time (Snakemake's and DVC's locks, and the training lock), so none is in use."""
    pattern = re.compile(rf"\.{re.escape(final.name)}\.[a-z0-9_]{{8}}\.(tmp|old)")
    if not final.parent.is_dir():
        return
    for entry in final.parent.iterdir():
        if pattern.fullmatch(entry.name):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `final`; rename it onto `final` only if the block succeeds
    (a full or read-only place: an OutputError, and no temporary file left behind)."""
    final = Path(final)
    with writing_to(final):
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(final)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            yield tmp
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual mode
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Indented JSON in insertion order (deterministic for our dicts) with a trailing newline."""
    write_text(path, json.dumps(obj, indent=2) + "\n")


def write_npy(path: str | os.PathLike[str], array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def write_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


@contextlib.contextmanager
def atomic_directory(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary directory that replaces `final` as a whole when the block succeeds.

    An existing `final` is moved aside first and removed only after the new one is in place.
    """
    final = Path(final)
    with writing_to(final):
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(final)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        try:
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700 directories
            old = None
            if final.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent)
                )
                os.replace(final, old / final.name)
            os.replace(tmp, final)
            if old is not None:
                shutil.rmtree(old)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)


def tensor_digest(path: str | os.PathLike[str]) -> str:
    """sha256 of a saved state's tensors by name: the same for identical weights, where the
    bytes of torch.save differ between two identical training runs."""
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)
    digest = hashlib.sha256()
    for module, tensors in sorted(state["modules"].items()):
        for key, tensor in sorted(tensors.items()):
            digest.update(f"{module}.{key}{tensor.dtype}{tuple(tensor.shape)}".encode())
            digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()
