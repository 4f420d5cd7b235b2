"""The rank correlation of latent and pixel distances: known answers."""

from __future__ import annotations

import numpy as np

from gaia.analysis.distance_structure import distance_correlation


def test_codes_that_keep_the_pixels_order_correlate_fully_and_random_codes_do_not() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(300, 8, 8, 3), dtype=np.uint8)
    first = rng.integers(0, 300, 500)
    pairs = np.stack([first, (first + rng.integers(1, 300, 500)) % 300], axis=1)
    faithful = distance_correlation(images, images.reshape(300, -1) * 0.5, pairs)
    assert faithful["distance_correlation"] > 0.999 and faithful["distance_pairs"] == 500
    unrelated = distance_correlation(images, rng.normal(size=(300, 16)), pairs)
    assert unrelated["distance_correlation_ci_low"] < 0 < unrelated["distance_correlation_ci_high"]
