"""One training step of each model, on top of the networks and the loss functions.

GAIA (docs/method.md §2.6): one forward pass (E_G on X; Dec_G on the real and the
interpolated codes; D on X, G(X) and G(Zi)), then D's Adam minimises L_D over D's parameters
with lr_D and G's Adam minimises L_G over G's parameters with lr_G. By default both gradients come
from the same forward pass and both optimisers step together ("simultaneous", as the reference's
single sess.run); "alternating" updates D first, then recomputes the forward pass for G.

The later GAIA (gaia/train/later_losses.py): the author's later objective on the same networks.

AE: the same generator, trained on a pixel reconstruction loss only, with Adam at lr_max.
VAE and ACAI: the baselines of ACAI's code (gaia/train/baseline_losses.py), on the same
generator (a VAE's encoders also give log-variances) and, for ACAI, a critic.

All keep, where `training.weight_average` asks for it, a moving average of G's weights
(gaia/train/weight_average.py) that the evaluation and the exported model use.

Batched passes: the decoder runs once on [real codes; interpolated codes], D once on X and once
on [G(X); G(Zi)]. Every normalisation here is per sample (instance, layer and adaptive instance
norm), so this equals separate passes and only saves time. D's pass on X is kept apart because
L_G does not read D(X): the backward pass of L_G through D then covers 2B images, not 3B
(docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
from typing import Any

import torch
from torch import Tensor, nn

from gaia.errors import GaiaError
from gaia.experiment import Experiment
from gaia.models.autoencoder import Autoencoder, Critic
from gaia.train.baseline_losses import (
    AcaiConfig,
    VaeConfig,
    acai_alphas,
    acai_losses,
    mix_reversed,
    reparameterise,
    vae_losses,
)
from gaia.train.distributed import SINGLE_PROCESS, Ranks, global_mean_through
from gaia.train.later_losses import (
    LaterGaiaConfig,
    LaterGaiaLosses,
    chi2_mixing_weights,
    later_gaia_losses,
    mix,
)
from gaia.train.losses import (
    GaiaLossConfig,
    balanced_learning_rates,
    gaia_losses,
    interpolate_pairs,
    reconstruction_loss,
    sample_alphas,
)
from gaia.train.weight_average import make_weight_average


def make_adam(module: nn.Module, training: dict[str, Any]) -> torch.optim.Adam:
    adam = training["adam"]
    return torch.optim.Adam(
        module.parameters(),
        lr=training["lr_max"],
        betas=(adam["beta1"], adam["beta2"]),
        eps=adam["eps"],
    )


class Objective:
    """Shared plumbing: the modules, their optimisers, autocast, and the generator's views.
    `ranks`: the data-parallel processes whose gradients each step averages (one by default)."""

    def __init__(
        self,
        exp: Experiment,
        device: torch.device,
        autocast_dtype: torch.dtype | None,
        ranks: Ranks = SINGLE_PROCESS,
    ):
        self.exp = exp
        self.device = device
        self.autocast_dtype = autocast_dtype
        self.ranks = ranks
        self.generator = Autoencoder(exp.generator).to(device)
        self.modules: dict[str, nn.Module] = {"generator": self.generator}
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            "generator": make_adam(self.generator, exp.training)
        }
        self.average = make_weight_average(self.generator, exp.training)
        if self.average is not None:  # saved and resumed with the networks
            self.modules["generator_average"] = self.average.module
        self.add_networks()

    def add_networks(self) -> None:
        """Build the objective's other trained networks (D, the critic), after G."""

    def _add_network(self, name: str, module: nn.Module) -> nn.Module:
        """A trained network besides G, with its own Adam; saved and resumed with the others."""
        module = module.to(self.device)
        self.modules[name] = module
        self.optimizers[name] = make_adam(module, self.exp.training)
        return module

    @property
    def evaluated_generator(self) -> Autoencoder:
        """The weights that the evaluation and the exported model use: the average if any."""
        return self.average.module if self.average is not None else self.generator

    def update_average(self, images_seen: int) -> None:
        if self.average is not None:
            self.average.update(self.generator, images_seen, self.exp.training["batch_size"])

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        raise NotImplementedError

    def _gradients(self, loss: Tensor, name: str, retain_graph: bool = False) -> list[Tensor]:
        """d loss / d (parameters of one network), averaged over the data-parallel ranks; the
        other network's gradients are not taken."""
        params = list(self.modules[name].parameters())
        grads = list(torch.autograd.grad(loss, params, retain_graph=retain_graph))
        return self.ranks.average_gradients(grads)

    def _step(self, name: str, grads: list[Tensor], lr: float) -> None:
        for p, g in zip(self.modules[name].parameters(), grads, strict=True):
            p.grad = g
        optimizer = self.optimizers[name]
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()

    def compile(self, mode: str | bool) -> None:
        """torch.compile the trained networks in place (`training.compile`), after their weights
        are loaded or before, alike: nn.Module.compile keeps the state_dict keys, so checkpoints
        and exported models read the same either way. The weight average is left eager: it only
        runs at evaluation, at other batch sizes."""
        if mode is False:
            return
        # The simultaneous update takes two gradients of one graph (retain_graph=True), which
        # compiled backward passes with donated buffers refuse; donation only saves memory.
        import torch._functorch.config

        torch._functorch.config.donated_buffer = False
        for name, module in self.modules.items():
            if name != "generator_average":
                module.compile(mode=mode)

    @torch.no_grad()
    def views(self, x: Tensor, generator: Autoencoder | None = None) -> dict[str, Tensor]:
        """Images for grids and held-out metrics: G(X) and midpoints (alpha = 0.5) of the pairs
        the training step makes, plus D's reconstructions where there is a D. G is
        `evaluated_generator` unless another is given (the raw weights, for comparison)."""
        generator = self.evaluated_generator if generator is None else generator
        with self.autocast():
            style, content = generator.encode(x)
            half = torch.full((x.shape[0] // 2,), 0.5)
            mid_style = interpolate_pairs(style, half, half)
            mid_content = interpolate_pairs(content, half, half)
            g_x = generator.decode(style, content).float()
            g_mid = generator.decode(mid_style, mid_content).float()
        return {"G(X)": g_x, "G(Z_interp)": g_mid, "X_interp": interpolate_pairs(x, half, half)}


class AEObjective(Objective):
    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        with self.autocast():
            x_hat = self.generator(x)
        loss = reconstruction_loss(x, x_hat, self.exp.objective_params.get("loss", "l1"))
        lr = self.exp.training["lr_max"]
        self._step("generator", self._gradients(loss, "generator"), lr)
        return {"L_recon": float(loss.detach()), "lr_G": lr}


class VaeObjective(Objective):
    """The VAE baseline (gaia/train/baseline_losses.py): G's encoders give Gaussian posteriors
    of both codes, G decodes one sample of each (reparameterised, noise from the step's seeded
    generator); evaluation and latents use the posterior means."""

    def _noise(self, shape: torch.Size, rng: torch.Generator) -> Tensor:
        """N(0, 1) noise for this rank's share of the global batch."""
        world = self.ranks.world_size
        return self.ranks.shard(torch.randn((shape[0] * world, *shape[1:]), generator=rng))

    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        with self.autocast():
            posteriors = self.generator.encode_posterior(x)
            style, content = (
                reparameterise(mean, log_var, self._noise(mean.shape, rng))
                for mean, log_var in posteriors
            )
            x_hat = self.generator.decode(style, content)
        beta = VaeConfig(**self.exp.objective_params).beta
        losses = vae_losses(x, x_hat, list(posteriors), beta)
        lr = self.exp.training["lr_max"]
        self._step("generator", self._gradients(losses.loss, "generator"), lr)
        return {**losses.scalars(), "lr_G": lr}


class AcaiObjective(Objective):
    """ACAI (gaia/train/baseline_losses.py): the AE plus a critic that regresses the mixing
    coefficient of decoded interpolants; both updated from one forward pass at lr_max, each
    on its own loss (acai.py's two Adam optimisers, run together)."""

    def add_networks(self) -> None:
        self.critic = self._add_network("critic", Critic(self.exp.generator))

    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        settings = AcaiConfig(**self.exp.objective_params)
        alpha = self.ranks.shard(acai_alphas(x.shape[0] * self.ranks.world_size, rng))
        alpha = alpha.to(self.device)
        batch = x.shape[0]
        with self.autocast():
            style, content = self.generator.encode(x)
            decoded = self.generator.decode(
                torch.cat([style, mix_reversed(style, alpha)]),
                torch.cat([content, mix_reversed(content, alpha)]),
            )
            x_hat, x_mix = decoded[:batch], decoded[batch:]
            gamma = settings.critic_reg
            regularised = x_hat + gamma * (x - x_hat)  # acai.py: ae + reg * (x - ae)
            critic_mix, critic_real = self.critic(torch.cat([x_mix, regularised])).split(batch)
        losses = acai_losses(x, x_hat, critic_mix, critic_real, alpha, settings.adversarial_weight)
        lr = self.exp.training["lr_max"]
        g_grads = self._gradients(losses.ae_loss, "generator", retain_graph=True)
        critic_grads = self._gradients(losses.critic_loss, "critic")
        self._step("generator", g_grads, lr)
        self._step("critic", critic_grads, lr)
        return {**losses.scalars(), "lr_G": lr}


class GaiaObjective(Objective):
    def add_networks(self) -> None:
        assert self.exp.discriminator is not None
        self.discriminator = self._add_network("discriminator", Autoencoder(self.exp.discriminator))
        params = dict(self.exp.objective_params)
        self.update = params.pop("update", "simultaneous")
        self.loss_cfg = GaiaLossConfig(**params)
        self.global_mean = global_mean_through(self.ranks)

    def forward_losses(self, x: Tensor, alpha1: Tensor, alpha2: Tensor):
        batch = x.shape[0]
        with self.autocast():
            style, content = self.generator.encode(x)
            mix_style = interpolate_pairs(style, alpha1, alpha2)
            mix_content = interpolate_pairs(content, alpha1, alpha2)
            decoded = self.generator.decode(
                torch.cat([style, mix_style]), torch.cat([content, mix_content])
            )
            g_x, g_interp = decoded[:batch], decoded[batch:]
            d_x = self.discriminator(x)
            d_gx, d_g_interp = self.discriminator(decoded).split(batch)
        return gaia_losses(
            x, d_x, d_gx, g_interp, d_g_interp, content, self.loss_cfg, g_x, self.global_mean
        )

    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        # The global batch's alphas, then this rank's share: the same draws as one process.
        alpha1, alpha2 = sample_alphas(x.shape[0] * self.ranks.world_size // 2, rng)
        alpha1, alpha2 = self.ranks.shard(alpha1), self.ranks.shard(alpha2)
        losses = self.forward_losses(x, alpha1, alpha2)
        lr_d, lr_g = balanced_learning_rates(float(losses.d_share), self.exp.training["lr_max"])
        if self.update == "simultaneous":  # both gradients before either network changes
            d_grads = self._gradients(losses.d_loss, "discriminator", retain_graph=True)
            g_grads = self._gradients(losses.g_loss, "generator")
            self._step("discriminator", d_grads, lr_d)
            self._step("generator", g_grads, lr_g)
        else:  # alternating: D steps, then G steps on a fresh forward pass through the new D
            self._step("discriminator", self._gradients(losses.d_loss, "discriminator"), lr_d)
            after_d_step = self.forward_losses(x, alpha1, alpha2)
            self._step("generator", self._gradients(after_d_step.g_loss, "generator"), lr_g)
        return {**losses.scalars(), "lr_D": lr_d, "lr_G": lr_g}

    @torch.no_grad()
    def views(self, x: Tensor, generator: Autoencoder | None = None) -> dict[str, Tensor]:
        views = super().views(x, generator)
        with self.autocast():
            batch = x.shape[0]
            both = torch.cat([x, views["G(X)"], views["G(Z_interp)"]])
            d_x, d_gx, d_mid = self.discriminator(both).float().split(batch)
        return {**views, "D(X)": d_x, "D(G(X))": d_gx, "D(G(Z_interp))": d_mid}


class LaterGaiaObjective(GaiaObjective):
    """The author's later GAIA (gaia/train/later_losses.py): D reconstructs G(X) as X and is
    adversarial on interpolants only, which mix the whole batch; G and D step together from one
    forward pass at lr_max, G with Adam(beta_1 0.5), D with RMSprop (the notebook's; Keras'
    defaults otherwise: beta_2 0.999, rho 0.9, epsilon 1e-7; TF adds RMSprop's epsilon inside
    the square root, torch outside, a difference of 1e-7 in the denominator)."""

    def add_networks(self) -> None:
        assert self.exp.discriminator is not None
        if self.ranks.world_size > 1:
            raise GaiaError(
                f"{self.exp.name}: the later GAIA mixes codes across the whole batch, which is "
                "not split over processes; train it with training.processes: 1"
            )
        self.discriminator = self._add_network("discriminator", Autoencoder(self.exp.discriminator))
        self.config = LaterGaiaConfig(**self.exp.objective_params)
        lr = self.exp.training["lr_max"]
        self.optimizers["generator"] = torch.optim.Adam(
            self.generator.parameters(), lr=lr, betas=(self.config.generator_beta1, 0.999), eps=1e-7
        )
        if self.config.discriminator_optimizer == "rmsprop":
            self.optimizers["discriminator"] = torch.optim.RMSprop(
                self.discriminator.parameters(), lr=lr, alpha=0.9, eps=1e-7
            )

    def forward_losses(self, x: Tensor, weights: Tensor) -> LaterGaiaLosses:  # type: ignore[override]
        batch = x.shape[0]
        with self.autocast():
            style, content = self.generator.encode(x)
            decoded = self.generator.decode(
                torch.cat([style, mix(style, weights)]), torch.cat([content, mix(content, weights)])
            )
            g_x, g_interp = decoded[:batch], decoded[batch:]
            d_x = self.discriminator(x)
            d_gx, d_g_interp = self.discriminator(decoded).split(batch)
        return later_gaia_losses(x, g_x, d_x, d_gx, g_interp, d_g_interp, self.config.alpha)

    def train_step(self, x: Tensor, rng: torch.Generator) -> dict[str, float]:
        losses = self.forward_losses(x, chi2_mixing_weights(x.shape[0], rng).to(self.device))
        lr = self.exp.training["lr_max"]
        d_grads = self._gradients(losses.d_loss, "discriminator", retain_graph=True)
        g_grads = self._gradients(losses.g_loss, "generator")
        self._step("discriminator", d_grads, lr)
        self._step("generator", g_grads, lr)
        return {**losses.scalars(), "lr_D": lr, "lr_G": lr}


OBJECTIVES: dict[str, type[Objective]] = {
    "gaia": GaiaObjective,
    "gaia_later": LaterGaiaObjective,
    "ae": AEObjective,
    "vae": VaeObjective,
    "acai": AcaiObjective,
}
