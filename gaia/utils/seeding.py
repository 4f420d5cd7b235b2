"""Seeded random streams: every random draw of the pipeline comes from a generator keyed by
(seed, stream, ...), so that no result depends on what ran before it in the process.

The stream numbers are part of the results (changing one changes the numbers they seed), so
they are fixed here, once, by name.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import torch


class Stream(IntEnum):
    TRAIN_EPOCH_ORDER = 1  # the batch order of each training epoch (key: epoch)
    TRAIN_ALPHAS = 2  # the interpolation coefficients of each training step (key: step)
    CLASSIFIER_BATCHES = 3  # the attribute classifier's batches (key: step)
    LATENT_FIT_SAMPLE = 4  # the training images whose latents fit the attribute vectors
    EDIT_FACES = 5  # the held-out faces edited per attribute and direction (key: group)
    INTERPOLATION_PAIRS = 6  # the test pairs interpolated
    FID_REFERENCE = 7  # the real test images FID compares with
    FID_RECON = 8  # the test images reconstructed for FID
    FID_EDITS = 9  # the order in which test faces are edited for FID
    JUDGE_CHECK = 10  # the faces rendered twice to measure the judge's own leakage


def seeded_generator(seed: int, stream: Stream | int, *key: int) -> torch.Generator:
    """A CPU generator seeded from (seed, stream, *key): independent streams per key."""
    entropy = [seed, int(stream), *key]
    state = int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0])
    return torch.Generator().manual_seed(state)
