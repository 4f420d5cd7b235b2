"""A stand-in for torch-fidelity's Inception weights: the same layout, He-initialised random
values. It runs the Inception code path where the real weights cannot be downloaded (the tests,
`benchmarks/fid_features.py`); its FIDs mean nothing. A default random init would not do: its
features vanish and every FID is near 0.

    python -m gaia.metrics.inception_stand_in PATH
"""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

import torch
import torch_fidelity.feature_extractor_inceptionv3 as inception
from torch import nn


def write_stand_in_weights(path: Path, seed: int = 0) -> Path:
    """A state dict with the layout of torch-fidelity's Inception-v3, He-initialised (a default
    random init gives vanishing features): a stand-in for the real weights, which these
    machines cannot download."""
    cls = inception.FeatureExtractorInceptionV3
    with (
        mock.patch.object(inception, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(cls, "load_state_dict", lambda self, state: None),
    ):
        model = cls("inception-v3-compat", ["2048"])
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, (2.0 / fan_in) ** 0.5, generator=generator)
                if module.bias is not None:
                    module.bias.zero_()
    torch.save(model.state_dict(), path)
    return path


if __name__ == "__main__":
    print(write_stand_in_weights(Path(sys.argv[1])))
