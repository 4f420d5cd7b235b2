"""The convexity analysis keeps the figure's points as a 2-D PCA projection of the latents."""

from __future__ import annotations

import numpy as np

from gaia.analysis.convexity import plane


def test_the_plane_is_the_real_latents_two_widest_directions() -> None:
    rng = np.random.default_rng(0)
    # Real codes spread 3 along axis 2 and 1 along axis 0; the other axes are nearly flat.
    real = rng.normal(size=(4000, 6)) * np.array([1.0, 0.01, 3.0, 0.01, 0.01, 0.01])
    point = np.zeros((1, 6))
    point[0, 2] = 2.0  # 2 along the widest direction: (+-2, 0) in the plane, around the mean
    projected = plane({"real": real, "midpoints": point + real.mean(0)}, seed=0)

    assert projected["real"].shape == (4000, 2) and projected["real"].dtype == np.float32
    np.testing.assert_allclose(np.abs(projected["midpoints"][0]), [2.0, 0.0], atol=0.02)
    np.testing.assert_allclose(projected["explained"], [0.9, 0.1], atol=0.01)
    np.testing.assert_allclose(projected["real"].var(0), [9.0, 1.0], rtol=0.05)
