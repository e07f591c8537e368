"""Augmentation transforms: exact pixel shifts, rotations against np.rot90, seeding, shapes, errors."""
import numpy as np
import pytest

from nnlab.data.augmentation import RandomShift, rotate_and_shift_images, shift_images


def test_shift_moves_every_pixel_by_the_drawn_offset(rng):
    X = rng.standard_normal((3, 2, 5, 6))
    shifts = np.array([[1, -2], [0, 0], [-1, 3]])
    out = shift_images(X, shifts)
    np.testing.assert_array_equal(out[1], X[1])
    np.testing.assert_array_equal(out[0, :, 1:, :4], X[0, :, :4, 2:])
    np.testing.assert_array_equal(out[0, :, 0], 0.0)
    np.testing.assert_array_equal(out[2, :, :4, 3:], X[2, :, 1:, :3])
    np.testing.assert_array_equal(out[2, :, :, :3], 0.0)


def test_rotation_by_a_quarter_turn_is_rot90_and_zero_angle_is_the_shift(rng):
    X = rng.standard_normal((2, 1, 5, 5))
    quarter = rotate_and_shift_images(X, np.full(2, np.pi / 2), np.zeros((2, 2), dtype=int))
    turned = [np.rot90(X, k, axes=(2, 3)) for k in (1, 3)]
    assert min(np.abs(quarter - t).max() for t in turned) < 1e-12
    shifts = np.array([[1, 0], [-2, 1]])
    np.testing.assert_allclose(rotate_and_shift_images(X, np.zeros(2), shifts), shift_images(X, shifts), atol=1e-12)


def test_seeded_per_batch_and_leaves_the_input_alone(rng):
    X = rng.random((8, 28, 28)).astype(np.float32)
    before = X.copy()
    t = RandomShift(max_shift=2, max_rotation=10)
    a = t(X, np.random.default_rng(0))
    b = t(X, np.random.default_rng(0))
    c = t(X, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(X, before)
    assert a.shape == X.shape and a.dtype == np.float32


def test_shift_keeps_the_ink_of_a_centred_digit(rng):
    X = np.zeros((4, 1, 12, 12))
    X[:, :, 4:8, 4:8] = rng.random((4, 1, 4, 4))
    out = RandomShift(max_shift=3)(X, rng)
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), X.sum(axis=(1, 2, 3)))
    assert not np.array_equal(out, X)


def test_flat_rows_need_the_image_shape(rng):
    X = rng.random((5, 64))
    out = RandomShift(1, image_shape=(8, 8))(X, rng)
    assert out.shape == (5, 64)
    with pytest.raises(ValueError, match="image_shape"):
        RandomShift(1)(X, rng)
    with pytest.raises(ValueError, match=r"image_shape=\(H, W\)"):
        RandomShift(1, image_shape=(7, 7))(X, rng)


@pytest.mark.parametrize("kwargs", [{"max_shift": -1}, {"max_shift": 1.5}, {"max_rotation": 200}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        RandomShift(**kwargs)


def test_needs_a_generator():
    with pytest.raises(TypeError, match="default_rng"):
        RandomShift()(np.zeros((2, 4, 4)), 0)
