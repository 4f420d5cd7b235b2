"""Whether G(X) keeps X's attributes, from the judge's readings of both: known answers."""

from __future__ import annotations

import numpy as np
import pytest

from gaia.analysis.kept_attributes import kept_attributes


def test_a_faithful_reconstruction_keeps_everything_and_an_added_feature_shows() -> None:
    real = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.1], [0.2, 0.9]])  # Male, Eyeglasses
    same = kept_attributes(real, real.copy(), ["Male", "Eyeglasses"])
    assert same["recon_attribute_agreement"] == 1.0
    assert same["recon_added_Eyeglasses"] == same["recon_removed_Male"] == 0.0
    glasses = real.copy()
    glasses[:, 1] = 0.7  # every reconstruction reads as wearing eyeglasses
    found = kept_attributes(real, glasses, ["Male", "Eyeglasses"])
    assert found["recon_added_Eyeglasses"] == 1.0  # all three faces without them
    assert found["recon_removed_Eyeglasses"] == 0.0
    assert found["recon_agreement_Eyeglasses"] == pytest.approx(0.25)
    assert found["recon_attribute_agreement"] == pytest.approx((1.0 + 0.25) / 2)
