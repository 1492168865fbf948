"""The live websocket protocol: message parsing, frame validation and the per-connection rate limit.

Browser -> server
  binary: 4-byte big-endian sequence number, then one JPEG image (the camera frame, downscaled)
  text:   {"type": "stop"} | {"type": "ping"}
Server -> browser (JSON)
  {"type": "hello", "session": id, "limits": {...}, "stats": {...}}
  {"type": "result", "seq", "t", "faces": [...], "seconds": [...], "events": [...], "stats": {...}}
  {"type": "dropped", "seq", "reason": "busy" | "rate" | "invalid" | "too_large", "error"?, "stats"}
  {"type": "stopped", "url"} | {"type": "error", "error"}
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

HEADER = struct.Struct(">I")
MAX_SIDE = 1920


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
    return seq, jpeg


def decode_jpeg(jpeg: bytes) -> np.ndarray:
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
