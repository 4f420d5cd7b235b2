"""GAIA's objective on hand-made tensors with known answers (docs/method.md §2)."""

from __future__ import annotations

import math

import pytest
import torch

from gaia.train.losses import (
    GaiaLossConfig,
    balanced_learning_rates,
    distance_loss,
    gaia_losses,
    interpolate_pairs,
    l1,
    reconstruction_loss,
    sample_alphas,
)


def sigmoid(u: float) -> float:
    return 1 / (1 + math.exp(-u))


def test_interpolation_pairs_first_half_with_second_and_reversed() -> None:
    z = torch.arange(6, dtype=torch.float32).view(6, 1) * 10  # codes 0, 10, ..., 50
    ones, zeros = torch.ones(3), torch.zeros(3)
    # alpha 1 picks the first half: mid1 = A in order, mid2 = A reversed.
    assert interpolate_pairs(z, ones, ones).flatten().tolist() == [0, 10, 20, 20, 10, 0]
    # alpha 0 picks the second half in both pairings.
    assert interpolate_pairs(z, zeros, zeros).flatten().tolist() == [30, 40, 50, 30, 40, 50]
    a1, a2 = torch.tensor([0.25, 0.5, 1.5]), torch.tensor([-0.5, 0.0, 0.75])
    expected = [
        0.25 * 0 + 0.75 * 30,
        0.5 * 10 + 0.5 * 40,
        1.5 * 20 - 0.5 * 50,  # unclipped: extrapolation
        -0.5 * 20 + 1.5 * 30,  # pairs A[2] with C[0]
        0.0 * 10 + 1.0 * 40,
        0.75 * 0 + 0.25 * 50,
    ]
    assert interpolate_pairs(z, a1, a2).flatten().tolist() == pytest.approx(expected)


def test_interpolation_keeps_shape_of_feature_maps() -> None:
    z = torch.randn(4, 3, 2, 2)
    half = torch.full((2,), 0.5)
    mixed = interpolate_pairs(z, half, half)
    assert mixed.shape == z.shape
    torch.testing.assert_close(mixed[0], (z[0] + z[2]) / 2)
    torch.testing.assert_close(mixed[2], (z[1] + z[2]) / 2)
    with pytest.raises(ValueError, match="even batch"):
        interpolate_pairs(torch.randn(5, 2), half, half)


def test_alpha_statistics() -> None:
    a1, a2 = sample_alphas(200_000, torch.Generator().manual_seed(0))
    alphas = torch.cat([a1, a2])
    assert alphas.mean().item() == pytest.approx(0.5, abs=0.003)
    assert alphas.std().item() == pytest.approx(0.25, abs=0.003)
    outside = ((alphas < 0) | (alphas > 1)).float().mean().item()
    assert outside == pytest.approx(0.0455, abs=0.002)  # 2 * Phi(-2): extrapolation happens
    assert not torch.equal(a1, a2)


def constant(value: float, shape: tuple[int, ...] = (4, 3, 2, 2)) -> torch.Tensor:
    return torch.full(shape, value)


def test_each_loss_term_on_hand_made_tensors() -> None:
    x = constant(0.0)
    content = torch.randn(4, 8)
    losses = gaia_losses(
        x=x,
        d_x=constant(0.1),  # L_real = 0.1
        d_gx=constant(0.3),  # L_gr = 0.3 (target is the real X)
        g_interp=constant(0.5),
        d_g_interp=constant(0.7),  # L_gi = 0.2 (target is the interpolant itself)
        content=content,
        cfg=GaiaLossConfig(),
    )
    s = losses.scalars()
    assert s["L_real"] == pytest.approx(0.1) and s["L_gr"] == pytest.approx(0.3)
    assert s["L_gi"] == pytest.approx(0.2) and s["L_fake"] == pytest.approx(0.25)
    assert s["p_fake"] == pytest.approx(sigmoid(20 * (0.5 * 0.2 - 0.1)))  # = 0.5
    assert s["L_D"] == pytest.approx(0.1 - 0.5 * 0.25)
    p_s = sigmoid(20 * (0.2 - 0.3))
    assert s["p_s"] == pytest.approx(p_s)
    expected_g = p_s * 0.2 + (1 - p_s) * 0.3 + 5e-5 * s["L_dist"]
    assert s["L_G"] == pytest.approx(expected_g)
    assert float(losses.d_share) == pytest.approx(sigmoid(20 * (0.1 - 0.25)))


def test_recon_weight_deviation_adds_a_direct_pixel_term() -> None:
    args = dict(x=constant(0.0), d_x=constant(0.1), d_gx=constant(0.3), g_interp=constant(0.5))
    args |= dict(d_g_interp=constant(0.7), content=torch.randn(4, 8))
    g_x = constant(0.25).requires_grad_()
    faithful = gaia_losses(**args, cfg=GaiaLossConfig(), g_x=g_x)
    deviation = gaia_losses(**args, cfg=GaiaLossConfig(recon_weight=2.0), g_x=g_x)
    assert float((deviation.g_loss - faithful.g_loss).detach()) == pytest.approx(2.0 * 0.25)
    assert float(deviation.d_loss) == pytest.approx(float(faithful.d_loss))
    assert not faithful.g_loss.requires_grad  # the authors' L_G does not read G(X) directly
    (grad,) = torch.autograd.grad(deviation.g_loss, g_x)
    assert grad.sum().item() == pytest.approx(2.0)  # d(w * mean|0 - G(X)|) = w over the mean
    with pytest.raises(ValueError, match="g_x"):
        gaia_losses(**args, cfg=GaiaLossConfig(recon_weight=1.0))


def test_mse_pixel_loss_deviation_squares_every_reconstruction_term() -> None:
    args = dict(x=constant(0.0), d_x=constant(0.1), d_gx=constant(0.3), g_interp=constant(0.5))
    args |= dict(d_g_interp=constant(0.7), content=torch.randn(4, 8), g_x=constant(0.2))
    s = gaia_losses(**args, cfg=GaiaLossConfig(pixel_loss="mse", recon_weight=1.0)).scalars()
    assert s["L_real"] == pytest.approx(0.01) and s["L_gr"] == pytest.approx(0.09)
    assert s["L_gi"] == pytest.approx(0.04)
    p_s = sigmoid(20 * (0.04 - 0.09))
    expected = p_s * 0.04 + (1 - p_s) * 0.09 + 5e-5 * s["L_dist"] + 0.2**2
    assert s["L_G"] == pytest.approx(expected)


def losses_from(real: float, fake_from_real: float, interp: float, **options: bool):
    """GAIA's terms for X = 0 and constant D outputs: L_real = real, L_gr = fake_from_real,
    L_gi = interp (the interpolant is 0, D's reconstruction of it is `interp`)."""
    zero = constant(0.0)
    return gaia_losses(
        zero,
        constant(real),
        constant(fake_from_real),
        zero,
        constant(interp),
        torch.randn(4, 3),
        GaiaLossConfig(**options),
    )


def test_p_fake_and_losses_are_clipped() -> None:
    losses = losses_from(0.05, 0.1, 0.6)
    assert float(losses.p_fake) == pytest.approx(0.9)  # sigma(20 * 0.25) = 0.993, clipped
    assert float(losses_from(3.0, 0.0, 0.0).d_loss) == 1.0  # L_real = 3 clipped to 1
    unclipped = losses_from(3.0, 0.0, 0.0, clip_losses=False)
    assert float(unclipped.d_loss) == pytest.approx(3.0)


def test_balance_gradients_are_kept_unless_detached() -> None:
    d_x = constant(0.1).requires_grad_()
    args = (constant(0.0), d_x, constant(0.3), constant(0.5), constant(0.7), torch.randn(4, 8))
    kept = gaia_losses(*args, cfg=GaiaLossConfig())
    (grad_kept,) = torch.autograd.grad(kept.d_loss, d_x)
    detached = gaia_losses(*args, cfg=GaiaLossConfig(detach_balance=True))
    (grad_detached,) = torch.autograd.grad(detached.d_loss, d_x)
    # With p_fake attached, d L_D / d L_real = 1 - L_fake * dp_fake/dL_real = 1 + 20 p(1-p) L_fake.
    n = d_x.numel()
    assert grad_detached.sum().item() == pytest.approx(1.0, rel=1e-5)
    assert grad_kept.sum().item() == pytest.approx(1 + 20 * 0.25 * 0.25, rel=1e-5)
    assert grad_kept.shape == (4, 3, 2, 2) and n == 48


def test_balanced_learning_rates() -> None:
    for share in (0.0, 0.3, 0.5, 0.97):
        lr_d, lr_g = balanced_learning_rates(share, 1e-4)
        assert lr_d + lr_g == pytest.approx(1e-4)
    # D reconstructs real images worse than fakes (L_real > L_fake): D is losing, its lr rises.
    losing = losses_from(0.3, 0.1, 0.1)
    lr_d, lr_g = balanced_learning_rates(float(losing.d_share), 1e-4)
    assert lr_d > lr_g


def test_distance_loss_is_zero_for_proportional_distances() -> None:
    torch.manual_seed(0)
    x = torch.rand(8, 3, 4, 4)
    q, _ = torch.linalg.qr(torch.randn(48, 48))
    z = 7.0 * x.flatten(1) @ q  # rotated and scaled: distances proportional
    assert distance_loss(x, z).item() == pytest.approx(0.0, abs=1e-6)
    z_wrong = torch.randn(8, 48)
    assert distance_loss(x, z_wrong).item() > 1e-3


def test_distance_loss_known_answer() -> None:
    # Two samples: dX = dZ pattern [[0, a], [a, 0]] normalises to [[0, 2], [2, 0]] for any a.
    x = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    z = torch.tensor([[0.0], [5.0]])
    assert distance_loss(x, z).item() == pytest.approx(0.0, abs=1e-7)
    # Three samples with different geometry: compare with a direct computation.
    x = torch.tensor([[0.0], [1.0], [3.0]])
    z = torch.tensor([[0.0], [2.0], [3.0]])
    dx = (x - x.T) ** 2
    dz = (z - z.T) ** 2
    dx, dz = dx / dx.mean(), dz / dz.mean()
    expected = ((torch.log1p(dx) - torch.log1p(dz)) ** 2).mean()
    assert distance_loss(x, z).item() == pytest.approx(expected.item(), rel=1e-5)


def test_reconstruction_losses() -> None:
    a, b = constant(0.2), constant(0.5)
    assert l1(a, b).item() == pytest.approx(0.3)
    assert reconstruction_loss(a, b, "mse").item() == pytest.approx(0.09)
    with pytest.raises(ValueError, match="unknown reconstruction loss"):
        reconstruction_loss(a, b, "huber")
