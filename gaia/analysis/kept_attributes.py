"""Do reconstructions keep their input's attributes? The judge's reading of X against G(X).

The paper shows reconstructions that keep "high- and low-level features" of the input. A pixel
error cannot tell a faithful reconstruction from one that adds a feature the input lacks (dark
eyeglass-like bands, a red mouth): the attribute classifier can. For every held-out face and
attribute, the classifier reads X and G(X) (at P > 0.5); the reconstruction keeps the attribute
when both readings agree. Reading both with the same judge cancels much of its own error.

    recon_attribute_agreement   mean over attributes of the share of faces read alike
    recon_agreement_A           that share for attribute A
    recon_added_A               share of faces read without A whose G(X) is read with A
    recon_removed_A             share of faces read with A whose G(X) is read without it
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kept_attributes(
    real: np.ndarray, reconstructed: np.ndarray, names: Sequence[str]
) -> dict[str, float]:
    """The keys above from the judge's probabilities (n, attributes) on X and on G(X)."""
    has, reads = real > 0.5, reconstructed > 0.5
    agreement = (has == reads).mean(axis=0)
    out = {"recon_attribute_agreement": float(agreement.mean())}
    for i, name in enumerate(names):
        out[f"recon_agreement_{name}"] = float(agreement[i])
        without, with_ = ~has[:, i], has[:, i]
        out[f"recon_added_{name}"] = float(reads[without, i].mean()) if without.any() else 0.0
        out[f"recon_removed_{name}"] = float((~reads[with_, i]).mean()) if with_.any() else 0.0
    return out
