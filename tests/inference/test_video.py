"""Decode step: frame order, exact timestamps, analysis rate, clear errors on bad files."""

from __future__ import annotations

import numpy as np
import pytest

from inference.video import VideoReader, probe
from tests.clips import write_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=2.0, fps=20.0)


def test_every_frame_in_order_with_container_timestamps(clip):
    frames = list(VideoReader(clip))
    assert [f.index for f in frames] == list(range(40))
    np.testing.assert_allclose([f.time for f in frames], np.arange(40) / 20.0, atol=1e-3)
    assert frames[0].image.shape == (360, 480, 3)


def test_analysis_rate_picks_a_regular_grid(clip):
    reader = VideoReader(clip, fps=5.0)
    frames = list(reader)
    times = np.array([f.time for f in frames])
    assert len(frames) == 10 and reader.decoded == 40
    np.testing.assert_allclose(np.diff(times), 0.2, atol=1e-3)
    assert [f.index for f in frames] == list(range(0, 40, 4))


def test_frames_between_the_sampled_ones_come_marked_when_asked(clip):
    frames = list(VideoReader(clip, fps=5.0, between=True))
    assert [f.index for f in frames] == list(range(40))
    assert [f.index for f in frames if f.sampled] == list(range(0, 40, 4))
    assert all(f.sampled for f in VideoReader(clip, between=True))  # every frame is analysed anyway


def test_rate_above_native_keeps_every_frame(clip):
    assert len(list(VideoReader(clip, fps=100.0))) == 40


def test_probe_reports_geometry(clip):
    info = probe(clip)
    assert (info.width, info.height, info.frame_count) == (480, 360, 40)
    assert info.fps == pytest.approx(20.0)
    assert info.duration == pytest.approx(2.0)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        VideoReader(tmp_path / "nope.mp4")


def test_garbage_file_is_a_clear_value_error(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    with pytest.raises(ValueError, match="not a readable video|no decodable frame"):
        list(VideoReader(bad))


def test_truncated_file_is_a_clear_value_error(clip, tmp_path):
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated|not a readable video|no decodable frame|damaged"):
        list(VideoReader(cut))


def test_truncated_stream_with_index_up_front_is_detected(clip, tmp_path):
    """A file that opens but ends early (fewer frames than declared) is reported as truncated."""
    reader = VideoReader(clip)
    reader.info = type(reader.info)(**{**reader.info.to_dict(), "frame_count": 80})
    with pytest.raises(ValueError, match="truncated: decoded 40 of 80"):
        list(reader)


def test_rate_must_be_positive(clip):
    with pytest.raises(ValueError):
        VideoReader(clip, fps=0)


def test_frames_decoded_ahead_in_a_thread_are_the_same_frames(clip):
    plain = list(VideoReader(clip, fps=5.0, between=True))
    reader = VideoReader(clip, fps=5.0, between=True, prefetch=2)
    ahead = list(reader)
    assert [(f.index, f.time, f.sampled) for f in ahead] == [(f.index, f.time, f.sampled) for f in plain]
    assert all(np.array_equal(a.image, p.image) for a, p in zip(ahead, plain))
    assert reader.decoded == 40


def test_a_reader_left_early_stops_its_decoding_thread(clip):
    import threading

    frames = iter(VideoReader(clip, prefetch=2))
    assert next(frames).index == 0
    frames.close()
    assert not any(t.name == "decode" and t.is_alive() for t in threading.enumerate())


def test_decoding_errors_reach_the_caller_through_the_thread(clip):
    reader = VideoReader(clip, prefetch=2)
    reader.info = type(reader.info)(**{**reader.info.to_dict(), "frame_count": 80})
    frames = []
    with pytest.raises(ValueError, match="truncated: decoded 40 of 80"):
        frames.extend(reader)
    assert len(frames) == 40  # every frame first, then the error, as without the thread
