"""An exponential moving average of the generator's weights, for evaluation and export.

A GAN's weights oscillate around where the game is going: the held-out error of G(X) jumps
from one evaluation to the next (docs/learning.md), so whichever step the run stops on is luck
within a band. Averaging the weights
(Yazici et al. 2019, "The unusual effectiveness of averaging in GAN training"; StyleGAN's G_ema)
evaluates the centre of that band instead. The recipe and its constants are stylegan2-ada's
(training/training_loop.py, `ema_kimg` and `ema_rampup`): a half-life in images, capped at a
fraction of the images seen so far so that the average forgets the random start early on.

Deviation from the authors' code, which evaluates the raw weights: an option
(`training.weight_average`, null turns it off). Training is unchanged: the average never feeds
back into a step. The trainer reports the raw weights' held-out errors beside it.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn


class WeightAverage:
    """`module` is the running average of `source`'s parameters; buffers are copied."""

    def __init__(self, source: nn.Module, half_life_images: float, rampup: float | None):
        self.half_life_images, self.rampup = half_life_images, rampup
        self.module = copy.deepcopy(source).requires_grad_(False)

    def decay(self, images_seen: int, batch_size: int) -> float:
        """beta of this update: the weight the average keeps, 0.5 per half-life of images."""
        half_life = self.half_life_images
        if self.rampup is not None:
            half_life = min(half_life, images_seen * self.rampup)
        return 0.5 ** (batch_size / max(half_life, 1e-8))

    @torch.no_grad()
    def update(self, source: nn.Module, images_seen: int, batch_size: int) -> None:
        beta = self.decay(images_seen, batch_size)
        for average, current in zip(self.module.parameters(), source.parameters(), strict=True):
            average.lerp_(current.detach(), 1.0 - beta)
        for average, current in zip(self.module.buffers(), source.buffers(), strict=True):
            average.copy_(current)


def make_weight_average(source: nn.Module, training: dict[str, Any]) -> WeightAverage | None:
    settings = training.get("weight_average")
    if settings is None:
        return None
    return WeightAverage(source, settings["half_life_images"], settings.get("rampup"))
