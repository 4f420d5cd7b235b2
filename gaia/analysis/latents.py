"""`gaia extract-latents`: encode images with a trained generator.

    results/DATASET/MODEL/latents.npz
        fit_latents (n_fit, d), fit_index (n_fit,)   a seeded sample of the training split,
                                                     for fitting attribute vectors and probes
        test_latents (n_test, d)                     the whole test split, in order
        content_dim ()                               latent = [z_c (content_dim) | z_s]

The labels stay in the dataset's attributes.csv; `fit_index` selects their rows.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from gaia import paths
from gaia.data.store import load_split
from gaia.models.autoencoder import Autoencoder, latent_vector, split_latent
from gaia.models.trained import load_experiment_model
from gaia.utils.artifacts import check_shape, load_npz
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view, to_model_input
from gaia.utils.io import write_npz
from gaia.utils.seeding import Stream, seeded_generator

log = logging.getLogger(__name__)


@torch.no_grad()
def encode_images(
    generator: Autoencoder,
    images: np.ndarray,
    batch_size: int,
    device: torch.device,
    progress: bool = False,
) -> np.ndarray:
    """[z_c | z_s] of uint8 NHWC images, as float32 (n, d)."""
    if len(images) == 0:
        cfg = generator.cfg
        assert cfg.content_dim is not None
        return np.zeros((0, cfg.content_dim + cfg.style_dim), np.float32)
    out = []
    starts = range(0, len(images), batch_size)
    for start in tqdm(starts, desc="encode", unit="batch", disable=not progress):
        x = to_model_input(nchw_view(images[start : start + batch_size]), device)
        out.append(latent_vector(*generator.encode(x)).float().cpu())
    return torch.cat(out).numpy()


@torch.no_grad()
def decode_latents(generator: Autoencoder, latents: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Images in [0, 1] (n, C, H, W) on the CPU from latents [z_c | z_s]."""
    device = next(generator.parameters()).device
    out = []
    for start in range(0, len(latents), batch_size):
        z = latents[start : start + batch_size].to(device)
        out.append(generator.decode(*split_latent(z, generator.cfg)).float().cpu())
    return torch.cat(out)


def fit_sample(count: int, available: int, seed: int) -> np.ndarray:
    """Sorted indices of `count` training images (all of them if fewer), seeded."""
    if count >= available:
        return np.arange(available)
    generator = seeded_generator(seed, Stream.LATENT_FIT_SAMPLE)
    order = torch.randperm(available, generator=generator)[:count]
    return np.sort(order.numpy())


LATENT_KEYS = ("fit_latents", "fit_index", "test_latents", "content_dim")


def load_latents(
    dataset: str, model: str, width: int | None = None, test_images: int | None = None
) -> dict[str, np.ndarray]:
    """latents.npz of DATASET/MODEL, checked against the latent `width` of the model that
    decodes them and the test split's size where given (a file from other parameters fails)."""
    path = paths.latents(dataset, model)
    latents = load_npz(path, "latents file", LATENT_KEYS)
    check_shape(path, "test_latents", latents["test_latents"], (test_images, width))
    fit_rows = len(latents["fit_index"])
    check_shape(path, "fit_latents", latents["fit_latents"], (fit_rows, width))
    return latents


def extract_latents(params: dict[str, Any], dataset: str, model: str, progress: bool = True):
    settings = params["analysis"]["latents"]
    device = select_device(params["training"])
    trained = load_experiment_model(params, dataset, model, device)
    train_split = load_split(paths.processed_dir(dataset), "train")
    test_split = load_split(paths.processed_dir(dataset), "test")
    # Training latents fit the attribute vectors and the linear probe (gaia/analysis/probe.py;
    # on lines, of the angle).
    fit_index = fit_sample(settings["fit_images"], len(train_split), settings["seed"])
    batch = settings["batch_size"]
    fit = encode_images(trained.generator, train_split.images[fit_index], batch, device, progress)
    test = encode_images(trained.generator, test_split.images, batch, device, progress)
    write_npz(
        paths.latents(dataset, model),
        fit_latents=fit,
        fit_index=fit_index,
        test_latents=test,
        content_dim=np.array(trained.content_dim),
    )
    log.info(
        "%s/%s: %d fit and %d test latents of size %d",
        dataset,
        model,
        len(fit),
        len(test),
        fit.shape[1],
    )
