"""ACAI's lines metrics: hand-computed values and the floor/ceiling sanity checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.transforms.functional import gaussian_blur

from gaia.analysis.lines_metrics import crossfade, lines_metrics, shortest_arc_angles, smoothness
from gaia.data.line_angles import (
    angle_errors,
    drawn_lines,
    line_threshold,
    nearest_reference,
    reference_lines,
)
from gaia.data.lines import render_lines

CFG = {"resolution": 32, "supersample": 4, "line_width": 2.0}


@pytest.fixture(scope="module")
def reference():
    return reference_lines(CFG, count=2000)


def as_images(angles: np.ndarray) -> torch.Tensor:
    flat = render_lines(angles.ravel(), CFG["resolution"], CFG["supersample"], CFG["line_width"])
    return torch.from_numpy(flat).float().div(255).permute(0, 3, 1, 2)


def test_smoothness_by_hand() -> None:
    angles = np.array(
        [
            [0.0, 0.1, 0.2, 0.6],  # steps .1 .1 .4 of .6: 2/3 - 1/3
            [0.0, 0.2, 0.4, 0.6],  # uniform: 0
            [6.2, 2 * np.pi, 0.1, 0.2],  # through 2*pi: unwrapped steps .083 .1 .1 of .283
            [1.0, 1.0, 1.0, 1.0],  # no change: NaN
        ]
    )
    scores = smoothness(angles)
    total = 0.2 + 2 * np.pi - 6.2
    np.testing.assert_allclose(scores[:3], [1 / 3, 0.0, 0.1 / total - 1 / 3], atol=1e-12)
    assert np.isnan(scores[3])


def test_nearest_reference_finds_the_rendered_angle(reference) -> None:
    index = np.array([0, 17, 999, 1500])
    distance, angle = nearest_reference(as_images(reference.angles[index]), reference)
    np.testing.assert_allclose(distance, 0.0, atol=1e-6)
    # neighbouring reference angles can render to identical images (ties): within 3 steps
    np.testing.assert_allclose(angle, reference.angles[index], atol=3 * 2 * np.pi / 2000)


def test_black_image_has_a_finite_distance(reference) -> None:
    distance, _ = nearest_reference(torch.zeros(1, 1, 32, 32), reference)
    assert np.isfinite(distance).all() and distance[0] > 0.01


def test_angular_interpolation_scores_about_zero_and_crossfade_badly(reference) -> None:
    rng = np.random.default_rng(0)
    start, end = rng.uniform(0, 2 * np.pi, 32), rng.uniform(0, 2 * np.pi, 32)
    angles = shortest_arc_angles(start, end)
    perfect = as_images(angles).reshape(32, 16, 1, 32, 32)
    floor = lines_metrics(perfect, reference)
    assert floor["mean_distance"] < 0.02 and floor["smoothness"] < 0.05
    poor = lines_metrics(crossfade(perfect[:, 0], perfect[:, -1]), reference)
    assert poor["mean_distance"] > 10 * floor["mean_distance"]
    assert poor["smoothness"] > 0.2


def test_flat_interpolations_count_as_zero_in_the_mean(reference) -> None:
    same = as_images(np.full(16, reference.angles[3])).reshape(1, 16, 1, 32, 32)
    moving = as_images(shortest_arc_angles(np.array([0.0]), np.array([1.0]))).reshape(
        1, 16, 1, 32, 32
    )
    alone = lines_metrics(moving, reference)["smoothness"]
    both = lines_metrics(torch.cat([same, moving]), reference)
    assert both["flat_interpolations"] == 1
    assert both["smoothness"] == pytest.approx(alone / 2)


def test_angle_accuracy_reads_back_rendered_angles_across_zero(reference) -> None:
    true = np.array([0.01, 2 * np.pi - 0.01, 1.0, 4.0])
    drawn = true + np.radians([2.0, 2.0, -3.0, 0.0])  # the first two wrap around 2*pi
    errors = angle_errors(as_images(np.mod(drawn, 2 * np.pi)), true, reference)
    np.testing.assert_allclose(errors, [2.0, 2.0, 3.0, 0.0], atol=0.6)
    result = drawn_lines(as_images(drawn), true, reference, 15.0, max_distance=1.0)
    assert result["angle_accuracy"] == 1.0 and result["angle_error_median_deg"] < 3.0


def test_angle_accuracy_counts_lines_outside_the_tolerance(reference) -> None:
    true = np.linspace(0.1, 6.0, 8)
    off = np.radians([5, 10, 14, 16, 20, 45, 90, 180])  # the last five miss a 15-degree bar
    result = drawn_lines(as_images(true + off), true, reference, 15.0, max_distance=1.0)
    assert result["angle_accuracy"] == result["drawn_line_accuracy"] == 3 / 8
    assert result["angle_error_median_deg"] == pytest.approx((16 + 20) / 2, abs=0.5)


def test_a_dot_or_a_faint_line_reads_as_expected(reference) -> None:
    true = np.array([0.7, 2.5])
    faint = 0.2 * as_images(true)  # scale-free: a faint line still reads as its angle
    assert drawn_lines(faint, true, reference, 15.0, 1.0)["angle_accuracy"] == 1.0
    dot = torch.zeros(64, 1, 32, 32)
    dot[:, :, 15:17, 15:17] = 1.0  # the centre only: every angle matches it equally badly
    random_angles = np.random.default_rng(0).uniform(0, 2 * np.pi, 64)
    assert drawn_lines(dot, random_angles, reference, 15.0, 1.0)["angle_accuracy"] < 0.3


def test_a_line_is_drawn_and_a_blob_or_a_smear_at_its_angle_is_not(reference) -> None:
    """Known answers: the real line counts; a short blob and a blurred smear read back at the
    right angle (the old judge passed them) but are too far from any true line."""
    true = np.random.default_rng(1).uniform(0, 2 * np.pi, 64)
    threshold = line_threshold(CFG, true, reference, width_tolerance=0.25)
    assert 1e-4 < threshold < 0.006
    real = as_images(true)
    centre = np.hypot(*(np.mgrid[0:32, 0:32] + 0.5 - 16))
    blob = real * torch.from_numpy((centre < 6).astype(np.float32))  # 40% of the line's length
    smear = gaussian_blur(real, kernel_size=9, sigma=1.5)
    for images, drawn in ((real, 1.0), (blob, 0.0), (smear, 0.0)):
        found = drawn_lines(images, true, reference, 15.0, threshold)
        assert found["angle_accuracy"] == 1.0
        assert found["drawn_line_accuracy"] == drawn
