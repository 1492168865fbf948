"""The seven FER2013 expression classes, in the dataset's label order."""

LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
NUM_CLASSES = len(LABELS)
LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}

NEUTRAL = "neutral"
UNCERTAIN = "uncertain"
# On calibrated probabilities a top class under one half is more often wrong than right, so a face
# below it is shown as uncertain rather than as its most likely class.
MIN_TOP_PROBABILITY = 0.5


def top_label(probs) -> str:
    """The most likely class of one face's 7 probabilities, or "uncertain" below MIN_TOP_PROBABILITY."""
    best = max(range(NUM_CLASSES), key=lambda i: probs[i])
    return LABELS[best] if probs[best] >= MIN_TOP_PROBABILITY else UNCERTAIN


# The bands of an emotion mix: the share of faces whose top_label is each class, "uncertain" its own band.
MIX_LABELS: tuple[str, ...] = (*LABELS, UNCERTAIN)
MIX_INDEX = {name: i for i, name in enumerate(MIX_LABELS)}
