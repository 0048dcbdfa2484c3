"""tinygrad_lite.randomness: manual_seed, rng= as None / int / Generator, and who uses it."""

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import data, nn
from tinygrad_lite.randomness import generator


def test_generator_of_none_int_and_generator():
    own = np.random.default_rng(1)
    assert generator(own) is own
    assert generator(None) is generator(None)  # the global one
    assert generator(4).standard_normal() == np.random.default_rng(4).standard_normal()
    for bad in ("0", 1.5, True, [1]):
        with pytest.raises(TypeError, match="rng must be None"):
            generator(bad)
    with pytest.raises(ValueError, match="non-negative"):
        generator(-1)


def test_manual_seed_reseeds_the_global_generator():
    tl.manual_seed(11)
    first = generator(None).standard_normal(3)
    tl.manual_seed(11)
    np.testing.assert_array_equal(generator(None).standard_normal(3), first)
    with pytest.raises(TypeError, match="int seed"):
        tl.manual_seed(1.0)
    with pytest.raises(ValueError, match="non-negative"):
        tl.manual_seed(-3)


def test_minibatches_shuffle_and_spiral_follow_the_seed():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    tl.manual_seed(2)
    a = [yb.tolist() for _, yb in data.minibatches(X, y, 4)]
    tl.manual_seed(2)
    assert [yb.tolist() for _, yb in data.minibatches(X, y, 4)] == a
    np.testing.assert_array_equal(data.spiral(rng=5)[0], data.spiral(seed=5)[0])
    np.testing.assert_array_equal(data.spiral()[0], data.spiral(rng=0)[0])  # the default set is seed 0
    tl.manual_seed(9)
    b = data.spiral(seed=None)[0]
    tl.manual_seed(9)
    np.testing.assert_array_equal(data.spiral(seed=None)[0], b)
    with pytest.raises(TypeError, match="not both"):
        data.spiral(seed=1, rng=2)


def test_two_runs_after_the_same_seed_train_the_same_model():
    def run():
        tl.manual_seed(0)
        net = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 3))
        X, y = data.spiral(n_per_class=10)
        for xb, yb in data.minibatches(X, y, 8):
            tl.functional.cross_entropy(net(xb), yb).backward()
        return [p.grad.copy() for p in net.parameters()]

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)
