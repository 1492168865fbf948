"""Emotions off in the runtime: the eye CNN is never loaded, and a result can shed every emotion field."""

import numpy as np
import pytest

from inference.emotionless import without_emotions
from inference.labels import LABELS
from inference.pipeline import AnalysisOptions, SessionAnalyzer, live_options, upload_options
from inference.records import AnalysisResult, Event, SecondAggregate, TrackSummary


def test_an_analyzer_with_emotions_off_never_loads_the_eye_cnn(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the eye CNN was loaded")

    monkeypatch.setattr("inference.pipeline.load_classifier", refuse)
    for options in (AnalysisOptions(emotions=False), upload_options(emotions=False), live_options(emotions=False)):
        with SessionAnalyzer(options, faces=lambda image, **_: []) as analyzer:
            assert analyzer.classifier is None
            analyzer.push(np.zeros((48, 64, 3), np.uint8), 0.0)
            assert analyzer.finish()[0].faces == []


def test_a_result_without_emotions_keeps_engagement_timing_and_actions():
    mix = dict.fromkeys(LABELS, 1 / 7)
    second = SecondAggregate(0, 2.0, 2.0, 0.9, 0.05, 1, 0.8, mix, {"1": 0.8})
    track = TrackSummary(1, 0.0, 9.9, 100, 90, 3, 18.0, 0.05, 0.9, 0.75, mix)
    event = Event(1, 1.0, 1.2, 1.4, 0.4, 10, 12, 14, "micro", "happy", 4.2, actions=["AU6"])
    result = AnalysisResult({}, {"emotions": False}, [track], [], [event], [second]).to_dict()
    stripped = without_emotions(result)
    assert "labels" not in stripped and "label" not in stripped["events"][0]
    assert "emotion_mix" not in stripped["seconds"][0] and "emotion_mix" not in stripped["tracks"][0]
    assert stripped["seconds"][0]["engagement"] == pytest.approx(0.8) and stripped["tracks"][0]["blinks"] == 3
    assert stripped["events"][0]["actions"] == ["AU6"] and stripped["events"][0]["onset"] == 1.0
    assert stripped["events"][0]["cue"] == "appearance"
