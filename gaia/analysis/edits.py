"""Judge attribute vectors by editing held-out faces and classifying the decoded edits.

For attribute a, method m and scale k: faces without a get z + k*v_a ("add"), faces with a get
z - k*v_a ("remove"). The classifier's probabilities on the decoded edit are compared with those
on the plain reconstruction G(X) of the same face, so reconstruction error is not counted:

    delta_b   = mean over faces of P(b | edit) - P(b | reconstruction), for every attribute b
    efficacy  = sign * delta_a           (sign +1 for add, -1 for remove)
    leakage   = mean over b != a of |delta_b|

The signed leakage of a onto b, sign * delta_b averaged over both directions, is the change of
P(b) per unit of a added: for Young -> Male it is negative when "younger" also feminises.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from gaia.analysis.classifier import AttributeClassifier
from gaia.analysis.latents import decode_latents
from gaia.models.autoencoder import Autoencoder
from gaia.utils.batching import map_batches, module_device
from gaia.utils.seeding import Stream, seeded_generator

DIRECTIONS = {"add": 1.0, "remove": -1.0}


def judge_latents(
    generator: Autoencoder, classifier: AttributeClassifier, z: np.ndarray, batch: int
) -> np.ndarray:
    """The classifier's probabilities on the decodings of latents `z`."""
    return _probabilities(generator, classifier, torch.from_numpy(np.asarray(z, np.float32)), batch)


@torch.no_grad()
def _probabilities(
    generator: Autoencoder, classifier: AttributeClassifier, z: torch.Tensor, batch: int
) -> np.ndarray:
    images = decode_latents(generator, z, batch)
    return map_batches(classifier.probabilities, images, batch, module_device(classifier)).numpy()


def _faces(has: np.ndarray, count: int, seed: int, key: int) -> np.ndarray:
    """Up to `count` indices where `has` is True, a seeded sample."""
    candidates = np.flatnonzero(has)
    order = torch.randperm(
        len(candidates), generator=seeded_generator(seed, Stream.EDIT_FACES, key)
    ).numpy()
    return np.sort(candidates[order[:count]])


@dataclass(frozen=True)
class EditGroup:
    """The held-out faces edited along one attribute in one direction."""

    index: int  # of the attribute among the classifier's outputs
    attribute: str
    direction: str  # "add" (faces without the attribute) or "remove" (faces with it)
    sign: float
    faces: np.ndarray  # test-split indices
    z: torch.Tensor  # their latents
    base: np.ndarray  # P(every attribute | G(z)) per face: what an edit is compared with


def edit_groups(
    generator: Autoencoder,
    classifier: AttributeClassifier,
    test_latents: np.ndarray,
    test_attributes: pd.DataFrame,
    settings: dict[str, Any],
) -> Iterator[EditGroup]:
    """Per attribute and direction, up to `images` seeded faces (none: skipped)."""
    names = list(test_attributes.columns)
    if list(classifier.cfg.outputs) != names:
        raise ValueError(f"classifier outputs {classifier.cfg.outputs} differ from {names}")
    z_all = torch.tensor(np.asarray(test_latents, np.float32))
    for a, attribute in enumerate(names):
        present = test_attributes[attribute].to_numpy(bool)
        for d, (direction, sign) in enumerate(DIRECTIONS.items()):
            faces = _faces(
                ~present if sign > 0 else present, settings["images"], settings["seed"], 2 * a + d
            )
            if len(faces) == 0:
                continue
            z = z_all[faces]
            base = _probabilities(generator, classifier, z, settings["batch_size"])
            yield EditGroup(a, attribute, direction, sign, faces, z, base)


class Edits:
    """Every edit group along every method's vectors, decoded and judged on demand and kept by
    scale: the fixed scales and the matched-efficacy search (matched_edits.py) then decode each
    (group, method, k) once, which halves an attribute_edits job."""

    def __init__(
        self,
        generator: Autoencoder,
        classifier: AttributeClassifier,
        test_latents: np.ndarray,
        test_attributes: pd.DataFrame,
        vectors: dict[str, np.ndarray],
        settings: dict[str, Any],
    ) -> None:
        self.generator = generator
        self.classifier = classifier
        self.batch_size = settings["batch_size"]
        self.attributes = test_attributes
        self.names = list(test_attributes.columns)
        self.vectors = {m: np.asarray(v, np.float32) for m, v in vectors.items()}
        self.groups = list(
            edit_groups(generator, classifier, test_latents, test_attributes, settings)
        )
        self._changes: dict[tuple[int, str, str, float], np.ndarray] = {}

    def change(self, group: EditGroup, method: str, k: float) -> np.ndarray:
        """Per face and attribute, sign * (P(b | edit by k) - P(b | G(z))): the change per unit
        of the group's attribute added."""
        key = (group.index, group.direction, method, float(k))
        if key not in self._changes:
            v = torch.from_numpy(self.vectors[method][group.index])
            z = group.z + group.sign * k * v
            edited = _probabilities(self.generator, self.classifier, z, self.batch_size)
            self._changes[key] = group.sign * (edited - group.base)
        return self._changes[key]


def evaluate_edits(edits: Edits, scales: Sequence[float]) -> pd.DataFrame:
    """One row per (method, attribute, direction, scale): efficacy, delta_<b> and leakage."""
    rows = []
    for group in edits.groups:
        for method in edits.vectors:
            for scale in scales:
                delta = group.sign * edits.change(group, method, scale).mean(axis=0)
                others = np.delete(np.abs(delta), group.index)
                rows.append(
                    {
                        "method": method,
                        "attribute": group.attribute,
                        "direction": group.direction,
                        "scale": float(scale),
                        "images": len(group.faces),
                        "efficacy": float(group.sign * delta[group.index]),
                        "leakage": float(others.mean()) if len(others) else 0.0,
                        **{f"delta_{b}": float(x) for b, x in zip(edits.names, delta, strict=True)},
                    }
                )
    return pd.DataFrame(rows)


def signed_leakage(table: pd.DataFrame, method: str, source: str, target: str, scale: float):
    """Change of P(target) per unit of `source` added, averaged over both edit directions."""
    rows = table[(table.method == method) & (table.attribute == source) & (table.scale == scale)]
    signs = rows.direction.map(DIRECTIONS)
    return float((signs * rows[f"delta_{target}"]).mean())


def summarise_edits(
    table: pd.DataFrame, settings: dict[str, Any], pairs: Sequence[tuple[str, str]]
) -> dict[str, float]:
    """One number per key at the report scale: mean efficacy and leakage per method, and the
    signed leakage of each (source, target) pair (e.g. ols_leakage_Young_to_Male)."""
    scale = float(settings["report_scale"])
    at_scale = table[table.scale == scale]
    summary: dict[str, float] = {"report_scale": scale}
    for method, rows in at_scale.groupby("method", sort=False):
        summary[f"{method}_mean_efficacy"] = float(rows.efficacy.mean())
        summary[f"{method}_mean_leakage"] = float(rows.leakage.mean())
        for source, target in pairs:
            if f"delta_{target}" in table and source in set(table.attribute):
                key = f"{method}_leakage_{source}_to_{target}"
                summary[key] = signed_leakage(table, str(method), source, target, scale)
    return summary
