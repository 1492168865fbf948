"""A worker's pool process warms up before it says it is warm (by recording its device): the eye CNN
and an analyzer built once, so a live session's first frame does not wait for the pipeline and MediaPipe."""

import pytest

from eyeclass.lectures import analysis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("emotions", [True, False])
def test_the_warm_up_builds_an_analyzer_before_the_worker_is_counted_warm(monkeypatch, settings, emotions):
    settings.EYECLASS_EMOTIONS = emotions
    steps, classifier = [], object()

    class Analyzer:
        def __init__(self, options, classifier):
            steps.append(("built", options.emotions, classifier))

        def close(self):
            steps.append(("closed",))

    monkeypatch.setattr("inference.pipeline.SessionAnalyzer", Analyzer)
    monkeypatch.setattr(analysis, "load_model", lambda: classifier)
    monkeypatch.setattr(analysis, "record_device", lambda description: steps.append(("recorded",)))
    analysis.warm_up()
    # without emotions no CNN is loaded, by the warm-up or by the analyzer
    assert steps == [("built", emotions, classifier if emotions else None), ("closed",), ("recorded",)]
