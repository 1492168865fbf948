"""The leave-one-clip-out protocol: a held-out clip never chooses its own values."""

import pytest

from inference.lab import crossval
from inference.lab.benchmark import ClipScore, Detection, FrameAccuracy
from inference.lab.replay import Capture, replay, replay_eyes, replays_pipeline
from inference.tuning import DEFAULT_TUNING, Tuning
from tests.conftest import shared_path

CLIPS = [{"file": name} for name in ("a", "b", "c", "d")]


def clip_score(name: str, episodes: Detection) -> ClipScore:
    return ClipScore(name, episodes, Detection(), FrameAccuracy(), FrameAccuracy(), 1, (1, 1), 1, 1)


class Preferences(crossval.Scorer):
    """Clip "a" is scored well only with z_on 4, the others only with z_on 8."""

    def clip_scores(self, eyes, spotter, facing=None):
        out = {}
        for clip in self.clips:
            liked = 4.0 if clip["file"] == "a" else 8.0
            hit = spotter is not None and spotter["z_on"] == liked
            out[clip["file"]] = clip_score(clip["file"], Detection(tp=1) if hit else Detection(fn=1))
        return out


def test_each_fold_chooses_on_the_other_clips_only():
    folds, chosen, in_sample = crossval.cross_validate(Preferences(CLIPS, {}, None))
    by_clip = {f.clip: f for f in folds}
    assert by_clip["a"].spotter["z_on"] == 8.0  # chosen by b and c, so "a" is missed held out
    assert by_clip["a"].score.episodes.fn == 1
    assert by_clip["b"].spotter["z_on"] == 8.0 and by_clip["b"].score.episodes.tp == 1
    assert chosen[2]["z_on"] == 8.0 and sum(s.episodes.tp for s in in_sample) == 3
    assert crossval.unstable(folds) == {}


def test_a_value_chosen_differently_between_folds_is_named():
    class Split(Preferences):
        def clip_scores(self, eyes, spotter, facing=None):
            out = super().clip_scores(eyes, spotter, facing)
            if (
                spotter is not None and spotter["z_on"] == 4.0
            ):  # "a" and "b" like 4, "c" and "d" like 8: ties go to the first
                out["b"] = clip_score("b", Detection(tp=1))
            return out

    folds, _, _ = crossval.cross_validate(Split(CLIPS, {}, None))
    assert set(crossval.unstable(folds)["z_on"]) == {4.0, 8.0}


def test_an_ablation_holds_its_values_in_every_fold():
    class Units(Preferences):
        """Every clip is scored well only with the action units off and z_on 8."""

        def clip_scores(self, eyes, spotter, facing=None):
            out = super().clip_scores(eyes, spotter, facing)
            if spotter is not None and spotter.get("units", True):
                out = {name: clip_score(name, Detection(fn=1)) for name in out}
            return out

    method, _, _ = crossval.cross_validate(Units(CLIPS, {}, None))
    ablation, chosen, _ = crossval.cross_validate(Units(CLIPS, {}, None), {"units": False})
    assert all(f.score.episodes.tp == 0 for f in method)  # the method's grid never turns the units off
    assert all(f.spotter["units"] is False for f in ablation) and chosen[2]["units"] is False
    assert sum(f.score.episodes.tp for f in ablation) == 3  # "a" alone wants z_on 4


def test_the_facing_limits_are_chosen_by_the_looking_away_labels():
    class Glances(Preferences):
        """Every clip's looking-away frames are told apart only with the iris limit up or down at 0.08."""

        def clip_scores(self, eyes, spotter, facing=None):
            out = super().clip_scores(eyes, spotter, facing)
            hit = facing is not None and facing["gaze_y"] == 0.08
            for score in out.values():
                score.away = FrameAccuracy(pos_hit=1 if hit else 0, pos=1, neg_hit=1, neg=1)
            return out

    folds, chosen, _ = crossval.cross_validate(Glances(CLIPS, {}, None))
    assert chosen[1]["gaze_y"] == 0.08 and all(f.facing["gaze_y"] == 0.08 for f in folds)
    assert all(f.score.away.balanced == 1.0 for f in folds)


def test_tuning_values_are_replaced_by_name():
    tuning = Tuning().replace(closed_ratio=0.5, **{"spotter.z_on": 4.0, "eyes.window": 2.0})
    assert (tuning.eyes.closed_ratio, tuning.eyes.window, tuning.spotter.z_on) == (0.5, 2.0, 4.0)
    assert tuning.spotter.z_off == DEFAULT_TUNING.spotter.z_off
    assert Tuning.from_dict(tuning.to_dict()) == tuning
    facing = Tuning().replace(**{"facing.gaze_y": 0.2, "facing.yaw": 35.0}).facing
    assert (facing.gaze_y, facing.yaw, facing.pitch) == (0.2, 35.0, DEFAULT_TUNING.facing.pitch)


def test_an_empty_capture_replays_to_an_empty_result():
    capture = Capture()
    assert replay(capture, DEFAULT_TUNING, replay_eyes(capture, DEFAULT_TUNING)) == {
        "frames": [],
        "events": [],
        "tracks": [],
    }


@pytest.mark.shared
def test_replaying_a_capture_gives_the_pipelines_own_events_and_flags():
    from inference.classifier import load_classifier
    from inference.lab.replay import capture
    from inference.pipeline import upload_options

    clip = shared_path("data", "video", "labelled", "webcam_posed_angry_surprise_happy_overlay.mp4")
    made = capture(clip, upload_options(), load_classifier())
    assert made.pipeline["events"] and any("blink" in f["flags"] for f in made.pipeline["frames"])
    assert replays_pipeline(made, DEFAULT_TUNING)
    assert not replays_pipeline(made, DEFAULT_TUNING.replace(**{"spotter.z_on": 50.0}))  # replay is not a copy


class Synthetic(crossval.Scorer):
    """Replays stood in for by a score that depends on the clip and the spotter's z_on and min_frames."""

    def _result(self, name, eyes, tuning, spotting):
        return {"hit": spotting and (tuning.spotter.z_on + tuning.spotter.min_frames + ord(name)) % 3 == 0}


def synthetic_score(clip, result, analysed, tuning):
    return clip_score(clip["file"], Detection(tp=1) if result["hit"] else Detection(fn=1))


def test_scores_computed_in_forked_processes_are_those_computed_in_one():
    captures = {c["file"]: Capture() for c in CLIPS}
    one = Synthetic(CLIPS, captures, synthetic_score)
    two = Synthetic(CLIPS, captures, synthetic_score, processes=2)
    folds_one, chosen_one, _ = crossval.cross_validate(one)
    folds_two, chosen_two, _ = crossval.cross_validate(two)
    assert chosen_one == chosen_two and [f.spotter for f in folds_one] == [f.spotter for f in folds_two]
    assert two._scores == one._scores and len(one._scores) > len(crossval.grid(crossval.SPOTTER_GRID))
