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
    last_used: float = field(default_factory=time.monotonic)


_states: dict[int, LiveState] = {}
_lock = threading.Lock()


def get_state(lecture_id: int) -> LiveState:
    with _lock:
        state = _states.get(lecture_id)
        if state is None:
            state = _states[lecture_id] = LiveState(analyzer=_new_analyzer())
        state.last_used = time.monotonic()
        return state


def pop_state(lecture_id: int) -> LiveState | None:
    with _lock:
        return _states.pop(lecture_id, None)


def idle_sessions(max_idle: float) -> list[int]:
    now = time.monotonic()
    with _lock:
        return [lecture_id for lecture_id, s in _states.items() if now - s.last_used > max_idle]


def _new_analyzer():
    from eyeclass.lectures.tasks import load_model
    from inference.pipeline import AnalysisOptions, SessionAnalyzer

    options = AnalysisOptions(max_faces=settings.EYECLASS_LIVE_MAX_FACES)
    return SessionAnalyzer(options, classifier=load_model())
