"""How readable a session's faces were, and why not: the numbers behind empty charts.

A classroom camera can show many faces whose eyes are too small to read; without this summary such a
session would look like a normal one with empty charts. Counts only, in bounded memory (the eye
distances of small faces go into a histogram, not a list).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .records import FaceRecord, FrameResult, Readability

BIN_PX = 0.5  # histogram resolution of small faces' eye distances


class ReadabilityCounter:
    """Fed every completed frame; `result()` at any time."""

    def __init__(self, min_inter_ocular: float, facing: Callable[[FaceRecord], bool | None]) -> None:
        self.min_inter_ocular, self.facing = min_inter_ocular, facing
        self.frames = self.records = self.readable = self.small = self.no_landmarks = self.away = 0
        self.head_turned = self.head_only = 0
        self.small_iod = np.zeros(int(np.ceil(min_inter_ocular / BIN_PX)) + 1, dtype=np.int64)

    def add(self, frame: FrameResult) -> None:
        self.frames += 1
        for rec in frame.faces:
            self.records += 1
            if rec.readable:
                self.readable += 1
                self.away += self.facing(rec) is False
                self.head_turned += "head_turned" in rec.flags
            elif "small_face" in rec.flags:
                self.small += 1
                self.head_only += "head_only" in rec.flags
                self.small_iod[min(int(max(rec.inter_ocular, 0.0) / BIN_PX), len(self.small_iod) - 1)] += 1
            else:
                self.no_landmarks += 1

    def state(self) -> dict:
        """The counts, as plain numbers (a chunk's share); `merge` adds another's."""
        return {**{n: getattr(self, n) for n in _COUNTS}, "small_iod": self.small_iod.tolist()}

    def merge(self, state: dict) -> None:
        for name in _COUNTS:  # states made before a count existed lack it
            setattr(self, name, getattr(self, name) + state.get(name, 0))
        self.small_iod = self.small_iod + np.asarray(state["small_iod"], dtype=np.int64)

    def result(self) -> Readability:
        per_frame = max(self.frames, 1)
        iod = _percentiles(self.small_iod) if self.small else None
        return Readability(
            analysed_frames=self.frames,
            face_records=self.records,
            readable_records=self.readable,
            faces_per_frame=round(self.records / per_frame, 3),
            readable_per_frame=round(self.readable / per_frame, 3),
            small_face=self.small,
            no_landmarks=self.no_landmarks,
            turned_away=self.away,
            head_turned=self.head_turned,
            small_face_inter_ocular=iod,
            min_inter_ocular=self.min_inter_ocular,
            summary=self._summary(iod),
            head_only=self.head_only,
        )

    def _summary(self, iod: dict[str, float] | None) -> str:
        if not self.records:
            return "No faces were found."
        n = max(self.frames, 1)
        text = f"{self.records / n:.1f} faces present per analysed frame, eyes readable for {self.readable / n:.1f}"
        if self.head_only:
            text += f", head orientation only for {self.head_only / n:.1f}"
        reasons = []
        if iod is not None:
            reasons.append(
                f"{_share(self.small, self.records)} of faces are too small: {iod['p10']:.0f}-{iod['p90']:.0f} px "
                f"between the eyes; eyes need {self.min_inter_ocular:.0f} px"
            )
        if self.no_landmarks:
            reasons.append(
                f"{_share(self.no_landmarks, self.records)} gave no eye landmarks (turned away, blurred or covered)"
            )
        if self.away:
            turned = f"{_share(self.away, self.readable)} of readable faces were turned away"
            if self.head_turned:
                turned += f" ({_share(self.head_turned, self.readable)} too far for their emotions to be read)"
            reasons.append(turned)
        return text + (": " + "; ".join(reasons) if reasons else "") + "."


_COUNTS = ("frames", "records", "readable", "small", "no_landmarks", "away", "head_turned", "head_only")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):.0f}%"


def _percentiles(hist: np.ndarray) -> dict[str, float]:
    cumulative = np.cumsum(hist) / hist.sum()
    centre = (np.arange(len(hist)) + 0.5) * BIN_PX

    def at(q: float) -> float:
        return round(float(centre[int(np.searchsorted(cumulative, q))]), 1)

    return {"p10": at(0.1), "median": at(0.5), "p90": at(0.9)}
