"""Realism beside FID: sharpness against the real images' own, and a classifier two-sample test.

Sharpness (the paper's "sharp, not blurry"): per image, the variance of the Laplacian of its
grey levels, and the share of its spectral power above half the Nyquist frequency; a set's
score is the mean over its images divided by the same of the real test images. 1: as sharp as
the data; below 1: blurrier; above 1: more high-frequency content than the data (noise or
texture artefacts, which the paper's claim does not ask for either).

Classifier two-sample test (C2ST; Lopez-Paz and Oquab, 2017): a small convolutional network
learns to tell real test images from a model's images on one half of each and is scored on the
other half, which it never saw: 0.5 means the two sets cannot be told apart, 1 that they always
can. Its interval is the Wilson 95% interval of a binomial proportion over the scored images.
Unlike FID in the domain classifier's features, it sees everything in the pixels, artefacts
included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from gaia.utils.images import nchw_view, to_model_input

LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def _grey(images: np.ndarray) -> Tensor:
    """uint8 NHWC -> float (N, 1, H, W) grey levels in [0, 1]."""
    return _pixels(images).mean(dim=1, keepdim=True)


def laplacian_variance(images: np.ndarray) -> np.ndarray:
    """Per image: the variance of its Laplacian over the interior pixels."""
    response = F.conv2d(_grey(images), LAPLACIAN.view(1, 1, 3, 3))
    return response.flatten(1).var(dim=1).numpy()


def high_frequency_share(images: np.ndarray) -> np.ndarray:
    """Per image: the share of its spectral power (mean removed) above half the Nyquist
    frequency in either direction."""
    x = _grey(images)[:, 0]
    x = x - x.mean(dim=(1, 2), keepdim=True)
    power = torch.fft.fft2(x).abs().pow(2)
    fy = torch.fft.fftfreq(x.shape[1]).abs()[:, None]
    fx = torch.fft.fftfreq(x.shape[2]).abs()[None, :]
    high = (fy > 0.25) | (fx > 0.25)
    total = power.flatten(1).sum(1).clamp_min(1e-12)
    return (power * high).flatten(1).sum(1).div(total).numpy()


def sharpness(images: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """Both sharpness measures of `images` relative to the real images' own."""
    return {
        "laplacian": float(laplacian_variance(images).mean() / laplacian_variance(real).mean()),
        "high_frequency": float(
            high_frequency_share(images).mean() / high_frequency_share(real).mean()
        ),
    }


class _TwoSampleCritic(nn.Module):
    """A full-resolution convolution, three strided ones, and a linear read-out of the mean and
    the maximum of each feature map: real (1) or generated (0). The full-resolution layer and
    the maximum let it see pixel noise, which strided layers with a mean alone learnt to see
    only slowly (noise of sd 12/255 went unseen in 600 steps)."""

    def __init__(self, channels: int, width: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, 1, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 3, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 3, 2, 1),
            nn.LeakyReLU(0.2),
        )
        self.head = nn.Linear(8 * width, 1)

    def forward(self, x: Tensor) -> Tensor:
        maps = self.features(x * 2.0 - 1.0)
        pooled = torch.cat([maps.mean(dim=(2, 3)), maps.amax(dim=(2, 3))], dim=1)
        return self.head(pooled).squeeze(1)


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At 0 (n) successes the low (high) end is 0 (1) exactly; rounding would put it a hair off.
    low = 0.0 if successes == 0 else max(0.0, float(centre - half))
    high = 1.0 if successes == n else min(1.0, float(centre + half))
    return low, high


def two_sample_test(
    real: np.ndarray, generated: np.ndarray, settings: dict[str, Any], seed: int
) -> dict[str, float]:
    """C2ST accuracy on the held-out halves, its Wilson interval and the images scored.

    `settings`: steps, batch_size, lr, width. Both sets are cut to the smaller one's size, so
    the chance level is 0.5; the first half of each trains, the second is scored.
    """
    n = min(len(real), len(generated))
    half = n // 2
    x_real, x_fake = _pixels(real[:n]), _pixels(generated[:n])
    train = torch.cat([x_real[:half], x_fake[:half]])
    labels = torch.cat([torch.ones(half), torch.zeros(half)])
    test = torch.cat([x_real[half:], x_fake[half:]])
    truth = torch.cat([torch.ones(n - half), torch.zeros(n - half)])
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        critic = _TwoSampleCritic(train.shape[1], settings["width"])
    optimizer = torch.optim.Adam(critic.parameters(), lr=settings["lr"])
    critic.train()
    for _ in range(settings["steps"]):
        index = torch.randint(len(train), (settings["batch_size"],), generator=generator)
        loss = F.binary_cross_entropy_with_logits(critic(train[index]), labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    critic.eval()
    with torch.no_grad():
        scores = torch.cat([critic(test[i : i + 512]) for i in range(0, len(test), 512)])
    correct = int(((scores > 0).float() == truth).sum())
    low, high = wilson_interval(correct, len(test))
    return {"accuracy": correct / len(test), "ci_low": low, "ci_high": high, "images": len(test)}


def _pixels(images: np.ndarray) -> Tensor:
    return to_model_input(nchw_view(images), torch.device("cpu")).float()
