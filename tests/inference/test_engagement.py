"""Engagement: per-track and per-class measures, per second, from generated records."""

from __future__ import annotations

import numpy as np
import pytest

from inference.engagement import EngagementAggregator, merged_summaries
from inference.labels import LABELS
from inference.records import ActionUnits, Box, EyeSignals, FaceRecord, FrameResult
from inference.tuning import FacingConfig


def rec(track, t, yaw=0.0, pitch=0.0, closed=False, blink=False, readable=True, happy=None):
    sig = EyeSignals(0.3, 0.3, closed, blink, yaw, pitch, 0.0, 0.0, 0.0) if readable else None
    probs = None
    if happy is not None:
        probs = {label: (happy if label == "happy" else (1 - happy) / 6) for label in LABELS}
    flags = [] if readable else ["eyes_unreadable", "small_face"]
    return FaceRecord(0, t, track, Box(0, 0, 10, 10), 0.9, 20.0, signals=sig, probs=probs, flags=flags)


def frames_for_second(second, fps, make):
    return [FrameResult(int((second + i / fps) * fps), second + i / fps, make(second + i / fps, i)) for i in range(fps)]


def test_facing_and_open_student_vs_turned_away_student():
    agg = EngagementAggregator()
    seconds = []
    for fr in frames_for_second(0, 10, lambda t, i: [rec(1, t), rec(2, t, yaw=60.0)]):
        seconds += agg.add(fr)
    assert seconds == []  # the second is not complete yet
    seconds += agg.add(FrameResult(10, 1.0, [rec(1, 1.0)]))
    (s0,) = seconds
    assert s0.second == 0 and s0.faces_present == 2.0 and s0.readable == 2.0
    assert s0.tracks == {"1": 1.0, "2": 0.0} and s0.engagement == pytest.approx(0.5)
    assert s0.facing_fraction == pytest.approx(0.5) and s0.perclos == 0.0


@pytest.mark.parametrize(("yaw", "pitch", "facing"), [(28, 0, True), (0, -24, True), (24, -20, False), (20, 10, True)])
def test_a_head_turned_sideways_and_down_at_once_stops_facing_sooner(yaw, pitch, facing):
    # what hides the eyes is the angle off the camera axis: 24 and 20 degrees together are 31 off it
    limits = FacingConfig(yaw=30.0, pitch=25.0)
    assert EngagementAggregator(limits).facing(rec(1, 0.0, yaw=yaw, pitch=pitch)) is facing


def test_the_facing_limits_come_from_the_tuning():
    turned = rec(1, 0.0, yaw=27, pitch=0)
    assert EngagementAggregator(FacingConfig(yaw=30.0)).facing(turned) is True
    assert EngagementAggregator(FacingConfig(yaw=25.0)).facing(turned) is False


def test_perclos_blinks_and_pitch():
    agg = EngagementAggregator()
    make = lambda t, i: [rec(1, t, closed=i < 3, blink=i == 3, pitch=40.0 if i >= 8 else 0.0)]
    for fr in frames_for_second(0, 10, make):
        agg.add(fr)
    (s0,) = agg.finish()
    assert s0.perclos == pytest.approx(0.3) and s0.blinks == 1
    assert s0.facing_fraction == pytest.approx(0.8)
    assert s0.engagement == pytest.approx(0.5)  # 10 frames: 3 closed, 2 looking up


def test_perclos_and_blink_rate_count_only_frames_whose_lids_could_be_read():
    agg = EngagementAggregator()
    bowed = dict(pitch=-40.0, closed=None)  # a student reading: the lids are seen from above
    make = lambda t, i: [rec(1, t, closed=i < 3, blink=i == 3) if i < 5 else rec(1, t, **bowed)]
    for second in range(6):
        for fr in frames_for_second(second, 10, make):
            agg.add(fr)
    seconds = agg.finish()
    assert all(s.perclos == pytest.approx(0.6) for s in seconds)  # 3 closed of 5 read, not of 10
    assert all(s.engagement == pytest.approx(0.2) for s in seconds)  # bowed frames are not attentive
    (track,) = agg.track_summaries(frame_period=0.1)
    assert track.perclos == pytest.approx(0.6) and track.blinks == 6
    assert track.blink_rate_per_min == pytest.approx(120.0)  # 6 blinks in 3 s of readable lids, not 6 s


def test_unreadable_faces_count_as_present_but_not_engagement():
    agg = EngagementAggregator()
    for fr in frames_for_second(0, 5, lambda t, i: [rec(1, t, readable=False), rec(2, t, readable=False)]):
        agg.add(fr)
    (s0,) = agg.finish()
    assert s0.faces_present == 2.0 and s0.readable == 0.0
    assert s0.engagement is None and s0.facing_fraction is None and s0.tracks == {"1": None, "2": None}


def test_emotion_mix_and_track_summaries():
    agg = EngagementAggregator()
    for second in range(3):
        for fr in frames_for_second(second, 10, lambda t, i: [rec(1, t, happy=0.8 if t < 1 else 0.2, blink=(i == 0))]):
            agg.add(fr)
    done = agg.finish()
    assert done[0].second == 2
    (summary,) = agg.track_summaries(frame_period=0.1)
    assert summary.frames == 30 and summary.readable_frames == 30 and summary.blinks == 3
    assert summary.blink_rate_per_min == pytest.approx(3 / 0.05)  # 3 blinks in 3 s
    # one second read happy at 0.8; two at 0.2, a top class under one half: uncertain
    assert summary.emotion_mix["happy"] == pytest.approx(1 / 3) and summary.emotion_mix["uncertain"] == pytest.approx(
        2 / 3
    )
    assert sum(summary.emotion_mix.values()) == pytest.approx(1.0)
    assert summary.emotion_probs["happy"] == pytest.approx((0.8 + 0.2 + 0.2) / 3)  # the mean, kept beside it
    assert summary.first_time == 0.0 and summary.last_time == pytest.approx(2.9)


def calm(neutral: float, other: dict[str, float] | None = None) -> dict[str, float]:
    """A face's probabilities: `neutral`, the named others, the rest spread evenly."""
    other = other or {}
    rest = (1 - neutral - sum(other.values())) / (len(LABELS) - 1 - len(other))
    return {label: neutral if label == "neutral" else other.get(label, rest) for label in LABELS}


def test_a_calm_face_read_60_percent_neutral_adds_nothing_to_angry():
    agg = EngagementAggregator()
    face = calm(0.6, {"angry": 0.1})
    for fr in frames_for_second(0, 10, lambda t, i: [FaceRecord(0, t, 1, Box(0, 0, 10, 10), 0.9, 20.0, probs=face)]):
        agg.add(fr)
    (second,) = agg.finish()
    assert second.emotion_mix["neutral"] == 1.0 and second.emotion_mix["angry"] == 0.0
    assert second.emotion_probs["angry"] == pytest.approx(0.1)  # what the mean of probabilities said


def test_a_mostly_neutral_session_is_at_least_90_percent_neutral_or_uncertain():
    from inference.summary import summarize

    rng = np.random.default_rng(1)
    smile = calm(0.1, {"happy": 0.8})

    def faces(t, i):
        # two calm students read neutral at 50-90%, one read unsure; a brief smile in one frame of five
        read = [calm(rng.uniform(0.55, 0.9)), calm(0.35, {"sad": 0.3}), calm(rng.uniform(0.5, 0.8))]
        read += [smile] if i == 0 else []
        return [FaceRecord(0, t, track, Box(0, 0, 10, 10), 0.9, 20.0, probs=p) for track, p in enumerate(read, 1)]

    agg, seconds = EngagementAggregator(), []
    for second in range(30):
        for fr in frames_for_second(second, 5, faces):
            seconds += agg.add(fr)
    seconds += agg.finish()
    mix = summarize({"seconds": [s.to_dict() for s in seconds]})["emotions"]
    assert len(seconds) == 30 and mix["neutral"] + mix["uncertain"] >= 0.9 and mix["angry"] == 0.0
    assert mix["happy"] > 0  # a real smile still shows


def test_seconds_without_frames_are_skipped_not_invented():
    agg = EngagementAggregator()
    out = agg.add(FrameResult(0, 0.2, [rec(1, 0.2)])) + agg.add(FrameResult(50, 5.1, [rec(1, 5.1)])) + agg.finish()
    assert [s.second for s in out] == [0, 5]


def test_eyes_turned_up_or_down_in_a_frontal_head_are_not_facing():
    agg = EngagementAggregator()
    look = lambda gx, gy: FaceRecord(
        0, 0.0, 1, Box(0, 0, 10, 10), 0.9, 20.0, signals=EyeSignals(0.3, 0.3, False, False, 0, 0, 0, gx, gy)
    )
    assert agg.facing(look(0.05, 0.02)) is True
    assert agg.facing(look(0.0, -0.2)) is False  # a glance up at the ceiling
    assert agg.facing(look(0.0, 0.2)) is False  # lids lowered over a downward look
    assert agg.facing(look(0.5, 0.0)) is False  # eyes to the side
    assert agg.facing(look(float("nan"), float("nan"))) is True  # no iris: the head decides


def with_units(record, au1: float):
    record.signals.units = ActionUnits(au1, 2 * au1, 0.0, 0.0, 0.0, 0.0, 0.1)
    return record


def test_action_units_are_averaged_over_the_readable_frames_that_have_them_per_second_and_track():
    agg = EngagementAggregator()
    # track 1: units on half its frames (its calm was known from the 6th); track 2: never any
    make = lambda t, i: [with_units(rec(1, t), 0.01 * i) if i >= 5 else rec(1, t), rec(2, t)]
    seconds = [s for fr in frames_for_second(0, 10, make) for s in agg.add(fr)]
    seconds += agg.add(FrameResult(10, 1.0, [rec(1, 1.0), rec(2, 1.0, readable=False)])) + agg.finish()
    s0, s1 = seconds
    assert s0.units.au1 == pytest.approx(0.07) and s0.units.au2 == pytest.approx(0.14) and s0.units.au43 == 0.1
    assert set(s0.track_units) == {"1"} and s0.track_units["1"].au1 == pytest.approx(0.07)
    assert s1.units is None and s1.track_units == {}
    one, two = agg.track_summaries(frame_period=0.1)
    assert one.units.au1 == pytest.approx(0.07) and two.units is None


def test_the_units_of_a_face_whose_eyes_were_unreadable_are_not_counted():
    agg = EngagementAggregator()
    unreadable = with_units(rec(1, 0.0), 0.5)
    unreadable.flags = ["eyes_unreadable"]
    agg.add(FrameResult(0, 0.0, [unreadable, with_units(rec(2, 0.0), 0.02)]))
    (s0,) = agg.finish()
    assert s0.units.au1 == pytest.approx(0.02) and set(s0.track_units) == {"2"}


def test_track_unit_sums_of_several_spans_give_the_one_pass_mean():
    spans = []
    for start, au1 in ((0, 0.01), (1, 0.03)):
        agg = EngagementAggregator()
        for fr in frames_for_second(start, 10, lambda t, i, au1=au1: [with_units(rec(1, t), au1)]):
            agg.add(fr)
        spans.append(agg.track_sums())
    (track,) = merged_summaries(spans, frame_period=0.1)
    assert track.units.au1 == pytest.approx(0.02) and track.units.au2 == pytest.approx(0.04)
