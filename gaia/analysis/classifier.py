"""The attribute classifier: a small CNN trained on a dataset's real images.

It judges edited images (the probability of every binary attribute) and its penultimate features
are the feature space of the domain FID and of nearest-real-image distances. Binary attributes
get sigmoid outputs; a dataset without them (lines) is classified by its class label instead
(ACAI's angle bins), with a softmax.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass(frozen=True)
class ClassifierConfig:
    resolution: int
    channels: int
    outputs: tuple[str, ...]  # binary attribute names, or class names
    kind: str = "binary"  # "binary" (independent sigmoids) or "categorical" (one softmax)
    width: int = 32
    features: int = 128

    def to_dict(self) -> dict:
        return {**asdict(self), "outputs": list(self.outputs)}


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class AttributeClassifier(nn.Module):
    """Three conv blocks (width, 2x, 4x; each halves the image), global average pooling, a
    `features`-wide ReLU layer (the penultimate features), and one logit per output."""

    def __init__(self, cfg: ClassifierConfig) -> None:
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.body = nn.Sequential(_block(cfg.channels, w), _block(w, 2 * w), _block(2 * w, 4 * w))
        self.embed = nn.Sequential(nn.Linear(4 * w, cfg.features), nn.ReLU())
        self.head = nn.Linear(cfg.features, len(cfg.outputs))

    def features(self, x: Tensor) -> Tensor:
        return self.embed(self.body(x).mean(dim=(2, 3)))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))

    def probabilities(self, x: Tensor) -> Tensor:
        logits = self(x)
        return torch.sigmoid(logits) if self.cfg.kind == "binary" else logits.softmax(dim=1)

    def loss(self, logits: Tensor, targets: Tensor) -> Tensor:
        if self.cfg.kind == "binary":
            return F.binary_cross_entropy_with_logits(logits, targets.float())
        return F.cross_entropy(logits, targets.long())
