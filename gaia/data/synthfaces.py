"""synthfaces: cartoon faces with CelebA-named binary attributes, rendered offline from a seed.

Why a synthetic face set: the ground truth of every attribute is known and its joint law is ours
to set, so "OLS attribute vectors are less entangled than mean-difference vectors" can be
measured instead of eyeballed. The default law copies the skew the paper points at (old faces are
mostly male), see params.yaml.

How a face is drawn: every face of a batch runs the same vectorised drawing program, layer over
layer (painter's algorithm) on a canvas `supersample` times larger than the output, with
per-face parameters (attributes switch layers on and off, nuisances move and colour them). The
canvas is then box-filtered down (the mean of each supersample x supersample block), which
anti-aliases every edge. Coordinates are in units of the image half-width, origin at the centre,
y pointing down; the face frame is the image frame shifted to the face centre, rotated by the
head tilt and divided by the face scale.

How each attribute shows (all of them big enough to be read at 32x32):
- Male: short hair (females have long hair down to the shoulders), a wider and squarer jaw,
  thicker eyebrows, a wider neck.
- Young = 0 (old): grey hair (blond goes pale), forehead wrinkles, smile lines, eye bags, and a
  receding hairline on men.
- Smiling: an open smile with teeth instead of a closed straight mouth.
- Eyeglasses: dark round frames with a bridge, temples and lightly tinted lenses.
- Blond_Hair: yellow-blond hair; other hair is black, brown or auburn (grey when old).
- Bangs: a fringe covering the forehead and eyebrows, with a shadow under its edge.
- Goatee: a chin beard in the facial-hair colour (only men get one under the default law).
- Pale_Skin: a very light, cool skin tone outside the range of the other skin tones.
Nuisances: face position, size and tilt, skin tone, non-blond hair shade, long-hair length,
eye colour, clothing and background colours.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import hsv_to_rgb
from tqdm import tqdm

from gaia.data.joint_law import sample_attributes

GENERATOR_VERSION = "1"
ATTRIBUTES = (
    "Male",
    "Young",
    "Smiling",
    "Eyeglasses",
    "Blond_Hair",
    "Bangs",
    "Goatee",
    "Pale_Skin",
)
CONTINUOUS_LABELS = ("pose_x", "pose_y", "tilt_deg", "face_scale", "skin_tone")
CLASS_LABELS: tuple[str, ...] = ()

# Palettes (RGB in [0, 1]).
SKIN_LIGHT = np.array([0.93, 0.76, 0.62], np.float32)
SKIN_DARK = np.array([0.40, 0.25, 0.16], np.float32)
SKIN_PALE = np.array([1.00, 0.94, 0.91], np.float32)
HAIR_SHADES = np.array(
    [[0.08, 0.07, 0.07], [0.24, 0.14, 0.08], [0.42, 0.26, 0.13], [0.55, 0.22, 0.10]], np.float32
)  # black, dark brown, brown, auburn
HAIR_BLOND = np.array([0.93, 0.80, 0.42], np.float32)
EYE_COLOURS = np.array([[0.30, 0.18, 0.08], [0.25, 0.45, 0.70], [0.30, 0.50, 0.30]], np.float32)
MOUTH_DARK = np.array([0.35, 0.05, 0.08], np.float32)
LIPS = np.array([0.62, 0.22, 0.24], np.float32)
TEETH = np.array([0.97, 0.97, 0.94], np.float32)
SCLERA = np.array([0.98, 0.98, 0.98], np.float32)
PUPIL = np.array([0.03, 0.03, 0.03], np.float32)
LENS_TINT = np.array([0.75, 0.88, 1.00], np.float32)

# Geometry in the face frame (units of the image half-width at face_scale 1).
EYE_X, EYE_Y = 0.15, -0.04
HAIR_CAP_B = 0.58
MOUTH_Y = 0.27


def sample_nuisance(n: int, cfg: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Continuous and categorical variation that carries no attribute."""
    low, high = cfg["scale_range"]
    shift = cfg["max_shift"]
    table = pd.DataFrame(
        {
            "pose_x": rng.uniform(-shift, shift, n),
            "pose_y": rng.uniform(-shift, shift, n),
            "tilt_deg": rng.uniform(-cfg["max_tilt_deg"], cfg["max_tilt_deg"], n),
            "face_scale": rng.uniform(low, high, n),
            "skin_tone": rng.uniform(0.0, 1.0, n),
            "hair_shade": rng.integers(0, len(HAIR_SHADES), n),
            "grey_level": rng.uniform(0.62, 0.86, n),
            "hair_length": rng.uniform(0.45, 0.85, n),
            "eye_colour": rng.integers(0, len(EYE_COLOURS), n),
            "frame_shade": rng.uniform(0.02, 0.2, n),
        }
    )
    hsv = np.stack(
        [rng.uniform(0, 1, n), rng.uniform(0.1, 0.35, n), rng.uniform(0.5, 0.95, n)], axis=1
    )
    table[["bg_r", "bg_g", "bg_b"]] = hsv_to_rgb(hsv)
    hsv = np.stack(
        [rng.uniform(0, 1, n), rng.uniform(0.3, 0.8, n), rng.uniform(0.3, 0.8, n)], axis=1
    )
    table[["cloth_r", "cloth_g", "cloth_b"]] = hsv_to_rgb(hsv)
    return table


class _Canvas:
    """A batch of supersampled RGB canvases and the face-frame coordinates of every sub-pixel."""

    def __init__(self, faces: pd.DataFrame, size: int) -> None:
        n = len(faces)
        self.n = n
        centres = (np.arange(size, dtype=np.float32) + 0.5) / size * 2.0 - 1.0
        self.x = centres[None, None, :]
        self.y = centres[None, :, None]

        def col(name: str) -> np.ndarray:
            return faces[name].to_numpy(np.float32)[:, None, None]

        self.cx, self.cy, self.scale = col("pose_x"), col("pose_y") + 0.06, col("face_scale")
        tilt = np.deg2rad(col("tilt_deg"))
        dx, dy = self.x - self.cx, self.y - self.cy
        self.u = (np.cos(tilt) * dx + np.sin(tilt) * dy) / self.scale
        self.v = (-np.sin(tilt) * dx + np.cos(tilt) * dy) / self.scale
        self.rgb = np.empty((n, 3, size, size), np.float32)

    def fill(self, colour: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Paint `colour` (one RGB, or one per face) where `mask` is set (everywhere if None)."""
        colour = np.broadcast_to(np.asarray(colour, np.float32), (self.n, 3))[:, :, None, None]
        if mask is None:
            self.rgb[...] = colour
        else:
            np.copyto(self.rgb, colour, where=mask[:, None])

    def blend(self, colour: np.ndarray, mask: np.ndarray, alpha: float) -> None:
        colour = np.broadcast_to(np.asarray(colour, np.float32), (self.n, 3))[:, :, None, None]
        weight = alpha * mask[:, None].astype(np.float32)
        self.rgb += weight * (colour - self.rgb)

    # Shapes in the face frame; every one returns a boolean mask of shape (n, size, size).
    def ellipse(self, x0: Any, y0: Any, a: Any, b: Any) -> np.ndarray:
        return ((self.u - x0) / a) ** 2 + ((self.v - y0) / b) ** 2 <= 1.0

    def ring(self, x0: float, y0: float, r_in: float, r_out: float) -> np.ndarray:
        d2 = (self.u - x0) ** 2 + (self.v - y0) ** 2
        return (d2 <= r_out**2) & (d2 >= r_in**2)

    def segment(self, p0: tuple[float, float], p1: tuple[float, float], half: float) -> np.ndarray:
        """Points within `half` of the segment p0-p1 (a stroke with round ends)."""
        (x0, y0), (x1, y1) = p0, p1
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((self.u - x0) * dx + (self.v - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        return (self.u - x0 - t * dx) ** 2 + (self.v - y0 - t * dy) ** 2 <= half * half


def _per_face(flag: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(flag, dtype=bool)[:, None, None]


def _draw_batch(faces: pd.DataFrame, size: int) -> np.ndarray:
    """Draw the faces of one batch on a size x size canvas; returns float32 (n, 3, size, size)."""
    c = _Canvas(faces, size)
    male = _per_face(faces["Male"])
    old = _per_face(faces["Young"] == 0)

    # Colours per face.
    tone = faces["skin_tone"].to_numpy(np.float32)[:, None]
    skin = SKIN_LIGHT + tone * (SKIN_DARK - SKIN_LIGHT)
    skin = np.where(faces["Pale_Skin"].to_numpy(bool)[:, None], SKIN_PALE, skin)
    grey = faces["grey_level"].to_numpy(np.float32)[:, None] * np.array(
        [1.0, 1.0, 1.03], np.float32
    )
    hair = HAIR_SHADES[faces["hair_shade"].to_numpy()]
    hair = np.where(faces["Young"].to_numpy(bool)[:, None], hair, grey)
    blond = np.where(faces["Young"].to_numpy(bool)[:, None], HAIR_BLOND, 0.6 * HAIR_BLOND + 0.4)
    hair = np.where(faces["Blond_Hair"].to_numpy(bool)[:, None], blond, hair).astype(np.float32)
    brow = np.minimum(hair * 0.8, 0.75).astype(np.float32)
    beard = np.where(faces["Young"].to_numpy(bool)[:, None], hair * 0.7, grey * 0.9)
    frame = np.repeat(faces["frame_shade"].to_numpy(np.float32)[:, None], 3, axis=1)
    background = faces[["bg_r", "bg_g", "bg_b"]].to_numpy(np.float32)
    cloth = faces[["cloth_r", "cloth_g", "cloth_b"]].to_numpy(np.float32)

    # Background with a soft vertical gradient; long hair (women, length is a nuisance) behind
    # the neck; then the neck and the shoulders (upright, not tilted).
    c.fill(background)
    c.rgb *= 1.0 - 0.18 * (c.y[None] + 1.0) / 2.0
    face_a = np.where(male, 0.42, 0.37).astype(np.float32)
    hair_end = faces["hair_length"].to_numpy(np.float32)[:, None, None]
    long_hair = c.ellipse(0.0, -0.06, face_a + 0.14, 0.62) | (
        (np.abs(c.u) <= face_a + 0.14) & (c.v >= -0.06) & (c.v <= hair_end)
    )
    c.fill(hair, long_hair & ~male)
    neck_half = np.where(male, 0.17, 0.13)
    c.fill(skin * 0.9, (np.abs(c.u) <= neck_half) & (c.v >= 0.2) & (c.v <= 1.4))
    shoulders = ((c.x - c.cx) / (0.95 * c.scale)) ** 2 + (
        (c.y - c.cy - 1.08 * c.scale) / (0.5 * c.scale)
    ) ** 2 <= 1.0
    c.fill(cloth, shoulders)

    # Ears and face. Men: a wider face with a squarer (super-elliptic) jaw, and a wider neck.
    ears = c.ellipse(face_a, 0.02, 0.07, 0.12) | c.ellipse(-face_a, 0.02, 0.07, 0.12)
    c.fill(skin * 0.95, ears)
    jaw_power = np.where(male, 3.6, 2.0).astype(np.float32)
    upper = c.ellipse(0.0, 0.0, face_a, 0.5) & (c.v < 0)
    lower = (np.abs(c.u / face_a) ** jaw_power + np.abs(c.v / 0.5) ** jaw_power <= 1.0) & (c.v >= 0)
    c.fill(skin, upper | lower)
    c.fill(skin * 0.86, c.ellipse(0.0, 0.1, 0.035, 0.075))  # nose shading

    # Signs of age: forehead wrinkles, smile lines, eye bags.
    wrinkle = skin * 0.68
    lines = c.segment((-0.16, -0.26), (0.16, -0.26), 0.011) | c.segment(
        (-0.13, -0.2), (0.13, -0.2), 0.011
    )
    for side in (-1.0, 1.0):
        lines |= c.segment((side * 0.07, 0.12), (side * 0.15, 0.31), 0.011)
        lines |= c.ring(side * EYE_X, EYE_Y + 0.02, 0.075, 0.09) & (c.v > EYE_Y + 0.05)
    c.fill(wrinkle, lines & old)

    # Chin beard, then the mouth on top of it.
    c.fill(
        beard,
        (c.ellipse(0.0, 0.41, 0.13, 0.095) | c.ellipse(0.0, 0.33, 0.17, 0.05))
        & _per_face(faces["Goatee"]),
    )
    smiling = _per_face(faces["Smiling"])
    open_mouth = c.ellipse(0.0, MOUTH_Y - 0.02, 0.15, 0.11) & (c.v >= MOUTH_Y - 0.02)
    c.fill(MOUTH_DARK, open_mouth & smiling)
    c.fill(TEETH, open_mouth & (c.v <= MOUTH_Y + 0.015) & smiling)
    closed = c.segment((-0.11, MOUTH_Y), (0.11, MOUTH_Y), 0.018)
    c.fill(LIPS, closed & ~smiling)

    # Eyes and eyebrows (men's are thicker).
    iris = EYE_COLOURS[faces["eye_colour"].to_numpy()]
    brow_half = np.where(male, 0.03, 0.017).astype(np.float32)
    for side in (-1.0, 1.0):
        ex = side * EYE_X
        c.fill(SCLERA, c.ellipse(ex, EYE_Y, 0.075, 0.045))
        c.fill(iris, c.ellipse(ex, EYE_Y, 0.035, 0.035))
        c.fill(PUPIL, c.ellipse(ex, EYE_Y, 0.016, 0.016))
        c.fill(brow, c.segment((ex - 0.075, EYE_Y - 0.1), (ex + 0.075, EYE_Y - 0.11), brow_half))

    # Hair on top of the head; men's hairline recedes with age.
    cap = c.ellipse(0.0, -0.04, face_a + 0.05, HAIR_CAP_B)
    hairline = np.where(male & old, -0.37, -0.3) + 0.07 * (c.u / face_a) ** 2
    c.fill(hair, cap & (c.v < hairline))
    # Bangs: a fringe down over the eyebrows, casting a shadow on the skin below its edge.
    bangs = cap & _per_face(faces["Bangs"])
    fringe_edge = -0.095 + 0.02 * np.abs(np.sin(c.u * 22.0))
    c.fill(skin * 0.55, bangs & (c.v < fringe_edge + 0.035))
    c.fill(hair, bangs & (c.v < fringe_edge))

    # Glasses: tinted lenses, round frames, bridge and temples.
    glasses = _per_face(faces["Eyeglasses"])
    lenses = c.ellipse(EYE_X, EYE_Y, 0.09, 0.09) | c.ellipse(-EYE_X, EYE_Y, 0.09, 0.09)
    c.blend(LENS_TINT, lenses & glasses, 0.25)
    frames = c.ring(EYE_X, EYE_Y, 0.085, 0.122) | c.ring(-EYE_X, EYE_Y, 0.085, 0.122)
    frames |= c.segment((-0.04, EYE_Y - 0.01), (0.04, EYE_Y - 0.01), 0.018)
    for side in (-1.0, 1.0):
        frames |= c.segment((side * 0.26, EYE_Y - 0.02), (side * 0.44, EYE_Y - 0.03), 0.014) & (
            np.abs(c.u) <= face_a + 0.02
        )
    c.fill(frame, frames & glasses)
    return c.rgb


def _render_batch(faces: pd.DataFrame, resolution: int, supersample: int) -> np.ndarray:
    rgb = _draw_batch(faces, resolution * supersample)
    # Box filter: the mean of each supersample x supersample block of sub-pixels.
    n = len(faces)
    small = rgb.reshape(n, 3, resolution, supersample, resolution, supersample).mean((3, 5))
    return np.rint(np.clip(small, 0.0, 1.0) * 255.0).astype(np.uint8).transpose(0, 2, 3, 1)


def render(
    faces: pd.DataFrame,
    resolution: int,
    supersample: int,
    batch_size: int = 32,
    progress: bool = True,
    workers: int | None = None,
) -> np.ndarray:
    """Render faces (attributes + nuisances) to uint8 images of shape (n, res, res, 3).

    numpy runs each batch on one core, so batches are spread over `workers` processes (default:
    the cores this process may use). Batches are independent, so the result does not depend on
    `workers` or `batch_size`. Small batches are faster: their temporaries stay in cache.
    """
    workers = workers or len(os.sched_getaffinity(0))
    batches = [faces.iloc[i : i + batch_size] for i in range(0, len(faces), batch_size)]
    bar = tqdm(total=len(faces), desc="synthfaces", unit="img", disable=not progress)
    out = []
    with ProcessPoolExecutor(workers) if workers > 1 else contextlib.nullcontext() as pool:
        mapper = pool.map if pool is not None else map
        for images in mapper(_render_batch, batches, repeat(resolution), repeat(supersample)):
            out.append(images)
            bar.update(len(images))
    bar.close()
    return np.concatenate(out) if out else np.empty((0, resolution, resolution, 3), np.uint8)


def sample_faces(
    cfg: dict[str, Any], count: int, seed_sequence: np.random.SeedSequence
) -> pd.DataFrame:
    """Attributes and nuisances of `count` faces. They use separate random streams, so changing
    the attribute law leaves the poses and colours of the faces unchanged."""
    attr_seed, nuisance_seed = seed_sequence.spawn(2)
    attributes = sample_attributes(cfg["attributes"], count, np.random.default_rng(attr_seed))
    nuisance = sample_nuisance(count, cfg["nuisance"], np.random.default_rng(nuisance_seed))
    return pd.concat([attributes, nuisance], axis=1)


def generate_split(
    cfg: dict[str, Any], count: int, seed_sequence: np.random.SeedSequence, progress: bool = True
) -> tuple[np.ndarray, pd.DataFrame]:
    """Images and label table of one split."""
    faces = sample_faces(cfg, count, seed_sequence)
    images = render(
        faces, cfg["resolution"], cfg["supersample"], cfg.get("batch_size", 32), progress
    )
    return images, faces[list(ATTRIBUTES) + list(CONTINUOUS_LABELS)].copy()


def filter_description(cfg: dict[str, Any]) -> str:
    s = cfg["supersample"]
    return (
        f"drawn at {cfg['resolution'] * s}x{cfg['resolution'] * s}, then box-filtered "
        f"(mean of each {s}x{s} block) to {cfg['resolution']}x{cfg['resolution']}"
    )
