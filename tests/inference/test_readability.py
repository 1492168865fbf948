"""The session readability summary: counts, reasons and the teacher's sentence."""

from __future__ import annotations

from inference.readability import ReadabilityCounter
from inference.records import Box, EyeSignals, FaceRecord, FrameResult


def face(iod: float, flags=(), yaw: float = 0.0) -> FaceRecord:
    signals = None
    if "eyes_unreadable" not in flags:
        signals = EyeSignals(0.3, 0.3, False, False, yaw, 0.0, 0.0, 0.0, 0.0)
    return FaceRecord(0, 0.0, 1, Box(0, 0, 10, 10), 0.9, iod, signals=signals, flags=list(flags))


def facing(rec: FaceRecord) -> bool | None:
    return None if rec.signals is None else abs(rec.signals.yaw) <= 30


def test_a_classroom_of_tiny_faces_says_how_small_they_are_and_what_the_eyes_need():
    counter = ReadabilityCounter(12.0, facing)
    for _ in range(10):
        counter.add(FrameResult(0, 0.0, [face(iod, ("eyes_unreadable", "small_face")) for iod in range(2, 9)]))
    r = counter.result()
    assert (r.face_records, r.readable_records, r.small_face) == (70, 0, 70)
    assert r.faces_per_frame == 7.0 and r.readable_per_frame == 0.0
    assert 2 <= r.small_face_inter_ocular["p10"] <= 3 and 7 <= r.small_face_inter_ocular["p90"] <= 9
    assert r.summary.startswith("7.0 faces present per analysed frame, eyes readable for 0.0")
    assert "100% of faces are too small" in r.summary and "eyes need 12 px" in r.summary


def test_unreadable_big_faces_and_turned_heads_are_counted_apart():
    counter = ReadabilityCounter(12.0, facing)
    turned = face(40, ("head_turned",), yaw=60)
    counter.add(
        FrameResult(0, 0.0, [face(40), turned, face(30, ("eyes_unreadable", "no_landmarks")), face(40, yaw=20)])
    )
    r = counter.result()
    assert (r.readable_records, r.no_landmarks, r.turned_away, r.head_turned, r.small_face) == (3, 1, 1, 1, 0)
    assert r.small_face_inter_ocular is None
    assert "gave no eye landmarks" in r.summary
    assert "33% of readable faces were turned away (33% too far for their emotions to be read)" in r.summary


def test_no_faces_says_so():
    counter = ReadabilityCounter(12.0, facing)
    counter.add(FrameResult(0, 0.0, []))
    assert counter.result().summary == "No faces were found."
