import struct

import cv2
import numpy as np
import pytest

from eyeclass.live.protocol import FrameRejected, TokenBucket, control_kind, decode_jpeg, jpeg_size, parse_frame


def jpeg(width=64, height=48) -> bytes:
    return cv2.imencode(".jpg", np.full((height, width, 3), 90, np.uint8))[1].tobytes()


def test_it_parses_a_frame():
    seq, data = parse_frame(struct.pack(">I", 7) + jpeg(), max_bytes=100_000)
    assert seq == 7 and decode_jpeg(data).shape == (48, 64, 3)


@pytest.mark.parametrize(
    "message, reason",
    [
        (b"\x00\x00\x00\x01", "invalid"),  # no image
        (struct.pack(">I", 1) + b"GIF89a" + b"\x00" * 100, "invalid"),  # not a JPEG
        (struct.pack(">I", 1) + b"\xff\xd8" + b"\x00" * 200_000, "too_large"),
    ],
)
def test_it_rejects_bad_frames(message, reason):
    with pytest.raises(FrameRejected) as caught:
        parse_frame(message, max_bytes=100_000)
    assert caught.value.reason == reason


def test_it_rejects_a_jpeg_that_does_not_decode():
    data = jpeg()
    with pytest.raises(FrameRejected, match="could not be decoded"):  # a frame header, then no image data
        decode_jpeg(data[: data.index(b"\xff\xda")])


def test_it_rejects_huge_images():
    with pytest.raises(FrameRejected) as caught:
        decode_jpeg(jpeg(width=2000, height=16))
    assert caught.value.reason == "too_large"


def test_the_rate_limit_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate=5, burst=3, stamp=0.0)
    assert [bucket.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow(0.1) is False  # half a token
    assert bucket.allow(0.2) is True
    allowed = sum(bucket.allow(0.2 + i * 0.01) for i in range(1, 101))  # 100 tries over one second
    assert 4 <= allowed <= 6


def test_it_reads_the_declared_size_without_decoding():
    assert jpeg_size(jpeg(64, 48)) == (64, 48)
    assert jpeg_size(jpeg(1, 2000)) == (1, 2000)
    assert jpeg_size(b"\xff\xd8\x00garbage-after-the-start-marker") is None


def test_it_refuses_a_frame_declaring_huge_dimensions_before_decoding_it():
    data = bytearray(jpeg(64, 48))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30000, 30000)  # a 900-megapixel claim in a tiny file
    with pytest.raises(FrameRejected) as caught:
        parse_frame(struct.pack(">I", 1) + bytes(data), max_bytes=100_000)
    assert caught.value.reason == "too_large" and "30000x30000" in str(caught.value)


def test_a_stray_byte_before_the_frame_header_cannot_hide_a_huge_size():
    data = bytearray(jpeg(64, 48))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 16000, 16000)
    data[sof:sof] = b"\x00"  # one byte where a marker must be: the header can no longer be found
    with pytest.raises(FrameRejected) as caught:
        parse_frame(struct.pack(">I", 1) + bytes(data), max_bytes=100_000)
    assert caught.value.reason == "invalid" and "no frame header" in str(caught.value)
    with pytest.raises(FrameRejected, match="no frame header"):  # the worker checks again before decoding
        decode_jpeg(bytes(data))


def test_a_jpeg_that_ends_before_its_frame_header_is_refused():
    data = jpeg(64, 48)
    with pytest.raises(FrameRejected, match="no frame header"):
        parse_frame(struct.pack(">I", 1) + data[: data.index(b"\xff\xc0")], max_bytes=100_000)


@pytest.mark.parametrize(
    "text, kind",
    [
        ('{"type": "ping"}', "ping"),
        ('{"type": "stop"}', "stop"),
        ("[" * 100_000 + "]" * 100_000, None),  # too long to parse at all
        ("[" * 2000 + "]" * 2000, None),  # short, but deeper than the parser's stack
        ('{"type": ' + "[" * 1500 + "]" * 1500 + "}", None),
        ('{"type": 5}', None),
        ("{not json", None),
        ('"ping"', None),
    ],
)
def test_control_messages_are_small_flat_json_objects(text, kind):
    assert control_kind(text) == kind
