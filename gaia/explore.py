"""A trained run at hand, for notebooks/explore.ipynb: decode interpolations and attribute edits.

    run = Explorer.open("synthfaces", "gaia")  # a finished run's model, latents, vectors
    faces = run.interpolate(3, 17, steps=8)    # test images 3 and 17, and the decodes between
    edited = run.edit(3, "Young", "ols", scales=[-2, -1, 0, 1, 2])

Images are uint8 (N, H, W, C), as the dataset store keeps them. Everything is read from the
files the pipeline wrote (gaia/paths.py), in the repository's run or a seeded one (`run`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gaia import paths
from gaia.analysis.attribute_vectors import METHODS
from gaia.analysis.latents import decode_latents, load_latents
from gaia.analysis.pairs import interpolate_latents
from gaia.config import load_params
from gaia.data.store import load_split
from gaia.errors import GaiaError
from gaia.models.autoencoder import Autoencoder
from gaia.models.trained import load_experiment_model
from gaia.runs import run_params
from gaia.utils.artifacts import load_npz
from gaia.utils.device import select_device
from gaia.utils.images import to_uint8_nhwc


@dataclass
class Explorer:
    """One trained experiment's generator, its test images and latents, and its attribute
    vectors (method -> (attributes, latent dim)) where the dataset has them."""

    dataset: str
    model: str
    generator: Autoencoder
    images: np.ndarray  # the test split, uint8 (N, H, W, C)
    latents: np.ndarray  # their codes [z_c | z_s]
    vectors: dict[str, np.ndarray]
    attributes: list[str]

    @classmethod
    def open(
        cls,
        dataset: str,
        model: str,
        params_file: str | Path = "params.yaml",
        run: str | None = None,
    ) -> Explorer:
        """A finished experiment of the repository's run, or of a seeded run such as full_s0."""
        params = load_params(Path(params_file))
        if run is not None:
            params = run_params(params, *paths.parse_run(run))
        with paths.in_run(run):
            trained = load_experiment_model(
                params, dataset, model, select_device(params["training"])
            )
            latents = load_latents(dataset, model, trained.latent_dim)["test_latents"]
            vectors_file = paths.attribute_vectors(dataset, model)
            stored = (
                load_npz(vectors_file, "attribute vectors file", METHODS)
                if vectors_file.exists()
                else {}
            )
        test = load_split(paths.processed_dir(dataset), "test")
        return cls(
            dataset,
            model,
            trained.generator,
            test.images,
            latents,
            {method: stored[method] for method in METHODS if method in stored},
            [str(name) for name in stored["names"]] if "names" in stored else [],
        )

    def decode(self, latents: np.ndarray | torch.Tensor) -> np.ndarray:
        codes = torch.as_tensor(np.asarray(latents, np.float32))
        return to_uint8_nhwc(decode_latents(self.generator, codes, 64))

    def interpolate(self, a: int, b: int, steps: int = 8) -> np.ndarray:
        """Test image a, the decodes of (1 - t) z_a + t z_b for `steps` values of t from 0 to 1,
        then test image b: (steps + 2, H, W, C)."""
        t = np.linspace(0.0, 1.0, steps)
        decoded = self.decode(interpolate_latents(self.latents, np.array([[a, b]]), t))
        return np.concatenate([self.images[a : a + 1], decoded, self.images[b : b + 1]])

    def edit(
        self, face: int, attribute: str, method: str = "ols", scales: Sequence[float] = (-2, 0, 2)
    ) -> np.ndarray:
        """Test image `face`, then the decodes of z + k v for each scale k, v the attribute's
        vector by `method` ("ols" or "mean_difference")."""
        if method not in self.vectors:
            raise GaiaError(
                f"{self.dataset}/{self.model} has no {method!r} vectors: attribute vectors are "
                f"fitted on datasets with binary attributes (methods: {sorted(self.vectors)})"
            )
        if attribute not in self.attributes:
            raise GaiaError(f"unknown attribute {attribute!r}; attributes: {self.attributes}")
        vector = self.vectors[method][self.attributes.index(attribute)]
        codes = self.latents[face] + np.asarray(scales, np.float32)[:, None] * vector
        return np.concatenate([self.images[face : face + 1], self.decode(codes)])


def show(rows: dict[str, np.ndarray], titles: Sequence[str] = ()) -> Any:
    """A figure of image rows (label -> (N, H, W, C) uint8), one row each, titles on top."""
    import matplotlib.pyplot as plt  # the notebook's backend (inline), not the pipeline's Agg

    width = max(len(images) for images in rows.values())
    fig, axes = plt.subplots(
        len(rows), width, figsize=(1.2 * width, 1.3 * len(rows)), squeeze=False
    )
    for r, (label, images) in enumerate(rows.items()):
        for c in range(width):
            ax = axes[r][c]
            ax.set_axis_off()
            if c < len(images):
                image = images[c]
                ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray")
            if r == 0 and c < len(titles):
                ax.set_title(titles[c], fontsize=7)
        axes[r][0].text(-0.1, 0.5, label, transform=axes[r][0].transAxes, ha="right", fontsize=7)
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig
