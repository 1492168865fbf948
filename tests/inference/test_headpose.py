"""Head orientation of faces too small for their eyes: read by a crop mesh, at a bounded rate, held briefly."""

from __future__ import annotations

import math

import pytest

from inference.engagement import EngagementAggregator
from inference.headpose import HeadOnly
from inference.pipeline import analyze_video, upload_options
from inference.records import Box, FaceRecord
from inference.tuning import HeadOnlyConfig
from tests.conftest import shared_path
from tests.landmarks import synthetic_face

BOX = Box(100, 100, 14, 16)  # a ceiling camera's face, 14 px wide


class FakeMesh:
    """A crop mesh that finds the face (turned `yaw` degrees) only at the margins in `finds`."""

    def __init__(self, finds=(2.5,), yaw: float = 0.0) -> None:
        self.finds, self.yaw, self.calls = finds, yaw, []

    def __call__(self, bgr, boxes, margin):
        self.calls += [margin] * len(boxes)
        return [synthetic_face(yaw=self.yaw) if margin in self.finds else None for _ in boxes]


def test_a_small_face_gets_its_head_pose_and_no_eye_signals():
    heads = HeadOnly(FakeMesh(yaw=25.0), HeadOnlyConfig())
    signals = heads.read(1, BOX, 0.0, bgr=None)
    assert signals.yaw == pytest.approx(25.0, abs=3.0)
    assert signals.eyes_closed is None and not signals.blink
    assert math.isnan(signals.openness_left) and math.isnan(signals.gaze_x)


def test_margins_are_tried_in_order_until_the_mesh_finds_the_face():
    mesh = FakeMesh(finds=(5.0,))
    assert HeadOnly(mesh, HeadOnlyConfig(margins=(2.5, 3.5, 5.0))).read(1, BOX, 0.0, None) is not None
    assert mesh.calls == [2.5, 3.5, 5.0]


def test_a_track_is_read_at_most_every_interval_and_the_reading_held_then_dropped():
    mesh = FakeMesh()
    heads = HeadOnly(mesh, HeadOnlyConfig(every=0.5, hold=1.0, margins=(2.5,)))
    times = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert all(heads.read(1, BOX, t, None) is not None for t in times)
    assert len(mesh.calls) == 2  # at 0.0 and 0.5
    mesh.finds = ()  # the face turns away from the mesh's reach
    assert heads.read(1, BOX, 1.0, None) is not None  # tried and failed: the reading of 0.5 s still holds
    assert heads.read(1, BOX, 1.6, None) is None  # failed again, and 0.5 s is now too old


def test_a_crop_mesh_runs_only_when_a_head_is_due_and_wide_enough():
    mesh = FakeMesh()
    heads = HeadOnly(mesh, HeadOnlyConfig(every=0.5, min_width=8.0))
    heads.read(1, BOX, 0.0, None)
    heads.read(1, BOX, 0.1, None)  # read 0.1 s ago: the reading stands
    heads.read(2, Box(0, 0, 6, 6), 0.1, None)  # narrower than min_width: never read
    assert mesh.calls == [2.5]
    assert HeadOnly(None, HeadOnlyConfig()).read(1, BOX, 0.0, None) is None  # a finder without a crop mesh


def test_a_head_only_face_counts_as_facing_and_its_engagement_is_facing_only():
    aggregator = EngagementAggregator()
    front = HeadOnly(FakeMesh(yaw=5.0), HeadOnlyConfig()).read(1, BOX, 0.0, None)
    turned = HeadOnly(FakeMesh(yaw=60.0), HeadOnlyConfig()).read(2, BOX, 0.0, None)
    rec = FaceRecord(0, 0.0, 1, BOX, 0.9, 5.0, signals=front, flags=["eyes_unreadable", "small_face", "head_only"])
    assert aggregator.facing(rec) is True
    assert aggregator.facing(FaceRecord(0, 0.0, 2, BOX, 0.9, 5.0, signals=turned)) is False


@pytest.mark.shared
def test_a_ceiling_cameras_small_faces_get_a_head_orientation_and_attention_is_measured():
    path = shared_path("data", "video", "classroom_cctv.mp4")
    result = analyze_video(path, upload_options(emotions=False))
    small = [r for r in result.frames if "small_face" in r.flags]
    posed = [r for r in small if "head_only" in r.flags]
    assert len(small) >= 0.9 * len(result.frames)
    assert len(posed) >= 0.4 * len(small)  # docs/benchmarks/small_faces.md has the measured share
    assert all(r.probs is None and r.signals.eyes_closed is None for r in posed)
    assert sum(s.engagement is not None for s in result.seconds) >= 0.8 * len(result.seconds)
    assert result.readability.head_only == len(posed)


def test_a_frames_heads_are_read_in_one_batch_per_margin_and_only_the_missed_ones_retried():
    class Batches(FakeMesh):
        def __init__(self) -> None:
            super().__init__(finds=(2.5, 3.5))
            self.batches = []

        def __call__(self, bgr, boxes, margin):
            self.batches.append((margin, len(boxes)))
            return [
                synthetic_face() if margin in self.finds and (margin == 3.5 or box.x < 50) else None for box in boxes
            ]

    mesh = Batches()
    heads = HeadOnly(mesh, HeadOnlyConfig(margins=(2.5, 3.5, 5.0)))
    faces = [(1, Box(10, 10, 14, 14)), (2, Box(100, 10, 14, 14)), (3, Box(200, 10, 14, 14))]
    heads.measure(faces, 0.0, None)
    assert mesh.batches == [(2.5, 3), (3.5, 2)]  # the two missed at 2.5 retried together, found at 3.5
    assert all(heads.pose(track, box, 0.0) is not None for track, box in faces)
