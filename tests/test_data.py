"""tinygrad_lite.data: the spiral set, mini-batches and the digits."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_lite import data

# ----- spiral -----------------------------------------------------------------------------


def test_spiral_shapes_dtypes_and_labels():
    X, y = data.spiral()
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert y.shape == (300,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 100))  # grouped by class, as in CS231n
    X, y = data.spiral(n_per_class=7, n_classes=5)
    assert X.shape == (35, 2) and np.bincount(y).tolist() == [7] * 5


def test_spiral_radius_runs_from_0_to_1_along_each_arm():
    X, y = data.spiral(n_per_class=50, n_classes=4, seed=3)
    radius = np.hypot(X[:, 0], X[:, 1])
    for k in range(4):
        np.testing.assert_allclose(radius[y == k], np.linspace(0, 1, 50), atol=1e-12)


def test_spiral_angles_spread_4_radians_per_class_with_noise_of_std_0_2():
    n = 4000
    X, y = data.spiral(n_per_class=n, n_classes=3, seed=1)
    angle = np.arctan2(X[:, 0], X[:, 1])  # a point is (r sin t, r cos t)
    nominal = 4 * y + np.tile(np.linspace(0, 4, n), 3)
    noise = np.angle(np.exp(1j * (angle - nominal)))  # the difference, wrapped to (-pi, pi]
    assert abs(noise.mean()) < 0.01
    assert noise.std() == pytest.approx(0.2, rel=0.03)


def test_spiral_is_deterministic_for_a_seed():
    X1, y1 = data.spiral(seed=5)
    X2, y2 = data.spiral(seed=5)
    X3, _ = data.spiral(seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    np.testing.assert_array_equal(data.spiral(seed=np.random.default_rng(5))[0], X1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_per_class": 0}, ValueError, "n_per_class must be at least 1, got 0"),
        ({"n_classes": -2}, ValueError, "n_classes must be at least 1, got -2"),
        ({"n_per_class": 10.0}, TypeError, "n_per_class must be an int, got float"),
    ],
)
def test_spiral_rejects_bad_sizes(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.spiral(**kwargs)


# ----- minibatches ------------------------------------------------------------------------


@given(n=st.integers(0, 60), batch_size=st.integers(1, 70), shuffle=st.booleans(), seed=st.integers(0, 10))
def test_minibatches_cover_every_sample_once(n, batch_size, shuffle, seed):
    X = np.arange(n, dtype=np.float64).reshape(n, 1) * 10
    y = np.arange(n)
    batches = list(data.minibatches(X, y, batch_size, shuffle=shuffle, rng=seed))
    assert len(batches) == -(-n // batch_size)
    assert all(len(xb) == batch_size for xb, _ in batches[:-1])
    if batches:
        assert 0 < len(batches[-1][0]) <= batch_size
    seen = np.concatenate([yb for _, yb in batches]) if batches else np.array([], dtype=int)
    assert sorted(seen.tolist()) == list(range(n))
    for xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb[:, 0], yb * 10)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(n))


def test_minibatches_shuffle_is_reproducible_with_rng():
    X, y = data.spiral(n_per_class=20)
    first = [yb for _, yb in data.minibatches(X, y, 16, rng=3)]
    again = [yb for _, yb in data.minibatches(X, y, 16, rng=np.random.default_rng(3))]
    other = [yb for _, yb in data.minibatches(X, y, 16, rng=4)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
    assert not np.array_equal(np.concatenate(first), y)  # actually shuffled


def test_minibatches_shapes():
    X, y = np.zeros((10, 3, 2)), np.zeros(10, dtype=np.int64)
    shapes = [(xb.shape, yb.shape) for xb, yb in data.minibatches(X, y, 4)]
    assert shapes == [((4, 3, 2), (4,)), ((4, 3, 2), (4,)), ((2, 3, 2), (2,))]


@pytest.mark.parametrize(
    ("X", "y", "batch_size", "error", "message"),
    [
        (np.zeros((5, 2)), np.zeros(4), 2, ValueError, r"X has 5 samples but y has 4 \(shapes \(5, 2\) and \(4,\)\)"),
        (np.zeros((5, 2)), np.zeros(5), 0, ValueError, "batch_size must be at least 1, got 0"),
        (np.zeros((5, 2)), np.zeros(5), 2.5, TypeError, "batch_size must be an int, got float"),
        (np.zeros((5, 2)), np.zeros(5), True, TypeError, "batch_size must be an int, got bool"),
        (np.float64(3.0), np.zeros(5), 2, ValueError, "must have a sample axis"),
    ],
)
def test_minibatches_rejects_bad_input(X, y, batch_size, error, message):
    with pytest.raises(error, match=message):
        next(data.minibatches(X, y, batch_size))


# ----- digits -----------------------------------------------------------------------------


@pytest.mark.slow
def test_load_digits_from_scikit_learn():
    pytest.importorskip("sklearn")
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0  # pixel intensities 0..16, divided by 16
    np.testing.assert_array_equal(np.unique(X * 16), np.arange(17))
    assert sorted(set(y.tolist())) == list(range(10))
    counts = np.bincount(y)
    assert counts.min() >= 170 and counts.max() <= 185


def test_load_digits_without_scikit_learn_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn...` fail
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install tinygrad-lite\[digits\]"):
        data.load_digits()
