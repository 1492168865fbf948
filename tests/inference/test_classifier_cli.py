"""EyeClassifier (weights + card), the predict CLI, and the committed weights on real data."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import inference.classifier as classifier_module
from inference.__main__ import main as cli
from inference.classifier import EyeClassifier, record_in_card
from inference.geometry import EYE_BAND, FULL_FACE
from inference.lab.model import ModelConfig, build_model
from inference.labels import LABELS

ROOT = Path(__file__).resolve().parents[2]
FER2013 = ROOT.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"
SMALL = ModelConfig(widths=(4, 8), head_units=16)


def save_model(path: Path, band=EYE_BAND, labels=LABELS) -> Path:
    build_model(band.shape, SMALL).save(path)
    path.with_suffix(".json").write_text(json.dumps({"labels": list(labels), "band": band.to_dict()}))
    return path


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return save_model(tmp_path_factory.mktemp("w") / "eye.keras")


def test_predict_bands_returns_flip_symmetric_probabilities(weights):
    clf = EyeClassifier.load(weights)
    bands = np.random.default_rng(0).integers(0, 256, (6, *EYE_BAND.shape), dtype=np.uint8)
    probs = clf.predict_bands(bands)
    assert probs.shape == (6, len(LABELS)) and probs.dtype == np.float64
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(clf.predict_bands(bands[:, :, ::-1]), probs, atol=1e-6)
    assert clf.predict_bands(np.zeros((0, *EYE_BAND.shape), np.uint8)).shape == (0, len(LABELS))
    with pytest.raises(ValueError, match="expected bands of shape"):
        clf.predict_bands(bands[:, :20])


def test_predict_faces_cuts_the_card_band(weights):
    clf = EyeClassifier.load(weights)
    faces = np.random.default_rng(1).integers(0, 256, (48, 48, 48), dtype=np.uint8)  # a batch of 48
    np.testing.assert_allclose(clf.predict_faces(faces), clf.predict_bands(faces[:, EYE_BAND.top : EYE_BAND.bottom]))


def test_load_checks_files_labels_and_band(tmp_path, weights):
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        EyeClassifier.load(tmp_path / "missing.keras")
    swapped = save_model(tmp_path / "swapped.keras", labels=LABELS[::-1])
    with pytest.raises(ValueError, match="label order"):
        EyeClassifier.load(swapped)
    mismatch = save_model(tmp_path / "mismatch.keras")
    mismatch.with_suffix(".json").write_text(json.dumps({"labels": list(LABELS), "band": FULL_FACE.to_dict()}))
    with pytest.raises(ValueError, match="does not match card band"):
        EyeClassifier.load(mismatch)


@pytest.mark.system  # a fresh interpreter
def test_it_loads_a_model_with_eye_augment_in_a_fresh_process(weights):
    # a worker imports the classifier and nothing else of training: the custom layer must still load
    code = f"from inference.classifier import EyeClassifier; print(EyeClassifier.load({str(weights)!r}).model.name)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(layer.name == "augment" for layer in EyeClassifier.load(weights).model.layers)


def test_from_default_names_the_missing_path(tmp_path, monkeypatch):
    monkeypatch.setattr(classifier_module, "DEFAULT_WEIGHTS", tmp_path / "eye_cnn.keras")
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "eye_cnn.keras")):
        EyeClassifier.from_default()


def test_a_recorded_entry_joins_the_card_and_keeps_the_rest(tmp_path, weights):
    card_path = record_in_card(weights, "PublicTest", {"accuracy": 0.5}, section="evaluation")
    record_in_card(weights, "real_clips", {"clips": 7})
    card = json.loads(card_path.read_text())
    assert card["evaluation"] == {"PublicTest": {"accuracy": 0.5}} and card["real_clips"] == {"clips": 7}
    assert tuple(card["labels"]) == LABELS and EyeClassifier.load(weights).card == card


def test_predict_cli_json(tmp_path, weights, capsys):
    rng = np.random.default_rng(2)
    paths = [tmp_path / "a.png", tmp_path / "b.jpg"]
    cv2.imwrite(str(paths[0]), rng.integers(0, 256, (48, 48), dtype=np.uint8))
    cv2.imwrite(str(paths[1]), rng.integers(0, 256, (130, 110, 3), dtype=np.uint8))  # colour, any size
    assert cli(["predict", *map(str, paths), "--aligned-face", "--weights", str(weights), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["path"] for r in results] == list(map(str, paths))
    for r in results:
        assert list(r["probabilities"]) == list(LABELS)
        assert r["label"] == max(r["probabilities"], key=r["probabilities"].get)
        assert sum(r["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert cli(["predict", str(tmp_path / "none.png"), "--aligned-face", "--weights", str(weights)]) == 1
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    assert cli(["predict", str(tmp_path / "bad.jpg"), "--aligned-face", "--weights", str(weights)]) == 1
    assert "unreadable image" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.skipif(not FER2013.exists(), reason="../shared FER2013 not available")
def test_committed_weights_reproduce_their_card_on_private_test(tmp_path, capsys):
    weights = ROOT / "inference" / "weights" / "eye_cnn.keras"
    if not weights.exists():
        pytest.skip("no committed weights yet")
    card = json.loads(weights.with_suffix(".json").read_text())
    assert (
        cli(
            [
                "evaluate",
                "--weights",
                str(weights),
                "--data",
                str(FER2013),
                "--split",
                "PrivateTest",
                "--json",
                "--cache-dir",
                str(ROOT / "data"),
                "--confusion",
                str(tmp_path / "c.png"),
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["faces"] == 3589
    assert result["accuracy"] == pytest.approx(card["evaluation"]["PrivateTest"]["accuracy"], abs=1e-4)
    assert result["accuracy"] > 0.55  # the majority class alone scores 0.245
    # calibrated: the faces shown with a class are right more often than the ones shown as uncertain
    assert result["confident_accuracy"] > result["accuracy"] > result["uncertain_accuracy"]
    assert 0.3 < result["confident_fraction"] < 1.0
