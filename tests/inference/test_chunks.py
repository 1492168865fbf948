"""Chunked analysis: plans cover every second once, tracks join across boundaries, and on the shared
clips the stitched result is the one-pass result."""

import math

import pytest

from inference.chunks import analyse_in_chunks, match_tracks, plan_chunks
from inference.classifier import DEFAULT_WEIGHTS
from tests.conftest import shared_path


@pytest.mark.parametrize("duration, size, overlap", [(600.0, 120, 8), (250.5, 120, 8), (9.2, 3, 4), (100.0, 200, 8)])
def test_chunks_own_every_second_once_and_read_around_it(duration, size, overlap):
    chunks = plan_chunks(duration, size, overlap)
    assert chunks[0].start == 0 and chunks[-1].last and chunks[-1].end > duration
    for before, after in zip(chunks, chunks[1:]):
        assert before.end == after.start and float(after.start).is_integer()  # whole seconds, no gap
        assert after.read_from == max(0.0, after.start - overlap) and before.read_until >= before.end + min(overlap, 1)
    assert len(chunks) == max(1, math.ceil(duration / size))


def test_tracks_are_joined_only_when_their_boxes_agree_on_enough_frames():
    before = [[t / 10, 7, 100, 100, 50, 50] for t in range(10)] + [[t / 10, 8, 400, 100, 50, 50] for t in range(2)]
    after = [[t / 10, 1, 102, 101, 50, 50] for t in range(10)] + [[t / 10, 2, 401, 100, 50, 50] for t in range(2)]
    after += [[t / 10, 3, 250, 300, 40, 40] for t in range(10)]  # a face the earlier chunk never saw
    assert match_tracks(before, after) == {1: 7}  # two shared frames are too few to join tracks 2 and 8


@pytest.mark.shared
@pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no trained eye CNN yet")
@pytest.mark.parametrize("clip", ["talk_single_face.mp4", "classroom_cctv.mp4"])
def test_small_chunks_of_a_real_clip_give_the_one_pass_result(clip):
    from inference.classifier import accelerate, load_classifier
    from inference.pipeline import analyze_video, upload_options

    path = shared_path("data", "video", clip)
    classifier = accelerate(load_classifier())
    whole = analyze_video(path, upload_options(), classifier=classifier, keep_frames=False).to_dict()
    chunked = analyse_in_chunks(path, upload_options(), chunk_seconds=3, overlap=4, classifier=classifier).to_dict()
    assert [r["second"] for r in chunked["seconds"]] == [r["second"] for r in whole["seconds"]]
    for a, b in zip(whole["seconds"], chunked["seconds"]):
        assert b["faces_present"] == pytest.approx(a["faces_present"], abs=0.01)
        assert b["readable"] == pytest.approx(a["readable"], abs=0.01)
        assert (a["engagement"] is None) == (b["engagement"] is None)
        if a["engagement"] is not None:
            assert b["engagement"] == pytest.approx(a["engagement"], abs=0.02)
    students = [sum(1 for t in r["tracks"] if t["last_time"] - t["first_time"] >= 2) for r in (whole, chunked)]
    assert students[0] == students[1] and len(chunked["tracks"]) == len(whole["tracks"])
    assert len(chunked["events"]) == len(whole["events"])
    for a, b in zip(whole["events"], chunked["events"]):
        assert abs(a["onset_frame"] - b["onset_frame"]) <= 1 and abs(a["offset_frame"] - b["offset_frame"]) <= 1
