"""The numbers analysis stores for a session, row by row: per second, per student track, per event."""

from __future__ import annotations

from django.db import models

from inference.labels import LABELS, MIX_LABELS
from inference.records import AU_NAMES, ActionUnits, Event, SecondAggregate, TrackSummary

from .charts import SHARE_COLUMNS


class SecondStat(models.Model):
    """The class in one second of the session: `angry`..`neutral` are the mean probabilities of the faces
    read (kept for the JSON export), `angry_share`..`uncertain_share` the emotion mix (engagement.py)."""

    session = models.ForeignKey("lectures.Session", on_delete=models.CASCADE, related_name="seconds")
    second = models.IntegerField()
    faces_present = models.FloatField(default=0.0)
    readable = models.FloatField(default=0.0)
    oriented = models.FloatField(default=0.0)  # faces whose head orientation was known (eyes or head only)
    facing = models.FloatField(null=True)
    perclos = models.FloatField(null=True)
    blinks = models.IntegerField(default=0)
    engagement = models.FloatField(null=True)
    angry = models.FloatField(null=True)
    disgust = models.FloatField(null=True)
    fear = models.FloatField(null=True)
    happy = models.FloatField(null=True)
    sad = models.FloatField(null=True)
    surprise = models.FloatField(null=True)
    neutral = models.FloatField(null=True)
    # eye-region action units: the mean over the second's readable faces (inference.records.ActionUnits)
    au1 = models.FloatField(null=True)
    au2 = models.FloatField(null=True)
    au4 = models.FloatField(null=True)
    au5 = models.FloatField(null=True)
    au6 = models.FloatField(null=True)
    au7 = models.FloatField(null=True)
    au43 = models.FloatField(null=True)
    angry_share = models.FloatField(null=True)
    disgust_share = models.FloatField(null=True)
    fear_share = models.FloatField(null=True)
    happy_share = models.FloatField(null=True)
    sad_share = models.FloatField(null=True)
    surprise_share = models.FloatField(null=True)
    neutral_share = models.FloatField(null=True)
    uncertain_share = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "second"], name="one_row_per_second")]

    @classmethod
    def from_aggregate(cls, session: models.Model, row: SecondAggregate) -> SecondStat:
        mix, probs = row.emotion_mix or {}, row.emotion_probs or {}
        return cls(
            session=session,
            second=int(row.second),
            faces_present=row.faces_present or 0.0,
            readable=row.readable or 0.0,
            oriented=row.oriented or 0.0,
            facing=row.facing_fraction,
            perclos=row.perclos,
            blinks=int(row.blinks or 0),
            engagement=row.engagement,
            **{label: probs.get(label) for label in LABELS},
            **{column: mix.get(label) for label, column in zip(MIX_LABELS, SHARE_COLUMNS)},
            **(row.units.to_dict() if row.units else {}),
        )

    def to_aggregate(self) -> SecondAggregate:
        mix = {label: getattr(self, column) for label, column in zip(MIX_LABELS, SHARE_COLUMNS)}
        probs = {label: getattr(self, label) for label in LABELS}
        return SecondAggregate(
            second=self.second,
            faces_present=self.faces_present,
            readable=self.readable,
            oriented=self.oriented,
            facing_fraction=self.facing,
            perclos=self.perclos,
            blinks=self.blinks,
            engagement=self.engagement,
            emotion_mix=mix if any(v is not None for v in mix.values()) else None,
            emotion_probs=probs if any(v is not None for v in probs.values()) else None,
            units=None if self.au1 is None else ActionUnits(*(getattr(self, name) for name in AU_NAMES)),
        )


class Student(models.Model):
    """One anonymous student track: summary numbers and a per-second engagement timeline."""

    session = models.ForeignKey("lectures.Session", on_delete=models.CASCADE, related_name="tracks")
    track = models.IntegerField()
    first_time = models.FloatField()
    last_time = models.FloatField()
    frames = models.IntegerField()
    readable_frames = models.IntegerField()
    blinks = models.IntegerField(default=0)
    blink_rate = models.FloatField(null=True)
    perclos = models.FloatField(null=True)
    facing = models.FloatField(null=True)
    engagement = models.FloatField(null=True)
    dominant = models.CharField(max_length=12, blank=True)
    emotion_mix = models.JSONField(default=dict)  # share of its faces read by top class, "uncertain" too
    probabilities = models.JSONField(default=dict)  # mean of the 7 probabilities over the same faces
    timeline = models.JSONField(default=list)  # [[second, engagement], ...]
    units = models.JSONField(null=True)  # mean action units (ActionUnits as a dict), None when never read
    units_timeline = models.JSONField(default=list)  # [[second, au1, au2, au4, au5, au6, au7, au43], ...]
    still = models.BooleanField(default=False)  # behaved like a still image: a poster, a photo (inference/stillness.py)
    # not counted in any class number: a still image, or left out by the teacher (who may restore it)
    excluded = models.BooleanField(default=False)
    sums = models.JSONField(default=list)  # [[second, *its sums in that second (engagement.TRACK_SECOND)], ...]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "track"], name="one_row_per_track")]

    @property
    def read_every(self) -> float | None:
        """Mean seconds between readings of its eyes (a full room takes turns); None when read under twice."""
        if self.readable_frames < 2:
            return None
        return (self.last_time - self.first_time) / (self.readable_frames - 1)

    @classmethod
    def from_summary(cls, session: models.Model, row: TrackSummary, seconds: list[SecondAggregate]) -> Student:
        key = str(row.track)
        timeline = [[s.second, s.tracks[key]] for s in seconds if key in s.tracks]
        units = [[s.second, *s.track_units[key].to_dict().values()] for s in seconds if key in s.track_units]
        mix = row.emotion_mix or {}
        return cls(
            session=session,
            track=int(row.track),
            first_time=row.first_time,
            last_time=row.last_time,
            frames=row.frames,
            readable_frames=row.readable_frames,
            blinks=row.blinks or 0,
            blink_rate=row.blink_rate_per_min,
            perclos=row.perclos,
            facing=row.facing_fraction,
            engagement=row.engagement,
            dominant=max(mix, key=mix.get) if mix else "",
            emotion_mix=mix,
            probabilities=row.emotion_probs or {},
            timeline=timeline,
            units=row.units.to_dict() if row.units else None,
            units_timeline=units,
            still=row.still,
            excluded=row.still,
            sums=[[s.second, *s.track_sums[key]] for s in seconds if key in s.track_sums],
        )


class ExpressionEvent(models.Model):
    """A spotted expression change: micro (<= 0.5 s) or macro."""

    session = models.ForeignKey("lectures.Session", on_delete=models.CASCADE, related_name="events")
    track = models.IntegerField()
    onset = models.FloatField()
    apex = models.FloatField()
    offset = models.FloatField()
    duration = models.FloatField()
    kind = models.CharField(max_length=8)
    label = models.CharField(max_length=12, blank=True)
    strength = models.FloatField()
    cue = models.CharField(max_length=12, default="appearance")  # "appearance" (the eye band changed) or "wink"
    actions = models.JSONField(default=list, blank=True)  # action units that moved at the apex: ["AU1", "AU2"]

    class Meta:
        indexes = [models.Index(fields=["session", "onset"])]

    @classmethod
    def from_event(cls, session: models.Model, event: Event) -> ExpressionEvent:
        """From an inference Event (its frame indices are not kept); a missing label is stored as ""."""
        values = {name: getattr(event, name) for name in EVENT_FIELDS if name != "label"}
        return cls(session=session, label=event.label or "", **values)

    def to_event(self) -> Event:
        values = {name: getattr(self, name) for name in EVENT_FIELDS if name != "label"}
        return Event(label=self.label or None, onset_frame=None, apex_frame=None, offset_frame=None, **values)


# An event's fields wherever they are listed (storing, the JSON export and API, the charts, the admin):
# the columns above, in their order, so that a column added there appears everywhere.
EVENT_FIELDS = tuple(f.name for f in ExpressionEvent._meta.concrete_fields if f.name not in ("id", "session"))
