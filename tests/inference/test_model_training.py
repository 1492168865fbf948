"""The model, class weights, metrics, and a tiny train -> export -> evaluate run on generated data."""

import json

import numpy as np
import pytest

from inference.__main__ import main as cli
from inference.classifier import predict_tta
from inference.geometry import EYE_BAND, FULL_FACE, Band
from inference.lab.eyedb import DB_NAME, EyeDb, save_eye_db
from inference.lab.fer2013 import FaceSet
from inference.lab.model import ModelConfig, build_model
from inference.lab.scores import score
from inference.lab.training import TrainConfig, class_weights, export, train, write_card
from inference.labels import LABELS, NUM_CLASSES

pytestmark = pytest.mark.lab  # trains networks: seconds each

TINY = ModelConfig(widths=(8, 16), head_units=32, dropout=0.1, augment=False)
SMALL_BAND = Band(4, 32)


def generated_bands(per_class: int, seed: int, splits=(0, 1, 2)) -> FaceSet:
    """Noisy bands where class k shows a bright horizontal bar at rows 3k..3k+2 (mirror-symmetric,
    so flip averaging keeps the signal)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(NUM_CLASSES), per_class * len(splits)).astype(np.uint8)
    images = rng.integers(0, 90, (len(labels), *SMALL_BAND.shape)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 3 * label + 1 : 3 * label + 4, 4:-4] += 150
    split_codes = np.tile(np.repeat(np.array(splits, np.uint8), per_class), NUM_CLASSES)
    return FaceSet(images, labels, split_codes)


def test_model_outputs_probabilities_for_any_band():
    for band in (EYE_BAND, FULL_FACE):
        model = build_model(band.shape, TINY)
        probs = np.asarray(model(np.zeros((2, *band.shape, 1), "float32")))
        assert probs.shape == (2, NUM_CLASSES)
        np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)


def test_augmentation_acts_only_while_training():
    model = build_model(EYE_BAND.shape, ModelConfig(widths=(4,), head_units=8))
    x = np.random.default_rng(0).integers(0, 256, (4, *EYE_BAND.shape, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x, training=False)), np.asarray(model(x, training=False)))
    augment = model.get_layer("augment")
    assert not np.allclose(np.asarray(augment(x, training=True)), x)
    np.testing.assert_allclose(np.asarray(augment(x, training=False)), x)


def test_flip_averaging_is_mirror_invariant():
    model = build_model(EYE_BAND.shape, TINY)
    bands = np.random.default_rng(1).integers(0, 256, (5, *EYE_BAND.shape), dtype=np.uint8)
    np.testing.assert_allclose(predict_tta(model, bands), predict_tta(model, bands[:, :, ::-1]), atol=1e-6)
    np.testing.assert_allclose(predict_tta(model, bands, batch_size=2), predict_tta(model, bands), atol=1e-6)


def test_class_weights_favour_rare_classes():
    labels = np.array([0] * 90 + [1] * 10 + [3] * 400)
    weights = class_weights(labels, power=0.5)
    assert weights[1] > weights[0] > weights[3]
    assert weights[1] / weights[3] == pytest.approx((400 / 10) ** 0.5)
    assert np.mean([weights[l] for l in labels]) == pytest.approx(1.0)
    assert set(class_weights(labels, power=0.0).values()) <= {0.0, 1.0}


def test_score_matches_a_hand_count():
    truth = np.array([0, 0, 1, 1, 1, 3])
    guess = np.array([0, 1, 1, 1, 0, 3])
    s = score(truth, guess)
    assert s.accuracy == pytest.approx(4 / 6, abs=1e-4)
    assert s.per_class["angry"]["precision"] == 0.5 and s.per_class["angry"]["recall"] == 0.5
    assert s.per_class["disgust"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert s.per_class["happy"]["f1"] == 1.0
    assert s.macro_f1 == pytest.approx((0.5 + 2 / 3 + 1.0) / 3, abs=1e-4)  # classes present only
    assert np.array(s.confusion).sum() == 6 and s.confusion[1][0] == 1


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    data = generated_bands(per_class=24, seed=0)
    config = TrainConfig(band=SMALL_BAND, model=TINY, epochs=6, batch_size=32, peak_lr=0.05, seed=3)
    state = train(data, config, run, verbose=0)
    return run, data, config, state


def test_tiny_training_learns_and_selects_on_public_test(trained):
    run, data, config, state = trained
    assert state["epoch"] == 6 and len(state["seconds_per_epoch"]) == 6
    assert state["best_val_accuracy"] >= 0.6  # chance is 1/7
    history = (run / "history.csv").read_text().splitlines()
    assert len(history) == 1 + 6
    assert max(float(line.split(",")[-2]) for line in history[1:]) == pytest.approx(state["best_val_accuracy"])
    assert all((run / name).exists() for name in ("last.keras", "best.keras", "state.json"))


def test_rerun_resumes_instead_of_restarting(trained):
    run, data, config, state = trained
    again = train(data, config, run, verbose=0)
    assert again["epoch"] == 6 and again["seconds_per_epoch"] == state["seconds_per_epoch"]
    with pytest.raises(ValueError, match="another configuration"):
        train(data, TrainConfig(band=SMALL_BAND, model=TINY, epochs=7), run, verbose=0)


def test_export_card_and_evaluate_cli(trained, tmp_path, capsys):
    run, data, config, state = trained
    weights = tmp_path / "tiny.keras"
    card = write_card(export(run, weights), state, data, "generated", weights)
    assert card["labels"] == list(LABELS) and card["band"] == SMALL_BAND.to_dict()
    assert card["public_test"]["accuracy"] >= 0.6

    save_eye_db(EyeDb(data, SMALL_BAND), tmp_path / DB_NAME)
    argv = ["evaluate", "--weights", str(weights), "--data", str(tmp_path / DB_NAME), "--split", "PublicTest"]
    assert cli([*argv, "--json", "--record"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy"] == card["public_test"]["accuracy"]  # same faces, same weights
    assert result["faces"] == 24 * NUM_CLASSES and set(result["per_class"]) == set(LABELS)
    assert (tmp_path / "tiny.PublicTest.confusion.png").stat().st_size > 1000
    recorded = json.loads(weights.with_suffix(".json").read_text())["evaluation"]["PublicTest"]
    assert recorded["macro_f1"] == result["macro_f1"]

    assert cli(argv[:-2] + ["--split", "PrivateTest"]) == 0
    assert "macro-F1" in capsys.readouterr().out
    assert cli(["evaluate", "--weights", str(tmp_path / "none.keras"), "--data", str(tmp_path / DB_NAME)]) == 1


def test_new_run_can_start_from_trained_weights(trained, tmp_path):
    run, data, config, state = trained
    export(run, tmp_path / "start.keras")
    gentle = TrainConfig(band=SMALL_BAND, model=TINY, epochs=1, batch_size=32, peak_lr=1e-4, seed=4)
    continued = train(data, gentle, tmp_path / "more", verbose=0, init_weights=tmp_path / "start.keras")
    assert continued["init_weights"] == str(tmp_path / "start.keras")
    assert continued["best_val_accuracy"] >= 0.6  # a fresh model after one tiny-lr epoch sits near chance


def test_a_model_trained_with_augmentation_in_bfloat16_exports_to_float32(tmp_path):
    import keras

    data = generated_bands(per_class=8, seed=4)
    config = TrainConfig(
        band=SMALL_BAND, model=ModelConfig(widths=(8,), head_units=16), epochs=1, batch_size=16, bfloat16=True
    )
    try:
        train(data, config, tmp_path / "run", verbose=0)
        model = export(tmp_path / "run", tmp_path / "eye.keras")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    loaded = keras.saving.load_model(tmp_path / "eye.keras")
    assert loaded.get_layer("augment").dtype_policy.name == "float32"
    assert all(w.dtype == np.float32 for w in loaded.get_weights() if w.dtype.kind == "f")
    bands = data.split("PublicTest").images[:4]
    np.testing.assert_allclose(predict_tta(loaded, bands), predict_tta(model, bands), atol=1e-6)


def test_a_warm_restart_card_lists_the_model_it_continued_as_its_last_stage(trained, tmp_path):
    run, data, config, state = trained
    parent = tmp_path / "parent.keras"
    parent_card = write_card(export(run, parent), state, data, "generated", parent)
    parent.with_suffix(".json").write_text(
        json.dumps({**parent_card, "band_choice": {"rows": [4, 32]}, "evaluation": {"PrivateTest": {"accuracy": 0.5}}})
    )
    child = tmp_path / "child.keras"
    card = write_card(export(run, child), {**state, "init_weights": str(parent)}, data, "generated", child)
    assert card["continued_from"] == str(parent) and card["band_choice"] == {"rows": [4, 32]}
    assert [stage["weights"] for stage in card["stages"]] == [str(parent)]
    assert card["stages"][-1]["PrivateTest_accuracy"] == 0.5 and card["stages"][-1]["epochs"] == state["epoch"]
    assert card["total_epochs"] == 2 * state["epoch"]
    assert parent_card["total_epochs"] == state["epoch"] and "stages" not in parent_card


def test_an_ensemble_averages_its_members_and_records_them(trained, tmp_path, capsys):
    import keras

    run, data, config, state = trained
    first = tmp_path / "first.keras"
    write_card(export(run, first), state, data, "generated", first)
    second = tmp_path / "second.keras"
    build_model(SMALL_BAND.shape, TINY).save(second)  # an untrained member: a different function
    second.with_suffix(".json").write_text(first.with_suffix(".json").read_text())
    save_eye_db(EyeDb(data, SMALL_BAND), tmp_path / DB_NAME)

    out = tmp_path / "both.keras"
    argv = ["ensemble", "--members", str(first), str(second), "--data", str(tmp_path / DB_NAME), "--out", str(out)]
    assert cli(argv) == 0 and "2 members" in capsys.readouterr().out
    bands = data.split("PublicTest").images[:6]
    members = [keras.saving.load_model(p, compile=False) for p in (first, second)]
    expected = (predict_tta(members[0], bands) + predict_tta(members[1], bands)) / 2
    np.testing.assert_allclose(predict_tta(keras.saving.load_model(out), bands), expected, atol=1e-6)
    card = json.loads(out.with_suffix(".json").read_text())
    assert [m["weights"] for m in card["ensemble"]] == [str(first), str(second)]
    assert card["band"] == SMALL_BAND.to_dict() and 0 <= card["public_test"]["accuracy"] <= 1
    first_card = json.loads(first.with_suffix(".json").read_text())  # how each member was trained travels along
    assert card["ensemble"][0]["hardware"] == first_card["hardware"] and card["ensemble"][0]["seconds_per_epoch"]
    assert card["total_epochs"] == 2 * first_card["epochs"]

    other = tmp_path / "tall.keras"
    build_model(FULL_FACE.shape, TINY).save(other)
    other.with_suffix(".json").write_text(json.dumps({**card, "band": FULL_FACE.to_dict()}))
    assert cli([*argv[:2], str(first), str(other), *argv[4:]]) == 1
    assert "same band" in capsys.readouterr().err
