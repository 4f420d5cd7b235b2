"""The VAE's and ACAI's loss terms on inputs with known answers, and their optimisers'
gradient ownership (gaia/train/baseline_losses.py, brain-research/acai vae.py and acai.py)."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from gaia.experiment import resolve_experiment
from gaia.models.autoencoder import Autoencoder, Critic
from gaia.train.baseline_losses import (
    acai_alphas,
    acai_losses,
    bernoulli_nll,
    gaussian_kl,
    mix_reversed,
    reparameterise,
    vae_losses,
)
from gaia.train.objectives import AcaiObjective, VaeObjective
from gaia.train.trainer import build_objective
from gaia.utils.seeding import seeded_generator


def test_gaussian_kl_known_values() -> None:
    zero = torch.zeros(3, 4)
    assert gaussian_kl(zero, zero) == 0  # the prior itself
    # mean 1, variance 1: 0.5 per dimension, summed over 4, averaged over rows.
    assert gaussian_kl(torch.ones(3, 4), zero) == pytest.approx(2.0)
    # mean 0, variance 2: 0.5 (2 - 1 - ln 2) per dimension.
    log2 = torch.full((3, 4), math.log(2.0))
    assert gaussian_kl(zero, log2) == pytest.approx(4 * 0.5 * (1 - math.log(2.0)))
    mean, log_var = torch.randn(5, 6), torch.randn(5, 6)
    posterior = torch.distributions.Normal(mean, (0.5 * log_var).exp())
    prior = torch.distributions.Normal(torch.zeros(5, 6), torch.ones(5, 6))
    expected = torch.distributions.kl_divergence(posterior, prior).sum(1).mean()
    torch.testing.assert_close(gaussian_kl(mean, log_var), expected)


def test_bernoulli_nll_is_summed_over_pixels_and_averaged_over_images() -> None:
    x = torch.tensor([[[[1.0, 0.0]]], [[[1.0, 1.0]]]])  # 2 images of 2 pixels
    x_hat = torch.full_like(x, 0.8)
    # image 0: -ln 0.8 - ln 0.2; image 1: -2 ln 0.8; mean over the 2 images.
    expected = (-math.log(0.8) - math.log(0.2) - 2 * math.log(0.8)) / 2
    assert bernoulli_nll(x, x_hat) == pytest.approx(expected)


def test_reparameterise_and_the_negative_elbo() -> None:
    mean, log_var, noise = (
        torch.tensor([[1.0]]),
        torch.tensor([[math.log(4.0)]]),
        torch.tensor([[0.5]]),
    )
    assert reparameterise(mean, log_var, noise).item() == pytest.approx(1.0 + 2.0 * 0.5)
    x, x_hat = torch.ones(1, 1, 1, 1), torch.full((1, 1, 1, 1), 0.5)
    losses = vae_losses(x, x_hat, [(mean, log_var), (torch.zeros(1, 2), torch.zeros(1, 2))], 2.0)
    kl = 0.5 * (1.0 + 4.0 - 1.0 - math.log(4.0))  # the second code is the prior: 0
    assert losses.reconstruction.item() == pytest.approx(math.log(2.0))
    assert losses.kl.item() == pytest.approx(kl)
    assert losses.loss.item() == pytest.approx(math.log(2.0) + 2.0 * kl)


def test_acai_alphas_fold_a_uniform_into_the_first_half() -> None:
    alphas = acai_alphas(10_000, seeded_generator(0, 0))
    uniform = torch.rand(10_000, generator=seeded_generator(0, 0))
    torch.testing.assert_close(alphas, 0.5 - (uniform - 0.5).abs())
    assert alphas.min() >= 0 and alphas.max() <= 0.5
    assert alphas.mean().item() == pytest.approx(0.25, abs=0.01)  # uniform on [0, 0.5]


def test_mix_reversed_pairs_each_code_with_the_reversed_batch() -> None:
    z = torch.tensor([[0.0], [10.0], [20.0]])
    mixed = mix_reversed(z, torch.tensor([0.5, 0.25, 0.0]))
    # row i: a_i z_i + (1 - a_i) z_(2-i)
    assert mixed.flatten().tolist() == [10.0, 10.0, 0.0]


def test_acai_losses_known_values() -> None:
    x, x_hat = torch.ones(2, 1, 2, 2), torch.full((2, 1, 2, 2), 0.5)
    critic_mix, critic_real = torch.tensor([0.3, 0.1]), torch.tensor([0.2, -0.2])
    alpha = torch.tensor([0.5, 0.1])
    losses = acai_losses(x, x_hat, critic_mix, critic_real, alpha, adversarial_weight=0.5)
    assert losses.reconstruction.item() == pytest.approx(0.25)
    assert losses.adversarial.item() == pytest.approx((0.09 + 0.01) / 2)
    assert losses.critic_alpha.item() == pytest.approx((0.04 + 0.0) / 2)
    assert losses.critic_real.item() == pytest.approx(0.04)
    assert losses.ae_loss.item() == pytest.approx(0.25 + 0.5 * 0.05)
    assert losses.critic_loss.item() == pytest.approx(0.02 + 0.04)


def test_the_vae_encodes_posterior_means(tiny_params: dict) -> None:
    exp = resolve_experiment(tiny_params, "synthfaces/vae")
    assert exp.generator.variational and "variational" in exp.generator.to_dict()
    assert "variational" not in resolve_experiment(tiny_params, "synthfaces/ae").generator.to_dict()
    vae = Autoencoder(exp.generator)
    x = torch.rand(4, 3, 32, 32)
    (style_mean, style_log_var), (content_mean, _) = vae.encode_posterior(x)
    style, content = vae.encode(x)
    assert torch.equal(style, style_mean) and torch.equal(content, content_mean)
    assert style_log_var.shape == (4, exp.generator.style_dim)
    assert content.shape == (4, exp.generator.content_dim)


def test_the_critic_gives_one_number_per_image(tiny_params: dict) -> None:
    critic = Critic(resolve_experiment(tiny_params, "synthfaces/acai").generator)
    assert critic(torch.rand(5, 3, 32, 32)).shape == (5,)


def test_acai_optimisers_get_only_their_own_loss_gradient(tiny_params: dict) -> None:
    tiny_params["training"]["precision"] = "fp32"  # as the pass by hand below
    exp = resolve_experiment(tiny_params, "synthfaces/acai")
    objective = build_objective(exp, torch.device("cpu"))
    assert isinstance(objective, AcaiObjective)
    before = copy.deepcopy(objective)
    x = torch.rand(8, 3, 32, 32)
    objective.train_step(x, seeded_generator(0, 0))

    # The same forward pass by hand, from the same alphas.
    alpha = acai_alphas(8, seeded_generator(0, 0))
    style, content = before.generator.encode(x)
    decoded = before.generator.decode(
        torch.cat([style, mix_reversed(style, alpha)]),
        torch.cat([content, mix_reversed(content, alpha)]),
    )
    x_hat, x_mix = decoded.split(8)
    critic_mix = before.critic(x_mix)
    critic_real = before.critic(x_hat + 0.2 * (x - x_hat))
    losses = acai_losses(x, x_hat, critic_mix, critic_real, alpha, 0.5)
    g_params, c_params = list(before.generator.parameters()), list(before.critic.parameters())
    g_expected = torch.autograd.grad(losses.ae_loss, g_params, retain_graph=True)
    c_expected = torch.autograd.grad(losses.critic_loss, c_params, retain_graph=True)
    for p, expected in zip(objective.generator.parameters(), g_expected, strict=True):
        torch.testing.assert_close(p.grad, expected, rtol=1e-4, atol=1e-7)
    for p, expected in zip(objective.critic.parameters(), c_expected, strict=True):
        torch.testing.assert_close(p.grad, expected, rtol=1e-4, atol=1e-7)
    # The adversarial term reaches G through the critic: the critic's loss depends on G too.
    g_of_critic_loss = torch.autograd.grad(losses.critic_loss, g_params, allow_unused=True)
    assert any(g is not None and g.abs().sum() > 0 for g in g_of_critic_loss)


@pytest.mark.parametrize("model", ["vae", "acai"])
def test_baselines_learn(tiny_params: dict, model: str) -> None:
    objective = build_objective(
        resolve_experiment(tiny_params, f"synthfaces/{model}"), torch.device("cpu")
    )
    assert isinstance(objective, VaeObjective | AcaiObjective)
    x = torch.rand(8, 3, 32, 32)
    key = "L_rec" if model == "vae" else "L_recon"
    first = objective.train_step(x, seeded_generator(0, 0))[key]
    for step in range(1, 30):
        last = objective.train_step(x, seeded_generator(0, step))[key]
    assert last < first * 0.95
