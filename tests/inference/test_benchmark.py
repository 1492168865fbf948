"""The labelled-clip benchmark: its scoring rules on hand-made results, and the command on a real clip."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from inference.lab import benchmark as bm
from tests.conftest import REPO, shared_path


def record(frame: int, w: int = 50, flags=(), yaw: float = 0.0) -> dict:
    signals = dict(openness_left=0.3, openness_right=0.3, eyes_closed="eyes_closed" in flags, blink="blink" in flags)
    signals.update(yaw=yaw, pitch=0.0, roll=0.0, gaze_x=0.0, gaze_y=0.0)
    return {"frame": frame, "box": {"x": 0, "y": 0, "w": w, "h": w}, "flags": list(flags), "signals": signals}


def clip_labels(**face) -> dict:
    base = {"blinks": [], "closed": [], "away": [], "expressions": [], "neutral": [], "iod_px": 80}
    return {"file": "c.mp4", "frame_count": 100, "faces_count": 1, "faces": [{**base, **face}]}


def away_by_yaw(rec: dict) -> bool:
    return abs(rec["signals"]["yaw"]) > 30


def test_an_episode_matches_at_iou_one_half_and_only_once():
    episodes = [(10, 29)]
    assert bm.match_episodes([(10, 29), (12, 30)], episodes, []) == bm.Detection(tp=1, fp=1, fn=0)
    assert bm.match_episodes([(20, 39)], episodes, []) == bm.Detection(tp=0, fp=1, fn=1)  # IoU 1/3
    assert bm.match_episodes([(15, 29)], episodes, []).tp == 1  # IoU 0.75


def test_an_unmatched_event_over_a_blink_closure_or_look_away_is_not_a_false_positive():
    assert bm.match_episodes([(50, 55)], [], [(52, 53)]) == bm.Detection(excused=1)
    assert bm.match_episodes([(50, 55)], [], [(60, 70)]) == bm.Detection(fp=1)


def test_a_blink_is_detected_by_one_flag_within_two_frames_before_to_three_after():
    assert bm.match_blinks([8], [(10, 12)]).tp == 1
    assert bm.match_blinks([15], [(10, 12)]).tp == 1
    assert bm.match_blinks([7], [(10, 12)]) == bm.Detection(tp=0, fp=1, fn=1)
    assert bm.match_blinks([11, 12], [(10, 12)]) == bm.Detection(tp=1, fp=1, fn=0)


def test_frame_accuracy_is_balanced_between_labelled_and_calm_frames():
    states = [True] * 10 + [False] * 90
    acc = bm.frame_accuracy(states, positives=[(0, 19)], negatives=[(20, 99)])
    assert acc.balanced == pytest.approx((10 / 20 + 1.0) / 2)
    assert bm.frame_accuracy(states, positives=[], negatives=[(20, 99)]).balanced is None


def test_unanalysed_frames_hold_the_last_analysed_one():
    assert bm.held([0, 3, 6], 8) == [0, 0, 0, 3, 3, 3, 6, 6]
    assert bm.held([2], 4) == [None, None, 2, 2]


def test_a_clip_is_scored_on_its_largest_face_and_a_missing_face_reads_as_away():
    labels = clip_labels(closed=[[10, 19]], away=[[40, 49]], neutral=[[0, 9], [60, 69]], blinks=[[80, 82]])
    frames = [record(f, flags=("eyes_closed",) if 10 <= f < 20 else ()) for f in range(100) if not 40 <= f < 50]
    frames += [record(f, w=20, flags=("eyes_closed",)) for f in range(0, 10)]  # a smaller face behind: ignored
    next(r for r in frames if r["frame"] == 83)["flags"].append("blink")
    result = {"frames": frames, "events": [], "tracks": [{"first_time": 0.0, "last_time": 3.3}]}
    score = bm.score_clip(labels, result, analysed=list(range(100)), is_away=away_by_yaw, min_track_seconds=2.0)
    assert score.closed.balanced == 1.0
    assert score.away.balanced == 1.0  # frames 40-49 have no face: away
    assert score.blinks == bm.Detection(tp=1)
    assert score.students_found == 1 and score.students_ok


def test_episodes_the_eyes_do_not_show_are_not_expected_and_events_there_are_false():
    hidden = {"start": 10, "apex": 15, "end": 30, "label": "other", "region_visible_in_eyes": False}
    labels = clip_labels(expressions=[hidden])
    event = {"onset_frame": 10, "offset_frame": 30}
    result = {"frames": [], "events": [event], "tracks": []}
    score = bm.score_clip(labels, result, analysed=[], is_away=away_by_yaw, min_track_seconds=2.0)
    assert score.episodes == bm.Detection(tp=0, fp=1, fn=0)


def test_a_fuzzy_student_count_is_a_range():
    assert bm.labelled_students(3) == (3, 3)
    assert bm.labelled_students("2-3 large + ~15 small background") == (17, 18)


def test_totals_add_counts_before_computing_rates():
    a = bm.ClipScore(
        "a", bm.Detection(1, 0, 1), bm.Detection(), bm.FrameAccuracy(1, 2, 2, 2), bm.FrameAccuracy(), 1, (1, 1), 10, 5
    )
    b = bm.ClipScore(
        "b", bm.Detection(0, 1, 0), bm.Detection(), bm.FrameAccuracy(0, 0, 1, 2), bm.FrameAccuracy(), 4, (1, 1), 10, 10
    )
    t = bm.total([a, b])
    assert (t["episodes"].precision, t["episodes"].recall) == (0.5, 0.5)
    assert t["closed"].balanced == pytest.approx((1 / 2 + 3 / 4) / 2)
    assert t["students_ok"] == 1 and t["readable_fraction"] == 0.75


@pytest.mark.shared
def test_the_benchmark_command_scores_a_real_labelled_clip(tmp_path):
    labels = shared_path("data", "video", "labelled", "labels.json")
    report, scores = tmp_path / "report.md", tmp_path / "scores.json"
    clip = "studio_mouth_only_expressions.mp4"
    weights = tmp_path / "eye_cnn.keras"  # a copy: --record writes into the card beside the weights
    for suffix in (".keras", ".json"):
        shutil.copy(REPO / "inference" / "weights" / f"eye_cnn{suffix}", weights.with_suffix(suffix))
    cmd = [sys.executable, "-m", "inference", "benchmark", str(labels), "--clips", clip, "--markdown", str(report)]
    cmd += ["--weights", str(weights), "--record", "--flip"]
    done = subprocess.run([*cmd, "--json", str(scores)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(scores.read_text())
    (row,) = result["clips"]
    assert row["clip"] == clip and row["students_labelled"] == [1, 1]
    assert row["blinks"]["tp"] + row["blinks"]["fn"] == 2  # the clip's two labelled blinks
    assert 0.0 < row["readable_fraction"] <= 1.0
    assert row["emotions"]["calm_frames"] > 0  # its labelled calm spans were read
    recorded = json.loads(weights.with_suffix(".json").read_text())["real_clips"]
    assert recorded["clips"] == 1 and recorded["emotions"] == result["total"]["emotions"]
    text = report.read_text()
    assert "python -m inference benchmark" in text and f"| {clip} |" in text and "| **all** |" in text
    assert "'flip_tta': True" in text  # the analysis options it ran with
