"""A kept recording that browsers can play: probed, and transcoded to H.264/AAC MP4 by PyAV when not.

Browsers play few codecs (H.264, VP8/VP9, AV1 video; AAC, MP3, Opus, Vorbis audio) in few containers
(MP4, WebM); OpenCV's mp4v, AVI, MKV or QuickTime files often give a dead player. The worker converts a
kept video after its analysis is stored, so a failed conversion costs the replay, never the numbers, and
the original stays until the converted file is complete. Frames are decoded, encoded and written one at a
time (memory does not grow with the length); the price is CPU time in the worker after the session is done.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .models import Session

log = logging.getLogger(__name__)

# what Chromium, Firefox and Safari all play, by the file's suffix (replay.py serves its type by suffix)
PLAYABLE = {
    ".mp4": ({"h264", "av1"}, {"aac", "mp3"}),
    ".m4v": ({"h264", "av1"}, {"aac", "mp3"}),
    ".webm": ({"vp8", "vp9", "av1"}, {"opus", "vorbis"}),
}


@dataclass(frozen=True)
class Encoding:
    """How a replay copy is encoded: a copy to watch beside charts, not to archive."""

    crf: int = 26  # x264 quality (lower: better and bigger); 23 is x264's default, 26 is a third smaller
    preset: str = "veryfast"  # x264 speed against size: the worker's CPU is shared with analysis
    audio_rate: int = 48000  # AAC sample rate, Hz
    audio_bit_rate: int = 96000  # AAC bits a second: speech


ENCODING = Encoding()


def problem(path: Path) -> str | None:
    """Why a browser could not play this file, or None when it can."""
    import av

    with av.open(str(path)) as container:
        kind = container.format.long_name
        video = container.streams.video[0].codec_context.name if container.streams.video else None
        audio = {s.codec_context.name for s in container.streams.audio}
    if video is None:
        return "it has no video track"
    if path.suffix.lower() not in PLAYABLE:
        return f"its container ({kind}) is not one browsers play"
    videos, audios = PLAYABLE[path.suffix.lower()]
    if video not in videos:
        return f"its video codec ({video}) is not one browsers play"
    if audio - audios:
        return f"its audio codec ({', '.join(sorted(audio - audios))}) is not one browsers play"
    return None


def transcode(source: Path, target: Path, encoding: Encoding = ENCODING) -> None:
    """Write `source` to `target` as H.264 (yuv420p) + AAC in MP4, streaming, timestamps kept."""
    import av

    faststart = {"movflags": "+faststart"}  # the index first: the player starts before the whole file is read
    with av.open(str(source)) as src, av.open(str(target), "w", format="mp4", options=faststart) as out:
        video_in = src.streams.video[0]
        audio_in = src.streams.audio[0] if src.streams.audio else None
        rate = video_in.average_rate or video_in.guessed_rate or 25
        video_out = out.add_stream("libx264", rate=rate)
        video_out.width, video_out.height = video_in.width // 2 * 2, video_in.height // 2 * 2  # 4:2:0 needs even sides
        video_out.pix_fmt, video_out.time_base = "yuv420p", video_in.time_base
        video_out.options = {"crf": str(encoding.crf), "preset": encoding.preset}
        audio_out = resampler = None
        if audio_in is not None:
            audio_out = out.add_stream("aac", rate=encoding.audio_rate)
            audio_out.bit_rate, audio_out.layout = encoding.audio_bit_rate, "stereo"
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=encoding.audio_rate)
        streams = [video_in] + ([audio_in] if audio_in is not None else [])
        for packet in src.demux(*streams):
            for frame in packet.decode():  # an empty packet at the end flushes the decoder
                if packet.stream is video_in:
                    picture = frame.reformat(width=video_out.width, height=video_out.height, format="yuv420p")
                    picture.pts, picture.time_base = frame.pts, frame.time_base
                    out.mux(video_out.encode(picture))
                else:
                    for sound in resampler.resample(frame):
                        out.mux(audio_out.encode(sound))
        out.mux(video_out.encode(None))
        if audio_out is not None:
            out.mux(audio_out.encode(None))


def settle_video(session: Session, reporter) -> None:
    """After a session's numbers are stored: its video goes, or, kept, is made playable; the page is told."""
    if session.keep_video:
        make_playable(session, announce=lambda: reporter.push(session.status_dict()))
    else:
        session.delete_video()
        reporter.push(session.status_dict())


def make_playable(session: Session, announce=lambda: None) -> str:
    """Check the kept video of a finished session and convert it if browsers cannot play it.

    Records the outcome in `session.playback` ("ready" or "unplayable" with a reason in `playback_note`);
    `announce` is called once the state is known, before a conversion that may take minutes. Never
    raises: the session's numbers are already stored and stay whatever happens here.
    """
    source = session.video_path
    if source is None or not source.is_file():
        announce()
        return session.playback
    try:
        why = problem(source)
    except Exception as exc:  # PyAV cannot open what OpenCV analysed: say so rather than fail
        why = f"the file could not be read for playback ({type(exc).__name__})"
        _unplayable(session, why)
        announce()
        return session.playback
    _set(session, Session.Playback.READY if why is None else Session.Playback.CONVERTING, why or "")
    announce()
    if why is None:
        return session.playback
    name = f"uploads/{uuid.uuid4().hex}.mp4"
    target = Path(settings.MEDIA_ROOT) / name
    part = target.with_suffix(".part")
    try:
        transcode(source, part)
        part.rename(target)
    except Exception as exc:
        part.unlink(missing_ok=True)
        log.warning("session %s: the replay copy failed: %r", session.pk, exc)
        return _unplayable(session, f"{why}, and converting it failed ({type(exc).__name__})")
    # only a finished session whose video is still this one: a reprocess started meanwhile reads the original
    unchanged = {"pk": session.pk, "video_file": session.video_file, "status": Session.Status.DONE}
    updated = Session.objects.filter(**unchanged).update(
        video_file=name, video_bytes=target.stat().st_size, playback=Session.Playback.READY, playback_note=why
    )
    if not updated:  # deleted, reprocessed or its video replaced while it was converted
        target.unlink(missing_ok=True)
        return "gone"
    source.unlink(missing_ok=True)
    session.video_file, session.playback, session.playback_note = name, Session.Playback.READY, why
    log.info("session %s: the kept video was converted for playback (%s)", session.pk, why)
    return session.playback


def _unplayable(session: Session, why: str) -> str:
    return _set(session, Session.Playback.UNPLAYABLE, why)


def _set(session: Session, state: str, note: str) -> str:
    session.playback, session.playback_note = state, note
    Session.objects.filter(pk=session.pk).update(playback=state, playback_note=note)
    return state
