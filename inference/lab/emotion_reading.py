"""How truly the eye CNN's emotions read on a labelled real clip: calm frames against frames of
labelled emotion episodes, and the labels of the events that matched those episodes.

Pure counting over face records and label intervals (inference/lab/benchmark.py picks the face and matches
the events), so the rules are testable without video. Only frames that were analysed and whose eyes
were readable count: a frame without a reading says nothing true or false to the teacher.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from inference.labels import LABELS, NEUTRAL, UNCERTAIN


@dataclass
class EmotionReading:
    """Frame and event counts. "An emotion" is one of the six that are not neutral; "uncertain"
    (a top probability under one half) is neither right nor wrong."""

    calm_frames: int = 0
    calm_neutral: int = 0
    calm_emotion: int = 0  # a calm face shown with an emotion: what a teacher would wrongly read
    episode_frames: int = 0
    episode_right: int = 0  # read as the episode's own label
    episode_other: int = 0  # read as another class, neutral included
    events: int = 0  # events matched to an episode whose label is one of the seven classes
    events_right: int = 0

    def __add__(self, other: EmotionReading) -> EmotionReading:
        return EmotionReading(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def share(self, part: str) -> float | None:
        """`part` over its whole (calm_* over calm_frames, episode_* over episode_frames, events_right
        over events); None when the whole is empty."""
        whole = {"calm": self.calm_frames, "episode": self.episode_frames, "events": self.events}[part.split("_")[0]]
        return getattr(self, part) / whole if whole else None

    def to_json(self) -> dict:
        shares = ("calm_neutral", "calm_emotion", "episode_right", "episode_other", "events_right")
        counts = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**counts, **{f"{p}_share": self.share(p) for p in shares}}


def readable_top(record: dict | None) -> str | None:
    """The record's shown class (or uncertain), or None when it has no reading."""
    if record is None or not record.get("probs") or "eyes_unreadable" in record.get("flags", ()):
        return None
    return record.get("top")


def shown(faces: dict[int, dict], start: int, end: int) -> list[str]:
    """The classes shown on the frames start..end (inclusive) that have a reading."""
    return [top for top in (readable_top(faces.get(f)) for f in range(start, end + 1)) if top]


def read_emotions(
    faces: dict[int, dict],
    calm: list[tuple[int, int]],
    episodes: list[dict],
    matched_events: list[tuple[dict, dict]],
) -> EmotionReading:
    """`faces`: analysed frame -> the scored face's record; `calm`: its calm intervals; `episodes`: its
    labelled expression episodes that the eyes show; `matched_events`: (event, episode) pairs."""
    out = EmotionReading()
    for start, end in calm:
        for top in shown(faces, start, end):
            out.calm_frames += 1
            out.calm_neutral += top == NEUTRAL
            out.calm_emotion += top not in (NEUTRAL, UNCERTAIN)
    for episode in episodes:
        if episode["label"] not in LABELS:
            continue
        for top in shown(faces, episode["start"], episode["end"]):
            out.episode_frames += 1
            out.episode_right += top == episode["label"]
            out.episode_other += top not in (episode["label"], UNCERTAIN)
    for event, episode in matched_events:
        if episode["label"] in LABELS:
            out.events += 1
            out.events_right += event.get("label") == episode["label"]
    return out


def _share(reading: EmotionReading, part: str) -> str:
    value = reading.share(part)
    return "—" if value is None else f"{value:.2f}"


def row(name: str, r: EmotionReading) -> str:
    calm = f"{_share(r, 'calm_neutral')} / {_share(r, 'calm_emotion')} ({r.calm_frames})"
    episode = f"{_share(r, 'episode_right')} / {_share(r, 'episode_other')} ({r.episode_frames})"
    return f"| {name} | {calm} | {episode} | {r.events_right} of {r.events} |"


TABLE_HEAD = (
    "| clip | calm frames: neutral / an emotion (frames) | emotion-episode frames: its label / another class "
    "(frames) | matched events labelled right |\n| --- | --- | --- | --- |"
)

RULES = """Emotions read, on the same face: the shown class (`top`: uncertain when the top probability is under
one half) of analysed frames with readable eyes, in calm intervals and in labelled episodes whose label
is one of the seven classes and shows in the eyes; the rest of each row is uncertain. Events: those
matched to such an episode, labelled right when the event's label is the episode's."""
