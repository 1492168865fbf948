"""Temperature scaling and the expected calibration error."""

from __future__ import annotations

import numpy as np
import pytest

from inference.classifier import EyeClassifier, apply_temperature
from inference.geometry import EYE_BAND
from inference.lab.calibration import expected_calibration_error, fit_temperature


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sampled(temperature: float, n: int = 20000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities softmax(z) whose labels were drawn from softmax(z / temperature)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2.5, size=(n, 7))
    truth = softmax(z / temperature)
    labels = np.array([rng.choice(7, p=p) for p in truth])
    return softmax(z), labels


def test_temperature_scaling_keeps_every_argmax_and_one_is_the_identity():
    probs, _ = sampled(1.0, n=500)
    assert apply_temperature(probs, 1.0) is probs
    for t in (0.5, 2.0):
        scaled = apply_temperature(probs, t)
        assert np.allclose(scaled.sum(axis=1), 1.0)
        assert (scaled.argmax(axis=1) == probs.argmax(axis=1)).all()
    assert apply_temperature(probs, 2.0).max(axis=1).mean() < probs.max(axis=1).mean()


def test_the_fitted_temperature_recovers_the_one_the_labels_were_drawn_with():
    for true_t in (0.6, 1.0, 1.8):
        probs, labels = sampled(true_t)
        assert fit_temperature(probs, labels) == pytest.approx(true_t, rel=0.08)


def test_ece_is_small_when_calibrated_and_large_when_overconfident():
    probs, labels = sampled(1.0)
    assert expected_calibration_error(probs, labels) < 0.02
    overconfident, labels = sampled(2.5)
    before = expected_calibration_error(overconfident, labels)
    after = expected_calibration_error(apply_temperature(overconfident, fit_temperature(overconfident, labels)), labels)
    assert before > 0.1 and after < 0.03


def test_ece_of_a_hand_made_case():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])  # confidence 0.9 bin: accuracy 0.5; 0.6 bin: accuracy 1.0
    assert expected_calibration_error(probs, labels) == pytest.approx(0.5 * 0.4 + 0.5 * 0.4)


class Fixed:
    """A stand-in model returning the same probabilities for every view."""

    def __init__(self, probs):
        self.probs = np.asarray(probs, dtype="float32")

    def __call__(self, x, training=False):
        return np.repeat(self.probs[None], len(x), axis=0)


def test_the_classifier_applies_the_card_temperature_of_its_averaging_mode():
    p = np.array([0.5, 0.2, 0.1, 0.1, 0.05, 0.03, 0.02])
    card = {"calibration": {"temperature": {"single": 2.0, "flip": 0.5}}}
    clf = EyeClassifier(Fixed(p), card, EYE_BAND)
    bands = np.zeros((3, *EYE_BAND.shape), dtype=np.uint8)
    assert np.allclose(clf.predict_bands(bands, flip=False)[0], apply_temperature(p[None], 2.0)[0], atol=1e-6)
    assert np.allclose(clf.predict_bands(bands, flip=True)[0], apply_temperature(p[None], 0.5)[0], atol=1e-6)
    assert np.allclose(clf.predict_bands(bands, flip=False, calibrated=False)[0], p, atol=1e-6)
    assert EyeClassifier(Fixed(p), {}, EYE_BAND).temperature(flip=False) == 1.0
