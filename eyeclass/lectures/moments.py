"""The lesson at a glance on the session page: its one sentence (inference.glance) and its moments
(attention dips, expression events, the teacher's notes) in time order, each a link into the replay.

From stored rows only, after the withholding rule: a withheld session has no dip or event to list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inference.actionunits import in_words
from inference.glance import lesson_sentence

MAX_EVENTS = 60  # events listed among the moments; the exports have them all


def sentence(session: models.Model) -> str:
    """From the summary alone: its brief emotion ("peak") was found when the rows were stored."""
    figures = session.figures
    peak = tuple(figures["peak"]) if figures.get("peak") else None
    duration = session.duration or (session.summary or {}).get("seconds") or 0
    return lesson_sentence(figures, duration, peak, settings.EYECLASS_EMOTIONS)


def _event_text(event, emotions: bool) -> str:
    what = "wink" if event.cue == "wink" else (event.label or "change") if emotions else "change"
    length = "brief" if event.kind == "micro" else "longer"
    moved = f", {in_words(event.actions)}" if event.actions else ""
    return f"student {event.track}: {what}{moved} ({length}, {event.duration:.1f} s)"


def moments(session: models.Model) -> dict:
    """{"items": [{"at", "end", "kind", "text"}...] in time order (a note adds its "id"), "more": events
    not listed}."""
    figures = session.figures
    items = [
        {"at": d["start"], "end": d["end"], "kind": "dip", "text": f"attention dip, down to {d['engagement']:.2f}"}
        for d in figures.get("dips") or []
    ]
    more = 0
    if not figures["withheld"]:
        events = session.counted_events()
        more = max(0, events.count() - MAX_EVENTS)
        emotions = settings.EYECLASS_EMOTIONS
        items += [
            {"at": e.onset, "end": None, "kind": "event", "text": _event_text(e, emotions)} for e in events[:MAX_EVENTS]
        ]
    items += [
        {"at": n["at"], "end": None, "kind": "note", "text": n["text"], "id": n["id"]} for n in session.pinned_notes()
    ]
    return {"items": sorted(items, key=lambda item: item["at"]), "more": more}
