"""One long recording analysed as overlapping chunks, in parallel, then stitched into one result.

Chunk k owns the seconds [start, end) of the video. It is read from `overlap` seconds before its start
to `overlap` seconds after its end: the lead-in warms up what needs a past (tracks, each eye's open
level, the spotting baselines) and the tail lets an expression that begins inside the chunk end. Only
the chunk's own seconds and the events that begin in them are counted, so every second and event comes
from exactly one chunk.

Stitching joins tracks across each boundary: both neighbours analyse the same frames there (one on
its tail, the other on its lead-in), and two tracks whose boxes overlap (IoU) on enough of those frames
are one student. The chunks' running sums (per track, and of readability) are added, so the summaries
are what one pass would give; track ids are renumbered in order of appearance.

The trade-off: a longer overlap costs work twice on each boundary, a shorter one leaves the start of a
chunk with colder state than a single pass would have there.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .engagement import EngagementAggregator, merged_summaries
from .pipeline import AnalysisOptions, SessionAnalyzer
from .readability import ReadabilityCounter
from .records import AnalysisResult, Box, Event, Record, SecondAggregate
from .stillness import StillCounts, is_still, merge
from .video import VideoReader, probe

MATCH_IOU = 0.5  # boxes of one face on the same frame, seen by two chunks
MATCH_FRAMES = 3  # frames that must agree before two chunks' tracks are joined


@dataclass(frozen=True)
class ChunkPlan(Record):
    index: int
    start: float  # the seconds this chunk owns: [start, end)
    end: float
    read_from: float  # what it analyses: [read_from, read_until)
    read_until: float
    last: bool = False


def plan_chunks(duration: float, chunk_seconds: float, overlap: float) -> list[ChunkPlan]:
    """Whole-second chunk boundaries, so that each second of the video falls in one chunk."""
    count = max(1, math.ceil(duration / chunk_seconds))
    size = math.ceil(duration / count)  # whole seconds
    chunks = []
    for k in range(count):
        last = k == count - 1
        start = float(k * size)
        end = duration + 1.0 if last else float((k + 1) * size)  # past the last frame
        read_until = end if last else min(duration + 1.0, end + overlap)
        chunks.append(ChunkPlan(k, start, end, max(0.0, start - overlap), read_until, last))
    return chunks


def analyse_chunk(path, chunk: ChunkPlan, options: AnalysisOptions, classifier=None, on_progress=None) -> dict:
    """Analyse one chunk; a plain dict (JSON) with its seconds, events, running sums and boundary boxes."""
    reader = VideoReader(
        path,
        fps=options.fps,
        start=chunk.read_from,
        end=chunk.read_until,
        between=options.lids_between,
        prefetch=options.decode_ahead,
    )
    span = max(1e-6, min(chunk.read_until, reader.info.duration or chunk.read_until) - chunk.read_from)
    # frames a neighbour analyses too: the previous chunk's tail, the next chunk's lead-in
    shared_until = chunk.start + (chunk.start - chunk.read_from) if chunk.index else -math.inf
    shared_from = math.inf if chunk.last else chunk.end - (chunk.read_until - chunk.end)
    boxes: list[list] = []  # [time, track, x, y, w, h] on those frames
    with SessionAnalyzer(options, classifier, window=(chunk.start, chunk.end)) as analyzer:

        def keep(results) -> None:
            for r in results:
                if r.time < shared_until or r.time >= shared_from:
                    boxes.extend([round(r.time, 4), f.track, f.box.x, f.box.y, f.box.w, f.box.h] for f in r.faces)

        for frame in reader:
            keep(analyzer.feed(frame))
            if on_progress is not None:
                on_progress(min(1.0, (frame.time - chunk.read_from) / span))
        keep(analyzer.finish())
        result = analyzer.result()
        return {
            "chunk": chunk.to_dict(),
            "seconds": [s.to_dict() for s in result.seconds],
            "events": [e.to_dict() for e in result.events],
            "track_sums": {str(k): v for k, v in analyzer.engagement.track_sums().items()},
            "still_counts": {str(k): v.to_dict() for k, v in analyzer.stillness.counts().items()},
            "readability": analyzer.readability.state(),
            "frame_period": analyzer.frame_period,
            "analysed_frames": analyzer.frames_analysed,
            "boxes": boxes,
            "options": result.options,
        }


def match_tracks(before: list[list], after: list[list]) -> dict[int, int]:
    """{track in `after`: track in `before`} for tracks whose boxes agree on MATCH_FRAMES shared frames."""
    by_time: dict[float, list] = {}
    for t, track, *box in before:
        by_time.setdefault(t, []).append((track, Box(*box)))
    votes: dict[tuple[int, int], int] = {}
    for t, track, *box in after:
        for other, other_box in by_time.get(t, []):
            if Box(*box).iou(other_box) >= MATCH_IOU:
                votes[(track, other)] = votes.get((track, other), 0) + 1
    pairs, used_a, used_b = {}, set(), set()
    for (a, b), n in sorted(votes.items(), key=lambda kv: -kv[1]):
        if n >= MATCH_FRAMES and a not in used_a and b not in used_b:
            pairs[a] = b
            used_a.add(a)
            used_b.add(b)
    return pairs


def stitch(parts: list[dict], video: dict, min_inter_ocular: float) -> AnalysisResult:
    """One AnalysisResult from the chunks' results (in any order)."""
    parts = sorted(parts, key=lambda p: p["chunk"]["index"])
    mapping: list[dict[int, int]] = []
    next_id = 1
    for k, part in enumerate(parts):
        local = sorted({int(t) for t in part["track_sums"]} | {int(b[1]) for b in part["boxes"]})
        joined = match_tracks(parts[k - 1]["boxes"], part["boxes"]) if k else {}
        ids = {}
        for track in local:
            if track in joined:
                ids[track] = mapping[k - 1][joined[track]]
            else:
                ids[track], next_id = next_id, next_id + 1
        mapping.append(ids)
    seconds, events, sums, still = [], [], [], []
    readability = ReadabilityCounter(min_inter_ocular, EngagementAggregator().facing)
    for part, ids in zip(parts, mapping):
        for row in part["seconds"]:
            row = dict(row)
            row["tracks"] = {str(ids[int(t)]): v for t, v in row.get("tracks", {}).items()}
            for key in ("track_units", "track_sums"):
                row[key] = {str(ids[int(t)]): v for t, v in row.get(key, {}).items()}
            seconds.append(row)
        events += [{**e, "track": ids[int(e["track"])]} for e in part["events"]]
        sums.append({ids[int(t)]: v for t, v in part["track_sums"].items()})
        still.append({ids[int(t)]: StillCounts.from_dict(v) for t, v in part.get("still_counts", {}).items()})
        readability.merge(part["readability"])
    periods = [p["frame_period"] for p in parts if p["frame_period"]]
    counts = merge(still)
    tracks = [
        dataclasses.replace(t, still=t.track in counts and is_still(counts[t.track]))
        for t in merged_summaries(sums, float(np.median(periods)) if periods else 0.0)
    ]
    video = {**video, "chunks": len(parts), "analysed_frames": sum(p["analysed_frames"] for p in parts)}
    return AnalysisResult(
        video=video,
        options=parts[0]["options"] if parts else {},
        tracks=tracks,
        frames=[],
        events=[Event.from_dict(e) for e in sorted(events, key=lambda e: (e["onset"], e["track"]))],
        seconds=[SecondAggregate.from_dict(row) for row in sorted(seconds, key=lambda r: r["second"])],
        readability=readability.result(),
    )


def analyse_in_chunks(path, options: AnalysisOptions, chunk_seconds: float, overlap: float, classifier=None):
    """All chunks one after another in this process (what the workers do in parallel), then stitched."""
    info = probe(path)
    chunks = plan_chunks(info.duration, chunk_seconds, overlap)
    parts = [analyse_chunk(path, c, options, classifier) for c in chunks]
    return stitch(parts, info.to_dict(), options.min_inter_ocular)
