"""Every differentiable op: forward against NumPy, backward against central finite differences.

One line per op in ``OPS``; the two tests below expand each line over hypothesis-generated
shapes (pairs that broadcast included) and values kept away from kinks and ties. A last test
enumerates every `Function` subclass of the package and fails when one has no line here.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite import testing
from tinygrad_lite.engine import topological_order

from . import reference


@dataclass
class Op:
    """One row of the op table: an op, its NumPy reference, its inputs, and the facts other test
    files need about it (so adding an op means adding one row, nowhere else)."""

    name: str
    fn: Callable[..., tl.Tensor]  # on Tensors (and keyword options)
    reference: Callable[..., Any]  # the same on NumPy arrays
    inputs: st.SearchStrategy[tuple[list[np.ndarray], dict[str, Any]]]
    empty_ok: bool = False  # defined on inputs with a zero-size dimension (test_shapes checks it there)
    fuzz: Callable[[tl.Tensor, Any], Any] | None = None  # test_fuzz calls it with any tensor and argument
    fuzz_binary: bool = False  # test_fuzz calls fn and reference with any two operands
    gradient: Callable[..., list[np.ndarray]] | None = None
    """Closed-form gradients of ``fn(...).sum()``, for inputs where finite differences do not
    apply (a point fixed by convention, or a float32 rounding); None: finite differences."""


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


@st.composite
def two_axes(draw: Any) -> Any:
    shape = draw(testing.shapes(min_dims=1))
    axes = tuple(draw(st.integers(-len(shape), len(shape) - 1)) for _ in range(2))
    return [draw(testing.arrays(shape))], {"axes": axes}


@st.composite
def flattens(draw: Any) -> Any:
    shape = draw(testing.shapes())
    n = max(len(shape), 1)
    start = draw(st.integers(-n, n - 1))
    end = draw(st.integers(start % n, n - 1))
    if draw(st.booleans()):
        end -= n  # a negative end_dim too
    return [draw(testing.arrays(shape))], {"start_dim": start, "end_dim": end}


def np_flatten(a: np.ndarray, start_dim: int, end_dim: int) -> np.ndarray:
    if a.ndim == 0:
        return a.reshape(1)
    start, end = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1 :])


@st.composite
def unsqueezes(draw: Any) -> Any:
    shape = draw(testing.shapes())
    return [draw(testing.arrays(shape))], {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def squeezes(draw: Any) -> Any:
    shape = draw(testing.shapes(max_side=2))  # plenty of size-1 axes
    n = len(shape)
    dim = draw(st.one_of(
        st.none(),
        st.integers(-n, n - 1) if n else st.none(),
        st.lists(st.integers(0, n - 1), unique=True).map(tuple) if n else st.none(),
    ))  # fmt: skip
    return [draw(testing.arrays(shape))], {"dim": dim}


def np_squeeze(a: np.ndarray, dim: Any) -> np.ndarray:
    dims = range(a.ndim) if dim is None else [dim] if isinstance(dim, int) else dim
    return np.squeeze(a, axis=tuple(d % a.ndim for d in dims if a.shape[d] == 1))


@st.composite
def expands(draw: Any) -> Any:
    shape = draw(testing.shapes(max_side=3))
    sizes = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2)))]  # new leading axes
    for n in shape:
        sizes.append(draw(st.sampled_from([-1, 1, 2, 3] if n == 1 else [-1, n])))
    return [draw(testing.arrays(shape))], {"sizes": tuple(sizes)}


def np_expand(a: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    extra = len(sizes) - a.ndim
    return np.broadcast_to(a, [a.shape[i - extra] if n == -1 else n for i, n in enumerate(sizes)])


@st.composite
def repeats(draw: Any) -> Any:
    shape = draw(testing.shapes(max_side=3))
    sizes = tuple(draw(st.integers(0, 3)) for _ in range(len(shape) + draw(st.integers(0, 2))))
    return [draw(testing.arrays(shape))], {"sizes": sizes}


@st.composite
def variances(draw: Any, ddof: tuple[int, ...] = (0, 1), spread: bool = False) -> Any:
    """Inputs of var/std: ddof 1 only where at least 2 entries are reduced; ``spread``: at least
    2 distinct entries in every reduced group (std is not differentiable at 0)."""
    (x,), options = draw(with_axis(distinct=spread))
    axes = range(x.ndim) if options["axis"] is None else np.atleast_1d(options["axis"])
    count = int(np.prod([x.shape[a] for a in axes]))
    if spread and count < 2:
        x, options["axis"] = np.array([-1.0, 0.5]), None
        count = 2
    options["ddof"] = draw(st.sampled_from([d for d in ddof if d < count]))
    return [x], options


@st.composite
def penalties(draw: Any, avoid: tuple[float, ...] = ()) -> Any:
    count = draw(st.integers(1, 3))
    return [draw(testing.arrays(testing.shapes(), avoid=avoid)) for _ in range(count)], {}


@st.composite
def with_targets(draw: Any, lo: float, hi: float) -> Any:
    """An input in [lo, hi] and constant targets in [0, 1] of its shape (binary cross-entropy)."""
    x = draw(testing.arrays(testing.shapes(), lo=lo, hi=hi))
    return [x], {"targets": draw(testing.arrays(x.shape, lo=0.0, hi=1.0))}


def _bce(p: np.ndarray, targets: np.ndarray) -> Any:
    return -(targets * np.log(p) + (1 - targets) * np.log(1 - p)).mean()


def _bce_logits(x: np.ndarray, targets: np.ndarray) -> Any:
    return _bce(1 / (1 + np.exp(-x)), targets)


@st.composite
def exponents_at_zero_base(draw: Any) -> Any:
    """Exponents in [0, 3] with at least one exactly 0, for the constant base 0 (0**0 == 1)."""
    b = draw(testing.arrays(testing.shapes(), lo=0.0, hi=3.0))
    flat = b.reshape(-1)
    zeros = draw(st.lists(st.integers(0, flat.size - 1), min_size=1, max_size=flat.size))
    flat[zeros] = 0.0
    return [b], {}


def left_array(x: Any) -> np.ndarray:
    """A fixed ndarray of x's shape for the reflected rows (``arr / t``): 0.5 .. 2."""
    return np.linspace(0.5, 2.0, int(np.size(x))).reshape(np.shape(x))


# ----- NumPy references for the composite ones ---------------------------------------------


def np_index(x: np.ndarray, index: Any) -> np.ndarray:
    return np.asarray(x[index])




OPS = [
    Op("add", lambda a, b: a + b, np.add, binary(), empty_ok=True, fuzz_binary=True),
    Op("sub", lambda a, b: a - b, np.subtract, binary(), empty_ok=True, fuzz_binary=True),
    Op("mul", lambda a, b: a * b, np.multiply, binary(), empty_ok=True, fuzz_binary=True),
    Op("div", lambda a, b: a / b, np.divide, binary(lo_b=0.5, hi_b=3.0), empty_ok=True, fuzz_binary=True),
    # reflected: a number or an ndarray on the left (Div's gradient for a constant numerator)
    Op("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, unary(), empty_ok=True),
    Op("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, unary(), empty_ok=True),
    Op("rmul", lambda a: 2.5 * a, lambda a: 2.5 * a, unary(), empty_ok=True),
    Op("rdiv", lambda a: 1 / a, lambda a: 1 / a, unary(lo=0.5), empty_ok=True),
    Op("rdiv-scalar", lambda a: 2.5 / a, lambda a: 2.5 / a, unary(lo=-3.0, avoid=(0.0,), hi=3.0)),
    Op("radd-array", lambda a: left_array(a) + a, lambda a: left_array(a) + a, unary(), empty_ok=True),
    Op("rsub-array", lambda a: left_array(a) - a, lambda a: left_array(a) - a, unary(), empty_ok=True),
    Op("rmul-array", lambda a: left_array(a) * a, lambda a: left_array(a) * a, unary(), empty_ok=True),
    Op("rdiv-array", lambda a: left_array(a) / a, lambda a: left_array(a) / a, unary(lo=0.5), empty_ok=True),
    Op("rpow-array", lambda a: left_array(a) ** a, lambda a: left_array(a) ** a, unary()),
    Op("neg", lambda a: -a, np.negative, unary(), empty_ok=True, fuzz=lambda t, _: -t),
    Op("pow-scalar", lambda a: a**3, lambda a: a**3, unary(), empty_ok=True),
    Op("pow-fractional", lambda a: a**1.5, lambda a: a**1.5, unary(lo=0.1)),
    Op("pow-tensor", lambda a, b: a**b, np.power, binary(lo_a=0.2, hi_a=3.0), fuzz_binary=True),
    Op("rpow-scalar-base", lambda a: 2.5**a, lambda a: 2.5**a, unary(), empty_ok=True),
    # d(0**b)/db at b = 0 is documented as 0 (0**b is flat for b >= 0); finite differences see inf there
    Op("pow-exponent-at-zero-base", lambda b: np.zeros(b.shape) ** b, lambda b: np.zeros(b.shape) ** b,
       exponents_at_zero_base(), gradient=lambda b: [np.zeros_like(b)]),
    Op("matmul", lambda a, b: a @ b, np.matmul, matmul_pair(), fuzz_binary=True),
    Op("exp", lambda a: a.exp(), np.exp, unary(), empty_ok=True, fuzz=lambda t, _: t.exp()),
    Op("log", lambda a: a.log(), np.log, unary(lo=0.1), fuzz=lambda t, _: t.log()),
    Op("sqrt", lambda a: a.sqrt(), np.sqrt, unary(lo=0.1), fuzz=lambda t, _: t.sqrt()),
    Op("tanh", lambda a: a.tanh(), np.tanh, unary(), empty_ok=True, fuzz=lambda t, _: t.tanh()),
    Op("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), unary(lo=-6, hi=6), empty_ok=True,
       fuzz=lambda t, _: t.sigmoid()),
    Op("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), unary(avoid=(0.0,)), empty_ok=True,
       fuzz=lambda t, _: t.relu()),
    Op("abs", lambda a: a.abs(), np.abs, unary(avoid=(0.0,)), empty_ok=True, fuzz=lambda t, _: t.abs()),
    Op("sum", lambda a, **kw: a.sum(**kw), lambda a, **kw: np.sum(a, **kw), with_axis(), empty_ok=True,
       fuzz=lambda t, axis: t.sum(axis=axis)),
    Op("mean", lambda a, **kw: a.mean(**kw), lambda a, **kw: np.mean(a, **kw), with_axis(), empty_ok=True,
       fuzz=lambda t, axis: t.mean(axis=axis)),
    Op("max", lambda a, **kw: a.max(**kw), lambda a, **kw: np.max(a, **kw), with_axis(distinct=True),
       fuzz=lambda t, axis: t.max(axis=axis)),
    Op("min", lambda a, **kw: a.min(**kw), lambda a, **kw: np.min(a, **kw), with_axis(distinct=True),
       fuzz=lambda t, axis: t.min(axis=axis)),
    Op("var", lambda a, **kw: a.var(**kw), lambda a, **kw: np.var(a, **kw), variances(),
       fuzz=lambda t, ddof: t.var(ddof=0 if ddof is None else ddof)),
    Op("std", lambda a, **kw: a.std(**kw), lambda a, **kw: np.std(a, **kw), variances(spread=True),
       fuzz=lambda t, axis: t.std(axis=axis)),
    Op("reshape", lambda a, shape: a.reshape(*shape), lambda a, shape: a.reshape(shape), reshapes()),
    Op("reshape-tuple", lambda a, shape: a.reshape(shape), lambda a, shape: a.reshape(shape), reshapes(),
       fuzz=lambda t, shape: t.reshape(shape)),
    Op("view", lambda a, shape: a.view(*shape), lambda a, shape: a.reshape(shape), reshapes(),
       fuzz=lambda t, shape: t.view(shape)),
    Op("flatten", lambda a, **kw: a.flatten(**kw), np_flatten, flattens(),
       fuzz=lambda t, dim: t.flatten(0 if dim is None else dim)),
    Op("unsqueeze", lambda a, dim: a.unsqueeze(dim), lambda a, dim: np.expand_dims(a, dim), unsqueezes(),
       empty_ok=True, fuzz=lambda t, dim: t.unsqueeze(dim)),
    Op("squeeze", lambda a, dim: a.squeeze(dim), np_squeeze, squeezes(), empty_ok=True,
       fuzz=lambda t, dim: t.squeeze(dim)),
    Op("transpose", lambda a, axes: a.transpose(*axes),
       lambda a, axes: np.swapaxes(a, *axes) if len(axes) == 2 else np.transpose(a, axes), transposes(),
       fuzz=lambda t, axes: t.transpose(axes)),
    Op("transpose-two-axes", lambda a, axes: a.transpose(*axes), lambda a, axes: np.swapaxes(a, *axes),
       two_axes(), empty_ok=True),
    Op("transpose-reverse", lambda a: a.transpose(), np.transpose, unary(), empty_ok=True),
    Op("permute", lambda a, axes: a.permute(*axes), np.transpose, transposes(), empty_ok=True,
       fuzz=lambda t, dims: t.permute(dims)),
    Op("T", lambda a: a.T, lambda a: a.T, unary(), empty_ok=True, fuzz=lambda t, _: t.T),
    Op("expand", lambda a, sizes: a.expand(*sizes), np_expand, expands(), fuzz=lambda t, sizes: t.expand(sizes)),
    Op("repeat", lambda a, sizes: a.repeat(*sizes), lambda a, sizes: np.tile(a, sizes), repeats(),
       fuzz=lambda t, sizes: t.repeat(sizes)),
    Op("clone", lambda a: a.clone(), np.copy, unary(), empty_ok=True, fuzz=lambda t, _: t.clone()),
    Op("getitem-basic", lambda a, index: a[index], np_index, basic_index(), fuzz=lambda t, index: t[index]),
    Op("getitem-integer-arrays", lambda a, index: a[index], np_index, integer_array_index()),
    Op("getitem-boolean-mask", lambda a, index: a[index], np_index, boolean_mask()),
    Op("clip", lambda a, lo=None, hi=None: a.clip(lo, hi), lambda a, lo, hi: np.clip(a, lo, hi), clip_bounds(),
       empty_ok=True, fuzz=lambda t, lo: t.clip(lo, None)),
    Op("maximum", lambda a, b: a.maximum(b), np.maximum, binary_no_ties(), empty_ok=True),
    Op("minimum", lambda a, b: tl.minimum(a, b), np.minimum, binary_no_ties(), empty_ok=True, fuzz_binary=True),
    Op("tl.maximum", lambda a, b: tl.maximum(a, b), np.maximum, binary_no_ties(), empty_ok=True, fuzz_binary=True),
    Op("softmax", lambda a, axis=-1: a.softmax(axis), reference.softmax, single_axis(), empty_ok=True,
       fuzz=lambda t, axis: t.softmax(-1 if axis is None else axis)),
    Op("log_softmax", lambda a, axis=-1: a.log_softmax(axis), lambda a, axis: np.log(reference.softmax(a, axis)),
       single_axis(), empty_ok=True, fuzz=lambda t, axis: t.log_softmax(-1 if axis is None else axis)),
    Op("logsumexp", lambda a, **kw: a.logsumexp(**kw), reference.logsumexp, with_axis(),
       fuzz=lambda t, axis: t.logsumexp(axis=axis)),
    Op("where", lambda a, b, condition: tl.where(condition, a, b), lambda a, b, condition: np.where(condition, a, b),
       conditional(), fuzz=lambda t, x: tl.where(t > 0, t, x)),
    Op("concatenate", lambda *ts, axis: tl.concatenate(ts, axis=axis), lambda *xs, axis: np.concatenate(xs, axis),
       joinable(same_shape=False), fuzz=lambda t, x: tl.concatenate([t, x])),
    Op("cat", lambda *ts, axis: tl.cat(ts, dim=axis), lambda *xs, axis: np.concatenate(xs, axis),
       joinable(same_shape=False), fuzz=lambda t, x: tl.cat([t, x], dim=1)),
    Op("stack", lambda *ts, axis: tl.stack(ts, axis=axis), lambda *xs, axis: np.stack(xs, axis),
       joinable(same_shape=True), fuzz=lambda t, x: tl.stack([t, x])),
    Op("astype", lambda a: a.astype(np.float64) * 1.0, lambda a: a.astype(np.float64), unary()),
    Op("double", lambda a: a.double(), lambda a: a.astype(np.float64), unary(), empty_ok=True,
       fuzz=lambda t, _: t.double()),
    # float32 rounding hides a finite difference of 1e-6: the gradient (a cast back) is checked exactly
    Op("float", lambda a: a.float(), lambda a: a.astype(np.float32), unary(), empty_ok=True,
       fuzz=lambda t, _: t.float(), gradient=lambda a: [np.ones_like(a)]),
    Op("leaky_relu", lambda a: F.leaky_relu(a, 0.1), lambda a: np.where(a > 0, a, 0.1 * a), unary(avoid=(0.0,)),
       empty_ok=True, fuzz=lambda t, slope: F.leaky_relu(t, 0.01 if slope is None else slope)),
    Op("binary_cross_entropy", lambda p, targets: F.binary_cross_entropy(p, targets), _bce,
       with_targets(0.05, 0.95)),
    Op("binary_cross_entropy_with_logits", lambda x, targets: F.binary_cross_entropy_with_logits(x, targets),
       _bce_logits, with_targets(-4.0, 4.0)),
    Op("l2_penalty", lambda *ws: F.l2_penalty(ws, 0.5), lambda *ws: 0.5 * sum((w**2).sum() for w in ws), penalties()),
    Op("l1_penalty", lambda *ws: F.l1_penalty(ws, 0.5), lambda *ws: 0.5 * sum(np.abs(w).sum() for w in ws),
       penalties(avoid=(0.0,))),
]  # fmt: skip

# Function subclasses without a row, each with the reason (every other one needs a row above).
EXEMPT = {
    "tinygrad_lite.ops._Extreme": "the shared base of Max and Min, never applied itself",
    "tinygrad_lite.functional.CrossEntropy": "fused loss with integer labels: closed forms in test_functional.py",
    "tinygrad_lite.functional.HingeLoss": "fused loss with integer labels: closed forms in test_functional.py",
    "tinygrad_lite.functional.Dropout": "random mask: statistics, scaling and gradient in test_functional.py",
    "tinygrad_lite.functional.BatchNorm": "fused with running statistics: finite differences and its composition "
    "and PyTorch's formulas in test_nn.py",
}


def check_op_gradients(op: Op, arrays: list[np.ndarray], options: dict[str, Any]) -> None:
    """The row's gradient check: finite differences, or its closed form where it has one."""
    if op.gradient is None:
        testing.check_gradients(lambda *t: op.fn(*t, **options), *arrays)
        return
    tensors = [tl.Tensor(a, requires_grad=True) for a in arrays]
    op.fn(*tensors, **options).sum().backward()
    for t, want in zip(tensors, op.gradient(*arrays, **options)):
        assert t.grad is not None and t.grad.dtype == t.dtype
        np.testing.assert_allclose(t.grad, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_forward_matches_numpy(op: Op, data: st.DataObject) -> None:
    arrays, options = data.draw(op.inputs)
    testing.forward_matches(lambda *t: op.fn(*t, **options), lambda *a: op.reference(*a, **options), *arrays)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@given(data=st.data())
def test_gradient_matches_finite_differences(op: Op, data: st.DataObject) -> None:
    arrays, options = data.draw(op.inputs)
    check_op_gradients(op, arrays, options)


def test_pow_exponent_gradient_at_base_zero_is_zero() -> None:
    b = tl.tensor([0.0, 0.0, 2.0], requires_grad=True)
    y = tl.tensor([0.0, 1.5, 0.0]) ** b
    np.testing.assert_array_equal(y.data, [1.0, 1.0, 0.0])  # 0**0 == 1
    y.sum().backward()
    np.testing.assert_allclose(b.grad, [0.0, np.log(1.5), 0.0])  # 0 where the base is 0 (documented)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _ops_used(op: Op) -> set[str]:
    """The Function classes a row's fn builds its graph from, on its simplest input."""
    arrays, options = find(op.inputs, lambda _: True, settings=settings(database=None, max_examples=20))
    tensors = [tl.Tensor(a, requires_grad=True) for a in arrays]
    out = op.fn(*tensors, **options)
    return {f"{type(n._ctx).__module__}.{type(n._ctx).__qualname__}" for n in topological_order(out) if n._ctx}


def test_every_function_of_the_package_has_a_row_in_the_table() -> None:
    """Adding an op is one Function plus one row of OPS: an op without a row fails here.

    The row calls the op through public names (a Tensor method, an operator or a tl./F.
    function), so the op also has a public entry point."""
    for module in pkgutil.walk_packages(tl.__path__, "tinygrad_lite."):
        if module.name != "tinygrad_lite.__main__":
            importlib.import_module(module.name)
    functions = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _subclasses(tl.Function)
        if cls.__module__.startswith("tinygrad_lite.")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis's note that find() is for interactive use
        covered = set().union(*(_ops_used(op) for op in OPS))
    missing = sorted(functions - covered - set(EXEMPT))
    assert not missing, f"Function subclasses with no row in OPS (add one, or an EXEMPT entry): {missing}"
    assert set(EXEMPT) <= functions, f"stale EXEMPT entries: {sorted(set(EXEMPT) - functions)}"


def test_every_documented_op_is_in_the_table() -> None:
    """The ops the README and docs/api.md promise, each with a row (so none is left untested)."""
    documented = {
        "add", "sub", "mul", "div", "neg", "pow-scalar", "pow-tensor", "matmul", "exp", "log", "sqrt", "tanh",
        "sigmoid", "relu", "abs", "sum", "mean", "max", "min", "reshape", "transpose", "T", "getitem-basic",
        "getitem-integer-arrays", "getitem-boolean-mask", "clip", "maximum", "minimum", "softmax", "log_softmax",
        "logsumexp", "where", "concatenate", "stack", "radd", "rsub", "rmul", "rdiv", "view", "flatten",
        "unsqueeze", "squeeze", "permute", "expand", "repeat", "clone", "float", "double", "var", "std", "cat",
    }  # fmt: skip
    assert documented <= {op.name for op in OPS}


def test_std_where_it_is_zero_has_gradient_zero_as_pytorch_and_elsewhere_its_usual_one() -> None:
    """Equal values (or one value): sqrt's inf slope times zero deviations once gave NaN."""
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        for data in (1.5, [0.0], [2.0, 2.0, 2.0]):
            x = tl.tensor(data, requires_grad=True)
            y = x.std()
            y.backward()
            assert y.item() == 0.0
            np.testing.assert_array_equal(x.grad, np.zeros_like(x.data))
        x = tl.tensor([[1.0, 1.0], [1.0, 3.0]], requires_grad=True)
        x.std(axis=1, ddof=1).sum().backward()  # a flat row and a spread one, side by side
    # d std / d x_i = (x_i - mean) / ((n - ddof) std): row 2 has std sqrt(2), deviations -1 and 1
    np.testing.assert_allclose(x.grad, [[0.0, 0.0], [-1 / np.sqrt(2), 1 / np.sqrt(2)]])
    assert x.std().op == "std" and x.std().parents[0].op == "div"  # drawn as std of the variance


def test_softmax_family_with_infinite_entries_gives_pytorch_values_without_warnings() -> None:
    """-inf entries (masking) get probability 0 and finite gradients; logsumexp with +inf is inf."""
    weights = np.array([0.3, -1.2, 2.0])
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")  # any RuntimeWarning from inside an op fails the test
        for spell in ("method", "F"):
            x = tl.tensor([-np.inf, 0.0, 1.0], requires_grad=True)
            p = x.softmax() if spell == "method" else F.softmax(x)
            np.testing.assert_allclose(p.data, [0.0, 1 / (1 + np.e), np.e / (1 + np.e)])
            (p * weights).sum().backward()
            assert x.grad is not None and np.isfinite(x.grad).all() and x.grad[0] == 0.0

            x = tl.tensor([-np.inf, 0.0, 1.0], requires_grad=True)
            logp = x.log_softmax() if spell == "method" else F.log_softmax(x)
            assert logp.data[0] == -np.inf
            np.testing.assert_allclose(logp.data[1:], [-np.log1p(np.e), 1 - np.log1p(np.e)])
            (logp * weights).sum().backward()
            assert x.grad is not None and np.isfinite(x.grad).all()

            x = tl.tensor([-np.inf, 1.0, 2.0], requires_grad=True)
            lse = x.logsumexp() if spell == "method" else F.logsumexp(x)
            assert lse.item() == pytest.approx(np.logaddexp(1.0, 2.0))
            lse.backward()
            np.testing.assert_allclose(x.grad, [0.0, *reference.softmax(np.array([1.0, 2.0]), 0)])

            big = tl.tensor([np.inf, 1.0, 2.0])
            assert (big.logsumexp() if spell == "method" else F.logsumexp(big)).item() == np.inf
