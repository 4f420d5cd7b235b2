"""synthfaces renders at every resolution, deterministically, with visible attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gaia.data import synthfaces
from gaia.data.prepare import split_seed


@pytest.mark.parametrize("resolution", [32, 64, 128])
def test_renders_at_each_resolution(default_params: dict, resolution: int) -> None:
    cfg = dict(default_params["datasets"]["synthfaces"], resolution=resolution)
    images, labels = synthfaces.generate_split(cfg, 6, np.random.SeedSequence(0), progress=False)
    assert images.shape == (6, resolution, resolution, 3) and images.dtype == np.uint8
    assert list(labels.columns) == list(synthfaces.ATTRIBUTES + synthfaces.CONTINUOUS_LABELS)
    assert images.std() > 20  # not blank


def test_result_does_not_depend_on_batching_or_workers(default_params: dict) -> None:
    cfg = default_params["datasets"]["synthfaces"]
    table = synthfaces.sample_faces(cfg, 40, np.random.SeedSequence(1))
    one = synthfaces.render(table, 32, 4, batch_size=7, progress=False, workers=1)
    two = synthfaces.render(table, 32, 4, batch_size=16, progress=False, workers=2)
    assert np.array_equal(one, two)


def test_each_attribute_changes_the_picture(default_params: dict) -> None:
    """Flipping one attribute of the same face (same nuisances) changes its pixels."""
    cfg = default_params["datasets"]["synthfaces"]
    nuisance = synthfaces.sample_nuisance(1, cfg["nuisance"], np.random.default_rng(5))
    base = dict.fromkeys(synthfaces.ATTRIBUTES, 0)
    base.update(Male=1, Young=1)
    rows = [base] + [{**base, name: 1 - base[name]} for name in synthfaces.ATTRIBUTES]
    table = pd.DataFrame(rows).join(pd.concat([nuisance] * len(rows), ignore_index=True))
    images = synthfaces.render(table, 64, 4, progress=False, workers=1).astype(int)
    for index, name in enumerate(synthfaces.ATTRIBUTES, start=1):
        changed = np.abs(images[index] - images[0]).max(axis=-1) > 40
        assert changed.sum() >= 15, f"{name} changes only {changed.sum()} pixels at 64x64"


def test_attributes_are_linearly_visible_in_pixels(default_params: dict) -> None:
    """Acceptance: logistic regression on raw pixels reaches >= 90% held-out accuracy for each
    attribute of the default synthfaces (5,000 training and 2,000 held-out faces)."""
    cfg = default_params["datasets"]["synthfaces"]
    train_x, train_y = synthfaces.generate_split(cfg, 5000, split_seed(cfg["seed"], "train"), False)
    test_x, test_y = synthfaces.generate_split(cfg, 2000, split_seed(cfg["seed"], "test"), False)
    train_x = train_x.reshape(len(train_x), -1).astype(np.float32) / 255
    test_x = test_x.reshape(len(test_x), -1).astype(np.float32) / 255
    accuracy = {}
    for name in synthfaces.ATTRIBUTES:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=300))
        model.fit(train_x, train_y[name])
        accuracy[name] = model.score(test_x, test_y[name])
    print("held-out accuracy of logistic regression on pixels:", accuracy)
    assert min(accuracy.values()) >= 0.90, accuracy
