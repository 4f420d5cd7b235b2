"""Reading the pipeline's own files: every failure is one line that names the file, says what
is wrong with it and gives the command that rebuilds it.

A truncated model.pt raises an OSError deep inside torch, a half-copied latents.npz a
BadZipFile, a metric file from an older version a KeyError: tracebacks that name no file. Every
step reads its inputs through these helpers instead, so each of those becomes an
`ArtifactError`, which the CLI prints as one line (the traceback goes to the step's log, and
`gaia --debug` raises it).
"""

from __future__ import annotations

import contextlib
import json
import pickle
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gaia.errors import GaiaError

# What reading a damaged or foreign file raises (json's and pandas' errors are ValueErrors).
UNREADABLE = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    RuntimeError,
    TypeError,
    AttributeError,
    zipfile.BadZipFile,
    pickle.UnpicklingError,
)


class ArtifactError(GaiaError):
    """A file the pipeline wrote earlier is missing, damaged or from other parameters."""


def rebuild(path: str | Path) -> str:
    """How to rebuild one output of the workflow (Snakemake remakes exactly that file)."""
    return f"rebuild it with `snakemake --cores 8 --force {path}` (or `dvc repro` its stage)"


@contextlib.contextmanager
def reading(path: str | Path, what: str) -> Iterator[Path]:
    """Read the artifact `path` (a `what`, e.g. "latents file") inside this block: a missing file
    or any error while reading it becomes an ArtifactError naming both."""
    path = Path(path)
    if not path.exists():
        raise ArtifactError(f"{path}: no {what}; build it with `snakemake --cores 8 {path}`")
    try:
        yield path
    except GaiaError:
        raise
    except UNREADABLE as exc:
        raise ArtifactError(
            f"{path}: cannot read this {what} ({_reason(exc)}): it is damaged or was not written "
            f"by this pipeline; {rebuild(path)}"
        ) from exc


def _reason(exc: BaseException) -> str:
    """The exception's type and first sentence: the rest of torch's and numpy's messages
    suggests unsafe loading, which is not the fix for a damaged file."""
    text = str(exc).strip()
    detail = text.splitlines()[0].split(". ")[0][:120] if text else ""
    return f"{type(exc).__name__}{': ' + detail if detail else ''}"


def load_json(path: str | Path, what: str = "metrics file") -> dict[str, Any]:
    """A JSON object written by the pipeline."""
    with reading(path, what) as file:
        value = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(value, dict):
            raise ValueError(f"a JSON {type(value).__name__}, not an object")
        return value


def load_npz(path: str | Path, what: str, keys: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Every array of an .npz file (read now, so that a truncated member fails here), which must
    hold at least `keys`."""
    with reading(path, what) as file, np.load(file, allow_pickle=False) as stored:
        missing = [key for key in keys if key not in stored.files]
        if missing:
            raise KeyError(f"no array {', '.join(missing)}; it has {', '.join(stored.files)}")
        return {key: stored[key] for key in stored.files}


def load_csv(path: str | Path, what: str) -> Any:
    """A CSV table (pandas.DataFrame) written by the pipeline."""
    import pandas as pd

    with reading(path, what) as file:
        return pd.read_csv(file)


def check_shape(
    path: str | Path, what: str, array: np.ndarray, shape: Sequence[int | None]
) -> None:
    """`array` (read from `path`) has `shape` (None: any size): a file built with other
    parameters does not, and fails here with the sizes rather than later in a matrix product."""
    expected = tuple(shape)
    if len(array.shape) != len(expected) or any(
        want is not None and got != want for got, want in zip(array.shape, expected, strict=True)
    ):
        wanted = "x".join("*" if n is None else str(n) for n in expected)
        raise ArtifactError(
            f"{path}: {what} of shape {'x'.join(map(str, array.shape))}, expected {wanted} with "
            f"the current parameters (built with other ones?); {rebuild(path)}"
        )
