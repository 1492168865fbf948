"""Weight averaging (SWA): snapshots, the mean of weights, BatchNormalization re-estimation, and a
tiny averaging run from train to export."""

import json

import keras
import numpy as np
import pytest

from inference.lab.averaging import load_snapshot, mean_weights, recalibrate_batchnorm
from inference.lab.training import TrainConfig, export, train, write_card
from tests.inference.test_model_training import SMALL_BAND, TINY, generated_bands

pytestmark = pytest.mark.lab  # trains networks: seconds each


def test_mean_weights_averages_floats_and_keeps_the_rest():
    a = [np.array([1.0, 2.0], np.float32), np.array([7], np.uint32)]
    b = [np.array([3.0, 6.0], np.float32), np.array([9], np.uint32)]
    mean = mean_weights([a, b])
    np.testing.assert_array_equal(mean[0], [2.0, 4.0])
    assert mean[0].dtype == np.float32
    np.testing.assert_array_equal(mean[1], [9])  # a generator's state is not a number to average


def test_mean_weights_weighs_each_snapshot_by_its_share():
    a = [np.array([1.0, 2.0], np.float32), np.array([7], np.uint32)]
    b = [np.array([3.0, 6.0], np.float32), np.array([9], np.uint32)]
    mix = mean_weights([a, b], shares=[0.75, 0.25])
    np.testing.assert_allclose(mix[0], [1.5, 3.0])
    assert mix[0].dtype == np.float32
    np.testing.assert_array_equal(mix[1], [9])


def test_it_re_estimates_batchnorm_as_the_plain_mean_of_batch_statistics():
    inputs = keras.Input((2, 2, 1))
    norm = keras.layers.BatchNormalization(momentum=0.99)
    model = keras.Model(inputs, norm(inputs))
    rng = np.random.default_rng(0)
    images = np.concatenate([rng.normal(0, 1, (8, 2, 2, 1)), rng.normal(10, 3, (8, 2, 2, 1))]).astype("float32")
    recalibrate_batchnorm(model, images, batch_size=8, batches=2, seed=1)
    order = np.random.default_rng(1).permutation(16)
    batches = [images[order[:8]], images[order[8:]]]
    assert float(np.asarray(norm.moving_mean)[0]) == pytest.approx(images.mean(), rel=1e-5)
    assert float(np.asarray(norm.moving_variance)[0]) == pytest.approx(np.mean([b.var() for b in batches]), rel=1e-4)
    assert norm.momentum == 0.99  # restored
    with pytest.raises(ValueError, match="at least 32 images"):
        recalibrate_batchnorm(model, images, batch_size=32)


def test_a_weight_averaging_run_keeps_snapshots_and_exports_the_better_model(tmp_path):
    data = generated_bands(per_class=24, seed=0)
    config = TrainConfig(band=SMALL_BAND, model=TINY, epochs=4, batch_size=32, peak_lr=0.05, seed=3, swa=True)
    run = tmp_path / "run"
    state = train(data, config, run, verbose=0)

    snapshots = sorted((run / "snapshots").glob("*.npz"))
    assert [p.name for p in snapshots] == ["001.npz", "002.npz", "003.npz", "004.npz"]
    averaging = json.loads((run / "state.json").read_text())["averaging"]
    scores = averaging["public_test_by_last_k"]
    assert set(scores) == {"1", "2", "3", "4"}
    assert averaging["public_test"] == max(scores.values()) >= 0.6  # chance is 1/7
    first, last = averaging["epochs"]
    assert last == 4 and scores[str(last - first + 1)] == averaging["public_test"]
    assert averaging["used"] == (averaging["public_test"] > averaging["best_single_epoch_public_test"])

    model = export(run, tmp_path / "eye.keras")
    source = keras.saving.load_model(run / ("averaged.keras" if averaging["used"] else "best.keras"), compile=False)
    for exported, kept in zip(model.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(exported, kept)
    card = write_card(model, state, data, "generated", tmp_path / "eye.keras")
    assert card["weight_averaging"]["epochs"] == [first, last]
    assert len(load_snapshot(snapshots[0])) == len(model.get_weights())
