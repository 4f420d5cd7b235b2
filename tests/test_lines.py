"""The lines renderer draws what ACAI's benchmark describes."""

from __future__ import annotations

import numpy as np
import pytest

from gaia.data.lines import generate_split, render_lines


def test_line_geometry_at_known_angles() -> None:
    right, up = render_lines(np.array([0.0, np.pi / 2]), resolution=32, supersample=8)
    assert right.shape == (32, 32, 1) and right.dtype == np.uint8
    # Angle 0 runs right from the centre (16, 16) along rows 15-16, for 15 pixels.
    assert right[15:17, 16:31, 0].min() == 255
    assert right[:15].max() == 0 and right[17:].max() == 0 and right[:, :16].max() == 0
    # Angle pi/2 runs up (towards row 0) along columns 15-16.
    assert up[1:16, 15:17, 0].min() == 255 and up[17:].max() == 0
    # Total ink = width 2 x length 15 pixels.
    assert right.sum() / 255 == pytest.approx(30.0)


@pytest.mark.parametrize("angle", [0.3, 1.1, 2.0, 4.5])
def test_antialiasing_keeps_the_ink_constant(angle: float) -> None:
    image = render_lines(np.array([angle]), resolution=32, supersample=8)[0]
    assert image.sum() / 255 == pytest.approx(30.0, rel=0.02)
    partial = (image > 0) & (image < 255)
    assert partial.any()  # edges are anti-aliased, not jagged


def test_labels_and_determinism() -> None:
    cfg = {"resolution": 32, "supersample": 4, "line_width": 2.0}
    images, labels = generate_split(cfg, 50, np.random.SeedSequence(7), progress=False)
    again, labels_again = generate_split(cfg, 50, np.random.SeedSequence(7), progress=False)
    assert np.array_equal(images, again) and labels.equals(labels_again)
    assert labels["angle"].between(0, 2 * np.pi).all()
    assert (labels["label"] == (10 * labels["angle"] / (2 * np.pi)).astype(int)).all()


def full_grid_lines(angles, resolution: int, supersample: int, line_width: float) -> np.ndarray:
    """The renderer without its quadrant windows: every sub-pixel of every image sampled."""
    size = resolution * supersample
    coords = (np.arange(size, dtype=np.float32) + 0.5) / supersample - resolution / 2.0
    x, y = coords[None, None, :], coords[None, :, None]
    theta = np.asarray(angles, np.float64)[:, None, None]
    dx, dy = np.cos(theta).astype(np.float32), -np.sin(theta).astype(np.float32)
    along, across = x * dx + y * dy, np.abs(x * dy - y * dx)
    length = resolution / 2.0 - 1.0
    inside = (along >= 0.0) & (along <= length) & (across <= line_width / 2.0)
    n = len(theta)
    coverage = inside.reshape(n, resolution, supersample, resolution, supersample).mean((2, 4))
    return np.rint(coverage * 255.0).astype(np.uint8)[..., None]


@pytest.mark.parametrize(
    ("resolution", "supersample", "line_width"),
    [(32, 8, 2.0), (32, 8, 1.5), (32, 8, 2.5), (17, 3, 3.0)],
)
def test_quadrant_windows_draw_exactly_the_full_grid(resolution, supersample, line_width) -> None:
    # Random angles, the axes and the diagonals, where a line touches two quadrants.
    angles = np.concatenate(
        [np.random.default_rng(0).uniform(0.0, 2 * np.pi, 300), np.arange(8) * np.pi / 4]
    )
    fast = render_lines(angles, resolution, supersample, line_width, batch_size=37)
    assert np.array_equal(fast, full_grid_lines(angles, resolution, supersample, line_width))
