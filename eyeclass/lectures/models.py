"""A class session (an upload or a live camera) and the numbers analysis stores for it (never face pixels)."""

from __future__ import annotations

import uuid
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from inference.emotionless import emptied, event_without_emotions
from inference.records import AnalysisResult
from inference.regroup import leave_out
from inference.summary import READABLE_SECOND, confidence, shown

from .charts import MAX_POINTS, SERIES_COLUMNS, script_safe_json, session_series
from .rows import EVENT_FIELDS, ExpressionEvent, SecondStat, Student

__all__ = ["EVENT_FIELDS", "Chunk", "ExpressionEvent", "Note", "SecondStat", "Session", "Student"]
from .eta import in_words, remaining_seconds


class SessionQuerySet(models.QuerySet):
    def for_teacher(self, user) -> SessionQuerySet:
        return self.filter(classroom__teacher=user) if user.is_authenticated else self.none()


class Session(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded"
        QUEUED = "queued"
        PROCESSING = "processing"
        LIVE = "live"
        DONE = "done"
        FAILED = "failed"

    class Playback(models.TextChoices):  # the kept video in a browser (eyeclass/lectures/playback.py)
        UNCHECKED = "", "not checked"
        CONVERTING = "converting"
        READY = "ready"
        UNPLAYABLE = "unplayable"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        LIVE = "live"

    classroom = models.ForeignKey("classrooms.Classroom", on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    progress = models.FloatField(default=0.0)  # 0..1 while processing
    error = models.TextField(blank=True)
    video_file = models.CharField(max_length=255, blank=True)  # path under MEDIA_ROOT; empty once deleted
    video_name = models.CharField(max_length=255, blank=True)  # the teacher's file name, for display
    video_bytes = models.BigIntegerField(default=0)
    keep_video = models.BooleanField(default=False)
    playback = models.CharField(max_length=12, choices=Playback.choices, blank=True, default="")
    playback_note = models.CharField(max_length=300, blank=True)  # why the original could not be played
    duration = models.FloatField(null=True, blank=True)  # seconds
    fps = models.FloatField(null=True, blank=True)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=255, blank=True)  # the worker that last started analysing it
    attempts = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last sign of life while queued/processing
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)  # the inference.pipeline.AnalysisOptions it was read with
    charts = models.TextField(blank=True)  # series() as script-safe JSON, computed once when results are stored
    # live sessions: which worker holds the session's state, and what happened to the frames
    live_worker = models.CharField(max_length=255, blank=True)
    live_connections = models.IntegerField(default=0)
    last_frame_at = models.DateTimeField(null=True, blank=True)
    frames_received = models.IntegerField(default=0)
    frames_analysed = models.IntegerField(default=0)
    frames_dropped = models.IntegerField(default=0)  # shed because workers were behind (backpressure)
    frames_rejected = models.IntegerField(default=0)  # invalid, oversized or over the rate limit

    objects = SessionQuerySet.as_manager()
    send_failed = False  # set by lifecycle.send(): this instance's last send found the broker down

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("session", args=[self.pk])

    @property
    def teacher_id(self) -> int:
        return self.classroom.teacher_id

    @property
    def has_recording(self) -> bool:
        """The teacher kept the video and it was stored: the session page can replay it."""
        return bool(self.keep_video and self.video_file)

    @property
    def video_path(self) -> Path | None:
        return Path(settings.MEDIA_ROOT) / self.video_file if self.video_file else None

    @staticmethod
    def new_video_file(original_name: str) -> str:
        suffix = Path(original_name).suffix.lower()[:10]
        return f"uploads/{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"

    # --- state transitions -------------------------------------------------------------------------
    def status_dict(self) -> dict:
        """`remaining`: estimated seconds left while processing (eyeclass/lectures/eta.py), else None."""
        processing = self.status == self.Status.PROCESSING
        remaining = remaining_seconds(self.progress, self.started_at, timezone.now()) if processing else None
        return {
            "id": self.pk,
            "status": self.status,
            "progress": round(self.progress, 4),
            "remaining": remaining,
            "remaining_text": in_words(remaining),
            "error": self.error,
            "url": self.get_absolute_url(),
            "playback": self.playback,  # "converting" until a kept recording plays in browsers
        }

    def mark_queued(self) -> None:
        """Queued, its task not sent yet (an empty task id): eyeclass/lectures/lifecycle.py sends it."""
        self.status, self.progress, self.error, self.heartbeat_at = self.Status.QUEUED, 0.0, "", timezone.now()
        self.task_id = ""
        self.save(update_fields=["status", "progress", "error", "heartbeat_at", "task_id"])

    @property
    def unsent(self) -> bool:
        """Queued while the broker was down: the outbox (lifecycle.send_unsent) sends it."""
        return self.status == self.Status.QUEUED and not self.task_id

    def mark_processing(self, task_id: str, worker: str = "") -> None:
        self.status, self.progress, self.error, self.task_id = self.Status.PROCESSING, 0.0, "", task_id
        self.started_at = self.heartbeat_at = timezone.now()
        self.attempts, self.worker = self.attempts + 1, worker
        fields = ["status", "progress", "error", "task_id", "started_at", "heartbeat_at", "attempts", "worker"]
        self.save(update_fields=fields)

    def mark_failed(self, reason: str, video_unusable: bool = False) -> None:
        """Fail with a reason. When the video itself cannot be analysed (damaged, cut short) and the
        teacher did not keep it, it goes now, as it would after a success: no reprocess can use it."""
        if video_unusable and not self.keep_video and self.video_file:
            self.delete_video()
            reason += " The video was not kept (“keep the video” was not ticked), so it has been deleted."
        self.status, self.error, self.finished_at = self.Status.FAILED, reason[:2000], timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    def delete_video(self) -> None:
        if self.video_path is not None:
            self.video_path.unlink(missing_ok=True)
        self.video_file = ""
        self.save(update_fields=["video_file"])

    # --- results -----------------------------------------------------------------------------------
    def store_results(self, result: AnalysisResult) -> None:
        """Replace this session's stored numbers with `result`, atomically.

        Running it twice leaves exactly one copy: old rows are deleted in the same transaction. With
        emotions off in this deployment, any emotion field of `result` is dropped before anything is stored.
        """
        data = result.to_dict()
        if not settings.EYECLASS_EMOTIONS:
            data = emptied(data)
        result = AnalysisResult.from_dict(data)  # stored as the JSON export reads: floats to 4 decimals
        still = {t.track for t in result.tracks if t.still}  # left out from the start; the teacher may restore
        seconds = [SecondStat.from_aggregate(self, row) for row in leave_out(result.seconds, still)]
        tracks = [Student.from_summary(self, row, result.seconds) for row in result.tracks]
        events = [ExpressionEvent.from_event(self, row) for row in result.events]
        with transaction.atomic():
            SecondStat.objects.filter(session=self).delete()
            Student.objects.filter(session=self).delete()
            ExpressionEvent.objects.filter(session=self).delete()
            SecondStat.objects.bulk_create(seconds, batch_size=1000)
            Student.objects.bulk_create(tracks, batch_size=500)
            ExpressionEvent.objects.bulk_create(events, batch_size=1000)
            self.summary = self.class_summary(seconds, tracks, events, data.get("readability"))
            self.options = result.options or self.options
            self.charts = script_safe_json(self.series()) if seconds else ""
            self.duration = result.video.get("duration", self.duration)
            self.status, self.progress, self.error, self.finished_at = self.Status.DONE, 1.0, "", timezone.now()
            # only these fields: live frame counters are updated concurrently by the socket and the worker
            fields = ["summary", "options", "charts", "duration", "status", "progress", "error", "finished_at"]
            self.save(update_fields=fields)
        self.forget_cached()

    def class_summary(self, seconds: list[SecondStat], tracks: list[Student], events: list, readability) -> dict:
        """The summary of the tracks counted as students (see recount.class_summary)."""
        from .recount import class_summary

        return class_summary(seconds, tracks, events, readability)

    def set_counted(self, student: Student, counted: bool) -> None:
        """Count a track as a student again, or leave it out; every class number, chart and export is
        made again from the stored rows (eyeclass/lectures/recount.py), nothing is re-analysed."""
        from .recount import recount

        with transaction.atomic():
            student.excluded = not counted
            student.save(update_fields=["excluded"])
            recount(self)
        self.forget_cached()

    def forget_cached(self) -> None:
        """Drop what was worked out from the summary just replaced."""
        for name in ("confidence", "glance", "moments"):
            self.__dict__.pop(name, None)

    @cached_property
    def glance(self) -> str:
        """The lesson in one sentence, from the stored numbers (eyeclass/lectures/moments.py)."""
        from .moments import sentence

        return sentence(self)

    @cached_property
    def moments(self) -> dict:
        """Its dips, events and notes in time order, for the list that seeks the replay."""
        from .moments import moments

        return moments(self)

    @property
    def left_out(self) -> models.QuerySet:
        """The tracks not counted as students: still images and those the teacher excluded."""
        return self.tracks.filter(excluded=True).order_by("track")

    @property
    def counted(self) -> models.QuerySet:
        """The tracks counted as students, in order of appearance."""
        return self.tracks.filter(excluded=False).order_by("first_time", "track")

    @property
    def left_out_note(self) -> str:
        """One sentence on the tracks left out ("1 face in a picture was ignored."), "" when none."""
        from .recount import left_out_note

        return left_out_note([t.still for t in self.left_out])

    @property
    def read_at(self) -> str:
        """At what rate its frames were read, in words ("" when not known: analysed before it was kept)."""
        if "fps" not in (self.options or {}):
            return ""
        fps = self.options["fps"]
        return "every frame" if not fps else f"{fps:g} frames a second"

    @cached_property
    def confidence(self) -> dict:
        """How much of the session could be read, and whether that is enough to show numbers."""
        summary = self.summary or {}
        counted = None
        if summary.get("readable_seconds") is None:  # summarised before this was counted
            counted = self.seconds.filter(readable__gte=READABLE_SECOND).count()
        return confidence(summary, counted)

    @property
    def figures(self) -> dict:
        """The summary as every page, export and the API may show it: withheld numbers are None when a
        finished session had too little to read (inference.summary's one rule)."""
        finished = self.status == self.Status.DONE
        confidence = self.confidence
        return shown(
            self.summary or {}, not finished or confidence["enough"], not finished or confidence["eyes_enough"]
        )

    def stored_result(self) -> AnalysisResult:
        """The stored seconds and events as an analysis result (to re-summarise what is stored)."""
        return AnalysisResult(
            video={"duration": self.duration},
            options={},
            tracks=[],
            frames=[],
            events=[row.to_event() for row in self.events.order_by("onset", "pk")],
            seconds=[row.to_aggregate() for row in self.seconds.order_by("second")],
        )

    def series(self, max_points: int = MAX_POINTS, emotions: bool | None = None) -> dict:
        """What the session page charts (see charts.session_series), read with one query per table; with
        emotions off (`emotions`, default the deployment's switch), no emotion series, class names or event labels."""
        series = session_series(
            seconds=self.seconds.order_by("second").values_list(*SERIES_COLUMNS),
            tracks=self.tracks.filter(excluded=False)
            .order_by("track")
            .values_list("track", "engagement", "timeline", "first_time", "last_time"),
            events=self.counted_events().values(*EVENT_FIELDS),
            max_points=max_points,
        )
        if settings.EYECLASS_EMOTIONS if emotions is None else emotions:
            return series
        series = {k: v for k, v in series.items() if k not in ("labels", "emotions")}
        return {**series, "events": [event_without_emotions(e) for e in series["events"]]}

    def pinned_notes(self) -> list[dict]:
        """The teacher's notes as the charts and the JSON export take them: [{"id", "at", "text"}]."""
        return list(self.notes.values("id", "at", "text")[: Note.MAX_PER_SESSION])

    @property
    def notes_json(self) -> str:
        return script_safe_json(self.pinned_notes())

    def counted_events(self) -> models.QuerySet:
        """The events of the tracks counted as students, in time order."""
        return self.events.exclude(track__in=self.left_out.values("track")).order_by("onset", "pk")

    @property
    def page_charts(self) -> str:
        """The stored charts, made again without emotions when they were stored while emotions were on."""
        if self.charts and not settings.EYECLASS_EMOTIONS and '"emotions"' in self.charts:
            return script_safe_json(self.series())
        return self.charts


class Chunk(models.Model):
    """One time range of a long upload, analysed by a task of its own (eyeclass/lectures/chunked.py)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="chunks")
    index = models.IntegerField()
    plan = models.JSONField()  # inference.chunks.ChunkPlan as a dict
    progress = models.FloatField(default=0.0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "index"], name="one_row_per_chunk")]

    @property
    def seconds(self) -> float:
        return max(0.0, self.plan["end"] - self.plan["start"])


class Note(models.Model):
    """A teacher's note pinned to a moment of a session ("quiz started here"): shown on its charts and
    among its moments. Teacher's words, never about a named student."""

    MAX_PER_SESSION = 200  # a bound on what one session's page lists and draws

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    at = models.FloatField()  # seconds from the start of the session
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:.0f} s: {self.text}"
