"""The baselines' objectives, as ACAI's code computes them (brain-research/acai, whose lines
benchmark and baselines the GAIA paper compares with; docs/method.md §8).

VAE (vae.py), per image, averaged over the batch:

    L_rec = -sum over pixels of log Bernoulli(x | x_hat)     (binary cross-entropy, summed)
    L_KL  = sum over latent dimensions of 0.5 (mu^2 + exp(logvar) - 1 - logvar)
    L     = L_rec + beta * L_KL                              (beta = 1)

ACAI (acai.py), with alpha = 0.5 - |u - 0.5|, u ~ U(0, 1) per pair (alpha in [0, 0.5]), the
codes mixed as alpha z_i + (1 - alpha) z_(B-1-i) and decoded to x_mix, and the critic C:

    L_AE     = mean (x - x_hat)^2 + lambda * mean C(x_mix)^2                     (lambda = 0.5)
    L_critic = mean (C(x_mix) - alpha)^2 + mean C(gamma x + (1 - gamma) x_hat)^2  (gamma = 0.2)

(the critic's second input is acai.py's `ae + reg * (x - ae)`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass(frozen=True)
class VaeConfig:
    beta: float = 1.0  # weight of the KL term (vae.py's --beta)


@dataclass(frozen=True)
class AcaiConfig:
    adversarial_weight: float = 0.5  # lambda (acai.py's --advweight)
    critic_reg: float = 0.2  # gamma (acai.py's --reg)


def bernoulli_nll(x: Tensor, x_hat: Tensor) -> Tensor:
    """-log p(x | x_hat) summed over the pixels of each image, averaged over images, in fp32
    (binary cross-entropy is unsafe under autocast)."""
    summed = F.binary_cross_entropy(x_hat.float(), x.float(), reduction="sum")
    return summed / x.shape[0]


def gaussian_kl(mean: Tensor, log_variance: Tensor) -> Tensor:
    """KL(N(mean, exp(log_variance)) || N(0, 1)) summed over dimensions, averaged over rows."""
    mean, log_variance = mean.float().flatten(1), log_variance.float().flatten(1)
    kl = 0.5 * (mean.pow(2) + log_variance.exp() - 1.0 - log_variance)
    return kl.sum(dim=1).mean()


def reparameterise(mean: Tensor, log_variance: Tensor, noise: Tensor) -> Tensor:
    """A sample mean + sigma * noise of the posterior, differentiable in mean and variance."""
    return mean + (0.5 * log_variance).exp() * noise.to(mean)


@dataclass
class VaeLosses:
    reconstruction: Tensor
    kl: Tensor
    loss: Tensor

    def scalars(self) -> dict[str, float]:
        names = {"L_rec": self.reconstruction, "L_KL": self.kl, "L_VAE": self.loss}
        return {name: float(value.detach()) for name, value in names.items()}


def vae_losses(
    x: Tensor, x_hat: Tensor, posteriors: list[tuple[Tensor, Tensor]], beta: float
) -> VaeLosses:
    """The negative ELBO (with beta on the KL) of one batch; `posteriors`: (mean, log-variance)
    of each code (style and content)."""
    reconstruction = bernoulli_nll(x, x_hat)
    kl = sum((gaussian_kl(m, v) for m, v in posteriors), torch.zeros((), device=x.device))
    return VaeLosses(reconstruction, kl, reconstruction + beta * kl)


def acai_alphas(pairs: int, generator: torch.Generator) -> Tensor:
    """ACAI's mixing coefficients: 0.5 - |u - 0.5| for u ~ U(0, 1), in [0, 0.5]."""
    return 0.5 - (torch.rand(pairs, generator=generator) - 0.5).abs()


def mix_reversed(z: Tensor, alpha: Tensor) -> Tensor:
    """ACAI's interpolants: alpha_i z_i + (1 - alpha_i) z_(B-1-i), each image with the batch
    reversed (`encode[::-1]`)."""
    a = alpha.to(z).view((-1,) + (1,) * (z.dim() - 1))
    return a * z + (1 - a) * z.flip(0)


@dataclass
class AcaiLosses:
    reconstruction: Tensor
    adversarial: Tensor  # mean C(x_mix)^2: the AE wants its interpolants judged alpha = 0
    critic_alpha: Tensor  # mean (C(x_mix) - alpha)^2
    critic_real: Tensor  # mean C(gamma x + (1 - gamma) x_hat)^2
    ae_loss: Tensor
    critic_loss: Tensor

    def scalars(self) -> dict[str, float]:
        names = {
            "L_recon": self.reconstruction,
            "L_adv": self.adversarial,
            "L_critic_alpha": self.critic_alpha,
            "L_critic_real": self.critic_real,
            "L_AE": self.ae_loss,
            "L_critic": self.critic_loss,
        }
        return {name: float(value.detach()) for name, value in names.items()}


def acai_losses(
    x: Tensor,
    x_hat: Tensor,
    critic_mix: Tensor,
    critic_real: Tensor,
    alpha: Tensor,
    adversarial_weight: float,
) -> AcaiLosses:
    """ACAI's two losses from one forward pass: x, x_hat, C(x_mix), C(gamma x + (1-gamma)
    x_hat) and the alphas of x_mix."""
    reconstruction = (x.float() - x_hat.float()).pow(2).mean()
    adversarial = critic_mix.pow(2).mean()
    critic_alpha = (critic_mix - alpha.to(critic_mix)).pow(2).mean()
    critic_real_loss = critic_real.pow(2).mean()
    return AcaiLosses(
        reconstruction,
        adversarial,
        critic_alpha,
        critic_real_loss,
        reconstruction + adversarial_weight * adversarial,
        critic_alpha + critic_real_loss,
    )
