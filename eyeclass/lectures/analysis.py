"""What analysing a session needs on a worker, shared by the whole-video task (tasks.py) and the chunk
tasks (chunked.py): the eye CNN loaded once per process, the options, progress reports, and the
errors a session can stop on, with reasons a teacher can read."""

from __future__ import annotations

import functools
import logging
import os
import threading
import time

from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from eyeclass.accounts.notify import notify_teacher

from .models import Session

log = logging.getLogger(__name__)
# database or broker unreachable: a task retries with a back-off, then fails the session with a reason
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class ProgressReporter:
    """Saves progress and pushes it to the teacher's sockets, at most every `interval` seconds. Raises
    SessionDeleted when the session is gone, so a deleted session's analysis stops within `interval`."""

    interval = 1.0

    def __init__(self, session: Session) -> None:
        self.session, self.last = session, 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        self.push({**self.session.status_dict(), "progress": round(self.save(fraction), 4)})

    def save(self, fraction: float) -> float:
        """Store the progress; the session's fraction done."""
        updated = Session.objects.filter(pk=self.session.pk).update(
            progress=min(max(fraction, 0.0), 0.999), heartbeat_at=timezone.now()
        )
        if not updated:
            raise SessionDeleted(self.session.pk)
        return fraction

    def push(self, status: dict) -> None:
        try:
            notify_teacher(self.session.teacher_id, {"type": "session.status", **status})
        except Exception:  # a push is a nicety: the page also polls; never fail the work for it
            log.warning("could not push session status", exc_info=True)


class ModelMissing(Exception):
    pass


class SessionDeleted(Exception):
    """The teacher deleted the session while it was analysed: stop, there is nothing to store."""


_model_lock = threading.Lock()


def load_model():
    """The eye CNN named by settings, loaded once per worker process (and again if the file changes)."""
    path = settings.EYECLASS_MODEL_PATH
    if not path.is_file():
        raise ModelMissing(
            f"The emotion model file is missing on the worker ({path}). The video is kept: "
            "reprocess the session once an administrator has restored the model."
        )
    with _model_lock:  # a task that arrives during the warm-up waits for it instead of loading twice
        return _load_classifier(str(path), path.stat().st_mtime)


@worker_process_init.connect
def warm_up_model(**kwargs) -> None:
    """Warm up in the background as each pool process starts. A thread: Celery kills pool processes slow
    to finish init."""
    if settings.EYECLASS_WARM_UP_MODEL:
        threading.Thread(target=warm_up, daemon=True, name="model-warm-up").start()


def warm_up() -> None:
    """Load the eye CNN, the pipeline and MediaPipe, so the first live frame or video does not wait
    seconds for them (frames shed meanwhile are the start of a live session lost); then record the
    device, which says the worker is warm."""
    try:
        classifier = worker_classifier()
        warm_up_analyzer(classifier)
    except Exception as exc:  # a missing model is reported by the task that needs it
        log.warning("model warm-up skipped: %s", exc)
    record_device(worker_device().describe())


def warm_up_analyzer(classifier) -> None:
    """Build an analyzer once and close it: importing the pipeline and MediaPipe's first graphs are most
    of what a live session's first frame would otherwise wait for; later ones build in a fraction of that."""
    from inference.pipeline import SessionAnalyzer

    SessionAnalyzer(analysis_options(), classifier=classifier).close()


def record_device(description: str, attempts: int = 30) -> None:
    """Put this pool process's device on its worker's heartbeat row (for /healthz); the row may not
    exist yet while the worker starts, so try for a while."""
    from eyeclass.ops.models import WorkerHeartbeat

    for _ in range(attempts):
        try:
            if WorkerHeartbeat.objects.filter(pid=os.getppid()).update(device=description[:120]):
                return
        except Exception:
            pass
        time.sleep(1)


def worker_classifier():
    """The eye CNN when this deployment reads emotions; None (never loaded) when EYECLASS_EMOTIONS is off."""
    return load_model() if settings.EYECLASS_EMOTIONS else None


@functools.lru_cache(maxsize=1)
def _load_classifier(path: str, mtime: float):
    # lazily: TensorFlow is heavy. On a CPU, accelerate() swaps in TF Lite when it gives the same
    # probabilities (safe: each prefork worker process runs one task at a time); on a GPU, Keras.
    from inference.classifier import accelerate, load_classifier

    device = worker_device()
    classifier = load_classifier(path)
    log.info("eye CNN on %s", device.describe())
    return classifier if device.kind == "gpu" else accelerate(classifier)


@functools.lru_cache(maxsize=1)
def worker_device():
    from inference.device import detect

    return detect()


def analysis_options(**overrides):
    """The upload options, with the CNN batch of the worker's device (larger on a GPU), and the eye CNN
    only where the deployment reads emotions."""
    from inference.device import GPU_BATCH
    from inference.pipeline import upload_options

    fps = settings.EYECLASS_ANALYSIS_FPS
    rate = {} if fps is None else {"fps": fps or None}  # 0: every frame, as the CLI's `--fps 0`
    gpu = {"batch_size": GPU_BATCH, "lite_cnn": False} if worker_device().kind == "gpu" else {}
    return upload_options(**{"emotions": settings.EYECLASS_EMOTIONS, **rate, **gpu, **overrides})


def analyze(path, on_progress):
    """The inference pipeline, as the worker runs it: an inference.records.AnalysisResult."""
    from inference.pipeline import analyze_video

    return analyze_video(
        path, analysis_options(), on_progress=on_progress, classifier=worker_classifier(), keep_frames=False
    )


def readable_reason(exc: Exception, path) -> str:
    """The pipeline's message without the server's file path, which is none of the teacher's business."""
    message = str(exc).replace(f"{path}: ", "").replace(str(path), "the video")
    return message if isinstance(exc, ModelMissing) else f"The video could not be analysed: {message}"
