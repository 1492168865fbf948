"""A printed face on the wall of a real recording: the real pipeline flags the picture as a still image
and keeps the person (real frames: a labelled clip's person, another clip's face pasted as a poster)."""

from __future__ import annotations

import pytest

from inference.pipeline import analyze_video, upload_options
from tests.clips import write_poster_clip
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


def test_the_poster_is_flagged_still_and_the_person_is_not(tmp_path):
    labelled = shared_path("data", "video", "labelled")
    clip = write_poster_clip(
        labelled / "webcam_posed_angry_surprise_happy_overlay.mp4",
        labelled / "acted_eye_actions_closure_darting.mp4",
        tmp_path / "poster.mp4",
    )
    result = analyze_video(clip, upload_options(emotions=False), keep_frames=True)
    width = result.video["width"]
    right = {f.track for f in result.frames if f.box.x > 0.7 * width}  # the poster hangs top right
    seen = {t.track: t for t in result.tracks if t.last_time - t.first_time >= 8}
    posters = [t for t in seen.values() if t.track in right]
    people = [t for t in seen.values() if t.track not in right]
    assert len(posters) == 1 and posters[0].still and posters[0].blinks == 0
    assert len(people) == 1 and not people[0].still and people[0].blinks > 0
