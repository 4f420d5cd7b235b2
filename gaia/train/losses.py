"""GAIA's objective, exactly as the authors' code computes it (docs/method.md §2).

    L_real = |X - D(X)|                   D's error on real images
    L_gr   = |X - D(G(X))|                fake from real; the target is the real X
    L_gi   = |G(Zi) - D(G(Zi))|           interpolations; the target is the interpolant itself
    L_fake = (L_gi + L_gr) / 2
    p_fake = clip(sigma_b(0.5 * L_gi - L_real), 0, 0.9)
    L_D    = clip(L_real - p_fake * L_fake, -1, 1)
    p_s    = sigma_b(L_gi - L_gr)
    L_G    = clip(p_s * L_gi + (1 - p_s) * L_gr + w * L_dist(X, z_c), -1, 1)
             [+ recon_weight * |X - G(X)| inside the clip: a deviation, off by default]
    lr_D   = lr_max * sigma_b(L_real - L_fake),   lr_G = lr_max - lr_D

|a - b| is the L1 mean over the batch and every pixel; sigma_b(u) = 1 / (1 + exp(-b u)) with
slope b = 20. p_fake and p_s stay in the graph (the reference has no stop_gradient); detaching
them is an option. Clipping passes gradient only inside its range, as tf.clip_by_value does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class GaiaLossConfig:
    slope: float = 20.0  # b of the sigmoids
    sigma: float = 0.5  # weight of L_gi inside p_fake ("self.sigma" in the reference)
    p_fake_max: float = 0.9
    distance_weight: float = 5e-5  # w = lr_max / 2 in the reference notebook
    clip_losses: bool = True  # clip L_D and L_G to [-1, 1]
    detach_balance: bool = False  # ablation: no gradient through p_fake and p_s
    # Deviation (0 = the authors' objective): add recon_weight * |X - G(X)| to L_G, a direct
    # pixel loss, so that G need not learn only through D's reconstructions.
    recon_weight: float = 0.0
    # Deviation ("l1" = the authors' objective): "mse" measures every reconstruction term (and
    # the recon_weight term) by the mean squared error, as ACAI's baseline on lines does; L1
    # with a sigmoid output learns sparse images (lines) slowly (docs/learning.md).
    pixel_loss: str = "l1"


def l1(a: Tensor, b: Tensor) -> Tensor:
    """Mean absolute difference over every element (tf.reduce_mean(abs(a - b)))."""
    return (a.float() - b.float()).abs().mean()


def mse(a: Tensor, b: Tensor) -> Tensor:
    """Mean squared difference over every element."""
    return (a.float() - b.float()).pow(2).mean()


PIXEL_LOSSES = {"l1": l1, "mse": mse}


def sigmoid_slope(u: Tensor, slope: float) -> Tensor:
    return torch.sigmoid(slope * u)


def sample_alphas(half: int, generator: torch.Generator, mean: float = 0.5, std: float = 0.25):
    """Two vectors of `half` mixing weights ~ N(mean, std^2), unclipped (extrapolation happens)."""
    alphas = torch.randn(2, half, generator=generator) * std + mean
    return alphas[0], alphas[1]


def interpolate_pairs(z: Tensor, alpha1: Tensor, alpha2: Tensor) -> Tensor:
    """B interpolants from a batch of B codes (B even), as the reference pairs them.

    With A = z[:B/2] and C = z[B/2:]:  mid1[i] = a1[i] A[i] + (1 - a1[i]) C[i]  and
    mid2[i] = a2[i] A[B/2-1-i] + (1 - a2[i]) C[i]  (the first half reversed). The same alphas
    must be used for the style and the content code so that a pair is mixed consistently.
    """
    half = z.shape[0] // 2
    if z.shape[0] != 2 * half or alpha1.shape != (half,) or alpha2.shape != (half,):
        raise ValueError(f"need an even batch and {half} alphas each, got {tuple(z.shape)}")
    shape = (half,) + (1,) * (z.dim() - 1)
    a1, a2 = alpha1.to(z).view(shape), alpha2.to(z).view(shape)
    first, second = z[:half], z[half:]
    mid1 = a1 * first + (1 - a1) * second
    mid2 = a2 * first.flip(0) + (1 - a2) * second
    return torch.cat([mid1, mid2])


def distance_loss(x: Tensor, z: Tensor) -> Tensor:
    """Keep pairwise latent distances like pixel distances (code form, natural log, mean over B^2).

    d_ij = mean squared difference of flattened samples i and j, each matrix divided by its own
    mean over all B x B entries (diagonal zeros included); the loss is the mean over (i, j) of
    (log(1 + dX_ij) - log(1 + dZ_ij))^2. Zero when latent distances are proportional to pixel
    distances.
    """

    def normalised_sq_distances(v: Tensor) -> Tensor:
        v = v.float().flatten(1)
        norms = v.pow(2).sum(1)
        # |vi - vj|^2 by expansion: memory B^2, not B^2 x dims; clamp rounding below zero.
        d = (norms[:, None] + norms[None, :] - 2.0 * v @ v.T).clamp_min(0.0) / v.shape[1]
        # The reference divides by the mean alone (NaN for a batch of identical images);
        # the floor keeps such a batch finite without changing any other value.
        return d / d.mean().clamp_min(1e-12)

    dx, dz = normalised_sq_distances(x), normalised_sq_distances(z)
    return (torch.log1p(dx) - torch.log1p(dz)).pow(2).mean()


@dataclass
class GaiaLosses:
    """Every term of one step; the tensors keep their graphs for the two backward passes."""

    real: Tensor
    fake_from_real: Tensor
    interp: Tensor
    fake: Tensor
    p_fake: Tensor
    p_s: Tensor
    distance: Tensor
    d_loss: Tensor
    g_loss: Tensor
    d_share: Tensor  # sigma_b(L_real - L_fake): lr_D / lr_max (no gradient)

    def scalars(self) -> dict[str, float]:
        names = {
            "L_real": self.real,
            "L_gr": self.fake_from_real,
            "L_gi": self.interp,
            "L_fake": self.fake,
            "p_fake": self.p_fake,
            "p_s": self.p_s,
            "L_dist": self.distance,
            "L_D": self.d_loss,
            "L_G": self.g_loss,
        }
        return {name: float(value.detach()) for name, value in names.items()}


def gaia_losses(
    x: Tensor,
    d_x: Tensor,
    d_gx: Tensor,
    g_interp: Tensor,
    d_g_interp: Tensor,
    content: Tensor,
    cfg: GaiaLossConfig,
    g_x: Tensor | None = None,
    global_mean: Callable[[Tensor], Tensor] | None = None,
) -> GaiaLosses:
    """All loss terms from one forward pass: x, D(x), D(G(x)), G(Zi), D(G(Zi)), z_c (and G(x),
    read only by the recon_weight deviation). Under data parallelism `global_mean` gives the
    three reconstruction losses the values of their mean over the processes
    (gaia/train/distributed.py), so that every term built on them is the global batch's."""
    distance_of = PIXEL_LOSSES[cfg.pixel_loss]
    real = distance_of(x, d_x)
    fake_from_real = distance_of(x, d_gx)
    interp = distance_of(g_interp, d_g_interp)
    if global_mean is not None:
        real, fake_from_real, interp = global_mean(torch.stack([real, fake_from_real, interp]))
    fake = (interp + fake_from_real) / 2
    p_fake = sigmoid_slope(cfg.sigma * interp - real, cfg.slope).clamp(0.0, cfg.p_fake_max)
    p_s = sigmoid_slope(interp - fake_from_real, cfg.slope).clamp(0.0, 1.0)
    if cfg.detach_balance:
        p_fake, p_s = p_fake.detach(), p_s.detach()
    distance = distance_loss(x, content)
    d_loss = real - p_fake * fake
    g_loss = p_s * interp + (1 - p_s) * fake_from_real + cfg.distance_weight * distance
    if cfg.recon_weight:
        if g_x is None:
            raise ValueError("recon_weight needs G(x): pass g_x to gaia_losses")
        g_loss = g_loss + cfg.recon_weight * distance_of(x, g_x)
    if cfg.clip_losses:
        d_loss, g_loss = d_loss.clamp(-1.0, 1.0), g_loss.clamp(-1.0, 1.0)
    d_share = sigmoid_slope(real - fake, cfg.slope).detach()
    return GaiaLosses(
        real, fake_from_real, interp, fake, p_fake, p_s, distance, d_loss, g_loss, d_share
    )


def balanced_learning_rates(d_share: float, lr_max: float) -> tuple[float, float]:
    """lr_D = lr_max * sigma_b(L_real - L_fake), lr_G = lr_max - lr_D."""
    lr_d = lr_max * d_share
    return lr_d, lr_max - lr_d


def reconstruction_loss(x: Tensor, x_hat: Tensor, kind: str = "l1") -> Tensor:
    """The AE baseline's pixel loss."""
    if kind not in PIXEL_LOSSES:
        raise ValueError(f"unknown reconstruction loss {kind!r}; use 'l1' or 'mse'")
    return PIXEL_LOSSES[kind](x, x_hat)
