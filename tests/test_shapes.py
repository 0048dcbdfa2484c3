"""Odd shapes work like NumPy: zero-size dimensions, 0-d tensors, size-1 broadcasting on every
side, negative axes, non-contiguous inputs and keepdims round trips."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import Tensor, testing

from .test_ops import OPS, Op, check_op_gradients


@st.composite
def with_empty_dimension(draw: st.DrawFn, op: Op) -> tuple[list[np.ndarray], dict[str, Any]]:
    """The op's own inputs with one dimension (the same in every input) shrunk to 0."""
    arrays, options = draw(op.inputs)
    ndim = max(a.ndim for a in arrays)
    if ndim == 0:
        return [np.zeros(0) for _ in arrays], options  # 0-d inputs become empty vectors
    axis = draw(st.integers(0, ndim - 1))
    shrunk = []
    for a in arrays:
        offset = ndim - a.ndim
        if axis >= offset:
            index: list[Any] = [slice(None)] * a.ndim
            index[axis - offset] = slice(0, 0)
            a = a[tuple(index)]
        shrunk.append(a)
    return shrunk, options


EMPTY_OPS = [op for op in OPS if op.empty_ok]  # defined on empty inputs (max/min of nothing is not)


@pytest.mark.parametrize("op", EMPTY_OPS, ids=[op.name for op in EMPTY_OPS])
@given(data=st.data())
def test_zero_size_inputs_match_numpy_and_have_empty_gradients(op: Op, data: st.DataObject) -> None:
    arrays, options = data.draw(with_empty_dimension(op))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns about the mean of nothing; we return its nan quietly
        try:
            want = np.asarray(op.reference(*arrays, **options))
        except ValueError:
            return  # NumPy refuses this shape too (e.g. a reduction axis that vanished)
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        got = op.fn(*tensors, **options)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.data, want)
    got.backward(np.ones(got.shape))
    for t in tensors:
        assert t.grad is not None and t.grad.shape == t.shape


def non_contiguous(a: np.ndarray, how: str) -> np.ndarray:
    """The same values in a non-contiguous layout."""
    if a.ndim == 0:
        return a  # nothing to lay out (np.asfortranarray would make it 1-D)
    if how == "fortran":
        return np.asfortranarray(a)
    big = np.repeat(a[..., None], 2, axis=-1)  # every value twice along a new last axis
    return big[..., 0]  # a strided view


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data(), how=st.sampled_from(["fortran", "strided"]))
def test_non_contiguous_inputs_give_the_same_values_and_gradients(op: Op, data: st.DataObject, how: str) -> None:
    arrays, options = data.draw(op.inputs)
    views = [non_contiguous(a, how) for a in arrays]
    testing.forward_matches(lambda *t: op.fn(*t, **options), lambda *a: op.reference(*a, **options), *views)
    check_op_gradients(op, views, options)


def test_sum_over_an_empty_axis_is_zero_with_an_empty_gradient() -> None:
    x = Tensor(np.ones((0, 3)), requires_grad=True)
    y = x.sum(axis=0)
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 0.0])
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def test_0d_tensors_go_through_every_kind_of_op() -> None:
    s = Tensor(3.0, requires_grad=True)
    y = s.exp() + s.sum(axis=0) + s.max() + s.reshape(1, 1).sum() + s.T + s[()] + s.softmax(axis=0) + s.logsumexp()
    y = y + tl.stack([s, s]).sum() + tl.where(s > 0, s, 0.0) + s.clip(0, 1) + s.mean(axis=-1)
    y.backward()
    assert y.shape == () and type(s.grad) is np.ndarray and s.grad.shape == ()
    assert s.grad == pytest.approx(np.exp(3.0) + 1 + 1 + 1 + 1 + 1 + 0 + 1 + 2 + 1 + 0 + 1)


@pytest.mark.parametrize("shape_a, shape_b", [((3, 1), (1, 4)), ((1,), (2, 3)), ((2, 1, 3), (4, 1)), ((), (2, 2))])
def test_size_one_broadcasting_on_either_side(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    for left, right in ((a, b), (b, a)):
        testing.check_gradients(lambda x, y: x * y + x / (y * y + 1), left, right)


@given(x=testing.arrays(testing.shapes(min_dims=1)), data=st.data())
def test_negative_axes_and_keepdims_round_trips(x: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-x.ndim, -1))
    t = Tensor(x)
    kept = t.sum(axis=axis, keepdims=True)
    assert kept.shape == np.sum(x, axis=axis, keepdims=True).shape
    np.testing.assert_allclose((t - kept).data, x - x.sum(axis=axis, keepdims=True))  # broadcasts back
    np.testing.assert_allclose(t.max(axis=axis).data, x.max(axis=axis % x.ndim))
