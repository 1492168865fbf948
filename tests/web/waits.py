"""Waits on a session as a worker moves it along: analysing past some progress, then settled (done or failed)."""

from __future__ import annotations

from eyeclass.lectures.models import Session
from tests.waiting import wait_until


def analysing(
    session: Session, past: float = 0.05, timeout: float = 180, what: str = "the analysis started"
) -> Session:
    """The session, refreshed once it is processing with more than `past` of its video done."""

    def started() -> bool:
        session.refresh_from_db()
        return session.status == Session.Status.PROCESSING and session.progress > past

    wait_until(started, timeout, what, diagnose=lambda: f"the session is {session.status}")
    return session


def settled(session: Session, timeout: float = 240, what: str = "the session done or failed") -> Session:
    """The session, refreshed once it is done or failed."""

    def ended() -> bool:
        session.refresh_from_db()
        return session.status in (Session.Status.DONE, Session.Status.FAILED)

    wait_until(ended, timeout, what, diagnose=lambda: f"the session is {session.status}")
    return session
