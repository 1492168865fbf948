"""Emotions read on a labelled clip: calm frames, emotion-episode frames and matched events' labels."""

from __future__ import annotations

from inference.lab import benchmark as bm
from inference.lab.emotion_reading import EmotionReading, read_emotions


def face(frame: int, top: str, flags=()) -> dict:
    return {"frame": frame, "box": {"w": 50, "h": 50}, "probs": {"neutral": 0.5}, "top": top, "flags": list(flags)}


def episode(start: int, end: int, label: str) -> dict:
    return {"start": start, "apex": start, "end": end, "label": label, "region_visible_in_eyes": True}


def test_calm_frames_count_neutral_and_emotions_and_uncertain_is_neither():
    faces = {0: face(0, "neutral"), 1: face(1, "uncertain"), 2: face(2, "sad"), 3: face(3, "neutral")}
    r = read_emotions(faces, calm=[(0, 3)], episodes=[], matched_events=[])
    assert (r.calm_frames, r.calm_neutral, r.calm_emotion) == (4, 2, 1)
    assert r.share("calm_neutral") == 0.5 and r.share("episode_right") is None


def test_frames_without_a_reading_do_not_count():
    faces = {0: face(0, "sad", flags=("eyes_unreadable",)), 2: {**face(2, "sad"), "probs": None}, 3: face(3, "sad")}
    r = read_emotions(faces, calm=[(0, 5)], episodes=[], matched_events=[])
    assert (r.calm_frames, r.calm_emotion) == (1, 1)  # frame 1, 4 and 5 were not analysed


def test_episode_frames_are_right_when_read_as_their_label_and_other_labels_are_not_scored():
    faces = {f: face(f, top) for f, top in enumerate(["angry", "angry", "neutral", "uncertain", "happy", "happy"])}
    r = read_emotions(faces, calm=[], episodes=[episode(0, 3, "angry"), episode(4, 5, "other")], matched_events=[])
    assert (r.episode_frames, r.episode_right, r.episode_other) == (4, 2, 1)


def test_a_matched_event_is_right_when_its_label_is_the_episodes():
    pairs = [({"label": "surprise"}, episode(0, 9, "surprise")), ({"label": "sad"}, episode(20, 29, "angry"))]
    pairs.append(({"label": "happy"}, episode(40, 49, "other")))  # a wink: no class to compare with
    r = read_emotions({}, calm=[], episodes=[], matched_events=pairs)
    assert (r.events, r.events_right) == (2, 1)


def test_readings_add_up_before_shares_are_taken():
    total = EmotionReading(calm_frames=4, calm_neutral=4) + EmotionReading(calm_frames=6, calm_neutral=1)
    assert total.share("calm_neutral") == 0.5


def test_a_clip_pairs_each_matched_event_with_its_own_episode():
    labels = {
        "file": "c.mp4",
        "frame_count": 60,
        "faces_count": 1,
        "faces": [
            {
                "blinks": [],
                "closed": [],
                "away": [],
                "iod_px": 80,
                "neutral": [[0, 9]],
                "expressions": [episode(10, 29, "angry"), episode(40, 59, "surprise")],
            }
        ],
    }
    frames = [{**face(f, "neutral" if f < 10 else "angry"), "signals": None} for f in range(60)]
    events = [
        {"onset_frame": 41, "offset_frame": 58, "label": "surprise"},
        {"onset_frame": 12, "offset_frame": 28, "label": "sad"},
        {"onset_frame": 0, "offset_frame": 3, "label": "fear"},  # matches nothing
    ]
    result = {"frames": frames, "events": events, "tracks": []}
    score = bm.score_clip(labels, result, list(range(60)), is_away=lambda r: False, min_track_seconds=2.0)
    r = score.emotions
    assert (r.calm_frames, r.calm_neutral) == (10, 10)
    assert (r.episode_frames, r.episode_right, r.episode_other) == (40, 20, 20)
    assert (r.events, r.events_right) == (2, 1)
    assert bm.to_json([score])["total"]["emotions"]["events_right_share"] == 0.5
    assert "| **all** | 1.00 / 0.00 (10) | 0.50 / 0.50 (40) | 1 of 2 |" in bm.table([score])
