"""Time remaining while a session is processed: what is left of it at the pace of what was done.

A straight-line estimate from the progress and the time since processing started: cheap and honest about
a steady pace, pessimistic early on (a worker's model loading counts as work done slowly), so nothing is
said before a little progress and a little time give it something to stand on.
"""

from __future__ import annotations

from datetime import datetime

MIN_PROGRESS = 0.03  # below this share done, the pace is mostly start-up: no estimate
MIN_ELAPSED = 5.0  # seconds of processing before an estimate is given


def remaining_seconds(progress: float, started_at: datetime | None, now: datetime) -> int | None:
    """Seconds left, rounded up to a whole second, or None when there is not yet enough to go on."""
    if started_at is None or not MIN_PROGRESS <= progress < 1.0:
        return None
    elapsed = (now - started_at).total_seconds()
    if elapsed < MIN_ELAPSED:
        return None
    return int(-(-elapsed * (1.0 - progress) // progress))


def in_words(seconds: int | None) -> str:
    """ "about 3 min left", "under a minute left", or "" without an estimate."""
    if seconds is None:
        return ""
    if seconds < 60:
        return "under a minute left"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min left"
    return f"about {minutes / 60:.1f} h left".replace(".0 h", " h")
