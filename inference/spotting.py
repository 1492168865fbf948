"""Micro-expression spotting per track on the eye-region time series.

Method (appearance change against a rolling baseline, with hysteresis):
1. Each aligned eye band is shrunk to `size` (area average) and standardised (zero mean, unit
   variance), so global lighting changes and slow exposure drift do not count.
2. Baseline = per-pixel median of the track's recent calm frames (the last `baseline` seconds of
   frames outside events and with the eyes open, counted on a clock that stops during events, so a
   long expression does not age the baseline away). Change d(t) = mean |band(t) - baseline|.
3. Noise: over the last `noise_window` seconds of calm frames, the median of d and a robust sigma from
   d's successive differences (1.4826 MAD of the differences / sqrt 2). Score z = (d - median) /
   max(sigma, min_sigma). Differences leave out d's slow rise and fall (a face that sways, or a calm
   face that settles after an expression), which would otherwise inflate sigma and hide the next
   expression; the cost is that a slow sway of the band large against the frame-to-frame noise can
   itself score as a change.
4. An event opens when z > z_on on `min_frames` consecutive frames (onset = first frame of the run,
   extended back over up to `onset_lookback` s of frames with z > z_off: expressions build up); the
   baseline and noise stop updating; it closes at the last frame with z above z_off and above
   `offset_fraction` of its peak z so far (offset): an expression has ended once its change fell most
   of the way back, so two with a partial return between them are two events; the cost is that an
   expression whose intensity wavers that much is cut in two. Apex =
   frame of maximum z; strength = that z. After an event, frames count as calm again only once z
   falls under `z_calm`: the fading trace of an expression is not learnt as the new calm face.
   One event holds one expression: when the eye CNN, having read one emotion (not neutral) with
   confidence during the event, reads another on `min_frames` frames in a row, the event ends there and
   a new one begins, although the face never returned to calm (a frown that turns to surprise).
5. Blinks are not expressions: frames with the eyes closed never open an event, and an event in
   which closed-eye frames make up at least `blink_fraction` is dropped. With `blink_ends`, a blink
   (or any closed-eye frame) ends an event under way: people blink between expressions, and the band
   of a shut eye says nothing about the expression, so two expressions with a blink between are two
   events, not one long change; the cost is that an expression with a blink inside it is cut in two.
   Winks are: a run of `min_frames` or more frames with one eye shut and the other open (from the
   eye signals, so it needs no baseline) is an event with cue "wink", unless an appearance event
   takes it in.
6. duration = offset - onset + one frame period; <= `micro_max` (0.5 s) is "micro", longer is
   "macro"; a change held for `max_duration` s is closed there and becomes the new baseline. The
   calm from before it is kept: a face that comes back to it (z against it <= z_off) is calm again,
   with that baseline, and the event its return opened is dropped. Relaxing is not an expression; the
   cost is that an expression begun during the held change and ending in that calm face is dropped too.
7. The counts (`min_frames`, `min_calm`) are frames at `count_fps`, the rate they were tuned at; a track
   read at another rate (a live camera page sends 5 frames a second) needs as many seconds instead,
   and never fewer than two frames, so a session streamed live and the same footage uploaded give the
   same events.
   A hole in a track (a gap longer than `max_gap`, or than `gap_periods` of the track's frame period where
   its frames come slower: the median of its last gaps) restarts its calm; at 2 frames a second, a frame
   stamped late or one frame lost is not a hole. With `closure_restarts`, eyes shut for longer than a
   blink are a hole too: the face that opens them (a drowsy one waking, lids wider than before) is
   not compared with the calm from before the closure.
Label = the emotion whose probability at the apex rose most over its calm-frame average.
Memory per track is bounded by the window lengths (no frames are kept beyond them).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from .actionunits import SPOT_UNITS
from .labels import LABELS, NEUTRAL, UNCERTAIN, top_label
from .records import Event
from .tuning import DEFAULT_TUNING, SpotterConfig


@dataclass
class _Point:
    frame: int
    time: float
    z: float
    closed: bool
    probs: np.ndarray | None
    wink: bool = False
    units: np.ndarray | None = None  # each action unit's z against the track's calm units


@dataclass
class _Home:
    calm: list[np.ndarray]
    calm_units: list[np.ndarray]
    noise: list[float]
    baseline: np.ndarray
    med: float
    sigma: float
    probs_mean: np.ndarray | None


@dataclass
class _TrackState:
    calm: deque = field(default_factory=deque)  # (quiet clock, standardised band)
    calm_units: deque = field(default_factory=deque)  # (quiet clock, action-unit vector) of calm frames
    noise: deque = field(default_factory=deque)  # (quiet clock, d)
    quiet: float = 0.0  # seconds of frames outside events seen so far
    recovering: float | None = None  # time the last event ended, until the face is calm again
    winks: list[_Point] = field(default_factory=list)  # the wink run under way, if any
    wink_ignored: bool = False  # a run that outlasted max_duration, until the eyes open
    recent: deque = field(default_factory=deque)  # the last `onset_lookback` s of points, for onsets
    event: list[_Point] | None = None
    probs_mean: np.ndarray | None = None
    reading: str | None = None  # the emotion the eye CNN read with confidence in the open event
    home: _Home | None = None  # the calm face from before a change that was held and became the baseline
    last_time: float | None = None
    shut: tuple[float, float] | None = None  # (first, last) time of the closed-eye run under way
    period: float | None = None  # smoothed time between this track's frames
    gaps: deque = field(default_factory=lambda: deque(maxlen=5))  # its last gaps, kept over a hole


def _baseline(state: _TrackState) -> np.ndarray:
    """Per-pixel median of the track's calm bands."""
    return np.median(np.stack([b for _, b in state.calm]), axis=0)


def standardise(band: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(band.astype(np.float32), (size[1], size[0]), interpolation=cv2.INTER_AREA)
    return (small - small.mean()) / (small.std() + 1e-6)


class Spotter:
    def __init__(self, config: SpotterConfig = DEFAULT_TUNING.spotter) -> None:
        self.config = config
        self._tracks: dict[int, _TrackState] = {}

    def update(
        self,
        track: int,
        frame: int,
        time: float,
        band: np.ndarray,
        eyes_closed: bool | None = None,
        probs: np.ndarray | None = None,
        wink: bool | None = None,
        units: np.ndarray | None = None,
    ) -> list[Event]:
        """Feed one aligned eye band of one track (with the eye signals' closed and wink readings and its
        action units in `UNITS` order); returns the events that closed on this frame."""
        cfg, out = self.config, []
        state = self._tracks.setdefault(track, _TrackState())
        if state.last_time is not None:
            gap = time - state.last_time
            if gap > self._hole(state):
                out, state = self._restart(track, gaps=state.gaps)  # the track's rate is still known
            elif gap > 0:
                state.period = gap if state.period is None else 0.8 * state.period + 0.2 * gap
            if gap > 0:
                state.gaps.append(gap)
        state.last_time = time
        if self._closure_ended(state, time, bool(eyes_closed)):
            ended, state = self._restart(track, gaps=state.gaps, last_time=time, period=state.period)
            out += ended
        v = standardise(band, cfg.size)
        if state.home is not None and not eyes_closed:
            self._return_home(state, v)
        z, d = self._score(state, v)
        units = None if units is None else np.asarray(units, np.float64)
        unit_z = self._unit_score(state, units)
        if cfg.units and unit_z is not None:
            z = max(z, float(np.abs(unit_z).max()))
        probs = None if probs is None else np.asarray(probs, np.float32)
        point = _Point(frame, time, z, bool(eyes_closed), probs, bool(wink), unit_z)
        if state.event is None:
            out += self._wink_run(track, state, point)
        if state.event is not None and point.closed and cfg.blink_ends and len(state.event) >= cfg.min_frames:
            return out + self._close(track, state)  # a blink ends an expression; what follows is a new one
        if state.event is not None:
            within = time - state.event[0].time <= cfg.max_duration
            if z > self._off(state.event) and within:
                state.event.append(point)
                return out + self._split(track, state)
            held = z > cfg.z_off and not within
            out += self._close(track, state)
            if held:  # a change held past max_duration becomes the new baseline
                state.home = state.home or self._home(state)
                state.calm.clear()
                state.calm_units.clear()
                state.noise.clear()
        self._calm_or_open(state, point, v, d, units)
        state.recent.append(point)
        while state.recent and time - state.recent[0].time > cfg.onset_lookback:
            state.recent.popleft()
        return out

    def _restart(self, track: int, **kept) -> tuple[list[Event], _TrackState]:
        """A hole: the track's events so far, and its state begun again with only `kept` (its rate)."""
        out = self.close_track(track)
        return out, self._tracks.setdefault(track, _TrackState(**kept))

    def _closure_ended(self, state: _TrackState, time: float, closed: bool) -> bool:
        """The eyes open after a closure longer than a blink, and `closure_restarts` makes that a hole."""
        if closed:
            state.shut = (state.shut[0] if state.shut else time, time)
            return False
        shut, state.shut = state.shut, None
        period = state.period or 0.0
        return bool(self.config.closure_restarts and shut and shut[1] - shut[0] + period > self.config.max_blink)

    def _hole(self, state: _TrackState) -> float:
        """The longest gap that is not a hole in the track: `max_gap`, or `gap_periods` of the track's frame
        period where its frames come slower; the period is the median of its last gaps, holes included,
        so a hole does not stretch it and the first gaps of a slow track do not each restart it."""
        if not state.gaps:
            return self.config.max_gap
        return max(self.config.max_gap, self.config.gap_periods * float(np.median(state.gaps)))

    def _frames(self, state: _TrackState, count: int) -> int:
        """A count of the config (`min_frames`, `min_calm`) at this track's rate: as many seconds as
        `count` frames last at `count_fps`, and at least two frames where the count is two or more."""
        fps = self.config.count_fps
        if fps is None or not state.period:
            return count
        return max(min(count, 2), int(count / (fps * state.period) + 0.5))

    def _home(self, state: _TrackState) -> _Home | None:
        """The calm face and its noise as they stand, kept while a held change is the baseline."""
        min_calm = self._frames(state, self.config.min_calm)
        if len(state.calm) < min_calm or len(state.noise) < min_calm:
            return None
        calm, noise = [b for _, b in state.calm], [x for _, x in state.noise]
        units = [u for _, u in state.calm_units]
        return _Home(calm, units, noise, _baseline(state), *self._noise(np.array(noise)), state.probs_mean)

    def _return_home(self, state: _TrackState, v: np.ndarray) -> None:
        """A face back at its calm from before a held change is calm again, not a new expression: the
        event that its return opened is dropped, and the old calm becomes the baseline once more."""
        home = state.home
        if (float(np.abs(v - home.baseline).mean()) - home.med) / home.sigma > self.config.z_off:
            return
        state.calm = deque((state.quiet, b) for b in home.calm)
        state.calm_units = deque((state.quiet, u) for u in home.calm_units)
        state.noise = deque((state.quiet, x) for x in home.noise)
        state.probs_mean = home.probs_mean
        state.home, state.event, state.reading, state.recovering = None, None, None, None
        state.recent.clear()

    def _noise(self, ds: np.ndarray) -> tuple[float, float]:
        """(median, sigma) of calm frames' distances d; sigma from successive differences: a slow
        drift of d is not noise."""
        sigma = 1.4826 * float(np.median(np.abs(np.diff(ds)))) / np.sqrt(2)
        return float(np.median(ds)), max(sigma, self.config.min_sigma)

    def _score(self, state: _TrackState, v: np.ndarray) -> tuple[float, float | None]:
        """(z, d) of a standardised band against the track's baseline; z = 0 while warming up."""
        cfg = self.config
        if len(state.calm) < 2:
            return 0.0, None
        d = float(np.abs(v - _baseline(state)).mean())
        min_calm = self._frames(state, cfg.min_calm)
        if len(state.calm) < min_calm or len(state.noise) < min_calm:
            return 0.0, d
        med, sigma = self._noise(np.array([x for _, x in state.noise]))
        return (d - med) / sigma, d

    def _unit_score(self, state: _TrackState, units: np.ndarray | None) -> np.ndarray | None:
        """Each unit's change from the median of the last `baseline` s of calm frames, over its robust
        noise (successive differences over `noise_window`, as for the band); None while warming up."""
        if units is None or len(state.calm_units) < self._frames(state, self.config.min_calm):
            return None
        values = np.stack([u for _, u in state.calm_units])
        recent = [u for q, u in state.calm_units if state.quiet - q <= self.config.baseline] or [values[-1]]
        sigma = 1.4826 * np.median(np.abs(values - np.median(values, axis=0)), axis=0)
        return (units - np.median(recent, axis=0)) / np.maximum(sigma, self.config.min_unit_sigma)

    def _calm_or_open(
        self, state: _TrackState, point: _Point, v: np.ndarray, d: float | None, units: np.ndarray | None = None
    ) -> None:
        cfg, n = self.config, self._frames(state, self.config.min_frames)
        recent = list(state.recent)
        run = (recent[len(recent) - (n - 1) :] if n > 1 else []) + [point]
        if len(run) == n and all(p.z > cfg.z_on and not p.closed for p in run):
            onset = len(recent) - (n - 1)
            while onset > 0 and recent[onset - 1].z > cfg.z_off and not (cfg.blink_ends and recent[onset - 1].closed):
                onset -= 1
            if state.winks:  # a wink under way becomes part of this event
                onset = min([onset] + [i for i, p in enumerate(recent) if p.time >= state.winks[0].time])
                state.winks = []
            state.event = recent[onset:] + [point]
            return
        if state.recovering is not None and (point.z <= cfg.z_calm or point.time - state.recovering > cfg.max_duration):
            state.recovering = None
        if point.z > (cfg.z_off if state.recovering is None else cfg.z_calm):
            return  # not calm, not (yet) an event: keep it out of the baseline
        # the windows run on a clock of quiet frames only, so a long event does not age the baseline away
        state.quiet += state.period or 0.0
        if not (point.closed or point.wink):
            state.calm.append((state.quiet, v))
            if units is not None:
                state.calm_units.append((state.quiet, units))
            if point.probs is not None:
                mean = state.probs_mean
                state.probs_mean = point.probs if mean is None else 0.9 * mean + 0.1 * point.probs
        if d is not None:
            state.noise.append((state.quiet, d))
        while state.calm and state.quiet - state.calm[0][0] > cfg.baseline:
            state.calm.popleft()
        while state.calm_units and state.quiet - state.calm_units[0][0] > max(cfg.baseline, cfg.noise_window):
            state.calm_units.popleft()
        while state.noise and state.quiet - state.noise[0][0] > cfg.noise_window:
            state.noise.popleft()

    def _wink_run(self, track: int, state: _TrackState, point: _Point) -> list[Event]:
        """A wink: a run of frames with one eye shut, and closed frames in it or up to `micro_max` s
        after it (the other eye follows, as it often does), holding `min_frames` wink frames or more.
        Closed frames alone are blinks or closures."""
        cfg = self.config
        last_wink = next((p.time for p in reversed(state.winks) if p.wink), None)
        if point.wink or (point.closed and last_wink is not None and point.time - last_wink <= cfg.micro_max):
            # one eye hidden for longer than an expression lasts is occlusion or a profile view, not a
            # wink: the run is dropped and ignored until both eyes open (memory stays bounded)
            if state.winks and point.time - state.winks[0].time > cfg.max_duration:
                state.winks, state.wink_ignored = [], True
            if not state.wink_ignored:
                state.winks.append(point)
            return []
        return self._end_winks(track, state, trim_closed=point.closed)

    def _end_winks(self, track: int, state: _TrackState, trim_closed: bool = False) -> list[Event]:
        """The wink run under way as an event, if it holds enough wink frames; `trim_closed`: the eyes
        stayed closed after it, and that closure is not part of the wink."""
        points, state.winks, state.wink_ignored = state.winks, [], False
        while trim_closed and points and not points[-1].wink:
            points.pop()
        if sum(p.wink for p in points) < self._frames(state, self.config.min_frames):
            return []
        return [self._event(track, state, points, max(points, key=lambda p: p.z), "wink")]

    def _split(self, track: int, state: _TrackState) -> list[Event]:
        """One event holds one expression: when the eye CNN, having read one emotion with confidence,
        reads another on `min_frames` frames in a row, the first event ends and the second begins there,
        even though the face never returned to calm."""
        points, n = state.event or [], self._frames(state, self.config.min_frames)
        if len(points) < n:
            return []
        # a shut eye's reading says nothing about the expression (closed lids read as sad)
        readings = {top_label(p.probs) if p.probs is not None and not p.closed else UNCERTAIN for p in points[-n:]}
        reading = readings.pop() if len(readings) == 1 else UNCERTAIN
        if reading in (UNCERTAIN, NEUTRAL):
            return []
        if state.reading is None or state.reading == reading:
            state.reading = reading
            return []
        state.event = points[:-n]
        out = self._close(track, state)
        state.event, state.recovering, state.reading = points[-n:], None, reading
        return out

    def _off(self, points: list[_Point]) -> float:
        """The level an event lasts above: z_off, or `offset_fraction` of its apex so far, whichever is
        higher; an expression has ended once its change fell most of the way back from its peak."""
        return max(self.config.z_off, self.config.offset_fraction * max(p.z for p in points))

    def _close(self, track: int, state: _TrackState) -> list[Event]:
        cfg, points = self.config, state.event or []
        state.event, state.reading = None, None
        state.recent.clear()  # a later onset must not reach back into this event
        state.recovering = points[-1].time if points else None
        # trailing points under the offset level are not part of the event
        off = self._off(points) if points else cfg.z_off
        while points and points[-1].z <= off:
            points.pop()
        if len(points) < self._frames(state, cfg.min_frames):
            return []
        if np.mean([p.closed for p in points]) >= cfg.blink_fraction:
            return []
        return [self._event(track, state, points, max(points, key=lambda p: p.z), "appearance")]

    def _event(self, track: int, state: _TrackState, points: list[_Point], apex: _Point, cue: str) -> Event:
        cfg = self.config
        duration = points[-1].time - points[0].time + (state.period or 0.0)
        label = None
        actions = [] if apex.units is None else [n for n, z in zip(SPOT_UNITS, apex.units) if z > cfg.z_off]
        if apex.probs is not None:
            rise = apex.probs - (state.probs_mean if state.probs_mean is not None else 0.0)
            label = LABELS[int(np.argmax(rise))]
        return Event(
            track=track,
            onset=points[0].time,
            apex=apex.time,
            offset=points[-1].time,
            duration=duration,
            onset_frame=points[0].frame,
            apex_frame=apex.frame,
            offset_frame=points[-1].frame,
            kind="micro" if duration <= cfg.micro_max + 1e-9 else "macro",
            label=label,
            strength=apex.z,
            cue=cue,
            actions=[n.upper() for n in actions],
        )

    def close_track(self, track: int) -> list[Event]:
        """End a track: report its open event (if any) and drop its state."""
        state = self._tracks.pop(track, None)
        if state is None:
            return []
        if state.event is not None:
            return self._close(track, state)
        return self._end_winks(track, state)

    def forget(self, live_tracks: set[int]) -> list[Event]:
        out: list[Event] = []
        for track in [t for t in self._tracks if t not in live_tracks]:
            out += self.close_track(track)
        return out

    def flush(self) -> list[Event]:
        return self.forget(set())
