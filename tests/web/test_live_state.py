"""Worker-side live state: kept across a session's frames, forgotten once the session went silent."""

from eyeclass.live import state


class FakeAnalyzer:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def test_it_keeps_a_sessions_state_across_frames_and_forgets_silent_ones(monkeypatch, settings):
    settings.EYECLASS_LIVE_STATE_IDLE_SECONDS = 60
    monkeypatch.setattr(state, "_new_analyzer", FakeAnalyzer)
    monkeypatch.setattr(state, "_states", {})
    first, second = state.get_state(1), state.get_state(2)
    assert state.get_state(1) is first and not first.analyzer.closed

    first.last_used -= 61
    assert state.get_state(1) is first  # a frame of the silent session itself revives it
    first.last_used -= 61
    state.get_state(2)
    assert first.analyzer.closed and not second.analyzer.closed
    assert state.pop_state(1) is None and state.pop_state(2) is second
