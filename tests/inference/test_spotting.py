"""Spotting on generated eye-band sequences: brief changes found, drift/static/blinks ignored."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from inference.spotting import Spotter, SpotterConfig
from inference.tuning import DEFAULT_TUNING

FPS = 30.0
# The mechanism is tested at fixed thresholds; the runtime's defaults are chosen by the labelled-clip
# protocol (inference/tuning.py) and may move. Counts are plain frames here (count_fps=None), whatever the rate.
CONFIG = SpotterConfig(z_on=6.0, z_off=3.0, min_frames=2, count_fps=None)


@pytest.fixture
def base():
    rng = np.random.default_rng(0)
    tex = cv2.GaussianBlur(rng.uniform(0, 255, (28, 48)).astype(np.float32), (0, 0), 2)
    return (tex - tex.min()) / (tex.max() - tex.min()) * 160 + 40


def noisy(base, n, seed=1, sigma=4.0):
    rng = np.random.default_rng(seed)
    return [base + rng.normal(0, sigma, base.shape) for _ in range(n)]


def run(seq, closed=None, probs=None, spotter=None, track=1, fps=FPS, winks=None):
    spotter = spotter or Spotter(CONFIG)
    events = []
    for i, band in enumerate(seq):
        events += spotter.update(
            track,
            i,
            i / fps,
            np.clip(band, 0, 255).astype(np.uint8),
            closed[i] if closed else False,
            probs[i] if probs else None,
            winks[i] if winks else False,
        )
    return events + spotter.flush()


def insert(seq, start, stop, delta=-40.0):
    for i in range(start, stop):
        seq[i] = seq[i].copy()
        seq[i][4:12, 8:40] += delta  # brows lowered / darkened: a local appearance change
    return seq


@pytest.mark.parametrize("start,length", [(60, 8), (45, 3), (90, 14)])
def test_brief_inserted_change_is_found_with_exact_onset_and_offset(base, start, length):
    events = run(insert(noisy(base, 150), start, start + length))
    assert len(events) == 1
    e = events[0]
    assert abs(e.onset_frame - start) <= 2 and abs(e.offset_frame - (start + length - 1)) <= 2
    assert start <= e.apex_frame < start + length
    assert e.kind == "micro" and e.duration == pytest.approx(length / FPS, abs=2 / FPS)
    assert e.strength > CONFIG.z_on


def test_long_change_is_macro(base):
    events = run(insert(noisy(base, 200), 60, 90))  # 1 s
    assert [e.kind for e in events] == ["macro"] and events[0].duration == pytest.approx(1.0, abs=0.07)


def test_static_sequence_yields_no_events(base):
    assert run(noisy(base, 300, seed=3)) == []


def test_slow_drift_in_position_and_exposure_yields_no_events(base):
    rng = np.random.default_rng(4)
    seq = []
    # 0.45 px/s sideways, 0.3 px/s down, +9%/s brightness; twice as fast outruns the 2 s baseline
    for i in range(300):
        m = np.float32([[1, 0, 0.015 * i], [0, 1, 0.01 * i]])
        moved = cv2.warpAffine(base.astype(np.float32), m, (48, 28), borderMode=cv2.BORDER_REFLECT)
        seq.append(moved * (1 + 0.003 * i) + rng.normal(0, 4, base.shape))
    assert run(seq) == []


def test_global_lighting_jump_is_not_an_expression(base):
    seq = noisy(base, 150)
    seq[80:] = [b * 1.3 + 10 for b in seq[80:]]  # a light switched on
    assert run(seq) == []


def test_blinks_are_not_reported(base):
    seq, closed = noisy(base, 200), [False] * 200
    for start in (50, 120):  # two blinks: half-closed, 3 closed frames, half-open
        for i in range(start, start + 5):
            seq[i] = seq[i].copy()
            seq[i][12:22, :] = 40 if 0 < i - start < 4 else seq[i][12:22, :] * 0.6
            closed[i] = 0 < i - start < 4
    assert run(seq, closed) == []


def test_two_expressions_with_a_partial_return_between_are_two_events_with_offset_fraction(base):
    # a strong change, a fall to under a quarter of it (still over z_off), then a second strong change
    seq = insert(insert(insert(noisy(base, 240), 60, 90), 90, 105, delta=-12.0), 105, 135)
    # closing at z_off alone, the face never went back: one event spans both
    (whole,) = run(seq, spotter=Spotter(replace(CONFIG, offset_fraction=0.0)))
    assert abs(whole.onset_frame - 60) <= 2 and abs(whole.offset_frame - 134) <= 2
    first, second = run(seq, spotter=Spotter(replace(CONFIG, offset_fraction=0.25)))
    assert abs(first.onset_frame - 60) <= 2 and abs(first.offset_frame - 89) <= 2
    # the second one's onset reaches back over the rise from the partial return
    assert first.offset_frame < second.onset_frame <= 105 and abs(second.offset_frame - 134) <= 2


def test_a_blink_during_an_expression_ends_it_unless_told_otherwise(base):
    seq, closed = insert(noisy(base, 200), 60, 90), [False] * 200
    for i in range(70, 73):
        seq[i][12:22, :] = 40
        closed[i] = True
    first, second = run(seq, closed)  # what follows the blink is a new event, the blink in neither
    assert abs(first.onset_frame - 60) <= 2 and first.offset_frame < 70
    assert second.onset_frame > 72 and abs(second.offset_frame - 89) <= 2
    (whole,) = run(seq, closed, spotter=Spotter(replace(CONFIG, blink_ends=False)))
    assert abs(whole.onset_frame - 60) <= 2 and abs(whole.offset_frame - 89) <= 2


def test_a_face_that_opens_its_eyes_changed_after_a_closure_is_not_an_expression_with_closure_restarts(base):
    # calm, eyes shut for 1 s, then the lids open wider than before (a drowsy face waking) and stay so
    seq, closed = noisy(base, 240), [60 <= i < 90 for i in range(240)]
    for i in range(60, 240):
        seq[i] = seq[i].copy()
        seq[i][12:22, :] = 40 if i < 90 else seq[i][12:22, :] - 40
    # against the calm from before the closure: a change
    assert len(run(seq, closed, spotter=Spotter(replace(CONFIG, closure_restarts=False)))) == 1
    assert run(seq, closed, spotter=Spotter(replace(CONFIG, closure_restarts=True))) == []
    # a blink is not a closure: the same change after a 0.2 s blink is still found
    blink = [60 <= i < 66 for i in range(240)]
    for i in range(66, 90):
        seq[i] = seq[i - 30]
    assert len(run(seq, blink, spotter=Spotter(replace(CONFIG, closure_restarts=True)))) == 1


def test_label_is_the_emotion_that_rose_at_the_apex(base):
    calm = np.array([0.05, 0.02, 0.05, 0.1, 0.08, 0.05, 0.65])
    surprised = np.array([0.02, 0.01, 0.05, 0.05, 0.02, 0.5, 0.35])
    probs = [calm] * 150
    probs[60:68] = [surprised] * 8
    events = run(insert(noisy(base, 150), 60, 68), probs=probs)
    assert [e.label for e in events] == ["surprise"]
    assert run(insert(noisy(base, 150), 60, 68))[0].label is None


def test_tracks_are_independent_and_memory_is_bounded(base):
    spotter = Spotter(CONFIG)
    a, b = insert(noisy(base, 400, seed=5), 200, 206), noisy(base, 400, seed=6)
    events = []
    for i in range(400):
        for track, seq in ((1, a), (2, b)):
            events += spotter.update(track, i, i / FPS, np.clip(seq[i], 0, 255).astype(np.uint8))
    assert [(e.track, e.onset_frame) for e in events] == [(1, 200)]
    state = spotter._tracks[1]
    assert len(state.calm) <= FPS * CONFIG.baseline + 2
    assert len(state.noise) <= FPS * CONFIG.noise_window + 2


def test_open_event_is_closed_by_flush_and_gap_restarts_baseline(base):
    spotter = Spotter(CONFIG)
    seq = insert(noisy(base, 100), 90, 100)
    events = []
    for i, band in enumerate(seq):
        events += spotter.update(1, i, i / FPS, np.clip(band, 0, 255).astype(np.uint8))
    assert events == []
    flushed = spotter.flush()
    assert len(flushed) == 1 and flushed[0].onset_frame == 90 and flushed[0].offset_frame == 99
    # after a long gap the old baseline is dropped: a different-looking face is not an event
    other = noisy(base[::-1, ::-1].copy(), 60, seed=9)
    later = [
        e
        for i, x in enumerate(other)
        for e in spotter.update(1, 200 + i, 10 + i / FPS, np.clip(x, 0, 255).astype(np.uint8))
    ]
    assert later == []


def test_an_expression_that_builds_up_has_its_onset_where_it_began(base):
    """At 10 analysed frames a second: 1.5 s of a mild change, then a strong one."""
    seq = insert(insert(noisy(base, 120), 30, 45, delta=-15.0), 45, 60, delta=-40.0)
    (event,) = run(seq, fps=10)
    assert (event.onset_frame, event.offset_frame) == (30, 59)


def test_the_calm_baseline_survives_a_long_event(base):
    """At 10 analysed frames a second, calm frames from before a 3 s expression still define calm
    right after it: a brief change 0.2 s later is found, with no frames of warm-up."""
    seq = insert(noisy(base, 100), 20, 50)
    for i in range(52, 56):
        seq[i] = seq[i].copy()
        seq[i][16:24, 8:40] += 40.0  # a different region this time
    events = run(seq, fps=10)
    assert [(e.onset_frame, e.offset_frame) for e in events] == [(20, 49), (52, 55)]


def test_a_lingering_trace_of_an_expression_is_not_learnt_as_calm(base):
    """After a strong change, 3 s of a faint trace of it, then the same change again, moderately."""
    seq = insert(insert(insert(noisy(base, 120), 20, 35, delta=-40.0), 35, 65, delta=-8.0), 65, 70, delta=-20.0)
    events = run(seq, fps=10)
    assert [(e.onset_frame, e.offset_frame) for e in events] == [(20, 34), (65, 69)]


def test_a_wink_is_an_event_from_the_first_frames_of_a_track(base):
    """A wink needs no calm baseline: one eye shut is read from the eye signals."""
    seq, winks, closed = noisy(base, 60, sigma=12.0), [False] * 60, [False] * 60
    for i in range(2, 8):
        winks[i] = True
    for i in range(8, 10):  # the other eye follows for two frames before both open
        closed[i] = True
    (event,) = run(seq, closed=closed, fps=10, winks=winks)
    assert (event.cue, event.onset_frame, event.offset_frame, event.kind) == ("wink", 2, 9, "macro")


def test_a_single_wink_frame_and_closures_without_a_wink_are_not_winks(base):
    seq, winks, closed = noisy(base, 100), [False] * 100, [False] * 100
    winks[40] = True
    for i in range(60, 66):
        closed[i] = True
    assert run(seq, closed=closed, fps=10, winks=winks) == []


def test_one_eye_hidden_for_minutes_is_not_a_wink_and_keeps_memory_bounded(base):
    spotter = Spotter(CONFIG)
    seq = noisy(base, 40)
    events = []
    for i in range(3000):  # 5 minutes at 10 fps, one eye read as shut throughout (hair over it)
        events += spotter.update(1, i, i / 10, np.clip(seq[i % 40], 0, 255).astype(np.uint8), False, None, True)
        assert len(spotter._tracks[1].winks) <= 10 * CONFIG.max_duration + 2
    events += spotter.update(1, 3000, 300.0, np.clip(seq[0], 0, 255).astype(np.uint8), False, None, False)
    assert events + spotter.flush() == []


def test_two_expressions_back_to_back_are_two_events(base):
    """At 10 analysed frames a second: 1.5 s of one expression, then 1.5 s of another without a return
    to calm; the eye CNN reads each with confidence."""
    calm = np.array([0.05, 0.02, 0.05, 0.05, 0.08, 0.05, 0.7])
    surprised = np.array([0.02, 0.01, 0.05, 0.05, 0.02, 0.8, 0.05])
    happy = np.array([0.02, 0.01, 0.02, 0.8, 0.02, 0.08, 0.05])
    seq = insert(insert(noisy(base, 100), 20, 35, delta=40.0), 35, 50, delta=-40.0)
    probs = [calm] * 20 + [surprised] * 15 + [happy] * 15 + [calm] * 50
    events = run(seq, probs=probs, fps=10)
    assert [(e.onset_frame, e.offset_frame, e.label) for e in events] == [(20, 34, "surprise"), (35, 49, "happy")]
    probs[35:50] = [surprised] * 15  # read as one emotion throughout: one event
    assert [(e.onset_frame, e.offset_frame) for e in run(seq, probs=probs, fps=10)] == [(20, 49)]
    probs[40:42] = [happy] * 2  # a blink inside it, whose shut eyes read otherwise: it ends the event there
    closed = [40 <= i < 42 for i in range(100)]
    assert [(e.onset_frame, e.offset_frame) for e in run(seq, closed=closed, probs=probs, fps=10)] == [
        (20, 39),
        (42, 49),
    ]
    whole = Spotter(replace(CONFIG, blink_ends=False))  # or not, and the shut eyes' reading splits nothing
    assert [(e.onset_frame, e.offset_frame) for e in run(seq, closed=closed, probs=probs, fps=10, spotter=whole)] == [
        (20, 49)
    ]


def test_a_calm_face_that_sways_slowly_still_shows_a_brief_change(base):
    """At 10 analysed frames a second, the band sways with a 3 s period (the distance to the calm
    baseline rises and falls slowly): the sway is not an expression and does not hide one."""
    pattern = cv2.GaussianBlur(np.random.default_rng(9).uniform(-1, 1, base.shape).astype(np.float32), (0, 0), 3)
    pattern *= 10 / np.abs(pattern).max()
    sway = [b + np.sin(2 * np.pi * i / 30) * pattern for i, b in enumerate(noisy(base, 200, sigma=2.0))]
    assert run(list(sway), fps=10) == []
    (event,) = run(insert(list(sway), 120, 124, delta=-20.0), fps=10)
    assert abs(event.onset_frame - 120) <= 1


@pytest.mark.parametrize("held", [60, 100])
def test_relaxing_after_an_expression_held_past_its_limit_is_not_another_expression(base, held):
    """At 10 analysed frames a second: a change held for 6 or 10 s (past max_duration, 4 s here, so it
    becomes the baseline), then the calm face again, then a brief change, found with no warm-up."""
    seq = insert(noisy(base, 250), 20, 20 + held)
    for i in range(held + 40, held + 44):
        seq[i] = seq[i].copy()
        seq[i][16:24, 8:40] += 40.0
    events = run(seq, fps=10, spotter=Spotter(replace(CONFIG, max_duration=4.0)))
    assert [(e.onset_frame, e.offset_frame) for e in events] == [(20, 60), (held + 40, held + 43)]


def unit_series(n, moved=(), unit=0, amount=0.08, seed=3):
    """Action-unit vectors (six units, inter-ocular distances) with mesh-like jitter; `unit` moved by
    `amount` on the frames `moved`."""
    rng = np.random.default_rng(seed)
    out = [rng.normal(0, 0.005, 6) for _ in range(n)]
    for i in moved:
        out[i][unit] += amount
    return out


def run_units(seq, units, config):
    spotter, events = Spotter(config), []
    for i, (band, u) in enumerate(zip(seq, units)):
        events += spotter.update(1, i, i / FPS, np.clip(band, 0, 255).astype(np.uint8), units=u)
    return events + spotter.flush()


def test_brows_raised_on_a_still_band_are_an_event_only_with_the_units_cue(base):
    seq, units = noisy(base, 150), unit_series(150, moved=range(60, 72), unit=0)
    assert run_units(seq, units, replace(CONFIG, units=False)) == []
    (event,) = run_units(seq, units, replace(CONFIG, units=True))
    assert abs(event.onset_frame - 60) <= 2 and abs(event.offset_frame - 71) <= 2
    assert event.actions == ["AU1"]


def test_an_event_names_the_actions_that_moved_at_its_apex(base):
    seq = insert(noisy(base, 150), 60, 70)
    units = unit_series(150, moved=range(60, 70), unit=4)  # cheeks raised with the band's change
    (event,) = run_units(seq, units, replace(CONFIG, units=False))
    assert event.actions == ["AU6"] and event.cue == "appearance"


def test_unit_jitter_alone_opens_no_event(base):
    assert run_units(noisy(base, 300), unit_series(300), replace(CONFIG, units=True)) == []


def test_a_change_held_as_long_is_found_at_half_the_frame_rate_as_at_the_tuned_rate(base):
    """A live page sends 5 frames a second where an upload is read at 10: the counts are seconds then."""
    seq = insert(noisy(base, 200), 100, 104)  # 0.4 s at 10 fps: four frames, two of them at 5 fps
    at_rate = replace(CONFIG, min_frames=3, min_calm=6, count_fps=10.0)
    (full,) = run(seq, fps=10, spotter=Spotter(at_rate))
    (half,) = run(seq[::2], fps=5, spotter=Spotter(at_rate))
    assert half.onset == pytest.approx(full.onset) and half.offset == pytest.approx(full.offset, abs=0.11)
    assert run(seq[::2], fps=5, spotter=Spotter(replace(at_rate, count_fps=None))) == []  # three frames in a row


def test_the_counts_are_meant_at_the_rate_uploads_are_analysed_at():
    from inference.options import UPLOAD_FPS
    from inference.tuning import DEFAULT_TUNING

    assert DEFAULT_TUNING.spotter.count_fps == UPLOAD_FPS


def run_at(seq, times, config, lost=()):
    spotter, events = Spotter(config), []
    for i, (band, t) in enumerate(zip(seq, times)):
        if i not in lost:
            events += spotter.update(1, i, float(t), np.clip(band, 0, 255).astype(np.uint8))
    return events + spotter.flush()


def test_a_track_read_at_2_fps_with_arrival_jitter_keeps_its_calm_and_shows_a_held_change(base):
    """A slow device's live page: 2 frames a second, each stamped up to 30 ms late as it arrives, so about
    half the gaps are a little over half a second. A gap is a hole only past 2.5 of the track's periods."""
    seq, config = insert(noisy(base, 60), 30, 33), DEFAULT_TUNING.spotter  # 1.5 s of a change
    times = np.arange(60) / 2.0 + 0.03 * np.random.default_rng(2).random(60)
    (event,) = run_at(seq, times, config)
    assert (event.onset_frame, event.offset_frame) == (30, 32)
    (event,) = run_at(seq, times, config, lost={28})  # one frame lost just before it: not a hole
    assert (event.onset_frame, event.offset_frame) == (30, 32)
    assert run_at(noisy(base, 60, seed=4), times, config) == []
    # a hole at max_gap whatever the rate: each late frame restarts the calm, and nothing is found
    assert run_at(seq, times, replace(config, gap_periods=0.0)) == []
