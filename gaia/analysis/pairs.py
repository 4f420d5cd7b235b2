"""Random pairs of test latents, their linear interpolations, and nearest-real distances."""

from __future__ import annotations

import numpy as np
import torch

from gaia.utils.seeding import Stream, seeded_generator


def random_pairs(count: int, available: int, seed: int) -> np.ndarray:
    """(count, 2) indices of distinct test images, seeded."""
    generator = seeded_generator(seed, Stream.INTERPOLATION_PAIRS)
    first = torch.randint(available, (count,), generator=generator)
    offset = torch.randint(1, available, (count,), generator=generator)
    return torch.stack([first, (first + offset) % available], dim=1).numpy()


def interpolate_latents(z: np.ndarray, pairs: np.ndarray, alphas: np.ndarray) -> torch.Tensor:
    """(pairs * steps, d): (1 - t) z_first + t z_second for each t in `alphas`, pair-major."""
    a = torch.from_numpy(z[pairs[:, 0]]).unsqueeze(1)
    b = torch.from_numpy(z[pairs[:, 1]]).unsqueeze(1)
    t = torch.from_numpy(np.asarray(alphas, np.float32)).view(1, -1, 1)
    return ((1 - t) * a + t * b).reshape(-1, z.shape[1])


def nearest_distance(
    queries: torch.Tensor, reals: torch.Tensor, exclude_self: bool = False
) -> float:
    """Mean Euclidean distance from each query to its nearest real (itself excluded if asked)."""
    return float(nearest_distances(queries, reals, exclude_self).mean())


def nearest_distances(
    queries: torch.Tensor, reals: torch.Tensor, exclude_self: bool = False
) -> np.ndarray:
    """Euclidean distance from each query to its nearest real (itself excluded if asked)."""
    distances = torch.cdist(queries, reals)
    if exclude_self:
        distances.fill_diagonal_(float("inf"))
    return distances.min(dim=1).values.numpy()
