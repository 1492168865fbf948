"""EyeAugment: the matmul-only augmentation (shifts, three-shear rotation, lighting) of eye bands."""

import cv2
import keras
import numpy as np
import pytest

from inference.augment import EyeAugment, rotate_shift, shift_columns, shift_rows


def smooth_band(seed=0, shape=(28, 48), sigma=2.5):
    noise = np.random.default_rng(seed).integers(0, 256, shape).astype(np.float32)
    band = cv2.GaussianBlur(noise, (0, 0), sigma)
    return (band - band.min()) / (band.max() - band.min()) * 255


def as_batch(*images):
    return np.stack(images)[..., None].astype(np.float32)


def test_it_shifts_rows_and_columns_by_whole_pixels_repeating_the_edge():
    x = as_batch(smooth_band())
    right = np.asarray(shift_rows(x, np.full((1, 28), 1.0, np.float32)))[0, :, :, 0]
    np.testing.assert_allclose(right[:, :-1], x[0, :, 1:, 0], atol=1e-3)
    np.testing.assert_allclose(right[:, -1], x[0, :, -1, 0], atol=1e-3)
    down = np.asarray(shift_columns(x, np.full((1, 48), -2.0, np.float32)))[0, :, :, 0]
    np.testing.assert_allclose(down[2:], x[0, :-2, :, 0], atol=1e-3)
    np.testing.assert_allclose(down[:2], x[0, [0, 0], :, 0], atol=1e-3)


def test_half_pixel_shifts_interpolate():
    x = as_batch(smooth_band())
    half = np.asarray(shift_rows(x, np.full((1, 28), 0.5, np.float32)))[0, :, :-1, 0]
    np.testing.assert_allclose(half, (x[0, :, :-1, 0] + x[0, :, 1:, 0]) / 2, atol=1e-3)


@pytest.mark.parametrize("degrees, dy, dx", [(8, 0, 0), (-8, 0, 0), (6, 1.0, 2.0), (0, 1.5, -2.5)])
def test_it_rotates_and_translates_like_opencv(degrees, dy, dx):
    band = smooth_band(seed=degrees + 20)
    out = np.asarray(rotate_shift(as_batch(band), *(np.array([v], np.float32) for v in (np.radians(degrees), dy, dx))))
    matrix = cv2.getRotationMatrix2D((47 / 2, 27 / 2), degrees, 1.0)
    matrix[:, 2] += (dx, dy)
    expected = cv2.warpAffine(band, matrix, (48, 28), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    interior = (slice(5, -5), slice(6, -6))
    assert np.abs(out[0, :, :, 0] - expected)[interior].mean() < 1.5  # of 0..255; unchanged band: ~18 to 34
    assert np.abs(band - expected)[interior].mean() > 10


def test_it_is_the_identity_outside_training():
    x = as_batch(smooth_band(1), smooth_band(2))
    np.testing.assert_array_equal(np.asarray(EyeAugment(seed=3)(x, training=False)), x)
    np.testing.assert_array_equal(np.asarray(EyeAugment(seed=3)(x)), x)


def test_each_image_gets_its_own_view_within_the_pixel_range():
    x = as_batch(*[smooth_band(4, sigma=5)] * 16)
    out = np.asarray(EyeAugment(seed=5)(x, training=True))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    differences = [np.abs(out[i] - out[j]).mean() for i in range(16) for j in range(i + 1, 16)]
    assert min(differences) > 1
    # small changes only: every view still correlates with its source or the source's mirror image,
    # and its brightness moved by at most the brightness range
    source, mirror = x[0].ravel(), x[0, :, ::-1].ravel()
    correlations = [max(np.corrcoef(v.ravel(), source)[0, 1], np.corrcoef(v.ravel(), mirror)[0, 1]) for v in out]
    assert min(correlations) > 0.5, correlations
    assert abs(np.corrcoef(smooth_band(99, sigma=5).ravel(), source)[0, 1]) < 0.5
    assert np.abs(out.mean(axis=(1, 2, 3)) - x[0].mean()).max() <= 0.15 * 255 + 1e-3


def test_it_mirrors_about_half_the_images():
    x = as_batch(*[np.tile(np.linspace(0, 255, 48, dtype=np.float32), (28, 1))] * 200)  # bright on the right
    out = np.asarray(EyeAugment(seed=6, shift=(0, 0), rotation=0, brightness=0, contrast=0)(x, training=True))
    mirrored = (out[:, :, :24].mean(axis=(1, 2, 3)) > out[:, :, 24:].mean(axis=(1, 2, 3))).mean()
    assert 0.35 < mirrored < 0.65


def test_it_survives_saving_and_loading(tmp_path):
    inputs = keras.Input((28, 48, 1))
    model = keras.Model(inputs, EyeAugment(rotation=0.03, seed=7, name="augment")(inputs))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.get_layer("augment").get_config()["rotation"] == 0.03
    x = as_batch(smooth_band(8))
    np.testing.assert_array_equal(np.asarray(loaded(x)), x)
