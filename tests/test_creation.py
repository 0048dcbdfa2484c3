"""Factories (tensor, zeros, ones, randn, arange) and their keyword arguments."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl


def test_factories_make_leaves_with_the_given_options() -> None:
    for t in (
        tl.zeros(2, 3, requires_grad=True, name="z"),
        tl.ones((2, 3), requires_grad=True, name="z"),
        tl.randn(2, 3, requires_grad=True, name="z", rng=0),
    ):
        assert t.shape == (2, 3) and t.dtype == np.float64
        assert t.requires_grad and t.name == "z" and t.is_leaf
    np.testing.assert_array_equal(tl.zeros(2).data, [0.0, 0.0])
    np.testing.assert_array_equal(tl.ones(2, dtype=np.float32).data, np.ones(2, dtype=np.float32))
    assert tl.ones(2, dtype=np.float32).dtype == np.float32


def test_tensor_function_is_the_constructor() -> None:
    t = tl.tensor([1, 2], requires_grad=True, name="t")
    assert isinstance(t, tl.Tensor) and t.dtype == np.float64 and t.requires_grad and t.name == "t"


def test_randn_is_reproducible_with_a_seed_or_generator() -> None:
    np.testing.assert_array_equal(tl.randn(3, rng=7).data, tl.randn(3, rng=7).data)
    a = tl.randn(3, rng=np.random.default_rng(1)).data
    np.testing.assert_array_equal(a, np.random.default_rng(1).standard_normal(3))
    assert tl.randn(4, dtype=np.float32).dtype == np.float32


def test_arange_is_numpy_arange_in_float64() -> None:
    np.testing.assert_array_equal(tl.arange(4).data, np.arange(4.0))
    np.testing.assert_array_equal(tl.arange(1, 2, 0.25).data, np.arange(1, 2, 0.25))
    assert tl.arange(3).dtype == np.float64
    assert tl.arange(3, dtype=np.int64).dtype == np.int64
    with pytest.raises(TypeError, match="1 to 3"):
        tl.arange()


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative ints"):
        tl.zeros(-1, 2)
    with pytest.raises(ValueError, match="non-negative ints"):
        tl.ones(2.5)


def test_where_needs_a_boolean_condition() -> None:
    with pytest.raises(TypeError, match="boolean condition.*float64"):
        tl.where(np.array([1.0, 0.0]), tl.ones(2), tl.zeros(2))
    y = tl.where(tl.tensor([1.0, -1.0]) > 0, tl.ones(2, requires_grad=True), 0.0)
    np.testing.assert_array_equal(y.data, [1.0, 0.0])


def test_concatenate_and_stack_need_a_list() -> None:
    with pytest.raises(ValueError, match="at least one"):
        tl.concatenate([])
    with pytest.raises(TypeError, match="list or tuple"):
        tl.stack(tl.ones(3))
    with pytest.raises(ValueError, match=r"concatenate on shapes \(2, 3\) and \(2, 4\)"):
        tl.concatenate([tl.ones(2, 3), tl.ones(2, 4)])
    assert tl.stack([tl.ones(2), np.zeros(2)], axis=1).shape == (2, 2)
