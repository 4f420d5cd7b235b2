"""The image sets FID/KID compares with the real test images, made from a model's test latents.

    recon   G(X): reconstructions of a seeded sample of test images (each at most once)
    interp  decoded midpoints (alpha = 0.5) of random test pairs (the pairs of
            `interpolation-metrics` with the same seed)
    edits   OLS attribute edits: test face i gets attribute i mod A flipped, z - k v_a when it has
            the attribute, z + k v_a when not (faces cycle when more are asked than exist)

Every sample is a prefix of one seeded order, so a smaller count (Inception's) uses the first
images of a larger one (the domain extractor's).
"""

from __future__ import annotations

import numpy as np
import torch

from gaia.analysis.pairs import interpolate_latents, random_pairs
from gaia.models.autoencoder import Autoencoder, split_latent
from gaia.utils.batching import map_batches, module_device
from gaia.utils.images import to_uint8
from gaia.utils.seeding import Stream, seeded_generator

SETS = ("recon", "interp", "edits")


def sample_order(count: int, available: int, seed: int, stream: Stream, cycle: bool = False):
    """The first `count` indices of a seeded permutation of range(available); with `cycle`,
    the permutation repeats to reach `count`, otherwise the sample stops at `available`."""
    order = torch.randperm(available, generator=seeded_generator(seed, stream)).numpy()
    if not cycle:
        return order[:count]
    return np.resize(order, count)


def set_size(name: str, count: int, available: int) -> int:
    """How many images set `name` has when `count` are asked from `available` test images."""
    return min(count, available) if name == "recon" else count


def edit_latents(
    latents: np.ndarray, attributes: np.ndarray, vectors: np.ndarray, scale: float, order
) -> np.ndarray:
    """z_i +/- scale * v_a for faces `order` and attributes a = i mod A, flipping each."""
    faces = np.asarray(order)
    which = np.arange(len(faces)) % vectors.shape[0]
    present = attributes[faces, which].astype(bool)
    sign = np.where(present, -1.0, 1.0)[:, None]
    return (latents[faces] + sign * scale * vectors[which]).astype(np.float32)


def set_latents(
    name: str,
    latents: np.ndarray,
    count: int,
    seed: int,
    attributes: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
    scale: float = 1.0,
) -> torch.Tensor:
    """The latents whose decodings form image set `name`."""
    available = len(latents)
    if name == "recon":
        z = latents[sample_order(count, available, seed, Stream.FID_RECON)]
        return torch.from_numpy(np.ascontiguousarray(z, np.float32))
    if name == "interp":
        return interpolate_latents(latents, random_pairs(count, available, seed), [0.5])
    if name == "edits":
        if attributes is None or vectors is None:
            raise ValueError("the edits set needs test attributes and attribute vectors")
        order = sample_order(count, available, seed, Stream.FID_EDITS, cycle=True)
        return torch.from_numpy(edit_latents(latents, attributes, vectors, scale, order))
    raise ValueError(f"unknown image set {name!r}; known sets: {SETS}")


def generate_set(generator: Autoencoder, z: torch.Tensor, batch_size: int) -> torch.Tensor:
    """uint8 (N, C, H, W) decodings of latents, on the CPU (converted batch by batch: 10,000
    float images at 128x128 would take 2 GB)."""

    def decode(batch: torch.Tensor) -> torch.Tensor:
        return to_uint8(generator.decode(*split_latent(batch, generator.cfg)))

    return map_batches(decode, z, batch_size, module_device(generator))
