"""The class numbers of a second made again without some tracks, from the per-track sums it keeps."""

from __future__ import annotations

import pytest

from inference.engagement import EngagementAggregator
from inference.regroup import leave_out, regroup
from tests.inference.test_engagement import frames_for_second, rec


def aggregate(make, seconds=3):
    agg = EngagementAggregator()
    out = []
    for second in range(seconds):
        for frame in frames_for_second(second, 10, make):
            out += agg.add(frame)
    return [s.rounded() for s in out + agg.finish()]


def student(t, i):
    return rec(1, t, closed=i < 2, blink=i == 2, happy=0.9)


def poster(t, i):
    return rec(2, t, yaw=50.0, happy=0.2)


def close(a, b):
    return a == pytest.approx(b, abs=2e-4)


def test_leaving_nothing_out_gives_the_numbers_the_aggregator_gave():
    seconds = aggregate(lambda t, i: [student(t, i), poster(t, i)])
    for original, again in zip(seconds, leave_out(seconds, set())):
        for name in ("faces_present", "readable", "facing_fraction", "perclos", "blinks", "engagement"):
            assert close(getattr(again, name), getattr(original, name)), name
        assert close(again.emotion_mix, original.emotion_mix) and close(again.emotion_probs, original.emotion_probs)


def test_leaving_a_track_out_gives_the_numbers_of_a_class_without_it():
    both = aggregate(lambda t, i: [student(t, i), poster(t, i)])
    alone = aggregate(lambda t, i: [student(t, i)])
    assert both[0].engagement == pytest.approx(0.4)  # the turned-away poster pulls the class down
    for without, expected in zip(leave_out(both, {2}), alone):
        assert without.faces_present == pytest.approx(expected.faces_present)
        assert without.engagement == pytest.approx(expected.engagement)
        assert without.facing_fraction == pytest.approx(expected.facing_fraction)
        assert without.blinks == expected.blinks and without.tracks == expected.tracks
        assert close(without.emotion_mix, expected.emotion_mix)
        assert set(without.track_sums) == {"1", "2"}  # kept, so the poster can be brought back


def test_leaving_every_track_out_leaves_an_empty_second():
    (second, *_) = aggregate(lambda t, i: [student(t, i)])
    empty = regroup(second, {1})
    assert empty.faces_present == 0 and empty.engagement is None and empty.emotion_mix is None
    assert empty.blinks == 0 and empty.tracks == {}


def test_a_second_stored_without_track_sums_comes_back_unchanged():
    (second, *_) = aggregate(lambda t, i: [student(t, i)])
    second.track_sums = {}
    assert regroup(second, {1}) == second
