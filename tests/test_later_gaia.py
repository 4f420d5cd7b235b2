"""The author's later GAIA (avgn/networks/gaia4.py), term by term: batch-wide Chi2 mixtures,
the MSE terms of L_G and L_D, each optimiser on its own loss, and the author's optimisers."""

from __future__ import annotations

import copy

import pytest
import torch

from gaia.experiment import resolve_experiment
from gaia.train.later_losses import chi2_mixing_weights, later_gaia_losses, mix
from gaia.train.objectives import LaterGaiaObjective
from gaia.train.trainer import build_objective


def test_chi2_weights_mix_each_interpolant_from_the_whole_batch_mostly_one_code() -> None:
    weights = chi2_mixing_weights(32, torch.Generator().manual_seed(0))
    assert weights.shape == (32, 32) and bool((weights >= 0).all())
    torch.testing.assert_close(weights.sum(0), torch.ones(32))
    again = chi2_mixing_weights(32, torch.Generator().manual_seed(0))
    assert torch.equal(weights, again)  # a step's weights follow from its seed alone
    assert not torch.equal(weights, chi2_mixing_weights(32, torch.Generator().manual_seed(1)))
    # df = 1/32: one code is most of a typical mixture (median share 0.79 here).
    many = torch.stack(
        [chi2_mixing_weights(32, torch.Generator().manual_seed(s)) for s in range(20)]
    )
    assert float(many.max(dim=1).values.median()) > 0.5


def test_mix_takes_each_column_as_one_interpolants_weights() -> None:
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    weights = torch.tensor([[1.0, 0.5, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 1.0]])
    expected = torch.tensor([[1.0, 0.0], [0.5, 0.5], [2.0, 2.0]])
    torch.testing.assert_close(mix(z, weights), expected)
    codes = torch.rand(3, 4, 2, 2)  # content codes keep their shape
    torch.testing.assert_close(mix(codes, torch.eye(3)), codes)


def test_the_losses_are_gaia4s_mean_squared_terms() -> None:
    x = torch.zeros(2, 1, 2, 2)
    g_x, d_x, d_gx = x + 1.0, x + 2.0, x + 3.0  # |X - G(X)| 1, |X - D(X)| 4, |X - D(G(X))| 9
    g_interp, d_g_interp = x + 0.5, x + 1.5  # |G(Zi) - D(G(Zi))| 1
    losses = later_gaia_losses(x, g_x, d_x, d_gx, g_interp, d_g_interp, alpha=0.75)
    assert float(losses.g_loss) == pytest.approx(9 + 1 + 0.75 * 1)
    assert float(losses.d_loss) == pytest.approx(9 + 4 - 0.75 * 1)
    assert losses.scalars()["L_recon"] == pytest.approx(1.0)


def test_each_optimiser_gets_only_its_own_loss_gradient_and_the_authors_settings(
    tiny_params: dict,
) -> None:
    objective = build_objective(
        resolve_experiment(tiny_params, "synthfaces/gaia_later"), torch.device("cpu")
    )
    assert isinstance(objective, LaterGaiaObjective)
    g_opt, d_opt = objective.optimizers["generator"], objective.optimizers["discriminator"]
    assert isinstance(g_opt, torch.optim.Adam) and g_opt.defaults["betas"] == (0.5, 0.999)
    assert isinstance(d_opt, torch.optim.RMSprop) and d_opt.defaults["alpha"] == 0.9
    before = copy.deepcopy(objective)
    x = torch.rand(8, 3, 32, 32)
    scalars = objective.train_step(x, torch.Generator().manual_seed(5))
    weights = chi2_mixing_weights(8, torch.Generator().manual_seed(5))
    losses = before.forward_losses(x, weights)
    g_params, d_params = (
        list(before.generator.parameters()),
        list(before.discriminator.parameters()),
    )
    g_expected = torch.autograd.grad(losses.g_loss, g_params, retain_graph=True)
    d_expected = torch.autograd.grad(losses.d_loss, d_params, retain_graph=True)
    for p, expected in zip(objective.generator.parameters(), g_expected, strict=True):
        torch.testing.assert_close(p.grad, expected)
    for p, expected in zip(objective.discriminator.parameters(), d_expected, strict=True):
        torch.testing.assert_close(p.grad, expected)
    # Each loss depends on the other network too: the ownership is a choice, and it is kept.
    assert any(g.abs().sum() > 0 for g in torch.autograd.grad(losses.d_loss, g_params))
    assert scalars["lr_D"] == scalars["lr_G"] == tiny_params["training"]["lr_max"]  # no balance
