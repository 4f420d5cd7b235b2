"""Resumable training state: one file, written atomically, checked against the parameters."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gaia import __version__
from gaia.errors import GaiaError
from gaia.experiment import Experiment
from gaia.utils.io import atomic_path


def rng_states() -> dict[str, Any]:
    states = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),  # noqa: NPY002 (the global state, whoever uses it)
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    np.random.set_state(states["numpy"])  # noqa: NPY002
    random.setstate(states["python"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_checkpoint(
    path: Path,
    exp: Experiment,
    step: int,
    modules: dict[str, torch.nn.Module],
    optimizers: dict[str, torch.optim.Optimizer],
    train_seconds: float,
) -> None:
    state = {
        "step": step,
        "train_seconds": train_seconds,
        "modules": {name: m.state_dict() for name, m in modules.items()},
        "optimizers": {name: o.state_dict() for name, o in optimizers.items()},
        "rng": rng_states(),
        "experiment": exp.to_dict(),
        "compatibility_hash": exp.compatibility_hash(),
        "gaia_version": __version__,
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            found.append(f"{prefix}{key}: {a!r} -> {b!r}")
    return found


def load_checkpoint(path: Path, exp: Experiment, device: torch.device) -> dict[str, Any]:
    """The checkpoint at `path`, or a GaiaError saying why it cannot continue this experiment."""
    try:
        state = torch.load(path, map_location=device, weights_only=False)
    except Exception as exc:
        raise GaiaError(
            f"{path}: unreadable checkpoint ({exc}); delete it (or pass --fresh) to start over"
        ) from exc
    if state.get("compatibility_hash") != exp.compatibility_hash():
        changes = _differences(state.get("experiment", {}), exp.to_dict())
        listing = "; ".join(c for c in changes if not c.startswith("training.steps")) or "unknown"
        raise GaiaError(
            f"{path}: this checkpoint was written with other parameters ({listing}); restore "
            "those parameters to resume it, or run `gaia train` with --fresh (or delete the "
            "file) to start over"
        )
    return state
