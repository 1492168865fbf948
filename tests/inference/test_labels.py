"""The label shown for one face: its most likely class, or "uncertain" when no class is likely enough."""

from __future__ import annotations

from inference.labels import LABELS, MIN_TOP_PROBABILITY, UNCERTAIN, top_label


def test_a_clear_face_is_shown_as_its_most_likely_class():
    probs = [0.05, 0.0, 0.05, 0.7, 0.1, 0.0, 0.1]
    assert top_label(probs) == "happy"


def test_a_face_without_a_likely_class_is_uncertain_not_its_argmax():
    probs = [0.3, 0.0, 0.1, 0.2, 0.2, 0.0, 0.2]  # angry is only the least unlikely
    assert top_label(probs) == UNCERTAIN and UNCERTAIN not in LABELS


def test_the_level_itself_counts_as_sure():
    probs = [MIN_TOP_PROBABILITY, 0.0, 0.0, 0.0, 0.0, 0.0, 1 - MIN_TOP_PROBABILITY - 1e-9]
    assert top_label(probs) == "angry"
