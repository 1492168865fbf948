"""Widening a trained eye CNN keeps what it computes and lets the new channels learn."""

import numpy as np
import pytest

from inference.geometry import EYE_BAND
from inference.lab.model import ModelConfig, build_model
from inference.lab.widen import widen

pytestmark = pytest.mark.lab

TINY = ModelConfig(widths=(4, 8), head_units=16, dropout=0.1, augment=False)


@pytest.fixture(scope="module")
def narrow():
    """A tiny model with random weights everywhere, BatchNorm statistics included, as training leaves them."""
    model = build_model(EYE_BAND.shape, TINY)
    rng = np.random.default_rng(3)
    weights = [rng.normal(0.0, 0.3, w.shape).astype("float32") for w in model.get_weights()]
    model.set_weights([np.abs(w) + 0.5 if w.ndim == 1 else w for w in weights])  # positive variances
    return model


def bands(n: int = 16) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (n, *EYE_BAND.shape, 1)).astype("float32")


def test_a_widened_model_gives_the_narrow_models_probabilities(narrow):
    wide = widen(narrow, TINY, (6, 13), seed=1)
    assert [w.shape[-1] for w in wide.get_weights() if w.ndim == 4] == [6, 6, 13, 13]
    before = np.asarray(narrow(bands(), training=False))
    after = np.asarray(wide(bands(), training=False))
    assert np.abs(after - before).max() < 1e-5
    assert not np.allclose(before, before[:1])  # the check compares distinct outputs, not a constant


def test_copies_of_a_channel_take_unequal_shares_of_its_outgoing_weights(narrow):
    weights = widen(narrow, TINY, (8, 8), seed=2).get_weights()
    first, second = weights[0], weights[5]  # the two convolutions of block 1 (BatchNorm's four between)
    copy = 4  # the first extra channel copies one of the four the narrow model had
    original = next(j for j in range(4) if np.allclose(first[..., j], first[..., copy]))
    ratio = second[:, :, original, :] / second[:, :, copy, :]
    assert np.allclose(ratio, ratio.flat[0]) and not np.isclose(ratio.flat[0], 1.0)


def test_widening_refuses_fewer_channels_or_another_number_of_blocks(narrow):
    with pytest.raises(ValueError, match="narrow"):
        widen(narrow, TINY, (2, 8))
    with pytest.raises(ValueError, match="one entry per block"):
        widen(narrow, TINY, (8, 16, 32))
