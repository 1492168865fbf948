"""What "no emotion" means in a test: no emotion key and no emotion name anywhere in a document."""

from __future__ import annotations

import json

from inference.labels import LABELS

EMOTION_KEYS = {"probs", "top", "label", "labels", "emotion_mix", "dominant", "emotions", "mix"}


def emotion_keys(value, path: str = "") -> list[str]:
    """Where `value` (parsed JSON) holds an emotion key; the analysis options' `emotions: false`
    (the switch itself, not an emotion) is allowed."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in EMOTION_KEYS and not (path.endswith("options") and key == "emotions" and item is False):
                found.append(f"{path}.{key}")
            found += emotion_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += emotion_keys(item, f"{path}[{i}]")
    return found


def assert_no_emotion(document) -> None:
    """No emotion key in a parsed document, and no emotion name in it or in a text (CSV, message)."""
    text = document if isinstance(document, str) else json.dumps(document)
    if not isinstance(document, str):
        assert emotion_keys(document) == []
    named = [label for label in LABELS if label in text.lower()]
    assert named == [], f"emotion names in the output: {named}"
