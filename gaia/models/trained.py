"""Load the networks of a finished experiment from its `model.pt`."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gaia.errors import GaiaError
from gaia.models.autoencoder import Autoencoder, AutoencoderConfig


@dataclass
class TrainedModel:
    generator: Autoencoder
    discriminator: Autoencoder | None
    experiment: dict[str, Any]

    @property
    def content_dim(self) -> int:
        return int(self.generator.cfg.content_dim or 0)


def load_trained(path: Path, device: torch.device) -> TrainedModel:
    """G (and D for GAIA) in eval mode on `device`, with the experiment they were trained as."""
    if not path.is_file():
        raise GaiaError(f"{path}: no trained model; train it first with `gaia train`")
    try:
        # model files of gaia-repro <= 0.1 stored torch.__version__ as a TorchVersion
        with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
            state = torch.load(path, map_location=device, weights_only=True)
        experiment = state["experiment"]
        modules = {}
        for name in ("generator", "discriminator"):
            if experiment.get(name) is None:
                continue
            module = Autoencoder(AutoencoderConfig(**experiment[name]))
            module.load_state_dict(state["modules"][name])
            # channels_last as in training: the analyses' decodes run 1.3x faster on the CPU.
            memory_format = (
                torch.channels_last
                if experiment.get("training", {}).get("channels_last", True)
                else torch.contiguous_format
            )
            modules[name] = module.to(device, memory_format=memory_format).eval()
    except (KeyError, RuntimeError, TypeError, pickle.UnpicklingError) as exc:
        raise GaiaError(
            f"{path}: not a model file of this version of gaia-repro ({exc}); "
            "retrain it with `gaia train --fresh`"
        ) from exc
    return TrainedModel(modules["generator"], modules.get("discriminator"), experiment)
