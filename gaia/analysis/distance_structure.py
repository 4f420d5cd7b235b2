"""Does the latent space keep the data's pairwise structure? What GAIA's distance regulariser is
for (docs/method.md §2.5): latent distances like pixel distances, pair by pair.

Over random test pairs, the Spearman rank correlation between the squared pixel distance of two
images and the squared distance of their content codes (the code the regulariser acts on), with
an approximate 95% interval from Fisher's z (standard error 1.06 / sqrt(n - 3), Fieller et al.
1957). 1: the latent space orders pairs exactly as the pixels do.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def distance_correlation(
    images: np.ndarray, content: np.ndarray, pairs: np.ndarray
) -> dict[str, float]:
    """distance_correlation (Spearman) with distance_correlation_ci_low/high, and the pairs."""
    first, second = pairs[:, 0], pairs[:, 1]
    flat = images.reshape(len(images), -1).astype(np.float64)
    pixel = ((flat[first] - flat[second]) ** 2).mean(axis=1)
    latent = ((content[first] - content[second]).astype(np.float64) ** 2).mean(axis=1)
    rho = float(stats.spearmanr(pixel, latent).statistic)
    n = len(pairs)
    half = 1.959964 * 1.06 / np.sqrt(n - 3)
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    return {
        "distance_correlation": rho,
        "distance_correlation_ci_low": float(np.tanh(z - half)),
        "distance_correlation_ci_high": float(np.tanh(z + half)),
        "distance_pairs": n,
    }
