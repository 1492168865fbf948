"""The records read back from their JSON as the same records: the typed boundary to the service."""

from __future__ import annotations

import json

import pytest

from inference.chunks import ChunkPlan
from inference.records import (
    ActionUnits,
    AnalysisResult,
    Box,
    Event,
    EyeSignals,
    FaceRecord,
    FrameResult,
    Readability,
    SecondAggregate,
    TrackSummary,
)

UNITS = ActionUnits(au1=0.012, au2=0.008, au4=-0.003, au5=0.0, au6=0.021, au7=-0.01, au43=0.25)
SIGNALS = EyeSignals(0.31, 0.29, False, True, 4.5, -2.0, 1.25, 0.1, -0.05, wink=False, units=UNITS)
FACE = FaceRecord(
    frame=12,
    time=1.2,
    track=3,
    box=Box(10.0, 20.0, 64.0, 80.0),
    score=0.93,
    inter_ocular=31.5,
    eye_boxes=[Box(15.0, 40.0, 12.0, 8.0), Box(40.0, 40.0, 12.0, 8.0)],
    signals=SIGNALS,
    probs={"happy": 0.6, "neutral": 0.4},
    top="happy",
    flags=["head_turned"],
)
EVENT = Event(3, 1.0, 1.2, 1.4, 0.4, 10, 12, 14, "micro", "happy", 4.25, cue="appearance", actions=["AU1", "AU2"])
SECOND = SecondAggregate(1, 2.0, 1.5, 0.75, 0.1, 1, 0.5, {"happy": 0.6, "neutral": 0.4}, tracks={"3": 0.5, "4": None})
TRACK = TrackSummary(3, 0.0, 9.9, 99, 90, 4, 12.0, 0.1, 0.8, 0.7, {"happy": 0.6, "neutral": 0.4})
READABILITY = Readability(100, 200, 150, 2.0, 1.5, 30, 20, 5, 3, {"p10": 4.0, "median": 6.0, "p90": 8.0}, 12.0, "ok.")
RESULT = AnalysisResult(
    video={"duration": 10.0, "fps": 10.0},
    options={"fps": 10.0},
    tracks=[TRACK],
    frames=[FACE, FaceRecord(13, 1.3, 4, Box(1.0, 2.0, 3.0, 4.0), 0.5, 5.0, flags=["eyes_unreadable"])],
    events=[EVENT],
    seconds=[SECOND],
    readability=READABILITY,
)
RECORDS = [
    Box(1.0, 2.0, 3.0, 4.0),
    UNITS,
    SIGNALS,
    EyeSignals(0.3, 0.3, None, False, 40.0, 0.0, 0.0, 0.0, 0.0),
    FACE,
    FrameResult(12, 1.2, [FACE], [EVENT]),
    EVENT,
    SECOND,
    TRACK,
    READABILITY,
    RESULT,
    AnalysisResult(video={}, options={}, tracks=[], frames=[], events=[], seconds=[]),
    ChunkPlan(1, 30.0, 60.0, 25.0, 65.0, last=True),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_record_reads_back_from_its_json_as_the_same_record(record):
    data = json.loads(json.dumps(record.to_dict()))
    assert type(record).from_dict(data) == record


def test_nested_records_come_back_typed():
    result = AnalysisResult.from_dict(json.loads(json.dumps(RESULT.to_dict())))
    face = result.frames[0]
    assert isinstance(face.box, Box) and isinstance(face.eye_boxes[1], Box)
    assert isinstance(face.signals.units, ActionUnits) and face.signals.units.au43 == 0.25
    assert isinstance(result.readability, Readability) and isinstance(result.labels, tuple)
    assert result.events[0].actions == ["AU1", "AU2"] and result.seconds[0].tracks["4"] is None


def test_a_key_that_is_no_field_is_an_error():
    with pytest.raises(ValueError, match="Event has no field mood"):
        Event.from_dict({**EVENT.to_dict(), "mood": "sunny"})


def test_an_unknown_key_deep_inside_is_an_error_too():
    data = RESULT.to_dict()
    data["frames"][0]["signals"]["units"]["au9"] = 0.1
    with pytest.raises(ValueError, match="ActionUnits has no field au9"):
        AnalysisResult.from_dict(data)


def test_a_missing_optional_field_takes_its_default_and_a_missing_required_one_fails():
    data = {k: v for k, v in EVENT.to_dict().items() if k not in ("cue", "actions")}
    assert Event.from_dict(data) == Event(**{**data, "cue": "appearance", "actions": []})
    with pytest.raises(TypeError):
        Event.from_dict({k: v for k, v in data.items() if k != "strength"})


def test_rounded_is_the_record_as_its_json_reads():
    second = SecondAggregate(0, 1.0, 1.0, 2 / 3, float("nan"), 0, 0.123456, None)
    assert second.rounded() == SecondAggregate(0, 1.0, 1.0, 0.6667, None, 0, 0.1235, None)
