"""The tuned signal steps one read face goes through (eye signals, spotting), shared by the pipeline
and the lab's replay so a replayed capture gives the pipeline's own flags and events."""

from __future__ import annotations

import dataclasses

import numpy as np

from .actionunits import SPOT_UNITS
from .eyesignals import EyeSignalEstimator
from .records import Event, FaceRecord
from .spotting import Spotter


def read_eyes(eyes: EyeSignalEstimator, record: FaceRecord, landmarks: np.ndarray, blinked: set[int]) -> None:
    """The eye signals of a face with landmarks into its record, with the flags they raise; a blink
    that ended since the track's last record (`blinked`) is flagged here."""
    signals = eyes.measure(record.track, landmarks, record.time)
    if record.track in blinked:
        blinked.discard(record.track)
        signals = dataclasses.replace(signals, blink=True)
    record.signals = signals
    record.flags += [
        flag
        for flag, on in (("eyes_closed", signals.eyes_closed), ("blink", signals.blink), ("wink", signals.wink))
        if on
    ]


def read_between(eyes: EyeSignalEstimator, blinked: set[int], track: int, landmarks: np.ndarray, time: float) -> None:
    """A track's lids read between analysed frames: they count for closure and blink timing only."""
    if eyes.measure(track, landmarks, time).blink:
        blinked.add(track)


def spot(spotter: Spotter, record: FaceRecord, band: np.ndarray, probs: np.ndarray | None) -> list[Event]:
    """Feed one read face to the spotter; the events that closed on its frame."""
    sig = record.signals
    return spotter.update(
        record.track,
        record.frame,
        record.time,
        band,
        sig and sig.eyes_closed,
        probs,
        sig and sig.wink,
        sig.units.vector(SPOT_UNITS) if sig and sig.units else None,
    )
