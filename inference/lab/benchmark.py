"""Scoring an analysis against frame-level labels of real clips (the labelled set's README rules).

Pure functions over an `AnalysisResult.to_dict()` and one clip's labels, so each rule is testable
without video. Frames are 0-based video frame indices; label intervals are inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import emotion_reading
from .emotion_reading import EmotionReading

MATCH_IOU = 0.5  # MEGC spotting rule: a spotted interval matches an episode at IoU >= 0.5
BLINK_BEFORE, BLINK_AFTER = 2, 3  # a blink flag counts within [onset - 2, offset + 3]
STUDENT_RATIO = 1.5  # distinct students found must be within this factor of the labelled count

Interval = tuple[int, int]

RULES = """Scoring (the labelled set's README): an expression episode whose eye region shows the change is
spotted when a reported event's frame interval has IoU >= 0.5 with it, each matching once; an event that
matches nothing is a false positive unless it overlaps a labelled blink, closure or look away (then it is
counted apart as excused: a teacher still sees it). A blink is
detected when a frame flagged `blink` lies within [onset - 2, offset + 3]; other blink flags are false.
Eyes closed and looking away are balanced frame accuracies of the labelled intervals against the calm
intervals, on the largest face of each frame (no face: not closed, and away; a face without landmarks:
not away); unanalysed frames hold the last analysed one. Students: tracks seen for 2 s or more, within
1.5x of the labelled count. Readable: face records with readable eyes.
"""
RULES += emotion_reading.RULES


@dataclass
class Detection:
    """Counts of a detection task: matched, spurious and missed; `excused`: unmatched but not counted
    false (an event over a labelled blink, closure or look away, which a teacher still sees)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    excused: int = 0

    def __add__(self, other: Detection) -> Detection:
        return Detection(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.excused + other.excused)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        found = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / found if found else None


@dataclass
class FrameAccuracy:
    """Frames of labelled intervals (positives) against calm frames (negatives)."""

    pos_hit: int = 0
    pos: int = 0
    neg_hit: int = 0
    neg: int = 0

    def __add__(self, other: FrameAccuracy) -> FrameAccuracy:
        return FrameAccuracy(
            self.pos_hit + other.pos_hit, self.pos + other.pos, self.neg_hit + other.neg_hit, self.neg + other.neg
        )

    @property
    def balanced(self) -> float | None:
        """Mean of the two recalls; undefined when a side has no frames (a clip without closures)."""
        if not self.pos or not self.neg:
            return None
        return (self.pos_hit / self.pos + self.neg_hit / self.neg) / 2


@dataclass
class ClipScore:
    clip: str
    episodes: Detection
    blinks: Detection
    closed: FrameAccuracy
    away: FrameAccuracy
    students_found: int
    students_labelled: tuple[int, int]  # a range: some clips give a fuzzy count ("2-3 + ~15")
    face_records: int
    readable_records: int
    emotions: EmotionReading = field(default_factory=EmotionReading)
    still: int = 0  # tracks seen long enough that were flagged still images (inference/stillness.py)
    extra: dict = field(default_factory=dict)

    @property
    def readable_fraction(self) -> float | None:
        return self.readable_records / self.face_records if self.face_records else None

    @property
    def students_ok(self) -> bool:
        low, high = self.students_labelled
        return low / STUDENT_RATIO <= self.students_found <= high * STUDENT_RATIO


def iou(a: Interval, b: Interval) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    return inter / ((a[1] - a[0] + 1) + (b[1] - b[0] + 1) - inter)


def overlaps(a: Interval, intervals: list[Interval]) -> bool:
    return any(min(a[1], b[1]) >= max(a[0], b[0]) for b in intervals)


def episode_pairs(spotted: list[Interval], episodes: list[Interval]) -> dict[int, int]:
    """Greedy one-to-one matching by IoU, best pairs first: spotted index -> episode index."""
    pairs = sorted(
        ((iou(s, e), i, j) for i, s in enumerate(spotted) for j, e in enumerate(episodes)),
        reverse=True,
    )
    matched: dict[int, int] = {}
    for score, i, j in pairs:
        if score < MATCH_IOU:
            break
        if i not in matched and j not in matched.values():
            matched[i] = j
    return matched


def match_episodes(spotted: list[Interval], episodes: list[Interval], excused: list[Interval]) -> Detection:
    """Episodes matched by `episode_pairs`. An unmatched spotted interval is a false positive unless it
    overlaps an excused interval (a labelled blink, closure or look away)."""
    matched = episode_pairs(spotted, episodes)
    unmatched = [s for i, s in enumerate(spotted) if i not in matched]
    fp = sum(1 for s in unmatched if not overlaps(s, excused))
    return Detection(tp=len(matched), fp=fp, fn=len(episodes) - len(matched), excused=len(unmatched) - fp)


def match_blinks(flagged: list[int], blinks: list[Interval]) -> Detection:
    """Each labelled blink is detected by at most one flagged frame in its window; other flags are false."""
    used, tp = set(), 0
    for onset, offset in sorted(blinks):
        hit = next(
            (f for f in sorted(flagged) if f not in used and onset - BLINK_BEFORE <= f <= offset + BLINK_AFTER), None
        )
        if hit is not None:
            used.add(hit)
            tp += 1
    return Detection(tp=tp, fp=len(flagged) - len(used), fn=len(blinks) - tp)


def largest_faces(frames: list[dict]) -> dict[int, dict]:
    """Frame index -> the face record with the largest box in that frame."""
    best: dict[int, dict] = {}
    for rec in frames:
        area = rec["box"]["w"] * rec["box"]["h"]
        cur = best.get(rec["frame"])
        if cur is None or area > cur["box"]["w"] * cur["box"]["h"]:
            best[rec["frame"]] = rec
    return best


def held(analysed: list[int], frame_count: int) -> list[int | None]:
    """For each video frame, the latest analysed frame at or before it (analysis may skip frames)."""
    out: list[int | None] = []
    it, last = iter(sorted(analysed) + [frame_count]), None
    nxt = next(it)
    for f in range(frame_count):
        while nxt <= f:
            last, nxt = nxt, next(it)
        out.append(last)
    return out


def frame_accuracy(states: list[bool], positives: list[Interval], negatives: list[Interval]) -> FrameAccuracy:
    acc = FrameAccuracy()
    n = len(states)
    for intervals, positive in ((positives, True), (negatives, False)):
        for start, end in intervals:
            for f in range(max(start, 0), min(end, n - 1) + 1):
                if positive:
                    acc.pos, acc.pos_hit = acc.pos + 1, acc.pos_hit + states[f]
                else:
                    acc.neg, acc.neg_hit = acc.neg + 1, acc.neg_hit + (not states[f])
    return acc


def labelled_students(faces_count) -> tuple[int, int]:
    """An integer, or a phrase such as "2-3 large + ~15 small": the sum of its low and high ends."""
    if isinstance(faces_count, int):
        return faces_count, faces_count
    low = high = 0
    for a, b in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", str(faces_count)):
        low, high = low + int(a), high + int(b or a)
    return low, high


def main_face(clip: dict) -> dict:
    """The labelled face scored per frame: the largest one (labels name it by its eye distance)."""
    return max(clip["faces"], key=lambda f: f.get("iod_px") or 0)


def score_clip(clip: dict, result: dict, analysed: list[int], is_away, min_track_seconds: float) -> ClipScore:
    """Score one clip. `analysed`: the video frames that were analysed; `is_away(record)`: the
    pipeline's own looking-away reading of a face record (None when it cannot tell)."""
    n = int(clip["frame_count"])
    face = main_face(clip)
    shown = [e for f in clip["faces"] for e in f["expressions"] if e["region_visible_in_eyes"]]
    visible = [(e["start"], e["end"]) for e in shown]
    excused = [tuple(iv) for f in clip["faces"] for key in ("blinks", "closed", "away") for iv in f[key]]
    spotted = [(e["onset_frame"], e["offset_frame"]) for e in result["events"]]

    largest = largest_faces(result["frames"])
    flagged = sorted(f for f, rec in largest.items() if "blink" in rec["flags"])
    states = [largest.get(h) if h is not None else None for h in held(analysed, n)]
    closed = [rec is not None and "eyes_closed" in rec["flags"] for rec in states]
    away = [rec is None or bool(is_away(rec)) for rec in states]

    seen = [t for t in result["tracks"] if t["last_time"] - t["first_time"] >= min_track_seconds]
    students = sum(1 for t in seen if not t.get("still"))  # a face in a picture is not a student
    matched = [(result["events"][i], shown[j]) for i, j in episode_pairs(spotted, visible).items()]
    own = [e for e in face["expressions"] if e["region_visible_in_eyes"]]
    return ClipScore(
        clip=clip["file"],
        episodes=match_episodes(spotted, visible, excused),
        blinks=match_blinks(flagged, [tuple(b) for b in face["blinks"]]),
        closed=frame_accuracy(closed, face["closed"], face["neutral"]),
        away=frame_accuracy(away, face["away"], face["neutral"]),
        students_found=students,
        students_labelled=labelled_students(clip["faces_count"]),
        face_records=len(result["frames"]),
        readable_records=sum(1 for rec in result["frames"] if "eyes_unreadable" not in rec["flags"]),
        emotions=emotion_reading.read_emotions(largest, face["neutral"], own, matched),
        still=len(seen) - students,
    )


def total(scores: list[ClipScore]) -> dict:
    """Pooled over clips: counts and frames added up, then the rates computed once."""
    episodes = sum((s.episodes for s in scores), Detection())
    blinks = sum((s.blinks for s in scores), Detection())
    return {
        "episodes": episodes,
        "blinks": blinks,
        "closed": sum((s.closed for s in scores), FrameAccuracy()),
        "away": sum((s.away for s in scores), FrameAccuracy()),
        "students_ok": sum(s.students_ok for s in scores),
        "clips": len(scores),
        "readable_fraction": (sum(s.readable_records for s in scores) / max(1, sum(s.face_records for s in scores))),
        "emotions": sum((s.emotions for s in scores), EmotionReading()),
    }


def to_json(scores: list[ClipScore]) -> dict:
    def detection(d: Detection) -> dict:
        counts = {"tp": d.tp, "fp": d.fp, "fn": d.fn, "excused": d.excused}
        return {**counts, "precision": d.precision, "recall": d.recall, "f1": d.f1}

    def clip(s: ClipScore) -> dict:
        return {
            "clip": s.clip,
            "episodes": detection(s.episodes),
            "blinks": detection(s.blinks),
            "closed": s.closed.balanced,
            "away": s.away.balanced,
            "students_found": s.students_found,
            "still": s.still,
            "students_labelled": list(s.students_labelled),
            "readable_fraction": s.readable_fraction,
            "emotions": s.emotions.to_json(),
        }

    t = total(scores)
    return {
        "clips": [clip(s) for s in scores],
        "total": {
            "episodes": detection(t["episodes"]),
            "blinks": detection(t["blinks"]),
            "closed": t["closed"].balanced,
            "away": t["away"].balanced,
            "students_ok": t["students_ok"],
            "readable_fraction": t["readable_fraction"],
            "emotions": t["emotions"].to_json(),
        },
    }


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def table(scores: list[ClipScore]) -> str:
    """Markdown tables of the detections and of the emotions read: one row per clip and a total row."""
    head = (
        "| clip | episodes P / R / F1 | blinks P / R / F1 | closed (bal. acc.) | away (bal. acc.) "
        "| students found / labelled | readable |\n| --- | --- | --- | ---: | ---: | --- | ---: |"
    )
    rows = [head]
    for s in scores:
        low, high = s.students_labelled
        labelled = str(low) if low == high else f"{low}-{high}"
        labelled += f" (+{s.still} still)" if s.still else ""
        rows.append(
            f"| {s.clip} | {prf(s.episodes)} | {prf(s.blinks)} | {fmt(s.closed.balanced)} | {fmt(s.away.balanced)} "
            f"| {s.students_found} / {labelled} | {fmt(s.readable_fraction)} |"
        )
    t = total(scores)
    rows.append(
        f"| **all** | {prf(t['episodes'])} | {prf(t['blinks'])} | {fmt(t['closed'].balanced)} "
        f"| {fmt(t['away'].balanced)} | {t['students_ok']} of {t['clips']} clips within {STUDENT_RATIO}x "
        f"| {fmt(t['readable_fraction'])} |"
    )
    emotions = [emotion_reading.TABLE_HEAD] + [emotion_reading.row(s.clip, s.emotions) for s in scores]
    emotions.append(emotion_reading.row("**all**", t["emotions"]))
    return "\n".join(rows) + "\n\n" + "\n".join(emotions)


def prf(d: Detection) -> str:
    excused = f", {d.excused} excused" if d.excused else ""
    return f"{fmt(d.precision)} / {fmt(d.recall)} / {fmt(d.f1)} ({d.tp} of {d.tp + d.fn}, {d.fp} false{excused})"
