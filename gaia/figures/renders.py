"""`gaia render`: the images a trained model decodes for the figures, once per experiment.

The image figures (reconstructions, interpolations and their loop, attribute edits) show what
each model draws. This step runs the model once and keeps those images; the figures are then
drawn from the files, without the weights, so a run's figures can be drawn again from a record
(gaia/runs.py) on a machine that never held its weights.

    results/DATASET/MODEL/renders.npz, every array uint8 NHWC-shaped:
        reconstructions       (IMAGES, H, W, C)   G(X) of the first IMAGES test images
        discriminator_real    (IMAGES, H, W, C)   D(X), for a model whose D is an autoencoder
        discriminator_fake    (IMAGES, H, W, C)   D(G(X)), likewise
        interpolations        (PAIRS, STEPS, ...) decodes of (1 - t) z_A + t z_B, t = 0..1,
                                                  for the seeded held-out pairs (pairs())
        loop                  (LOOP_PAIRS, FRAMES, ...) the same for the first LOOP_PAIRS pairs
                                                  at FRAMES values of t (the GIF's)
        edits_METHOD          (FACES, 1 + 2A, ...) on datasets with attribute vectors: G(z),
                                                  then G(z + k v_a) and G(z - k v_a) per
                                                  attribute a, k the largest edit scale
        vectors_METHOD        (A, ...)            each attribute vector decoded as a latent
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS
from gaia.analysis.latents import decode_latents, load_latents
from gaia.analysis.pairs import interpolate_latents, random_pairs
from gaia.data.store import load_split
from gaia.experiment import fits_attribute_vectors
from gaia.models.trained import load_experiment_model
from gaia.utils.artifacts import load_npz
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view, to_model_input, to_uint8_nhwc
from gaia.utils.io import write_npz

log = logging.getLogger(__name__)

IMAGES = 10  # the first test images (the test split is already a random sample)
PAIRS = 4  # held-out pairs of the interpolations figure
STEPS = 10  # decodes between (and including) the two reconstructions, as in the paper
LOOP_PAIRS = 2  # the loop's: the interpolations figure's first two
FRAMES = 12  # values of t from 0 to 1 in the loop
FACES = 3  # held-out faces of the attribute edits figure
BATCH = 64


def pairs(params: dict[str, Any], test_images: int) -> np.ndarray:
    """(PAIRS, 2) indices of the held-out pairs every interpolation figure shows."""
    return random_pairs(PAIRS, test_images, params["analysis"]["interpolation"]["faces"]["seed"])


def edit_latents(z: np.ndarray, vectors: np.ndarray, scale: float) -> torch.Tensor:
    """(faces * (1 + 2A), d): z, then z + k v_a and z - k v_a for each attribute a."""
    signs = np.array([1.0, -1.0])
    edits = z[:, None, None, :] + scale * signs[None, None, :, None] * vectors[None, :, None, :]
    rows = np.concatenate([z[:, None, :], edits.reshape(len(z), -1, z.shape[1])], axis=1)
    return torch.from_numpy(rows.reshape(-1, z.shape[1]).astype(np.float32))


@torch.no_grad()
def render_images(params: dict[str, Any], dataset: str, model: str) -> dict[str, np.ndarray]:
    """Every array of renders.npz for one trained experiment."""
    device = select_device(params["training"])
    trained = load_experiment_model(params, dataset, model, device)
    generator = trained.generator
    test = load_split(paths.processed_dir(dataset), "test")
    latents = load_latents(dataset, model, trained.latent_dim)["test_latents"]
    shape = test.images.shape[1:]

    def decoded(z: torch.Tensor, *leading: int) -> np.ndarray:
        return to_uint8_nhwc(decode_latents(generator, z, BATCH)).reshape(*leading, *shape)

    x = to_model_input(nchw_view(test.images[:IMAGES]), device)
    g_x = generator(x)
    out = {"reconstructions": to_uint8_nhwc(g_x)}
    if trained.discriminator is not None:
        out["discriminator_real"] = to_uint8_nhwc(trained.discriminator(x))
        out["discriminator_fake"] = to_uint8_nhwc(trained.discriminator(g_x))
    chosen = pairs(params, len(test))
    t = np.linspace(0.0, 1.0, STEPS)
    out["interpolations"] = decoded(interpolate_latents(latents, chosen, t), PAIRS, STEPS)
    t = np.linspace(0.0, 1.0, FRAMES)
    loop = interpolate_latents(latents, chosen[:LOOP_PAIRS], t)
    out["loop"] = decoded(loop, LOOP_PAIRS, FRAMES)
    if fits_attribute_vectors(params, dataset):
        scale = float(max(params["analysis"]["edits"]["scales"]))
        vectors = load_npz(paths.attribute_vectors(dataset, model), "attribute vectors", METHODS)
        faces = latents[:FACES]
        for method in METHODS:
            edits = edit_latents(faces, vectors[method], scale)
            out[f"edits_{method}"] = decoded(edits, len(faces), len(edits) // len(faces))
            as_latents = torch.from_numpy(vectors[method].astype(np.float32))
            out[f"vectors_{method}"] = decoded(as_latents, len(as_latents))
    return out


def render(params: dict[str, Any], dataset: str, model: str, progress: bool = False) -> None:
    """`gaia render --experiment DATASET/MODEL`: write its renders.npz."""
    write_npz(paths.renders(dataset, model), **render_images(params, dataset, model))


RENDER_KEYS = ("reconstructions", "interpolations", "loop")


def load_renders(dataset: str, model: str, keys: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """renders.npz of DATASET/MODEL (a clear error naming the file when it lacks `keys`)."""
    return load_npz(paths.renders(dataset, model), "renders file", (*RENDER_KEYS, *keys))
