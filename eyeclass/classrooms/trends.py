"""A class over time: its sessions' engagement by week, and two sessions' engagement by minute, overlaid.

Both follow the one withholding rule (`Session.figures["withheld"]`): a session with too little readable
gives no number to a week's mean and draws no curve. A week's figure is the plain mean of its sessions'
averages (a short session counts as much as a long one: each is one lesson); weeks with no usable
session between the first and the last are kept empty, so the line breaks there instead of implying a
steady trend.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

MINUTE = 60


def by_week(points: list[dict]) -> list[dict]:
    """Weekly means of `Classroom.trend()` points, Monday-first weeks from the first to the last."""
    if not points:
        return []
    weeks: dict[date, list[dict]] = defaultdict(list)
    for point in points:
        day = date.fromisoformat(point["date"])
        weeks[day - timedelta(days=day.weekday())].append(point)
    first, last = min(weeks), max(weeks)
    out = []
    for n in range((last - first).days // 7 + 1):
        monday = first + timedelta(weeks=n)
        sessions = weeks.get(monday, [])
        values = [p["engagement"] for p in sessions if not p["withheld"] and p["engagement"] is not None]
        out.append(
            {
                "week": monday.isoformat(),
                "engagement": round(sum(values) / len(values), 4) if values else None,
                "sessions": len(sessions),
                "counted": len(values),
            }
        )
    return out


def by_minute(rows) -> list[float | None]:
    """Mean engagement of each minute from (second, engagement) rows; None for minutes with none measured."""
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    last = -1
    for second, engagement in rows:
        minute = int(second // MINUTE)
        last = max(last, minute)
        if engagement is not None:
            sums[minute] += engagement
            counts[minute] += 1
    return [round(sums[m] / counts[m], 4) if counts[m] else None for m in range(last + 1)]


def session_curve(session) -> dict:
    """One session's engagement by minute for the comparison, or why it has no curve."""
    figures = session.figures
    curve = {"id": session.pk, "title": session.title, "date": session.created_at.date().isoformat()}
    if figures["withheld"]:
        return curve | {"minutes": None, "why": "not enough readable faces to measure engagement"}
    minutes = by_minute(session.seconds.order_by("second").values_list("second", "engagement").iterator())
    if not any(m is not None for m in minutes):
        return curve | {"minutes": None, "why": "engagement was not measured (no face read facing the camera)"}
    return curve | {"minutes": minutes, "why": ""}
