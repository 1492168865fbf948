"""What each number on the pages means, in one place: the tooltips and the help page both read it.

The full definitions are in docs/methods.md; these are the teacher's short versions of them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.conf import settings

from inference.labels import LABELS
from inference.summary import ENOUGH_READABLE_SECONDS

TERMS = {
    "engagement": (
        "Engagement",
        "For each student, the share of their readable moments in which they face the front with their eyes "
        "open (0 to 1). The class value is the average over students, so each student counts the same. "
        "Faces too small for their eyes to be read (a room or ceiling camera) count by where their head "
        "points alone: the page then says “facing only”.",
    ),
    "emotions": (
        "Emotion mix",
        "The share of the readable faces of each second (head within the facing limits: from above, eyes "
        "looking down read as sad) whose most likely emotion is each one; a face whose most likely emotion "
        "has under a 50% chance counts as “uncertain”, a band of its own. It is read from the eyes alone: "
        "a tendency of the class, not what any one person feels.",
    ),
    "students": (
        "Students",
        "Anonymous face tracks seen for 2 seconds or more. One person can become two tracks after a camera "
        "cut or when hidden for more than 5 seconds; someone walking past the camera or a neighbour leaning "
        "in front for a few seconds does not split them.",
    ),
    "moments": (
        "Moments",
        "The lesson's attention dips and expression events (of the students counted) in time order, and "
        "your notes. With the recording kept, a time plays that moment. The sentence at the top of the page "
        "says the same in brief: average engagement, its dips, the number of students and, with emotions "
        "on, the most common emotion and one that rose well above its usual share for a few seconds.",
    ),
    "still": (
        "Faces in pictures",
        "A face that never blinks, whose landmarks never move beyond the camera's noise and whose eyes look "
        "the same for 8 seconds or more is a picture (a poster, a photo, a face on a slide or a screen), not a "
        "student: it is left out of every class number and listed apart. Any track can be left out or counted "
        "again from the session or student page; the numbers are then made again from what was stored.",
    ),
    "events": (
        "Expression events",
        "Moments when a student's eye region changed clearly from its own calm look, one per expression "
        "(a frown that turns into surprise is two; relaxing is none): micro when 0.5 s or shorter, macro "
        "when longer. Winks count too.",
    ),
    "readable": (
        "Readable",
        "A face whose eyes are at least 12 pixels apart in the picture and whose eye landmarks were found. "
        "Only readable faces give emotions, eye signals and events. A smaller face whose head orientation "
        "could be read still counts as facing the front or not; the others only count as present. "
        "In a full room the students take turns: each is read once a second or more often, the largest and "
        "least recently read first, and a student's page says how often theirs were read.",
    ),
    "confidence": (
        "How sure",
        f"How much of the session could be read. With fewer than {ENOUGH_READABLE_SECONDS} readable seconds "
        "(seconds in which at least half a face, on average, was read: its eyes, or for a small face where "
        "its head points) its numbers are withheld everywhere: the cards say “not enough data”, lists and "
        "exports leave them blank, charts leave them out. Emotions and events also need that many seconds "
        "of readable eyes.",
    ),
    "dips": (
        "Attention dips",
        "Stretches of 5 seconds or more in which class engagement, smoothed over 5 seconds, stayed below "
        "80% of this session's own average.",
    ),
    "heatmap": (
        "Per-student engagement",
        "One row per anonymous student (the most present first), one cell per stretch of time; darker blue "
        "means more engaged, no colour means not seen. Click a row for that student's page.",
    ),
    "blinks": (
        "Blinks",
        "Eye closures that end within half a second, seen while the head is within the facing limits; the "
        "rate is per minute of such moments.",
    ),
    "perclos": (
        "Eyes closed",
        "The share of a student's readable moments with both eyes closed (PERCLOS). Only moments with the "
        "head within the facing limits count: from the side or from above, lids lowered over a downward "
        "look cannot be told from closed ones.",
    ),
    "facing": (
        "Facing",
        "The head within 30° left or right and 25° up or down (less when turned both ways at once), with "
        "the eyes not turned away.",
    ),
    "action_units": (
        "Action units",
        "How far the brows, lids and cheeks moved (FACS action units of the eye region), measured from the "
        "student's own calm face in % of the distance between the eyes: AU1 inner brow raised, AU2 outer "
        "brow raised, AU4 brows lowered, AU5 upper lid raised, AU6 cheek raised, AU7 lid tightened. An "
        "event lists the units that moved at its peak.",
    ),
}


def tip(key: str) -> str:
    return TERMS[key][1]


@functools.lru_cache(maxsize=4)
def _card(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text())


def model_accuracy() -> dict | None:
    """The shipped eye model's PrivateTest numbers for one view of the eyes (as videos are read), or None."""
    path = Path(settings.EYECLASS_MODEL_PATH).with_suffix(".json")
    if not path.is_file():
        return None
    card = _card(str(path), path.stat().st_mtime)
    evaluation = card.get("evaluation", {})
    numbers = evaluation.get("PrivateTest_no_flip") or evaluation.get("PrivateTest")
    if not numbers:
        return None
    per_class = numbers.get("per_class", {})
    return {
        "faces": numbers.get("faces"),
        "accuracy": numbers.get("accuracy"),
        "macro_f1": numbers.get("macro_f1"),
        "classes": [{"label": label, **per_class[label]} for label in LABELS if label in per_class],
        "real_clips": real_clips(card),
    }


def real_clips(card: dict) -> dict | None:
    """What the emotions read on labelled real recordings (`benchmark --record`), in whole percent;
    None unless both calm and expression frames were read."""
    recorded = card.get("real_clips") or {}
    emotions = recorded.get("emotions") or {}
    if not emotions.get("calm_frames") or not emotions.get("episode_frames"):
        return None
    shares = ("calm_neutral", "calm_emotion", "episode_right", "episode_other")
    percent = {part: round(100 * emotions[f"{part}_share"]) for part in shares}
    events = {key: emotions[key] for key in ("events", "events_right")}
    return {"clips": recorded.get("clips"), **events, **percent}
