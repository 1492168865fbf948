"""The live websocket protocol: message parsing, frame validation and the per-connection rate limit.

Browser -> server
  binary: 4-byte big-endian sequence number, then one JPEG image (the camera frame, downscaled)
  text:   {"type": "stop"} | {"type": "ping"}  (at most MAX_TEXT_BYTES)
Server -> browser (JSON)
  {"type": "hello", "session": id, "limits": {...}, "stats": {...}}
  {"type": "result", "seq", "t", "faces": [...], "seconds": [...], "events": [...], "stats": {...}}
  {"type": "dropped", "seq", "reason": "busy" | "rate" | "invalid" | "too_large" | "duplicate"
                 | "closed" | "late" (the last two: worker side), "error"?, "stats"}
  {"type": "stopped", "url"} | {"type": "error", "error"}
"""

from __future__ import annotations

import json
import struct
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

HEADER = struct.Struct(">I")
MAX_SIDE = 1920
MAX_TEXT_BYTES = 4096  # control messages are a few bytes; longer text is refused unparsed


class FrameRejected(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_frame(data: bytes, max_bytes: int) -> tuple[int, bytes]:
    """(seq, jpeg) from a binary message, or FrameRejected with a readable reason."""
    if len(data) > max_bytes:
        raise FrameRejected("too_large", f"frame of {len(data)} bytes is over the {max_bytes}-byte limit")
    if len(data) < HEADER.size + 4:
        raise FrameRejected("invalid", "frame message too short: expected a 4-byte sequence number and a JPEG")
    (seq,) = HEADER.unpack_from(data)
    jpeg = data[HEADER.size :]
    if jpeg[:2] != b"\xff\xd8":
        raise FrameRejected("invalid", "frame is not a JPEG image")
    check_declared_size(jpeg)
    return seq, jpeg


def check_declared_size(jpeg: bytes) -> tuple[int, int]:
    """The JPEG's declared (width, height), refused when absent or too large: a decoder allocates what
    the header declares, so an image is never decoded before its size is known to be small enough."""
    size = jpeg_size(jpeg)
    if size is None:
        raise FrameRejected("invalid", "frame is not a well-formed JPEG: no frame header (SOF) before its data")
    if max(size) > MAX_SIDE or min(size) == 0:
        raise FrameRejected("too_large", f"frame of {size[0]}x{size[1]} is outside 1..{MAX_SIDE} px")
    return size


def control_kind(text: str) -> str | None:
    """The "type" of a text control message, or None when it is not a small JSON object. Length is
    checked first, and nesting cannot exhaust the parser's stack: the error is the answer."""
    if len(text) > MAX_TEXT_BYTES:
        return None
    try:
        message = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None
    kind = message.get("type") if isinstance(message, dict) else None
    return kind if isinstance(kind, str) else None


SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame segments (not DHT, JPG, DAC)


def jpeg_size(jpeg: bytes) -> tuple[int, int] | None:
    """(width, height) declared by a JPEG's frame header, read without decoding; None if not found
    (a byte where a marker must be, or the data ends first)."""
    i = 2
    while i + 9 <= len(jpeg):
        if jpeg[i] != 0xFF:
            return None
        marker = jpeg[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
        elif marker in SOF_MARKERS:
            height, width = struct.unpack_from(">HH", jpeg, i + 5)
            return width, height
        else:
            i += 2 + struct.unpack_from(">H", jpeg, i + 2)[0]
    return None


def decode_jpeg(jpeg: bytes) -> np.ndarray:
    check_declared_size(jpeg)  # again on the worker: its queue may carry frames from elsewhere
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise FrameRejected("invalid", "frame could not be decoded as an image")
    if max(image.shape[:2]) > MAX_SIDE:
        raise FrameRejected("too_large", f"frame of {image.shape[1]}x{image.shape[0]} is larger than {MAX_SIDE} px")
    return image


@dataclass
class TokenBucket:
    """At most `rate` frames per second on average, bursts of up to `burst`."""

    rate: float
    burst: float
    tokens: float = field(default=-1.0)
    stamp: float = field(default_factory=time.monotonic)

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
