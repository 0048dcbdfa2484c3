"""Every differentiable op: forward against NumPy, backward against central finite differences.

One line per op in ``OPS``; the two tests below expand each line over hypothesis-generated
shapes (pairs that broadcast included) and values kept away from kinks and ties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import testing


@dataclass
class Op:
    name: str
    fn: Callable[..., tl.Tensor]  # on Tensors (and keyword options)
    reference: Callable[..., Any]  # the same on NumPy arrays
    inputs: st.SearchStrategy[tuple[list[np.ndarray], dict[str, Any]]]
    options: dict[str, Any] = field(default_factory=dict)


# ----- input strategies: (arrays, keyword options) ------------------------------------------


@st.composite
def unary(draw: Any, lo: float = -3.0, hi: float = 3.0, avoid: tuple[float, ...] = (), distinct: bool = False) -> Any:
    x = draw(testing.arrays(testing.shapes(), lo=lo, hi=hi, avoid=avoid, distinct=distinct))
    return [x], {}


@st.composite
def binary(draw: Any, lo_b: float = -3.0, hi_b: float = 3.0, lo_a: float = -3.0, hi_a: float = 3.0) -> Any:
    shape_a, shape_b = draw(testing.broadcastable_shapes())
    a = draw(testing.arrays(shape_a, lo=lo_a, hi=hi_a))
    b = draw(testing.arrays(shape_b, lo=lo_b, hi=hi_b))
    return [a, b], {}


@st.composite
def binary_no_ties(draw: Any) -> Any:
    """Two broadcastable arrays that never tie: a on the grid 0.1k + 0.03, b on 0.1k - 0.02."""
    shape_a, shape_b = draw(testing.broadcastable_shapes())
    a = np.round(draw(testing.arrays(shape_a)), 1) + 0.03
    b = np.round(draw(testing.arrays(shape_b)), 1) - 0.02
    return [a, b], {}


@st.composite
def matmul_pair(draw: Any) -> Any:
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["2d", "1d-2d", "2d-1d", "1d-1d", "batched", "broadcast-batch", "1d-batched"]))
    shapes = {
        "2d": ((n, k), (k, m)),
        "1d-2d": ((k,), (k, m)),
        "2d-1d": ((n, k), (k,)),
        "1d-1d": ((k,), (k,)),
        "batched": ((2, n, k), (2, k, m)),
        "broadcast-batch": ((3, 1, n, k), (2, k, m)),
        "1d-batched": ((k,), (3, k, m)),
    }[kind]
    return [draw(testing.arrays(s)) for s in shapes], {}


@st.composite
def with_axis(draw: Any, distinct: bool = False, min_dims: int = 0) -> Any:
    shape = draw(testing.shapes(min_dims=min_dims))
    x = draw(testing.arrays(shape, distinct=distinct))
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1) if ndim else st.none(),
            st.lists(st.integers(0, ndim - 1), unique=True, min_size=1).map(tuple) if ndim else st.none(),
        )
    )
    return [x], {"axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def single_axis(draw: Any) -> Any:
    shape = draw(testing.shapes(min_dims=1))
    return [draw(testing.arrays(shape))], {"axis": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def reshapes(draw: Any) -> Any:
    shape = draw(testing.shapes())
    size = int(np.prod(shape))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(first, size // first), (size,), (first, -1), (-1, 1, first)]))
    return [draw(testing.arrays(shape))], {"shape": target}


@st.composite
def transposes(draw: Any) -> Any:
    shape = draw(testing.shapes())
    axes = draw(st.permutations(range(len(shape))))
    return [draw(testing.arrays(shape))], {"axes": tuple(axes)}


@st.composite
def basic_index(draw: Any) -> Any:
    shape = draw(testing.shapes(min_dims=1))
    index: list[Any] = []
    for n in shape:
        index.append(
            draw(st.one_of(st.integers(-n, n - 1), st.slices(n), st.just(slice(None))))
        )
    if draw(st.booleans()):
        index.insert(draw(st.integers(0, len(index))), None)
    if draw(st.booleans()) and len(index) > 1:
        index = [Ellipsis, *index[1:]]
    return [draw(testing.arrays(shape))], {"index": tuple(index)}


@st.composite
def integer_array_index(draw: Any) -> Any:
    """Integer arrays with repeats, alone or in pairs like ``scores[np.arange(N), y]``."""
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    x = draw(testing.arrays((n, c)))
    rows = draw(testing.labels(draw(st.integers(1, 6)), n))
    if draw(st.booleans()):
        return [x], {"index": rows}
    cols = draw(testing.labels(len(rows), c))
    return [x], {"index": (rows, cols)}


@st.composite
def boolean_mask(draw: Any) -> Any:
    shape = draw(testing.shapes(min_dims=1))
    mask = draw(st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return [draw(testing.arrays(shape))], {"index": np.array(mask).reshape(shape)}


@st.composite
def clip_bounds(draw: Any) -> Any:
    lo = draw(st.one_of(st.none(), st.floats(-2, 0)))
    hi = draw(st.one_of(st.none(), st.floats(0.1, 2))) if lo is not None else draw(st.floats(0.1, 2))
    kinks = tuple(k for k in (lo, hi) if k is not None)
    return [draw(testing.arrays(testing.shapes(), avoid=kinks))], {"lo": lo, "hi": hi}


@st.composite
def conditional(draw: Any) -> Any:
    shape_c, shape_a, shape_b = draw(testing.broadcastable_shapes(num_shapes=3))
    size = int(np.prod(shape_c))
    cond = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool).reshape(shape_c)
    return [draw(testing.arrays(shape_a)), draw(testing.arrays(shape_b))], {"condition": cond}


@st.composite
def joinable(draw: Any, same_shape: bool) -> Any:
    shape = list(draw(testing.shapes(min_dims=1)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        if not same_shape:
            shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(testing.arrays(tuple(shape))))
    if same_shape:
        axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return arrays, {"axis": axis}


# ----- NumPy references for the composite ones ---------------------------------------------


def np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


def np_index(x: np.ndarray, index: Any) -> np.ndarray:
    return np.asarray(x[index])


OPS = [
    Op("add", lambda a, b: a + b, np.add, binary()),
    Op("sub", lambda a, b: a - b, np.subtract, binary()),
    Op("mul", lambda a, b: a * b, np.multiply, binary()),
    Op("div", lambda a, b: a / b, np.divide, binary(lo_b=0.5, hi_b=3.0)),
    Op("neg", lambda a: -a, np.negative, unary()),
    Op("pow-scalar", lambda a: a**3, lambda a: a**3, unary()),
    Op("pow-fractional", lambda a: a**1.5, lambda a: a**1.5, unary(lo=0.1)),
    Op("pow-tensor", lambda a, b: a**b, np.power, binary(lo_a=0.2, hi_a=3.0)),
    Op("rpow-scalar-base", lambda a: 2.5**a, lambda a: 2.5**a, unary()),
    Op("matmul", lambda a, b: a @ b, np.matmul, matmul_pair()),
    Op("exp", lambda a: a.exp(), np.exp, unary()),
    Op("log", lambda a: a.log(), np.log, unary(lo=0.1)),
    Op("sqrt", lambda a: a.sqrt(), np.sqrt, unary(lo=0.1)),
    Op("tanh", lambda a: a.tanh(), np.tanh, unary()),
    Op("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), unary(lo=-6, hi=6)),
    Op("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), unary(avoid=(0.0,))),
    Op("abs", lambda a: a.abs(), np.abs, unary(avoid=(0.0,))),
    Op("sum", lambda a, **kw: a.sum(**kw), lambda a, **kw: np.sum(a, **kw), with_axis()),
    Op("mean", lambda a, **kw: a.mean(**kw), lambda a, **kw: np.mean(a, **kw), with_axis()),
    Op("max", lambda a, **kw: a.max(**kw), lambda a, **kw: np.max(a, **kw), with_axis(distinct=True)),
    Op("min", lambda a, **kw: a.min(**kw), lambda a, **kw: np.min(a, **kw), with_axis(distinct=True)),
    Op("reshape", lambda a, shape: a.reshape(*shape), lambda a, shape: a.reshape(shape), reshapes()),
    Op("reshape-tuple", lambda a, shape: a.reshape(shape), lambda a, shape: a.reshape(shape), reshapes()),
    Op("transpose", lambda a, axes: a.transpose(*axes), np.transpose, transposes()),
    Op("transpose-reverse", lambda a: a.transpose(), np.transpose, unary()),
    Op("T", lambda a: a.T, lambda a: a.T, unary()),
    Op("getitem-basic", lambda a, index: a[index], np_index, basic_index()),
    Op("getitem-integer-arrays", lambda a, index: a[index], np_index, integer_array_index()),
    Op("getitem-boolean-mask", lambda a, index: a[index], np_index, boolean_mask()),
    Op("clip", lambda a, lo, hi: a.clip(lo, hi), lambda a, lo, hi: np.clip(a, lo, hi), clip_bounds()),
    Op("maximum", lambda a, b: a.maximum(b), np.maximum, binary_no_ties()),
    Op("minimum", lambda a, b: tl.minimum(a, b), np.minimum, binary_no_ties()),
    Op("tl.maximum", lambda a, b: tl.maximum(a, b), np.maximum, binary_no_ties()),
    Op("softmax", lambda a, axis: a.softmax(axis), np_softmax, single_axis()),
    Op("log_softmax", lambda a, axis: a.log_softmax(axis), lambda a, axis: np.log(np_softmax(a, axis)), single_axis()),
    Op("logsumexp", lambda a, **kw: a.logsumexp(**kw), np_logsumexp, with_axis()),
    Op("where", lambda a, b, condition: tl.where(condition, a, b), lambda a, b, condition: np.where(condition, a, b),
       conditional()),
    Op("concatenate", lambda *ts, axis: tl.concatenate(ts, axis=axis), lambda *xs, axis: np.concatenate(xs, axis),
       joinable(same_shape=False)),
    Op("stack", lambda *ts, axis: tl.stack(ts, axis=axis), lambda *xs, axis: np.stack(xs, axis),
       joinable(same_shape=True)),
    Op("astype", lambda a: a.astype(np.float64) * 1.0, lambda a: a.astype(np.float64), unary()),
]


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_forward_matches_numpy(op: Op, data: st.DataObject) -> None:
    arrays, options = data.draw(op.inputs)
    testing.forward_matches(lambda *t: op.fn(*t, **options), lambda *a: op.reference(*a, **options), *arrays)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_gradient_matches_finite_differences(op: Op, data: st.DataObject) -> None:
    arrays, options = data.draw(op.inputs)
    testing.check_gradients(lambda *t: op.fn(*t, **options), *arrays)


def test_every_op_of_the_api_is_in_the_table() -> None:
    """API.md's differentiable ops, each with a line in OPS (so none is left untested)."""
    api_ops = {
        "add", "sub", "mul", "div", "neg", "pow-scalar", "pow-tensor", "matmul", "exp", "log", "sqrt", "tanh",
        "sigmoid", "relu", "abs", "sum", "mean", "max", "min", "reshape", "transpose", "T", "getitem-basic",
        "getitem-integer-arrays", "getitem-boolean-mask", "clip", "maximum", "minimum", "softmax", "log_softmax",
        "logsumexp", "where", "concatenate", "stack",
    }  # fmt: skip
    assert api_ops <= {op.name for op in OPS}
