"""The networks match the reference architecture: sizes, parameter counts, building blocks."""

from __future__ import annotations

import math

import pytest
import torch

from gaia.experiment import resolve_experiment
from gaia.models.autoencoder import (
    AdaResBlock,
    Autoencoder,
    AutoencoderConfig,
    adain,
    conv,
    count_parameters,
    init_weights,
    latent_vector,
    layer_norm,
)


def paper_configs(default_params: dict) -> tuple[AutoencoderConfig, AutoencoderConfig]:
    preset = default_params["presets"]["paper"]
    g = AutoencoderConfig(resolution=128, channels=3, **preset["generator"])
    d = AutoencoderConfig(resolution=128, channels=3, **preset["discriminator"], content_dim=None)
    return g, d


def test_paper_preset_parameter_counts(default_params: dict) -> None:
    """docs/method.md §1.3: G about 283.07 M (268.7 M in the two dense layers), D about 3.67 M."""
    g_cfg, d_cfg = paper_configs(default_params)
    with torch.device("meta"):  # count without allocating 1.1 GB
        g, d = Autoencoder(g_cfg), Autoencoder(d_cfg)
    assert count_parameters(g) == 283_065_859
    assert count_parameters(d) == 3_667_715
    dense = count_parameters(g.content_encoder.dense) + count_parameters(g.decoder.dense)
    assert dense == 134_218_240 + 134_479_872
    assert count_parameters(g.style_encoder) == 2_894_464


def test_paper_preset_forward_on_cpu(default_params: dict) -> None:
    g_cfg, d_cfg = paper_configs(default_params)
    torch.manual_seed(0)
    with torch.device("meta"):  # skip the 283 M-weight initialisation (20 s): shapes are tested
        g, d = Autoencoder(g_cfg), Autoencoder(d_cfg)
    for net in (g, d):
        net.to_empty(device="cpu")
        for tensor in net.parameters():
            torch.nn.init.uniform_(tensor, -0.01, 0.01)
    x = torch.rand(2, 3, 128, 128)
    with torch.no_grad():
        style, content = g.encode(x)
        assert style.shape == (2, 512) and content.shape == (2, 512)
        assert latent_vector(style, content).shape == (2, 1024)
        g_x = g.decode(style, content)
        d_style, d_content = d.encode(g_x)
        assert d_content.shape == (2, 128, 32, 32)  # D has no bottleneck
        out = d.decode(d_style, d_content)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("dataset", ["synthfaces", "lines"])
def test_small_preset_builds_for_each_dataset(default_params: dict, dataset: str) -> None:
    exp = resolve_experiment(default_params, f"{dataset}/gaia")
    g, d = Autoencoder(exp.generator), Autoencoder(exp.discriminator)
    x = torch.rand(4, exp.generator.channels, 32, 32)
    assert d(g(x)).shape == x.shape


def test_adain_known_answer() -> None:
    x = torch.tensor([[[[1.0, 3.0], [5.0, 7.0]]]])  # mean 4, population std sqrt(5)
    out = adain(x, scale=torch.tensor([[2.0]]), shift=torch.tensor([[10.0]]))
    expected = 2.0 * (x - 4.0) / math.sqrt(5.0 + 1e-5) + 10.0
    torch.testing.assert_close(out, expected)


def test_layer_norm_is_over_channels_and_space() -> None:
    x = torch.randn(3, 4, 5, 5) * 3 + 2
    y = layer_norm(4)(x)
    torch.testing.assert_close(y.mean(dim=(1, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(
        y.var(dim=(1, 2, 3), unbiased=False), torch.ones(3), atol=1e-4, rtol=0
    )


def test_adaptive_block_uses_one_scale_shift_pair_and_reflect_padding() -> None:
    block = AdaResBlock(8)
    assert block.conv1.padding_mode == "reflect" and block.conv1.padding == (1, 1)
    x = torch.randn(2, 8, 6, 6)
    zero = torch.zeros(2, 8)
    torch.testing.assert_close(block(x, zero, zero), x)  # scale 0, shift 0: residual only


def test_init_is_truncated_he_fan_in() -> None:
    layer = torch.nn.Conv2d(64, 64, 3)
    torch.manual_seed(0)
    init_weights(layer)
    std = math.sqrt(1.3 * 2 / (64 * 9))
    assert layer.weight.abs().max() <= 2 * std
    assert layer.weight.std().item() == pytest.approx(std * 0.88, rel=0.05)  # truncation
    assert layer.bias.abs().max() == 0


@pytest.mark.parametrize("kernel,stride", [(3, 1), (4, 2), (7, 1)])
def test_reflect_conv_matches_torch_reflect_padding(kernel: int, stride: int) -> None:
    """The bf16-keeping padded conv gives exactly nn.Conv2d(padding_mode="reflect")'s numbers,
    in fp32 and under bf16 autocast, and keeps a bf16 activation in bf16."""
    torch.manual_seed(0)
    ours = conv(8, 4, kernel, stride)
    reference = torch.nn.Conv2d(8, 4, kernel, stride, ours.padding, padding_mode="reflect")
    reference.load_state_dict(ours.state_dict())
    x = torch.randn(2, 8, 16, 16).contiguous(memory_format=torch.channels_last)
    assert torch.equal(ours(x), reference(x))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        x16 = x.bfloat16()
        assert ours(x16).dtype == torch.bfloat16
        assert torch.equal(ours(x16), reference(x16))
