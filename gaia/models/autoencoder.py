"""The GAIA networks: a MUNIT-style content/style autoencoder, used for both G and D.

A faithful port of the authors' TF1 `network.py` (docs/method.md §1.2); read top to bottom:

    encoder   content: conv7 -> n_down x (conv4 s2, channels x2) -> n_res ResBlocks(IN)
                       -> [Linear to content_dim]            (G only: D keeps the feature map)
              style:   conv7 -> style_down x conv4 s2 (channels x2 for the first n_down)
                       -> global average pool -> conv1x1 to style_dim
    decoder   [Linear from content_dim, reshape] -> n_res AdaIN ResBlocks driven by an MLP of
              the style code -> n_down x (nearest x2, conv5, LayerNorm, ReLU) -> conv7 -> sigmoid

Conventions of the reference code kept here: reflect padding for every padded conv, ReLU
everywhere (the `activation_fn=elu` argument there is never used), a bias on every conv/linear,
He fan-in truncated-normal init with std sqrt(1.3 * 2 / fan_in) (TF's
variance_scaling_initializer), zero biases, IN eps 1e-5, LayerNorm over (C, H, W) with
per-channel affine (TF contrib layer_norm, eps 1e-12), AdaIN with the "mu" head as the scale
(no "+1") and "sigma" as the shift, one (scale, shift) pair shared by every AdaIN layer.

Two additions for the baselines (not in the reference): `variational` (the VAE) doubles the
last layer of each encoder, whose second half is the code's log-variance; `Critic` (ACAI) is
the content encoder without its dense layer, its feature map averaged to one number.

One deliberate generalisation: the reference computes the decoder's channel count as
`ch * n_sample**2`, equal to the encoder's `ch * 2**n_sample` only for n_sample = 2 (the paper);
here both use `width * 2**n_down`, so other depths stay consistent.
"""

from __future__ import annotations

import math
from dataclasses import replace

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# The sizes of one network; in its own torch-free module so that commands that only read
# parameters (and Snakemake, which resolves experiments) do not load torch.
from gaia.models.config import AutoencoderConfig


class ReflectConv2d(nn.Conv2d):
    """nn.Conv2d(padding_mode="reflect") that pads in its input's dtype.

    Autocast puts reflection padding on its fp32 list, so a bf16 activation would be cast up to
    be padded and cast down again by the conv: two copies per conv, a third of a bf16 training
    step on the CPU (docs/benchmarks.md). Padding copies values, so the forward pass gives the
    same numbers; the backward pass sums the reflected border's gradients in bf16.
    """

    def _conv_forward(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            x = F.pad(x, self._reversed_padding_repeated_twice, mode="reflect")
        return F.conv2d(x, weight, bias, self.stride, 0, self.dilation, self.groups)


def conv(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Conv2d:
    """A conv with the reference's padding: reflect, (kernel - 1) // 2 for odd, 1 for 4x4 s2."""
    pad = (kernel - 1) // 2 if kernel % 2 else 1
    return ReflectConv2d(c_in, c_out, kernel, stride, padding=pad, padding_mode="reflect")


def layer_norm(channels: int) -> nn.GroupNorm:
    """TF contrib layer_norm: statistics over (C, H, W) per sample, affine per channel."""
    return nn.GroupNorm(1, channels, eps=1e-12)


def adain(x: Tensor, scale: Tensor, shift: Tensor, eps: float = 1e-5) -> Tensor:
    """Adaptive instance norm with per-sample, per-channel statistics over H and W.

    F.instance_norm is the fused kernel: one pass, where a separate mean and variance take three.
    """
    return scale[:, :, None, None] * F.instance_norm(x, eps=eps) + shift[:, :, None, None]


class ResBlock(nn.Module):
    """conv3 -> IN -> ReLU -> conv3 -> IN, plus the input (no ReLU after the sum)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv(channels, channels, 3), conv(channels, channels, 3)
        self.norm1 = nn.InstanceNorm2d(channels, affine=True, eps=1e-5)
        self.norm2 = nn.InstanceNorm2d(channels, affine=True, eps=1e-5)

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.norm1(self.conv1(x)))
        return x + self.norm2(self.conv2(y))


class AdaResBlock(nn.Module):
    """conv3 -> AdaIN -> ReLU -> conv3 -> AdaIN, plus the input."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv(channels, channels, 3), conv(channels, channels, 3)

    def forward(self, x: Tensor, scale: Tensor, shift: Tensor) -> Tensor:
        y = F.relu(adain(self.conv1(x), scale, shift))
        return x + adain(self.conv2(y), scale, shift)


class ContentEncoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = [conv(cfg.channels, cfg.width, 7), nn.ReLU()]
        for i in range(cfg.n_down):
            layers += [conv(cfg.width * 2**i, cfg.width * 2 ** (i + 1), 4, 2), nn.ReLU()]
        layers += [ResBlock(cfg.feature_channels) for _ in range(cfg.n_res)]
        self.features = nn.Sequential(*layers)
        flat = cfg.feature_channels * cfg.feature_size**2
        outputs = (2 if cfg.variational else 1) * (cfg.content_dim or 0)
        self.dense = nn.Linear(flat, outputs) if cfg.content_dim else None

    def forward(self, x: Tensor) -> Tensor:
        h = self.features(x)
        return self.dense(h.flatten(1)) if self.dense is not None else h


class StyleEncoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = [conv(cfg.channels, cfg.width, 7), nn.ReLU()]
        channels = cfg.width
        for i in range(cfg.style_down):
            out = channels * 2 if i < cfg.n_down else channels
            layers += [conv(channels, out, 4, 2), nn.ReLU()]
            channels = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(channels, (2 if cfg.variational else 1) * cfg.style_dim, 1)

    def forward(self, x: Tensor) -> Tensor:
        pooled = self.features(x).mean(dim=(2, 3), keepdim=True)
        return self.head(pooled).flatten(1)


class Decoder(nn.Module):
    def __init__(self, cfg: AutoencoderConfig) -> None:
        super().__init__()
        self.cfg = cfg
        c = cfg.feature_channels
        flat = c * cfg.feature_size**2
        self.dense = nn.Linear(cfg.content_dim, flat) if cfg.content_dim else None
        self.style_mlp = nn.Sequential(
            nn.Linear(cfg.style_dim, c), nn.ReLU(), nn.Linear(c, c), nn.ReLU()
        )
        self.scale_head, self.shift_head = nn.Linear(c, c), nn.Linear(c, c)  # "mu", "sigma"
        self.blocks = nn.ModuleList(AdaResBlock(c) for _ in range(cfg.n_res))
        up: list[nn.Module] = []
        for i in range(cfg.n_down):
            channels = c // 2**i
            up += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                conv(channels, channels // 2, 5),
                layer_norm(channels // 2),
                nn.ReLU(),
            ]
        self.up = nn.Sequential(*up)
        self.out = conv(cfg.width, cfg.channels, 7)

    def forward(self, style: Tensor, content: Tensor) -> Tensor:
        cfg = self.cfg
        if self.dense is not None:
            size = cfg.feature_size
            content = self.dense(content).view(-1, cfg.feature_channels, size, size)
        h = self.style_mlp(style)
        scale, shift = self.scale_head(h), self.shift_head(h)
        for block in self.blocks:
            content = block(content, scale, shift)
        return torch.sigmoid(self.out(self.up(content)))


class Autoencoder(nn.Module):
    """x -> (style, content) -> x_hat. G has a dense content code; D (content_dim None) does not."""

    def __init__(self, cfg: AutoencoderConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.content_encoder = ContentEncoder(cfg)
        self.style_encoder = StyleEncoder(cfg)
        self.decoder = Decoder(cfg)
        self.apply(init_weights)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(style, content); a VAE's posterior means."""
        if self.cfg.variational:
            (style, _), (content, _) = self.encode_posterior(x)
            return style, content
        return self.style_encoder(x), self.content_encoder(x)

    def encode_posterior(self, x: Tensor) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
        """A VAE's ((style mean, log-variance), (content mean, log-variance))."""
        if not self.cfg.variational:
            raise ValueError("encode_posterior needs a variational autoencoder")
        style, content = self.style_encoder(x), self.content_encoder(x)
        return style.chunk(2, dim=1), content.chunk(2, dim=1)

    def decode(self, style: Tensor, content: Tensor) -> Tensor:
        return self.decoder(style, content)

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(*self.encode(x))


class Critic(nn.Module):
    """ACAI's critic (acai.py: `disc`, the encoder's architecture at the same depth, its output
    averaged over every position and channel): here the content encoder's convolutions and
    residual blocks, averaged to one number per image."""

    def __init__(self, cfg: AutoencoderConfig) -> None:
        super().__init__()
        self.features = ContentEncoder(replace(cfg, content_dim=None, variational=False))
        self.apply(init_weights)

    def forward(self, x: Tensor) -> Tensor:
        return self.features(x).float().mean(dim=(1, 2, 3))


def init_weights(module: nn.Module) -> None:
    """He fan-in truncated normal (std sqrt(1.3 * 2 / fan_in), cut at 2 std), zero bias."""
    if isinstance(module, nn.Conv2d | nn.Linear):
        fan_in = module.weight[0].numel()
        std = math.sqrt(1.3 * 2.0 / fan_in)
        nn.init.trunc_normal_(module.weight, std=std, a=-2 * std, b=2 * std)
        nn.init.zeros_(module.bias)


def latent_vector(style: Tensor, content: Tensor) -> Tensor:
    """The full latent as the paper's OLS uses it: [z_c | z_s] flattened per sample."""
    return torch.cat([content.flatten(1), style.flatten(1)], dim=1)


def split_latent(z: Tensor, cfg: AutoencoderConfig) -> tuple[Tensor, Tensor]:
    """Inverse of `latent_vector` for generator `cfg`: (style, content) ready for decode()."""
    assert cfg.content_dim is not None, "only a generator (dense content code) has a latent vector"
    return z[:, cfg.content_dim :], z[:, : cfg.content_dim]


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
