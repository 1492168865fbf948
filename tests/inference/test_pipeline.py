"""The whole pipeline: incremental SessionAnalyzer, analyze_video, the `analyze` CLI, real clips."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from inference.__main__ import main as cli
from inference.faces import Face
from inference.geometry import EYE_BAND
from inference.labels import LABELS
from inference.pipeline import AnalysisOptions, SessionAnalyzer, analyze_video, upload_options
from inference.records import Box
from inference.video import VideoReader
from tests.clips import write_clip
from tests.conftest import shared_path
from tests.landmarks import synthetic_face


class BrightnessClassifier:
    """Test double for EyeClassifier: probabilities from the band's mean brightness; counts calls."""

    band = EYE_BAND

    def __init__(self):
        self.calls, self.seen, self.flips = [], 0, []

    def predict_bands(self, bands, flip=True):
        assert bands.dtype == np.uint8 and bands.shape[1:] == self.band.shape
        self.calls.append(len(bands))
        self.flips.append(flip)
        m = bands.reshape(len(bands), -1).mean(axis=1, keepdims=True) / 255.0
        logits = -20 * np.abs(m - np.linspace(0, 1, len(LABELS))[None, :])
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp("clips") / "face.mp4", seconds=2.0, fps=10.0)


@pytest.fixture(scope="module")
def empty_clip(tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp("clips") / "empty.mp4", seconds=1.0, fps=10.0, face=False)


def test_analyze_video_on_a_generated_face_clip(clip):
    clf = BrightnessClassifier()
    progress, streamed = [], []
    result = analyze_video(clip, AnalysisOptions(batch_size=8), progress.append, streamed.append, classifier=clf)
    assert len(result.frames) == 20 and [r.frame for r in streamed] == list(range(20))
    assert {f.track for f in result.frames} == {1}
    assert all(f.readable and f.signals is not None for f in result.frames)
    assert all(sum(f.probs.values()) == pytest.approx(1.0) and f.top in LABELS for f in result.frames)
    assert max(clf.calls) > 1 and sum(clf.calls) == 20  # batched across frames
    assert progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    doc = json.loads(json.dumps(result.to_dict()))
    assert set(doc) >= {"tracks", "frames", "events", "seconds", "video", "labels"}
    assert doc["tracks"][0]["frames"] == 20 and [s["second"] for s in doc["seconds"]] == [0, 1]
    assert doc["seconds"][0]["faces_present"] == 1.0 and doc["seconds"][0]["engagement"] is not None
    assert doc["frames"][0]["probs"].keys() == set(LABELS)


def test_the_result_says_how_many_faces_were_readable(clip, tmp_path):
    result = analyze_video(clip, AnalysisOptions(emotions=False, min_inter_ocular=1000.0))  # no face is big enough
    readability = json.loads(json.dumps(result.to_dict()))["readability"]
    assert readability["face_records"] == len(result.frames) == 20 and readability["readable_records"] == 0
    assert readability["small_face"] == 20 and readability["faces_per_frame"] == 1.0
    assert "100% of faces are too small" in readability["summary"] and "eyes need 1000 px" in readability["summary"]


def test_push_batches_frames_and_process_answers_at_once(clip):
    frames = []
    cap = cv2.VideoCapture(str(clip))
    for _ in range(6):
        frames.append(cap.read()[1])
    cap.release()
    clf = BrightnessClassifier()
    with SessionAnalyzer(AnalysisOptions(max_delay=4, batch_size=100, overlap_cnn=False), classifier=clf) as session:
        out = [session.push(f, i / 10) for i, f in enumerate(frames[:4])]
        assert [len(o) for o in out] == [0, 0, 0, 4] and clf.calls == [4]
        assert [r.frame for r in out[3]] == [0, 1, 2, 3]
        live = session.process(frames[4], 0.4)
        assert live.frame == 4 and live.faces[0].track == 1 and live.faces[0].probs is not None
        with pytest.raises(ValueError, match="increase"):
            session.push(frames[5], 0.4)
        jpeg = cv2.imencode(".jpg", frames[5])[1].tobytes()
        assert session.process_jpeg(jpeg, 0.5).faces[0].track == 1  # same person, same track
        with pytest.raises(ValueError, match="decodable"):
            session.process_jpeg(b"not a jpeg", 0.6)
        assert session.finish() == []


def test_a_face_turned_or_bowed_beyond_the_facing_limits_gets_no_emotion(clip):
    """The CNN learnt frontal faces: a bowed head's lowered lids read as sad, so such faces are not
    classified. They stay readable and count in engagement as looking away."""
    poses = [{}, {"yaw": 45.0}, {"pitch": -35.0}, {"pitch": -15.0}]
    faces = iter(
        [
            Face(Box(60, 30, 100, 180), 0.9, np.array([[80.0, 100.0], [140.0, 100.0]]), synthetic_face(**p))
            for p in poses
        ]
    )
    image = np.random.default_rng(0).integers(0, 256, (240, 240, 3), dtype=np.uint8)
    clf = BrightnessClassifier()
    options = AnalysisOptions(overlap_cnn=False)
    with SessionAnalyzer(options, classifier=clf, faces=lambda _, **__: [next(faces)]) as s:
        records = [s.process(image, i / 10).faces[0] for i in range(len(poses))]
        s.finish()
        seconds = s.result().seconds
    assert [r.probs is not None for r in records] == [True, False, False, True] and sum(clf.calls) == 2
    assert ["head_turned" in r.flags for r in records] == [False, True, True, False]
    assert all(r.readable for r in records) and seconds[0].facing_fraction == pytest.approx(0.5)


def test_an_overlapped_cnn_gives_the_same_results_one_batch_later(clip):
    """overlap_cnn classifies a batch in a thread while the next frames are read: the completed frames
    come out a batch later, in order, with the same numbers as without it."""
    runs = {}
    for overlap in (False, True):
        clf = BrightnessClassifier()
        with SessionAnalyzer(AnalysisOptions(max_delay=3, batch_size=100, overlap_cnn=overlap), classifier=clf) as s:
            per_push = [[r.frame for r in s.push(frame.image, frame.time)] for frame in VideoReader(clip)][:9]
            rest = s.finish()
            runs[overlap] = (per_push, s.result().to_dict(), rest)
    assert runs[False][0][:6] == [[], [], [0, 1, 2], [], [], [3, 4, 5]]
    assert runs[True][0][:9] == [[], [], [], [], [], [0, 1, 2], [], [], [3, 4, 5]]
    assert runs[True][1] == {**runs[False][1], "options": runs[True][1]["options"]}
    assert runs[True][1]["seconds"] and runs[True][1]["tracks"]


class StubFaces:
    """Faces step double: a fixed list of faces per frame (no MediaPipe)."""

    def __init__(self, faces):
        self.faces = faces

    def __call__(self, image, near=None, fine=False):
        return [Face(f.box, f.score, f.eyes.copy(), f.landmarks) for f in self.faces]

    def mesh_crop(self, rgb, box, margin=2.0):
        return None  # the faces without landmarks stay so


def test_small_or_landmarkless_faces_are_present_but_never_classified():
    small = Face(Box(10, 10, 16, 16), 0.8, np.array([[14.0, 16.0], [20.0, 16.0]]))  # IOD 6 px
    big = Face(Box(100, 100, 80, 80), 0.9, np.array([[120.0, 130.0], [160.0, 130.0]]))  # no landmarks
    clf = BrightnessClassifier()
    session = SessionAnalyzer(AnalysisOptions(), classifier=clf, faces=StubFaces([small, big]))
    image = np.full((240, 320, 3), 90, np.uint8)
    results = [session.process(image, t / 10) for t in range(12)]
    session.finish()
    flags = [tuple(f.flags) for f in results[-1].faces]
    assert flags == [("eyes_unreadable", "small_face"), ("eyes_unreadable", "no_landmarks")]
    assert all(f.probs is None and f.signals is None for r in results for f in r.faces)
    assert clf.calls == []
    summary = session.result()
    assert [t.frames for t in summary.tracks] == [12, 12] and summary.seconds[0].faces_present == 2.0
    assert summary.seconds[0].readable == 0.0 and summary.seconds[0].engagement is None


def test_video_without_faces_gives_an_empty_valid_result(empty_clip):
    result = analyze_video(empty_clip, AnalysisOptions(emotions=False))
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["frames"] == [] and doc["tracks"] == [] and doc["events"] == []
    assert [s["faces_present"] for s in doc["seconds"]] == [0.0]
    assert doc["video"]["analysed_frames"] == 10


def test_cli_writes_json_csv_and_annotated_video(clip, tmp_path, monkeypatch):
    from inference.cli import analyze

    monkeypatch.setattr(analyze, "load_classifier", lambda weights=None: BrightnessClassifier())
    out, table, video = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "a.mp4"
    argv = ["analyze", str(clip), "--out", str(out), "--csv", str(table), "--annotated", str(video), "--no-progress"]
    assert cli(argv) == 0
    doc = json.loads(out.read_text())
    assert len(doc["frames"]) == 20 and len(doc["tracks"]) == 1 and isinstance(doc["events"], list)
    # what the session page would say: the summary with its dips, and whether 2 s are enough (they are not)
    assert doc["summary"]["seconds"] == 2 and doc["summary"]["dips"] == [] and doc["summary"]["faces"] > 0
    assert doc["confidence"]["enough"] is False and doc["confidence"]["minimum"] == 10
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == 20 and list(rows[0])[:4] == ["frame", "time", "track", "openness_left"]
    assert set(LABELS) <= set(rows[0]) and float(rows[5]["time"]) == pytest.approx(0.5)
    assert sum(float(rows[0][label]) for label in LABELS) == pytest.approx(1.0, abs=1e-3)
    cap = cv2.VideoCapture(str(video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 20
    cap.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "r.csv", "r.json"]  # no .part left


def test_cli_errors_are_clean(clip, tmp_path, capsys):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[:3000])
    assert cli(["analyze", str(cut), "--out", str(tmp_path / "x.json"), "--no-emotions", "--no-progress"]) == 1
    assert (
        cli(["analyze", str(clip), "--out", str(tmp_path / "y.json"), "--weights", str(tmp_path / "none.keras")]) == 1
    )
    assert cli(["analyze", str(clip), "--out", str(tmp_path / "z.json"), "--tiles", "3by2", "--no-emotions"]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [cut]


@pytest.mark.shared
def test_talk_clip_has_one_main_track():
    path = shared_path("data", "video", "talk_single_face.mp4")
    result = analyze_video(path, AnalysisOptions(emotions=False), keep_frames=False)
    main = max(result.tracks, key=lambda t: t.frames)
    # the speaker's medium shot runs from frame 82 to 210 (cuts at 20, 82, 211)
    assert main.frames >= 110 and main.readable_frames >= 0.9 * main.frames
    assert main.first_time == pytest.approx(82 / 29.97, abs=0.1)


@pytest.mark.shared
def test_students_keep_their_ids_when_someone_walks_past_a_handheld_camera():
    path = shared_path("data", "video", "labelled", "classroom_handheld_students_looking_down.mp4")
    result = analyze_video(path, upload_options(emotions=False), keep_frames=False)
    # a person crosses the lens from frame 200 to 212 (6.8-7.2 s) while the camera moves
    across = [t for t in result.tracks if t.first_time < 6.7 and t.last_time > 7.4]
    assert len(across) >= 4


@pytest.mark.shared
def test_classroom_clip_small_faces_are_found_and_flagged():
    path = shared_path("data", "video", "classroom_cctv.mp4")
    result = analyze_video(path, AnalysisOptions(fps=10, tiles="auto", emotions=False))
    assert result.video["analysed_frames"] == 110
    assert len(result.frames) > 4 * 110  # about 5 faces per frame found at 10-20 px
    small = [f for f in result.frames if "small_face" in f.flags]
    assert len(small) >= 0.9 * len(result.frames) and all(not f.readable for f in small)
    assert all(s.faces_present > 0 for s in result.seconds)


def test_lite_cnn_gives_the_same_probabilities_as_keras():
    from inference.classifier import EyeClassifier, LiteModel, accelerate
    from inference.lab.model import build_model

    keras_clf = EyeClassifier(build_model(EYE_BAND.shape), {}, EYE_BAND)
    fast = accelerate(keras_clf)
    assert isinstance(fast.model, LiteModel) and fast.band == keras_clf.band
    bands = np.random.default_rng(3).integers(0, 256, (37, *EYE_BAND.shape), dtype=np.uint8)
    np.testing.assert_allclose(fast.predict_bands(bands), keras_clf.predict_bands(bands), atol=1e-5)
    np.testing.assert_allclose(fast.predict_bands(bands[:1]), keras_clf.predict_bands(bands[:1]), atol=1e-5)
    np.testing.assert_allclose(
        fast.predict_bands(bands, flip=False), keras_clf.predict_bands(bands, flip=False), atol=1e-5
    )
    many = np.random.default_rng(4).integers(0, 256, (300, *EYE_BAND.shape), dtype=np.uint8)  # several chunks
    np.testing.assert_allclose(fast.predict_bands(many), keras_clf.predict_bands(many), atol=1e-5)
    # whatever the batch sizes, one interpreter per power-of-two chunk size, none re-allocated per call
    assert set(fast.model._interpreters) <= {1, 2, 4, 8, 16, 32, 64}
    assert accelerate(BrightnessClassifier()).__class__ is BrightnessClassifier  # not a Keras classifier
    assert accelerate(fast) is fast  # already converted: reused as is


def test_flip_averaging_is_an_option_off_by_default_for_video(clip):
    for options, expected in ((AnalysisOptions(), False), (AnalysisOptions(flip_tta=True), True)):
        clf = BrightnessClassifier()
        assert AnalysisOptions.from_dict(options.to_dict()).flip_tta is expected
        analyze_video(clip, options, classifier=clf)
        assert clf.calls and set(clf.flips) == {expected}


def test_a_shot_cut_ends_the_tracks():
    """Same box position on both sides of a cut: still a new anonymous track after it."""
    from skimage import data

    box = Face(Box(100, 100, 80, 80), 0.9, np.array([[120.0, 130.0], [160.0, 130.0]]))
    shot_a = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (320, 240))
    shot_b = cv2.resize(cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR), (320, 240))
    session = SessionAnalyzer(AnalysisOptions(emotions=False), faces=StubFaces([box]))
    tracks = [session.process(img, i / 10).faces[0].track for i, img in enumerate([shot_a] * 3 + [shot_b] * 3)]
    assert tracks == [1, 1, 1, 2, 2, 2]


def test_options_round_trip_through_json():
    options = AnalysisOptions(fps=10.0, tiles=(5, 3), emotions=False)
    again = AnalysisOptions.from_dict(json.loads(json.dumps(options.to_dict())))
    assert again == options
    assert AnalysisOptions.from_dict({"tiles": "auto"}).tiles == "auto"
    with pytest.raises(ValueError, match="fsp"):
        AnalysisOptions.from_dict({"fsp": 10})


@pytest.mark.lab  # minutes of video
def test_memory_stays_flat_on_a_long_stream():
    """Per-frame state is bounded: only the per-second aggregates (a few numbers) grow."""
    import tracemalloc

    from inference.tuning import DEFAULT_TUNING

    rng = np.random.default_rng(0)
    landmarks = rng.uniform(100, 180, (478, 3)).astype(np.float32)  # readable: signals, CNN, spotting
    face = Face(Box(100, 100, 80, 80), 0.9, np.array([[120.0, 130.0], [160.0, 130.0]]), landmarks)
    # events are output a teacher reads, not state: this stream of random frames would make many
    quiet = DEFAULT_TUNING.replace(**{"spotter.z_on": 1e9})
    session = SessionAnalyzer(
        AnalysisOptions(), classifier=BrightnessClassifier(), faces=StubFaces([face]), tuning=quiet
    )
    images = [rng.integers(0, 255, (240, 320, 3), dtype=np.uint8) for _ in range(7)]

    def run(start, stop):
        for i in range(start, stop):
            for result in session.push(images[i % 7], i / 30):
                assert result.faces[0].readable and result.faces[0].probs is not None
            assert len(session._pending) < session.options.max_delay  # a bounded batch buffer
        session.flush()  # compare like with like: nothing pending

    run(0, 300)
    tracemalloc.start()
    run(300, 600)
    first = tracemalloc.get_traced_memory()[0]
    run(600, 1800)
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    # 40 one-second aggregates (the class's numbers and each track's sums, ~3 KB) and nothing per frame:
    # even 40 bytes kept per frame would add 48 KB
    assert grown < 40 * 4096


def test_bfloat16_models_stay_on_keras():
    import keras

    from inference.classifier import EyeClassifier, accelerate
    from inference.lab.model import build_model

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        clf = EyeClassifier(build_model(EYE_BAND.shape), {}, EYE_BAND)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert accelerate(clf) is clf


def test_with_the_trained_eye_cnn_when_its_weights_exist(clip):
    from inference.classifier import load_classifier

    try:
        clf = load_classifier()
    except FileNotFoundError:
        pytest.skip("no trained weights in inference/weights yet")
    result = analyze_video(clip, AnalysisOptions(batch_size=8), classifier=clf)
    probs = np.array([[f.probs[label] for label in LABELS] for f in result.frames])
    assert probs.shape == (20, 7) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    assert probs.std(axis=0).max() < 0.1  # the same still face drifting sideways: a steady answer
    assert len({f.top for f in result.frames}) == 1
