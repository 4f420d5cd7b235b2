"""Read the angle back from an image of the lines dataset: the inverse of `render_lines`.

An image is matched to the nearest of N rendered reference lines (angles linspace(0, 2*pi -
2*pi/N, N)) by cosine distance on the flattened pixels, as ACAI's metrics do (docs/method.md
§8.3). Pixels are mapped to [-1, 1] first, ACAI's range: in [0, 1] an all-black image is the zero
vector, whose cosine distance is undefined, while in [-1, 1] it is a (bad) image with a
well-defined distance to every line. The distance is scale-free, so a faint line at the right
angle reads as that angle, and a dot or a blob reads as an arbitrary one.

Used by the ACAI metrics of interpolations (gaia/analysis/lines_metrics.py) and by the judge of
reconstructions: does G(X) draw X's line? An angle alone does not say so, because a short blob
or a blurred smear reads as the right angle too. A reconstruction counts as a drawn line when it
is at the right angle and as close to a true line (cosine distance to the nearest reference) as
the test lines themselves are when drawn a little thinner or thicker (`line_threshold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from gaia.data.lines import render_lines


@dataclass(frozen=True)
class ReferenceLines:
    angles: np.ndarray  # (N,)
    unit_vectors: torch.Tensor  # (N, pixels) float64 (distances near 1e-4 matter), unit rows


def reference_lines(cfg: dict[str, Any], count: int) -> ReferenceLines:
    """The reference set of the lines dataset described by `cfg` (its `datasets.lines` entry)."""
    angles = np.linspace(0.0, 2.0 * np.pi - 2.0 * np.pi / count, count)
    images = render_lines(angles, cfg["resolution"], cfg["supersample"], cfg["line_width"])
    return ReferenceLines(angles, _unit_rows(torch.from_numpy(images).float() / 255.0))


def _unit_rows(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1], any shape (n, ...), as unit-norm rows of [-1, 1] pixels."""
    flat = images.reshape(len(images), -1).double() * 2.0 - 1.0
    return flat / flat.norm(dim=1, keepdim=True).clamp_min(1e-12)


def nearest_reference(
    images: torch.Tensor, reference: ReferenceLines, batch_size: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """For images in [0, 1] (n, ...): the cosine distance to the nearest reference line and that
    line's angle."""
    distances, indices = [], []
    for start in range(0, len(images), batch_size):
        similarity = _unit_rows(images[start : start + batch_size]) @ reference.unit_vectors.T
        best, index = similarity.max(dim=1)
        distances.append(1.0 - best)
        indices.append(index)
    distance = torch.cat(distances).numpy().clip(min=0.0)
    return distance, reference.angles[torch.cat(indices).numpy()]


def _read_back(
    images: torch.Tensor, true_angles: np.ndarray, reference: ReferenceLines
) -> tuple[np.ndarray, np.ndarray]:
    """Each image's distance to the nearest reference line, and the degrees (0 to 180)
    between that line's angle and the image's true angle (radians)."""
    distance, matched = nearest_reference(images, reference)
    true_angles = np.asarray(true_angles, np.float64)[: len(matched)]
    wrapped = np.mod(matched - true_angles + np.pi, 2.0 * np.pi) - np.pi
    return distance, np.degrees(np.abs(wrapped))


def angle_errors(images: torch.Tensor, true_angles: np.ndarray, reference: ReferenceLines):
    """Degrees (0 to 180) between each image's read-back angle and its true angle (radians)."""
    return _read_back(images, true_angles, reference)[1]


def line_threshold(
    cfg: dict[str, Any], angles: np.ndarray, reference: ReferenceLines, width_tolerance: float
) -> float:
    """How far from every reference line a drawing of a line may be, calibrated on the real
    test lines: the 99th percentile of their nearest-reference distances when drawn with the
    line width times (1 - width_tolerance) and (1 + width_tolerance). (At the default width 2
    and tolerance 0.25: about 0.0035; a line cut to 80% of its length is at 0.008, one blurred
    with a Gaussian of sigma 1 pixel at 0.009.)"""
    distances = []
    for factor in (1.0 - width_tolerance, 1.0 + width_tolerance):
        images = render_lines(
            angles, cfg["resolution"], cfg["supersample"], cfg["line_width"] * factor
        )
        distances.append(nearest_reference(torch.from_numpy(images).float() / 255.0, reference)[0])
    return float(np.quantile(np.concatenate(distances), 0.99))


def drawn_lines(
    images: torch.Tensor,
    true_angles: np.ndarray,
    reference: ReferenceLines,
    tolerance_deg: float,
    max_distance: float,
) -> dict[str, float]:
    """The share of images at their true angle (within `tolerance_deg`) with the median angle
    error, and the share that draw their line: at the angle and within `max_distance` of a true
    line, with the median distance."""
    distance, errors = _read_back(images, true_angles, reference)
    at_angle = errors <= tolerance_deg
    return {
        "angle_accuracy": float(at_angle.mean()),
        "angle_error_median_deg": float(np.median(errors)),
        "drawn_line_accuracy": float((at_angle & (distance <= max_distance)).mean()),
        "line_distance_median": float(np.median(distance)),
    }
