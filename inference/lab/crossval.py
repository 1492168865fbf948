"""Leave-one-clip-out cross-validation of the tuned numbers (inference/tuning.py).

For each labelled clip, the values are chosen on the other clips from the grid below, then that clip
is scored with them; the held-out scores, pooled, are what a change is judged by. The same choice made
on every clip gives the in-sample scores and the values the runtime ships. Two stages, because they
answer different labels: the eye step is chosen by blink F1 (eyes-closed accuracy breaking ties),
then the spotter, given those eyes, by expression-episode F1 (fewer false events breaking ties).
A value whose choice flips between folds is fitted to clips, not to faces: the report names it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from inference.tuning import Tuning

from . import benchmark
from .benchmark import ClipScore
from .replay import Capture, replay, replay_eyes

# The few values that matter, a handful each; everything else in Tuning stays at its default.
EYE_GRID = {"closed_ratio": (0.5, 0.55, 0.6, 0.65), "reopen_ratio": (0.65, 0.7, 0.8)}
SPOTTER_GRID = {
    "units": (False, True),
    "drop_away": (True, False),
    "z_on": (4.0, 5.0, 6.0, 8.0),
    "z_off": (2.0, 3.0),
    "min_frames": (1, 2, 3),
    "baseline": (1.0, 2.0),
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
    spotter: dict
    score: ClipScore


def key(choice: dict) -> tuple:
    return tuple(sorted(choice.items()))


class Scorer:
    """Per-clip scores of each grid point, computed once (replays are the cost)."""

    def __init__(self, clips: list[dict], captures: dict[str, Capture], score: Callable[[dict, dict, list], ClipScore]):
        self.clips, self.captures, self.score = clips, captures, score
        self._eyes: dict[tuple, dict] = {}
        self._scores: dict[tuple, dict[str, ClipScore]] = {}

    def tuning(self, eyes: dict, spotter: dict | None) -> Tuning:
        return Tuning().replace(**eyes, **{f"spotter.{k}": v for k, v in (spotter or {}).items()})

    def clip_scores(self, eyes: dict, spotter: dict | None) -> dict[str, ClipScore]:
        """Each clip's score; without `spotter`, the eye step alone (episodes not scored)."""
        k = (key(eyes), key(spotter) if spotter is not None else None)
        if k not in self._scores:
            tuning, out = self.tuning(eyes, spotter), {}
            for clip in self.clips:
                name = clip["file"]
                if (key(eyes), name) not in self._eyes:
                    self._eyes[key(eyes), name] = replay_eyes(self.captures[name], tuning)
                read = self._eyes[key(eyes), name]
                result = replay(self.captures[name], tuning, read, spotting=spotter is not None)
                out[name] = self.score(clip, result, self.captures[name].analysed)
            self._scores[k] = out
        return self._scores[k]


def eye_objective(scores: list[ClipScore]) -> tuple:
    t = benchmark.total(scores)
    return (t["blinks"].f1 or 0.0, t["closed"].balanced or 0.0)


def spotter_objective(scores: list[ClipScore]) -> tuple:
    episodes = benchmark.total(scores)["episodes"]
    return (episodes.f1 or 0.0, -episodes.fp)


def choose(scorer: Scorer, names: list[str]) -> tuple[dict, dict]:
    """The grid point best on the clips `names`: eyes first, then the spotter given them. Ties go to
    the first in grid order."""
    eye_points = [c for c in grid(EYE_GRID) if valid_eyes(c)]
    eyes = max(eye_points, key=lambda c: eye_objective([scorer.clip_scores(c, None)[n] for n in names]))
    spotter = max(grid(SPOTTER_GRID), key=lambda c: spotter_objective([scorer.clip_scores(eyes, c)[n] for n in names]))
    return eyes, spotter


def cross_validate(scorer: Scorer) -> tuple[list[Fold], tuple[dict, dict], list[ClipScore]]:
    """(held-out folds, the values chosen on all clips, the in-sample scores with those values)."""
    names = [c["file"] for c in scorer.clips]
    folds = []
    for held_out in names:
        eyes, spotter = choose(scorer, [n for n in names if n != held_out])
        folds.append(Fold(held_out, eyes, spotter, scorer.clip_scores(eyes, spotter)[held_out]))
    eyes, spotter = choose(scorer, names)
    return folds, (eyes, spotter), list(scorer.clip_scores(eyes, spotter).values())


def unstable(folds: list[Fold]) -> dict[str, Counter]:
    """Values whose choice differs between folds: name -> how often each value was chosen."""
    out = {}
    for part in ("eyes", "spotter"):
        for name in EYE_GRID if part == "eyes" else SPOTTER_GRID:
            counts = Counter(getattr(f, part)[name] for f in folds)
            if len(counts) > 1:
                out[name] = counts
    return out


def choices_table(folds: list[Fold], chosen: tuple[dict, dict]) -> str:
    names = list(EYE_GRID) + list(SPOTTER_GRID)
    rows = ["| held-out clip | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for fold in folds:
        values = {**fold.eyes, **fold.spotter}
        rows.append(f"| {fold.clip} | " + " | ".join(f"{values[n]:g}" for n in names) + " |")
    values = {**chosen[0], **chosen[1]}
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
