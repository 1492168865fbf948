"""Distillation: soft labels stored small and tied to their faces, softened targets, a student that learns."""

import json

import keras
import numpy as np
import pytest

from inference.__main__ import main as inference_main
from inference.geometry import EYE_BAND, FULL_FACE
from inference.lab.distill import (
    DistillationLoss,
    load_soft_labels,
    save_soft_labels,
    soft_label_scores,
    soften,
    targets,
    teacher_probabilities,
    write_soft_labels,
)
from inference.lab.fer2013 import load_csv, load_fer2013
from inference.lab.training import TrainConfig, train
from inference.labels import NUM_CLASSES
from tests.inference.test_classifier_cli import FER2013, ROOT, save_model
from tests.inference.test_fer2013 import HEADER, face, row
from tests.inference.test_model_training import SMALL_BAND, TINY, generated_bands

pytestmark = pytest.mark.lab  # trains networks: seconds each


def test_softening_keeps_the_order_and_flattens_with_temperature():
    probs = np.array([[0.7, 0.2, 0.05, 0.05, 0, 0, 0]], np.float32)
    assert soften(probs, 1.0) == pytest.approx(probs, abs=1e-6)
    warm = soften(probs, 3.0)[0]
    assert warm.sum() == pytest.approx(1.0) and list(np.argsort(-warm)[:2]) == [0, 1]
    assert warm[0] < 0.7 and warm[1] > 0.2  # the wrong classes get a share of what the teacher knows


def test_targets_mix_the_hard_label_and_the_teacher():
    labels = np.array([0, 3])
    teacher = np.full((2, NUM_CLASSES), 1 / NUM_CLASSES, np.float32)
    mixed = targets(labels, teacher, alpha=0.4, temperature=2.0)
    assert mixed.sum(axis=1) == pytest.approx([1, 1]) and mixed[0, 0] == pytest.approx(0.6 + 0.4 / 7)
    assert (targets(labels, None, 0.4, 2.0) == np.eye(NUM_CLASSES)[labels]).all()


def test_logit_targets_keep_the_label_and_the_teacher_side_by_side():
    labels, teacher = np.array([2]), np.full((1, NUM_CLASSES), 1 / NUM_CLASSES, np.float32)
    paired = targets(labels, teacher, alpha=0.4, temperature=2.0, loss="logits")
    assert paired.shape == (1, 2 * NUM_CLASSES) and (paired[0, :NUM_CLASSES] == np.eye(NUM_CLASSES)[2]).all()
    assert paired[0, NUM_CLASSES:] == pytest.approx(teacher[0])
    assert (targets(labels, None, 0.4, 2.0, loss="logits") == np.tile(np.eye(NUM_CLASSES)[2], 2)).all()


def test_distillation_loss_is_the_hard_term_when_the_softened_student_matches_the_teacher():
    teacher = np.array([[0.6, 0.25, 0.05, 0.04, 0.03, 0.02, 0.01]], np.float32)
    y_true = targets(np.array([0]), teacher, alpha=0.5, temperature=3.0, loss="logits")
    loss = DistillationLoss(alpha=0.5, temperature=3.0)
    matched = float(loss(y_true, teacher))  # softening the same probabilities by the same T gives the same
    assert matched == pytest.approx(0.5 * -np.log(0.6), rel=1e-4)
    flat = np.full((1, NUM_CLASSES), 1 / NUM_CLASSES, np.float32)
    assert float(loss(y_true, flat)) > matched  # a student that ignores the teacher pays the KL term


def test_soft_labels_are_small_and_refuse_other_faces(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, NUM_CLASSES, 28709)
    probs = rng.dirichlet(np.ones(NUM_CLASSES), len(labels))
    save_soft_labels(tmp_path / "soft.npz", probs, labels, "teacher.keras")
    assert (tmp_path / "soft.npz").stat().st_size < 1024 * 1024
    assert load_soft_labels(tmp_path / "soft.npz", labels) == pytest.approx(probs, abs=1e-3)
    with pytest.raises(ValueError, match="soft labels of other faces"):
        load_soft_labels(tmp_path / "soft.npz", labels[::-1])


def test_a_student_trains_on_a_teachers_soft_labels(tmp_path):
    data = generated_bands(per_class=24, seed=0)
    training = data.split("Training")
    teacher = np.eye(NUM_CLASSES)[training.labels] * 0.8 + 0.2 / NUM_CLASSES  # a confident, right teacher
    save_soft_labels(tmp_path / "soft.npz", teacher, training.labels, "generated")
    config = TrainConfig(
        band=SMALL_BAND, model=TINY, epochs=6, batch_size=32, seed=3, teacher=str(tmp_path / "soft.npz"), kd_alpha=0.5
    )
    state = train(data, config, tmp_path / "run", verbose=0)
    assert state["config"]["teacher"].endswith("soft.npz") and state["best_val_accuracy"] >= 0.6


def test_a_student_trained_with_the_distillation_loss_learns_and_resumes(tmp_path):
    data = generated_bands(per_class=24, seed=0)
    training = data.split("Training")
    teacher = np.eye(NUM_CLASSES)[training.labels] * 0.8 + 0.2 / NUM_CLASSES
    save_soft_labels(tmp_path / "soft.npz", teacher, training.labels, "generated")
    config = TrainConfig(
        band=SMALL_BAND,
        model=TINY,
        epochs=6,
        batch_size=32,
        seed=3,
        teacher=str(tmp_path / "soft.npz"),
        kd_loss="logits",
        kd_temperature=3.0,
    )
    train(data, config, tmp_path / "run", verbose=0)
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    assert state["best_val_accuracy"] >= 0.6  # accuracy reads the label half of the paired targets
    loaded = keras.saving.load_model(tmp_path / "run" / "last.keras")  # resuming reloads the loss
    assert isinstance(loaded.loss, DistillationLoss) and loaded.loss.temperature == 3.0


def test_soft_labels_cli_runs_a_full_face_teacher_over_the_training_faces_only(tmp_path, capsys):
    usages = ["Training", "PublicTest", "Training", "PrivateTest", "Training"]
    csv = tmp_path / "fer.csv"
    csv.write_text(HEADER + "".join(row(i % NUM_CLASSES, face(i), usage) for i, usage in enumerate(usages)))
    teacher = save_model(tmp_path / "teacher.keras", band=FULL_FACE)
    args = ["soft-labels", "--teacher", str(teacher), "--data", str(csv), "--out", str(tmp_path / "soft.npz")]
    assert inference_main([*args, "--cache-dir", ""]) == 0
    labels = load_csv(csv).split("Training").labels
    probs = load_soft_labels(tmp_path / "soft.npz", labels)
    assert probs.shape == (3, NUM_CLASSES) and probs.sum(axis=1) == pytest.approx(1, abs=1e-2)
    assert "agrees with" in capsys.readouterr().out


def test_soft_labels_of_a_full_face_and_an_eye_teacher_are_their_mean(tmp_path):
    usages = ["Training", "PublicTest", "Training", "PrivateTest", "Training", "Training"]
    csv = tmp_path / "fer.csv"
    csv.write_text(HEADER + "".join(row(i % NUM_CLASSES, face(i), usage) for i, usage in enumerate(usages)))
    full, eye = save_model(tmp_path / "full.keras", band=FULL_FACE), save_model(tmp_path / "eye.keras", band=EYE_BAND)
    labels = load_csv(csv).split("Training").labels
    alone = {}
    for name, teacher in (("full", full), ("eye", eye)):
        write_soft_labels(teacher, csv, tmp_path / f"{name}.npz", cache_dir=None)
        alone[name] = load_soft_labels(tmp_path / f"{name}.npz", labels)
    agree = write_soft_labels([full, eye], csv, tmp_path / "mean.npz", cache_dir=None)
    mean = load_soft_labels(tmp_path / "mean.npz", labels)
    assert np.abs(alone["full"] - alone["eye"]).max() > 0.02  # two different teachers, so the mean is neither
    assert mean == pytest.approx((alone["full"] + alone["eye"]) / 2, abs=2e-3)
    assert agree == np.mean(mean.argmax(axis=1) == labels)
    assert str(np.load(tmp_path / "mean.npz")["teacher"]) == f"{full} + {eye}"
    stored = soft_label_scores(tmp_path / "mean.npz")
    for split in ("PublicTest", "PrivateTest"):  # the teacher's own scores travel with its labels
        split_labels, split_probs = teacher_probabilities([full, eye], csv, split, cache_dir=None)
        assert stored[split]["accuracy"] == np.mean(split_probs.argmax(axis=1) == split_labels)


@pytest.mark.skipif(not FER2013.exists(), reason="../shared FER2013 not available")
def test_committed_soft_labels_belong_to_the_fer2013_training_faces():
    labels = load_fer2013(FER2013, cache_dir=ROOT / "data").split("Training").labels
    probs = load_soft_labels(ROOT / "research" / "full_face" / "soft_labels_30.npz", labels)
    assert probs.shape == (len(labels), NUM_CLASSES) and probs.sum(axis=1) == pytest.approx(1, abs=1e-2)
    assert np.mean(probs.argmax(axis=1) == labels) > 0.5  # a teacher, not noise: chance is below 0.3
    stored = soft_label_scores(ROOT / "research" / "full_face" / "soft_labels_30.npz")
    assert set(stored) == {"PublicTest", "PrivateTest"}
