"""Worker-side state of live sessions: one SessionAnalyzer per session, kept in the worker process
that the session is pinned to, so tracks and micro-expression spotting continue across frames."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class LiveState:
    analyzer: object  # inference.pipeline.SessionAnalyzer
    stored_seconds: int = 0  # how many of analyzer.seconds are already in the database
    stored_events: int = 0
    last_time: float = -1.0  # session time of the last analysed frame
    connection: str | None = None  # the page's socket that sent it: another one is a resume
    last_used: float = field(default_factory=time.monotonic)


_states: dict[int, LiveState] = {}
_lock = threading.Lock()


def get_state(session_id: int) -> LiveState:
    """The session's state, created on its first frame. States of sessions that went silent for longer
    than the watchdog waits before closing them are dropped here, so memory stays bounded by the
    sessions that are actually live (their stored rows are all `live_finish` then needs)."""
    with _lock:
        stale = drop_idle_locked(settings.EYECLASS_LIVE_STATE_IDLE_SECONDS, keep=session_id)
        state = _states.get(session_id)
        if state is None:
            state = _states[session_id] = LiveState(analyzer=_new_analyzer())
        state.last_used = time.monotonic()
    for old in stale:
        old.analyzer.close()
    return state


def pop_state(session_id: int) -> LiveState | None:
    with _lock:
        return _states.pop(session_id, None)


def drop_idle_locked(max_idle: float, keep: int) -> list[LiveState]:
    now = time.monotonic()
    idle = [session_id for session_id, s in _states.items() if session_id != keep and now - s.last_used > max_idle]
    return [_states.pop(session_id) for session_id in idle]


def _new_analyzer():
    from eyeclass.lectures.analysis import worker_classifier
    from inference.pipeline import SessionAnalyzer, live_options

    options = live_options(landmark_passes=settings.EYECLASS_LIVE_MAX_FACES, emotions=settings.EYECLASS_EMOTIONS)
    return SessionAnalyzer(options, classifier=worker_classifier())
