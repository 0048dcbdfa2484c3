"""Throw anything at the public API: every call returns a correct result or raises a clear error.

"Clear" means one of ValueError, TypeError, RuntimeError, FloatingPointError with a message;
never another exception type (no bare IndexError, AttributeError or ZeroDivisionError from
deep inside), never a hang. Where a call succeeds on plain arrays, its value must equal
NumPy's on the same data.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl
from tinygrad_lite import Tensor, nn, optim
from tinygrad_lite import functional as F

from .test_ops import OPS

ALLOWED = (ValueError, TypeError, RuntimeError, FloatingPointError)
CASES_TRIED: list[int] = [0]

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int8, np.bool_, np.complex128]


@st.composite
def numeric_arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    elements = None
    if np.dtype(dtype).kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=np.dtype(dtype).itemsize * 8)
    return draw(hnp.arrays(dtype, shape, elements=elements))


anything = st.one_of(
    numeric_arrays(),
    numeric_arrays().map(Tensor),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 5),
    st.booleans(),
    st.sampled_from([None, "text", b"bytes", object(), [1, [2]], {"a": 1}, (1, 2), [], np.array([object()])]),
)


def attempt(call: Callable[[], Any]) -> Any:
    """Run ``call``; an allowed error with a message counts as a clean refusal (returns None)."""
    CASES_TRIED[0] += 1
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return call()
    except ALLOWED as error:
        assert str(error), f"{type(error).__name__} without a message"
        return None


def same_as_numpy(result: Any, reference: Callable[[], Any]) -> None:
    """A Tensor result must equal what NumPy computes from the same data (when NumPy can)."""
    if not isinstance(result, Tensor):
        return
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            expected = np.asarray(reference())
    except Exception:
        return
    np.testing.assert_array_equal(result.data, expected)


def data_of(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


# The ops come from the op table (its fuzz fields); the other calls are listed here.
BINARY = {
    **{op.name: (op.fn, op.reference) for op in OPS if op.fuzz_binary},
    "lt": (lambda a, b: a < b, np.less),
    "eq": (lambda a, b: a == b, np.equal),
}

FUZZ = {op.name: op.fuzz for op in OPS if op.fuzz is not None}  # each called as fuzz(tensor, argument)

UNARY: dict[str, Callable[[Tensor], Any]] = {
    **{name: (lambda t, fuzz=fuzz: fuzz(t, None)) for name, fuzz in FUZZ.items()},  # no argument
    "numel": lambda t: t.numel(),
    "format": lambda t: f"{t:.3f}",
    "argmax": lambda t: t.argmax(),
    "item": lambda t: t.item(),
    "len": lambda t: len(t),
    "backward": lambda t: t.backward(),
}

WITH_ARGUMENT: dict[str, Callable[[Tensor, Any], Any]] = {
    **FUZZ,
    "sum-dim": lambda t, a: t.sum(dim=a, keepdim=True),
    "backward-gradient": lambda t, g: (t * 1.0).backward(g),
    "construct-with-grad": lambda t, x: Tensor(x, requires_grad=True),
    "construct-dtype": lambda t, x: Tensor(t, dtype=x),
    "zeros": lambda t, x: tl.zeros(x),
    "randn": lambda t, x: tl.randn(x, rng=0),
    "arange": lambda t, x: tl.arange(x),
    "full": lambda t, x: tl.full(x, 1.0),
    "zeros_like": lambda t, x: tl.zeros_like(t, dtype=x),
    "rand": lambda t, x: tl.rand(x, rng=0),
    "randint": lambda t, x: tl.randint(0, x, (2,), rng=0),
    "eye": lambda t, x: tl.eye(x),
    "numpy-function": lambda t, x: np.sum(t, axis=x),
}

arguments = st.one_of(
    anything,
    st.integers(-4, 4),
    st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
    st.sampled_from([slice(None), Ellipsis, (None, 0), (slice(1, None), -1), np.array([0, 0]), -1]),
)


@settings(max_examples=300)
@given(a=anything, b=anything, name=st.sampled_from(sorted(BINARY)))
def test_binary_ops_refuse_cleanly_or_match_numpy(a: Any, b: Any, name: str) -> None:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = attempt(lambda: Tensor(a))
        if a is None:
            return
    op, reference = BINARY[name]
    result = attempt(lambda: op(a, b))
    same_as_numpy(result, lambda: reference(data_of(a), data_of(b)))


@settings(max_examples=300)
@given(x=numeric_arrays(), name=st.sampled_from(sorted(UNARY)), requires_grad=st.booleans())
def test_unary_ops_refuse_cleanly(x: np.ndarray, name: str, requires_grad: bool) -> None:
    t = attempt(lambda: Tensor(x, requires_grad=requires_grad))
    if t is not None:
        attempt(lambda: UNARY[name](t))


def _is_huge(argument: Any) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.abs(np.asarray(argument, dtype=np.complex128))
    except (TypeError, ValueError):
        return False
    return bool(values.size and np.nan_to_num(values).max() > 1e4)


@settings(max_examples=400)
@given(x=numeric_arrays(), argument=arguments, name=st.sampled_from(sorted(WITH_ARGUMENT)))
def test_ops_with_arguments_refuse_cleanly(x: np.ndarray, argument: Any, name: str) -> None:
    if name in ("zeros", "randn", "arange", "full", "rand", "eye", "expand", "repeat") and _is_huge(argument):
        return  # a huge size is a request for memory, not bad input: NumPy would really allocate it
    t = attempt(lambda: Tensor(x, requires_grad=x.dtype.kind == "f"))
    if t is not None:
        attempt(lambda: WITH_ARGUMENT[name](t, argument))


@settings(max_examples=100)
@given(x=anything, h=st.one_of(st.floats(allow_nan=True), st.none(), st.text(max_size=2)))
def test_gradient_checking_refuses_cleanly(x: Any, h: Any) -> None:
    attempt(lambda: tl.numerical_gradient(lambda v: float(np.sum(v)), x, h=h))
    attempt(lambda: tl.rel_error(x, x))
    attempt(lambda: tl.gradcheck(lambda t: t * 2, [x]))


label_like = st.one_of(anything, hnp.arrays(np.int64, st.integers(0, 4), elements=st.integers(-2, 5)))


@settings(max_examples=300)
@given(
    scores=st.one_of(anything, hnp.arrays(np.float64, st.tuples(st.integers(0, 4), st.integers(0, 4)))),
    labels=label_like,
    reduction=st.sampled_from(["mean", "sum", "none", "avg", None, 3]),
    margin=st.one_of(st.floats(allow_nan=True), st.none(), st.text(max_size=1)),
)
def test_losses_refuse_cleanly(scores: Any, labels: Any, reduction: Any, margin: Any) -> None:
    attempt(lambda: F.cross_entropy(scores, labels, reduction=reduction))
    attempt(lambda: F.hinge_loss(scores, labels, margin=margin, reduction=reduction))
    attempt(lambda: F.hinge_loss(scores, labels, squared=True))
    attempt(lambda: F.mse_loss(scores, labels, reduction=reduction))
    attempt(lambda: F.l2_penalty(scores, margin))
    attempt(lambda: F.l1_penalty([scores, labels], 0.1))
    attempt(lambda: F.softmax(scores, axis=margin))
    attempt(lambda: F.logsumexp(scores))


@settings(max_examples=200)
@given(a=anything, b=anything, x=anything)
def test_models_and_optimizers_refuse_cleanly(a: Any, b: Any, x: Any) -> None:
    layer = attempt(lambda: nn.Linear(a, b))
    if layer is not None:
        attempt(lambda: layer(x))
        attempt(lambda: layer.load_state_dict({"weight": x, "bias": a}))
        attempt(lambda: layer.load_state_dict(x))
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
    out = attempt(lambda: model(x))
    if out is not None:
        attempt(lambda: F.cross_entropy(out, a).backward())
    for make in (optim.SGD, optim.RMSprop, optim.Adam):
        attempt(lambda make=make: make(x, lr=a))
        attempt(lambda make=make: make(model.parameters(), lr=a))
    attempt(lambda: tl.data.minibatches(x, a, b).__next__())
    attempt(lambda: tl.data.spiral(a, b))


@settings(max_examples=100)
@given(content=st.binary(max_size=300), value=anything)
def test_save_and_load_refuse_cleanly(content: bytes, value: Any, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    junk = folder / "junk.npz"
    junk.write_bytes(content)
    attempt(lambda: tl.load(junk))
    attempt(lambda: tl.save({"w": value}, folder / "value.npz"))
    attempt(lambda: tl.save(value, folder / "other.npz"))


@settings(max_examples=100)
@given(root=anything, option=anything)
def test_graph_drawing_refuses_cleanly(root: Any, option: Any) -> None:
    t = attempt(lambda: Tensor(root, requires_grad=True) * 2)
    attempt(lambda: tl.draw_graph(root))
    attempt(lambda: tl.explain(root, quiet=True))
    if t is not None:
        attempt(lambda: tl.draw_graph(t, max_nodes=option).source)
        attempt(lambda: tl.draw_graph(t, rankdir=option).source)
        attempt(lambda: tl.explain(t, quiet=True))


def test_name_scope_names_must_be_strings() -> None:
    for bad in (None, 3, b"x", ["a"]):
        assert attempt(lambda bad=bad: tl.name_scope(bad).__enter__()) is None


def test_the_fuzz_tried_many_cases() -> None:
    """Runs last in this file: the tests above really exercised the API (and says how much)."""
    print(f"fuzz: {CASES_TRIED[0]} calls tried")
    assert CASES_TRIED[0] >= 1000
