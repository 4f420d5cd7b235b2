"""Load the networks of a finished experiment from its `model.pt`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gaia import paths
from gaia.experiment import resolve_experiment
from gaia.models.autoencoder import Autoencoder, AutoencoderConfig
from gaia.utils.artifacts import ArtifactError, reading, rebuild


@dataclass
class TrainedModel:
    generator: Autoencoder
    discriminator: Autoencoder | None
    experiment: dict[str, Any]

    @property
    def content_dim(self) -> int:
        return int(self.generator.cfg.content_dim or 0)

    @property
    def latent_dim(self) -> int:
        """Size of a latent vector [z_c | z_s] (gaia/analysis/latents.py)."""
        return self.content_dim + self.generator.cfg.style_dim


def load_trained(path: Path, device: torch.device) -> TrainedModel:
    """G (and D for GAIA) in eval mode on `device`, with the experiment they were trained as; a
    missing, damaged or foreign file is an ArtifactError that says how to rebuild it."""
    with reading(path, "model file"):
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
            # channels_last as in training: the layout the CPU's convolutions are fastest in.
            memory_format = (
                torch.channels_last
                if experiment.get("training", {}).get("channels_last", True)
                else torch.contiguous_format
            )
            modules[name] = module.to(device, memory_format=memory_format).eval()
    return TrainedModel(modules["generator"], modules.get("discriminator"), experiment)


def load_experiment_model(
    params: dict[str, Any], dataset: str, model: str, device: torch.device
) -> TrainedModel:
    """The trained networks of DATASET/MODEL, which must have the networks the current
    parameters define: a model.pt left from other parameters fails here, naming what differs."""
    path = paths.model_file(dataset, model)
    trained = load_trained(path, device)
    expected = resolve_experiment(params, f"{dataset}/{model}").to_dict()
    differences = [
        f"{network}.{key}: {stored.get(key)!r} in the file, {wanted[key]!r} in the parameters"
        for network in ("generator", "discriminator")
        if (wanted := expected.get(network)) is not None
        and (stored := trained.experiment.get(network) or {}) != wanted
        for key in sorted(wanted)
        if stored.get(key) != wanted[key]
    ]
    if differences:
        raise ArtifactError(
            f"{path}: trained with other parameters ({'; '.join(differences[:3])}); {rebuild(path)}"
        )
    return trained
