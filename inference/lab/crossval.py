"""Leave-one-clip-out cross-validation of the tuned numbers (inference/tuning.py).

For each labelled clip, the values are chosen on the other clips from the grid below, then that clip
is scored with them; the held-out scores, pooled, are what a change is judged by. The same choice made
on every clip gives the in-sample scores and the values the runtime ships. Three stages, because they
answer different labels: the eye step is chosen by blink F1 (eyes-closed accuracy breaking ties), the
facing limits by looking-away balanced accuracy, then the spotter, given those, by expression-episode
F1 (fewer false events breaking ties).
A value whose choice flips between folds is fitted to clips, not to faces: the report names it.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from inference.tuning import Tuning

from . import benchmark
from .benchmark import ClipScore
from .replay import Capture, replay, replay_eyes

# The few values that matter, a handful each; everything else in Tuning stays at its default.
# Whether the spotter reads the action units is the method (issue 39: spotting on the eye-region actions,
# the band's appearance one more cue), not a grid value; ABLATIONS cross-validates the band alone beside it.
EYE_GRID = {"closed_ratio": (0.5, 0.55, 0.6, 0.65), "reopen_ratio": (0.65, 0.7, 0.8)}
# looking away is labelled from ~30 degrees (the labelled set's README); the grid spans the values around it
FACING_GRID = {
    "yaw": (25.0, 30.0, 35.0),
    "pitch": (20.0, 25.0, 30.0),
    "gaze_x": (0.3, 0.4, 0.5),
    "gaze_y": (0.08, 0.12, 0.16),
}
SPOTTER_GRID = {
    "z_on": (4.0, 5.0, 6.0, 8.0),
    "z_off": (2.0, 3.0),
    "offset_fraction": (0.0, 0.25, 0.5),
    "min_frames": (1, 2, 3),
    "baseline": (1.0, 2.0),
    "z_calm": (1.0, 1.5),
    "max_duration": (4.0, 6.0),
    "blink_ends": (False, True),
    "closure_restarts": (False, True),
}


def grid(values: dict[str, tuple]) -> list[dict]:
    names = list(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*values.values())]


def valid_eyes(choice: dict) -> bool:
    return choice["reopen_ratio"] > choice["closed_ratio"]  # hysteresis: reopening asks for more than closing


@dataclass
class Fold:
    clip: str
    eyes: dict
    facing: dict
    spotter: dict
    score: ClipScore


STAGES = ("eyes", "facing", "spotter")
GRIDS = {"eyes": EYE_GRID, "facing": FACING_GRID, "spotter": SPOTTER_GRID}


def key(choice: dict) -> tuple:
    return tuple(sorted(choice.items()))


class Scorer:
    """Per-clip scores of each grid point, computed once (replays are the cost). `score(clip, result,
    analysed, tuning)` scores one clip's replayed result. Only scores are kept per spotter point, so
    memory does not grow with the grid; with `processes` > 1, `prefetch` computes a grid's scores in
    that many forked processes."""

    def __init__(
        self, clips: list[dict], captures: dict[str, Capture], score: Callable[..., ClipScore], processes: int = 1
    ):
        self.clips, self.captures, self.score, self.processes = clips, captures, score, processes
        self._eyes: dict[tuple, tuple[list, dict]] = {}  # (eyes, clip) -> (eye step read, its result)
        self._scores: dict[tuple, dict[str, ClipScore]] = {}

    def tuning(self, eyes: dict, spotter: dict | None, facing: dict | None = None) -> Tuning:
        values = {**eyes, **{f"facing.{k}": v for k, v in (facing or {}).items()}}
        return Tuning().replace(**values, **{f"spotter.{k}": v for k, v in (spotter or {}).items()})

    def _key(self, eyes: dict, spotter: dict | None, facing: dict | None) -> tuple:
        return key(eyes), key(spotter) if spotter is not None else None, key(facing or {})

    def clip_scores(self, eyes: dict, spotter: dict | None, facing: dict | None = None) -> dict[str, ClipScore]:
        """Each clip's score; without `spotter`, the eye step alone (episodes not scored)."""
        k = self._key(eyes, spotter, facing)
        if k not in self._scores:
            tuning, out = self.tuning(eyes, spotter, facing), {}
            for clip in self.clips:
                result = self._result(clip["file"], eyes, tuning, spotter is not None)
                out[clip["file"]] = self.score(clip, result, self.captures[clip["file"]].analysed, tuning)
            self._scores[k] = out
        return self._scores[k]

    def _result(self, name: str, eyes: dict, tuning: Tuning, spotting: bool) -> dict:
        """A clip's replayed result: the eye step's is kept (every facing point scores it), a spotter's is
        made anew and shares the eye step's frames (the spotter only adds events)."""
        if (key(eyes), name) not in self._eyes:
            read = replay_eyes(self.captures[name], tuning)
            self._eyes[key(eyes), name] = read, replay(self.captures[name], tuning, read, spotting=False)
        read, eye_result = self._eyes[key(eyes), name]
        if not spotting:
            return eye_result
        return replay(self.captures[name], tuning, read, frame_dicts=eye_result["frames"])

    def prefetch(self, eyes: dict, spotters: list[dict], facing: dict) -> None:
        """The scores of every spotter point, computed in forked copies of this scorer: a fork shares the
        captures and the eye step's replays without copying them."""
        todo = [p for p in spotters if self._key(eyes, p, facing) not in self._scores]
        processes = min(self.processes, len(todo))
        if processes < 2:
            return
        self.clip_scores(eyes, None, facing)  # the eye step replayed once here, not once per process
        chunks = [todo[i::processes] for i in range(processes)]
        global _FORKED
        _FORKED = (self, eyes, facing)
        try:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for part in pool.map(_scores_of, chunks):
                    self._scores.update(part)
        finally:
            _FORKED = None  # the scorer (and its captures) is not held past the search


_FORKED = None  # (scorer, eyes, facing) that a forked process inherits


def _scores_of(spotters: list[dict]) -> dict:
    scorer, eyes, facing = _FORKED
    return {scorer._key(eyes, p, facing): scorer.clip_scores(eyes, p, facing) for p in spotters}


def eye_objective(scores: list[ClipScore]) -> tuple:
    t = benchmark.total(scores)
    return (t["blinks"].f1 or 0.0, t["closed"].balanced or 0.0)


def facing_objective(scores: list[ClipScore]) -> tuple:
    return (benchmark.total(scores)["away"].balanced or 0.0,)


def spotter_objective(scores: list[ClipScore]) -> tuple:
    episodes = benchmark.total(scores)["episodes"]
    return (episodes.f1 or 0.0, -episodes.fp)


# spotter values held fixed for a second cross-validation, reported beside the method's
ABLATIONS = {"band appearance alone, no action units": {"units": False}}


def choose(scorer: Scorer, names: list[str], fixed: dict | None = None) -> tuple[dict, dict, dict]:
    """The grid point best on the clips `names`: eyes first, then the facing limits, then the spotter
    given them (with `fixed` spotter values held). Ties go to the first in grid order."""
    eye_points = [c for c in grid(EYE_GRID) if valid_eyes(c)]
    eyes = max(eye_points, key=lambda c: eye_objective([scorer.clip_scores(c, None)[n] for n in names]))
    facing = max(
        grid(FACING_GRID), key=lambda c: facing_objective([scorer.clip_scores(eyes, None, c)[n] for n in names])
    )
    points = [{**point, **(fixed or {})} for point in grid(SPOTTER_GRID)]
    scorer.prefetch(eyes, points, facing)
    spotter = max(
        points,
        key=lambda c: spotter_objective([scorer.clip_scores(eyes, c, facing)[n] for n in names]),
    )
    return eyes, facing, spotter


def cross_validate(
    scorer: Scorer, fixed: dict | None = None
) -> tuple[list[Fold], tuple[dict, dict, dict], list[ClipScore]]:
    """(held-out folds, the values chosen on all clips (eyes, facing, spotter), the in-sample scores
    with those values); `fixed`: spotter values held instead of the defaults (an ablation)."""
    names = [c["file"] for c in scorer.clips]
    folds = []
    for held_out in names:
        eyes, facing, spotter = choose(scorer, [n for n in names if n != held_out], fixed)
        folds.append(Fold(held_out, eyes, facing, spotter, scorer.clip_scores(eyes, spotter, facing)[held_out]))
    eyes, facing, spotter = choose(scorer, names, fixed)
    return folds, (eyes, facing, spotter), list(scorer.clip_scores(eyes, spotter, facing).values())


def unstable(folds: list[Fold]) -> dict[str, Counter]:
    """Values whose choice differs between folds: name -> how often each value was chosen."""
    out = {}
    for part in STAGES:
        for name in GRIDS[part]:
            counts = Counter(getattr(f, part)[name] for f in folds)
            if len(counts) > 1:
                out[name] = counts
    return out


def choices_table(folds: list[Fold], chosen: tuple[dict, dict, dict]) -> str:
    names = [n for part in STAGES for n in GRIDS[part]]
    rows = ["| held-out clip | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for fold in folds:
        values = {**fold.eyes, **fold.facing, **fold.spotter}
        rows.append(f"| {fold.clip} | " + " | ".join(f"{values[n]:g}" for n in names) + " |")
    values = {k: v for part in chosen for k, v in part.items()}
    rows.append("| **all clips** | " + " | ".join(f"{values[n]:g}" for n in names) + " |")
    return "\n".join(rows)


def summary_table(rows: dict[str, list[ClipScore]]) -> str:
    """One line per way of scoring (cross-validated, in-sample, ...) with the pooled totals."""
    out = [
        "| scored | episodes P / R / F1 | blinks P / R / F1 | closed (bal. acc.) | away (bal. acc.) "
        "| students within 1.5x | calm read neutral | episode frames read right |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, scores in rows.items():
        t = benchmark.total(scores)
        emotions = t["emotions"]
        out.append(
            f"| {name} | {benchmark.prf(t['episodes'])} | {benchmark.prf(t['blinks'])} "
            f"| {benchmark.fmt(t['closed'].balanced)} | {benchmark.fmt(t['away'].balanced)} "
            f"| {t['students_ok']} of {t['clips']} | {benchmark.fmt(emotions.share('calm_neutral'))} "
            f"| {benchmark.fmt(emotions.share('episode_right'))} |"
        )
    return "\n".join(out)
