"""`python -m inference.lab.stillness CLIP...`: what the still-image rule sees on real clips.

For each track seen at least 2 s: its blinks, how far its landmarks sit from their reference (inter-ocular
distances: median, 90th percentile) and how much its eye band changes between frames (grey levels), the
shares of moving and changing frames, and the verdict (inference/stillness.py). The report behind the
thresholds in `inference/tuning.StillnessConfig` (docs/benchmarks/stillness.md).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from inference.engagement import STUDENT_MIN_SECONDS
from inference.pipeline import SessionAnalyzer, upload_options
from inference.stillness import StillnessMeter, is_still
from inference.video import VideoReader


class TracedMeter(StillnessMeter):
    """The meter, keeping every distance it measures (a lab tool: memory grows with the clip)."""

    def __init__(self) -> None:
        super().__init__()
        self.motions: dict[int, list[float]] = defaultdict(list)
        self.changes: dict[int, list[float]] = defaultdict(list)

    def add(self, track, time, landmarks, inter_ocular, blink) -> None:
        moved = self.motion(track, landmarks, inter_ocular)
        if moved is not None:
            self.motions[track].append(moved)
        super().add(track, time, landmarks, inter_ocular, blink)

    def appearance(self, track, band) -> None:
        ref = self._refs.get(track)
        if ref is not None and ref.band is not None and ref.band.shape == band.shape:
            self.changes[track].append(float(np.mean(np.abs(band.astype(np.float32) - ref.band))))
        super().appearance(track, band)


def report(path: Path) -> list[str]:
    options = upload_options(emotions=False)
    meter = TracedMeter()
    with SessionAnalyzer(options) as analyzer:
        analyzer.stillness = meter
        for frame in VideoReader(path, fps=options.fps, between=options.lids_between):
            analyzer.feed(frame)
        analyzer.finish()
    rows = []
    for track, counts in sorted(meter.counts().items()):
        if counts.last - counts.first < STUDENT_MIN_SECONDS:
            continue
        moved, changed = meter.motions[track], meter.changes[track]
        rows.append(
            f"| {path.name} | {track} | {counts.last - counts.first:.1f} | {counts.blinks} "
            f"| {_spread(moved, '.3f')} | {counts.moves / counts.frames:.2f} "
            f"| {_spread(changed, '.2f')} | {f'{counts.changes / counts.bands:.2f}' if counts.bands else '—'} "
            f"| {'still' if is_still(counts) else 'person'} |"
        )
    return rows


def _spread(values: list[float], form: str) -> str:
    """ "median / 90th percentile", or a dash when nothing was measured (lids too small to read)."""
    if not values:
        return "—"
    return f"{np.median(values):{form}} / {np.percentile(values, 90):{form}}"


def main(paths: list[str]) -> int:
    print(
        "| clip | track | seconds | blinks | landmark distance p50 / p90 (IOD) | moving share "
        "| band change p50 / p90 (grey) | changing share | verdict |\n"
        "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |"
    )
    for path in paths:
        for row in report(Path(path)):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
