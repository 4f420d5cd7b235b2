"""Attribute vectors in latent space: OLS partial effects vs mean differences (docs/method.md §5.5).

OLS (the paper's method): regress every latent dimension on all binary attributes plus an
intercept, in one least-squares fit; attribute a's vector is its coefficient row, the expected
change of the latent when a flips 0 -> 1 with every other attribute held fixed.

Mean difference (the usual method): mean latent of the images with a minus that of the images
without a. When attributes are correlated (old faces are mostly male) it carries the correlated
attributes' effects along; OLS removes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from gaia.errors import GaiaError

METHODS = ("ols", "mean_difference")


def _check(latents: np.ndarray, attributes: pd.DataFrame) -> np.ndarray:
    if len(latents) != len(attributes):
        raise GaiaError(f"{len(latents)} latents for {len(attributes)} attribute rows")
    values = attributes.to_numpy(dtype=np.float64)
    if not np.isin(values, (0.0, 1.0)).all():
        raise GaiaError("attributes must be binary (0/1) columns")
    for name, share in zip(attributes.columns, values.mean(axis=0), strict=True):
        if share in (0.0, 1.0):
            raise GaiaError(
                f"attribute {name!r} is {'always' if share else 'never'} present in the "
                f"{len(values)} images used for the fit; its vector is undefined (use more images)"
            )
    return values


def ols_vectors(latents: np.ndarray, attributes: pd.DataFrame) -> np.ndarray:
    """(attributes, latent dims): OLS coefficients of latent ~ attributes + intercept."""
    design = _check(latents, attributes)
    if np.linalg.matrix_rank(np.column_stack([design, np.ones(len(design))])) <= design.shape[1]:
        raise GaiaError(
            "the attribute design is rank-deficient (an attribute is a combination of others); "
            "OLS cannot separate their effects"
        )
    fit = LinearRegression(fit_intercept=True).fit(design, np.asarray(latents, np.float64))
    return np.ascontiguousarray(fit.coef_.T)


def mean_difference_vectors(latents: np.ndarray, attributes: pd.DataFrame) -> np.ndarray:
    """(attributes, latent dims): mean latent with the attribute minus mean latent without it."""
    design = _check(latents, attributes).astype(bool)
    z = np.asarray(latents, np.float64)
    return np.stack([z[has].mean(0) - z[~has].mean(0) for has in design.T])


def attribute_vectors(latents: np.ndarray, attributes: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "ols": ols_vectors(latents, attributes),
        "mean_difference": mean_difference_vectors(latents, attributes),
    }


def cosine_similarities(vectors: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Pairwise cosine similarity of attribute vectors, as a labelled square table."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    return pd.DataFrame(unit @ unit.T, index=names, columns=names)
