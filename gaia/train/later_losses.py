"""The author's later GAIA (timsainb/AVGN, nightly branch at 24478112, avgn/networks/gaia4.py),
term by term. An experimental variant of the author's, not the paper's GAIA (docs/method.md §11).

    interpolants   each of the B codes of a batch mixes all B: Zi[j] = sum_i W[i, j] Z[i], W
                   drawn from Chi2(df = 1/B) and each column divided by its sum (l.100-108)
    errors         mean squared errors (`regularization`, l.37-38)
    L_G            |X - D(G(X))| + |X - G(X)| + alpha |G(Zi) - D(G(Zi))|       (l.70)
    L_D            |X - D(G(X))| + |X - D(X)| - alpha |G(Zi) - D(G(Zi))|       (l.71)

So D learns to turn G(X) back into X, G to reconstruct X both directly and through D, and the
two are adversaries on interpolants only. No learning-rate balancing (commented out, l.74-75);
G's optimiser is Adam(beta_1 0.5) and D's RMSprop, both at one learning rate (the notebook
keras-gaia4-working-nobalance-alpha, cell 14: 1e-3, alpha 0.75).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from gaia.train.losses import mse


@dataclass(frozen=True)
class LaterGaiaConfig:
    alpha: float = 0.75  # the notebook's (its sibling notebooks run 0.0 and 0.5)
    generator_beta1: float = 0.5  # tf.keras.optimizers.Adam(lr, beta_1=0.5)
    discriminator_optimizer: str = "rmsprop"  # tf.keras.optimizers.RMSprop(lr)


def chi2_mixing_weights(batch: int, rng: torch.Generator) -> Tensor:
    """A (batch, batch) matrix whose column j gives interpolant j's weights over the batch:
    Chi2(df = 1/batch) draws, each column divided by its sum. With so few degrees of freedom
    one or two codes dominate each mixture. Drawn in float64 by numpy from a seed taken from
    `rng` (torch has no seeded gamma sampler), so a step's weights depend on its seed alone."""
    seed = int(torch.randint(0, 2**62, (1,), generator=rng))
    draws = np.random.default_rng(seed).chisquare(1.0 / batch, size=(batch, batch))
    totals = draws.sum(axis=0, keepdims=True)
    # A column of underflows (probability about 0.06**batch) takes its code alone.
    empty = totals[0] == 0.0
    draws[:, empty] = np.eye(batch)[:, empty]
    weights = draws / draws.sum(axis=0, keepdims=True)
    return torch.from_numpy(weights).float()


def mix(z: Tensor, weights: Tensor) -> Tensor:
    """Zi[j] = sum_i weights[i, j] z[i] (tf.transpose(tf.tensordot(tf.transpose(z), ip, 1)))."""
    return (weights.to(z.dtype).T @ z.flatten(1)).view_as(z)


@dataclass
class LaterGaiaLosses:
    g_loss: Tensor
    d_loss: Tensor
    recon: Tensor  # |X - G(X)|
    d_recon_of_g: Tensor  # |X - D(G(X))|
    d_real: Tensor  # |X - D(X)|
    d_interp: Tensor  # |G(Zi) - D(G(Zi))|

    def scalars(self) -> dict[str, float]:
        return {
            "L_G": float(self.g_loss.detach()),
            "L_D": float(self.d_loss.detach()),
            "L_recon": float(self.recon.detach()),
            "L_D_gx_to_x": float(self.d_recon_of_g.detach()),
            "L_D_real": float(self.d_real.detach()),
            "L_D_interp": float(self.d_interp.detach()),
        }


def later_gaia_losses(
    x: Tensor, g_x: Tensor, d_x: Tensor, d_gx: Tensor, g_interp: Tensor, d_g_interp: Tensor,
    alpha: float,
) -> LaterGaiaLosses:  # fmt: skip
    """gaia4.py's compute_loss and compute_gradients (l.57-71)."""
    recon = mse(x, g_x)
    d_recon_of_g = mse(x, d_gx)
    d_real = mse(x, d_x)
    d_interp = mse(g_interp, d_g_interp)
    return LaterGaiaLosses(
        g_loss=d_recon_of_g + recon + alpha * d_interp,
        d_loss=d_recon_of_g + d_real - alpha * d_interp,
        recon=recon,
        d_recon_of_g=d_recon_of_g,
        d_real=d_real,
        d_interp=d_interp,
    )
