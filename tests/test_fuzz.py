"""Throw anything at the public API: every call gives the right result or raises a clear error.

"Clear" means one of ValueError, TypeError, RuntimeError, FloatingPointError with a message;
never another exception type (no bare IndexError, AttributeError or ZeroDivisionError from
deep inside), never a hang. "Right" means: every call that succeeds is compared with a
reference — NumPy on the same data, a closed form, or finite differences — and NaN or inf
inputs give NumPy's NaN and inf, never new ones. No result is thrown away.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl
from tinygrad_lite import Tensor, nn, optim
from tinygrad_lite import functional as F

from .reference import log_softmax as ref_log_softmax
from .reference import logsumexp as ref_logsumexp
from .reference import softmax as ref_softmax
from .test_ops import OPS

ALLOWED = (ValueError, TypeError, RuntimeError, FloatingPointError)
REFUSED = object()  # what `attempt` returns for a clean refusal

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


def quietly(call: Callable[[], Any]) -> Any:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call()


def attempt(call: Callable[[], Any]) -> Any:
    """Run ``call``: its result, or `REFUSED` after an allowed error with a message."""
    try:
        return quietly(call)
    except ALLOWED as error:
        assert str(error), f"{type(error).__name__} without a message"
        return REFUSED


def numpy_or_none(reference: Callable[[], Any]) -> Any:
    """NumPy's answer on the same data, or None when NumPy itself refuses the input."""
    try:
        return np.asarray(quietly(reference))
    except Exception:
        return None


def assert_same(result: Any, expected: Any, exact: bool = True) -> None:
    """``result`` (a Tensor, an array or a number) equals ``expected``, NaN where it has NaN."""
    actual = np.asarray(result.data if isinstance(result, Tensor) else result)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    if exact or actual.dtype.kind not in "fc":
        np.testing.assert_array_equal(actual, expected)
    else:
        rtol = 3e-3 if actual.dtype == np.float16 else 1e-5  # float16 keeps about 3 digits
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol / 10, equal_nan=True)
        assert np.array_equal(np.isnan(actual), np.isnan(expected)), "NaN in other places than the reference"


def check(result: Any, reference: Callable[[], Any], exact: bool = True) -> None:
    """A refusal passes; a result must equal the reference (and NumPy must be able to compute one)."""
    if result is REFUSED:
        return
    expected = numpy_or_none(reference)
    assert expected is not None, f"returned {result!r:.80} where NumPy refuses the input"
    assert_same(result, expected, exact)


def data_of(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a**b, np.power),
    "matmul": (lambda a, b: a @ b, np.matmul),
    "maximum": (lambda a, b: tl.maximum(a, b), np.maximum),
    "minimum": (lambda a, b: tl.minimum(a, b), np.minimum),
    "lt": (lambda a, b: a < b, np.less),
    "eq": (lambda a, b: a == b, np.equal),
}


@settings(max_examples=300)
@given(a=anything, b=anything, name=st.sampled_from(sorted(BINARY)))
def test_binary_ops_refuse_cleanly_or_match_numpy(a: Any, b: Any, name: str) -> None:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = attempt(lambda: Tensor(a))
        if a is REFUSED:
            return
    op, reference = BINARY[name]
    result = attempt(lambda: op(a, b))
    if result is REFUSED:
        return
    a_data, b_data = data_of(a), data_of(b)
    # Python numbers take the float tensor's dtype (float32 * 2.5 stays float32), as in PyTorch
    for side, other in ((a, "b"), (b, "a")):
        if isinstance(side, Tensor) and side.dtype.kind == "f":
            if other == "b" and isinstance(b, (int, float)) and not isinstance(b, bool):
                b_data = quietly(lambda side=side: np.asarray(b, dtype=side.dtype))
            if other == "a" and isinstance(a, (int, float)) and not isinstance(a, bool):
                a_data = quietly(lambda side=side: np.asarray(a, dtype=side.dtype))
    check(result, lambda: reference(a_data, b_data))


def _grad_of_sum(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


UNARY: dict[str, tuple[Callable[[Tensor], Any], Callable[[np.ndarray], Any]]] = {
    "exp": (lambda t: t.exp(), np.exp),
    "log": (lambda t: t.log(), np.log),
    "sqrt": (lambda t: t.sqrt(), np.sqrt),
    "tanh": (lambda t: t.tanh(), np.tanh),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    "relu": (lambda t: t.relu(), lambda x: np.maximum(x, 0)),
    "abs": (lambda t: t.abs(), np.abs),
    "neg": (lambda t: -t, np.negative),
    "sum": (lambda t: t.sum(), np.sum),
    "mean": (lambda t: t.mean(), np.mean),
    "max": (lambda t: t.max(), np.max),
    "min": (lambda t: t.min(), np.min),
    "softmax": (lambda t: t.softmax(), lambda x: ref_softmax(x, -1)),
    "log_softmax": (lambda t: t.log_softmax(), lambda x: ref_log_softmax(x, -1)),
    "logsumexp": (lambda t: t.logsumexp(), lambda x: ref_logsumexp(x, None)),
    "T": (lambda t: t.T, np.transpose),
    "argmax": (lambda t: t.argmax(), np.argmax),
    "item": (lambda t: t.item(), lambda x: x.item()),
    "len": (lambda t: len(t), len),
    "backward-grad": (lambda t: (t.backward(), t.grad)[1], np.ones_like),
}
APPROXIMATE = {"exp", "log", "sqrt", "tanh", "sigmoid", "sum", "mean", "softmax", "log_softmax", "logsumexp"}


@settings(max_examples=300)
@given(x=numeric_arrays(), name=st.sampled_from(sorted(UNARY)), requires_grad=st.booleans())
def test_unary_ops_refuse_cleanly_or_match_numpy(x: np.ndarray, name: str, requires_grad: bool) -> None:
    t = attempt(lambda: Tensor(x, requires_grad=requires_grad))
    if t is REFUSED:
        assert requires_grad and x.dtype.kind != "f"  # only non-float data cannot require grad
        return
    op, reference = UNARY[name]
    result = attempt(lambda: op(t))
    if name == "sigmoid" and x.dtype.kind == "f" and result is not REFUSED:
        x = x.astype(np.float64)  # the reference's exp(-x) overflows where the op's stable form does not
    check(result, lambda: reference(x), exact=name not in APPROXIMATE)


WITH_ARGUMENT: dict[str, tuple[Callable[[Tensor, Any], Any], Callable[[np.ndarray, Any], Any]]] = {
    "getitem": (lambda t, i: t[i], lambda x, i: x[i]),
    "reshape": (lambda t, s: t.reshape(s), np.reshape),
    "transpose": (lambda t, s: t.transpose(s), lambda x, s: np.transpose(x, s) if np.ndim(s) else x.swapaxes(0, s)),
    "sum-axis": (lambda t, a: t.sum(axis=a), lambda x, a: np.sum(x, axis=tuple(a) if isinstance(a, list) else a)),
    "max-axis": (lambda t, a: t.max(axis=a), lambda x, a: np.max(x, axis=a)),
    "softmax-axis": (lambda t, a: t.softmax(axis=a), lambda x, a: ref_softmax(x, a)),
    "clip": (lambda t, lo: t.clip(lo, None), lambda x, lo: np.clip(x, data_of(lo), None)),
    "where": (lambda t, v: tl.where(t > 0, t, v), lambda x, v: np.where(x > 0, x, data_of(v))),
    "concatenate": (lambda t, v: tl.concatenate([t, v]), lambda x, v: np.concatenate([x, data_of(v)])),
    "stack": (lambda t, v: tl.stack([t, v]), lambda x, v: np.stack([x, data_of(v)])),
    "backward-gradient": (
        lambda t, g: ((t * 1.0).backward(g), t.grad)[1],
        lambda x, g: np.ones_like(x) if g is None else np.broadcast_to(np.asarray(data_of(g), dtype=x.dtype), x.shape),
    ),
    "construct-with-grad": (lambda t, v: Tensor(v, requires_grad=True), lambda x, v: np.array(data_of(v))),
    "construct-dtype": (lambda t, d: Tensor(t, dtype=d), lambda x, d: x.astype(d)),
    "zeros": (lambda t, n: tl.zeros(n), lambda x, n: np.zeros(n)),
    "randn-shape": (lambda t, n: tl.randn(n, rng=0).shape, lambda x, n: np.empty(n).shape),
    "arange": (lambda t, n: tl.arange(n), lambda x, n: np.arange(n, dtype=np.float64)),
    "full": (lambda t, n: tl.full(n, 1.0), lambda x, n: np.full(n, 1.0)),
    "zeros_like": (lambda t, d: tl.zeros_like(t, dtype=d), lambda x, d: np.zeros_like(x, dtype=d)),
    "eye": (lambda t, n: tl.eye(n), lambda x, n: np.eye(n)),
    "sum-dim": (lambda t, a: t.sum(dim=a, keepdim=True), lambda x, a: np.sum(x, axis=a, keepdims=True)),
    "numpy-sum": (lambda t, a: np.sum(t, axis=a), lambda x, a: np.sum(x, axis=a)),
}
APPROXIMATE_WITH_ARGUMENT = {"sum-axis", "softmax-axis", "sum-dim", "numpy-sum"}

arguments = st.one_of(
    anything,
    st.integers(-4, 4),
    st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
    st.sampled_from([slice(None), Ellipsis, (None, 0), (slice(1, None), -1), np.array([0, 0]), -1]),
)


def _is_huge(argument: Any) -> bool:
    try:
        values = quietly(lambda: np.abs(np.asarray(argument, dtype=np.complex128)))
    except (TypeError, ValueError):
        return False
    return bool(values.size and np.nan_to_num(values).max() > 1e4)


@pytest.mark.slow
@settings(max_examples=400)
@given(x=numeric_arrays(), argument=arguments, name=st.sampled_from(sorted(WITH_ARGUMENT)))
def test_ops_with_arguments_refuse_cleanly_or_match_numpy(x: np.ndarray, argument: Any, name: str) -> None:
    if name in ("zeros", "randn-shape", "arange", "full", "eye") and _is_huge(argument):
        return  # a huge size is a request for memory, not bad input: NumPy would really allocate it
    t = attempt(lambda: Tensor(x, requires_grad=x.dtype.kind == "f"))
    if t is REFUSED:
        return
    op, reference = WITH_ARGUMENT[name]
    result = attempt(lambda: op(t, argument))
    if result is REFUSED:
        return
    if name == "where" and isinstance(result, Tensor) and isinstance(argument, (int, float)):
        argument = np.asarray(argument, dtype=result.dtype)  # a number takes the tensor's dtype
    if name == "backward-gradient" and x.dtype.kind == "f":
        given = np.asarray(data_of(argument))
        assert given.shape in (x.shape, ()), "backward accepted a gradient of another shape"
    if name == "construct-dtype":
        assert np.dtype(argument).kind in "biufc"
    expected = numpy_or_none(lambda: reference(x, argument))
    assert expected is not None, f"{name} returned {result!r:.80} where NumPy refuses"
    if name == "randn-shape":
        assert list(result) == expected.tolist()
        return
    assert_same(result, expected, exact=name not in APPROXIMATE_WITH_ARGUMENT)


@pytest.mark.slow
@settings(max_examples=100)
@given(x=anything, h=st.one_of(st.floats(allow_nan=True), st.none(), st.text(max_size=2)))
def test_gradient_checking_refuses_cleanly_or_is_right(x: Any, h: Any) -> None:
    numeric = attempt(lambda: tl.numerical_gradient(lambda v: float(np.sum(v)), x, h=h))
    if numeric is not REFUSED:
        expected = np.ones(np.shape(data_of(x)))
        values = np.abs(np.asarray(data_of(x), dtype=np.float64))
        if np.isfinite(values).all() and (values.size == 0 or values.max() < 1e3) and 1e-6 < h < 1:
            np.testing.assert_allclose(numeric, expected, rtol=1e-3)  # where rounding leaves x + h != x
        assert numeric.shape == expected.shape
    error = attempt(lambda: tl.rel_error(x, x))
    if error is not REFUSED:
        finite = np.isfinite(np.asarray(data_of(x), dtype=np.float64))
        assert error == 0.0 or not finite.all()
    verdict = attempt(lambda: tl.gradcheck(lambda t: t * 2, [x]))
    assert verdict is REFUSED or verdict is True


def _cross_entropy(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return -ref_log_softmax(scores, 1)[np.arange(len(labels)), labels]


def _hinge(scores: np.ndarray, labels: np.ndarray, margin: float, squared: bool) -> np.ndarray:
    rows = np.arange(len(labels))
    margins = np.maximum(0, scores - scores[rows, labels][:, None] + margin)
    margins[rows, labels] = 0
    return (margins**2 if squared else margins).sum(axis=1)


def _l2(params: Any, lam: Any) -> np.ndarray:
    """``lam * sum(w**2)`` over one array or a list of them, each in its own float dtype (lam is
    cast to it, as PyTorch casts a Python number to a tensor's dtype)."""
    items = [params] if isinstance(params, (Tensor, np.ndarray)) else list(params)
    total = np.float64(0)
    for item in items:
        w = np.asarray(data_of(item))
        w = w if w.dtype.kind == "f" else w.astype(np.float64)
        total = total + np.asarray(lam, dtype=w.dtype) * np.vdot(w, w)
    return np.asarray(total)


def _reduce(per_sample: np.ndarray, reduction: Any) -> np.ndarray:
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](per_sample)


label_like = st.one_of(anything, hnp.arrays(np.int64, st.integers(0, 4), elements=st.integers(-2, 5)))


@pytest.mark.slow
@settings(max_examples=300)
@given(
    scores=st.one_of(anything, hnp.arrays(np.float64, st.tuples(st.integers(0, 4), st.integers(0, 4)))),
    labels=label_like,
    reduction=st.sampled_from(["mean", "sum", "none", "avg", None, 3]),
    margin=st.one_of(st.floats(allow_nan=True), st.none(), st.text(max_size=1)),
)
def test_losses_refuse_cleanly_or_match_numpy(scores: Any, labels: Any, reduction: Any, margin: Any) -> None:
    s = numpy_or_none(lambda: np.asarray(data_of(scores), dtype=np.float64))
    y = data_of(labels)
    result = attempt(lambda: F.cross_entropy(scores, labels, reduction=reduction))
    if result is not REFUSED and np.asarray(y).dtype.kind in "iu":
        check(result, lambda: _reduce(_cross_entropy(s, np.asarray(y)), reduction), exact=False)
    result = attempt(lambda: F.hinge_loss(scores, labels, margin=margin, reduction=reduction))
    if result is not REFUSED:
        check(result, lambda: _reduce(_hinge(s, np.asarray(y), margin, False), reduction), exact=False)
    result = attempt(lambda: F.hinge_loss(scores, labels, squared=True))
    if result is not REFUSED:
        check(result, lambda: _hinge(s, np.asarray(y), 1.0, True).mean(), exact=False)
    result = attempt(lambda: F.mse_loss(scores, labels, reduction=reduction))
    if result is not REFUSED:
        check(result, lambda: _reduce((s - np.asarray(data_of(labels), dtype=np.float64)) ** 2, reduction), False)
    result = attempt(lambda: F.l2_penalty(scores, margin))
    if result is not REFUSED:
        check(result, lambda: _l2(scores, margin), exact=False)
    result = attempt(lambda: F.l1_penalty([scores, labels], 0.1))
    if result is not REFUSED:
        check(result, lambda: 0.1 * (np.abs(s).sum() + np.abs(np.asarray(data_of(labels))).sum()), exact=False)
    result = attempt(lambda: F.softmax(scores, axis=margin))
    if result is not REFUSED:
        check(result, lambda: ref_softmax(s, margin), exact=False)
    result = attempt(lambda: F.logsumexp(scores))
    if result is not REFUSED:
        check(result, lambda: ref_logsumexp(s, -1), exact=False)


@pytest.mark.slow
@settings(max_examples=200)
@given(a=anything, b=anything, x=anything)
def test_models_and_optimizers_refuse_cleanly_or_are_right(a: Any, b: Any, x: Any) -> None:
    layer = attempt(lambda: nn.Linear(a, b))
    if layer is not REFUSED:
        assert layer.weight.shape == (a, b) and layer.bias.shape == (b,)
        out = attempt(lambda: layer(x))
        if out is not REFUSED:
            check(out, lambda: np.asarray(data_of(x), dtype=np.float64) @ layer.weight.data + layer.bias.data, False)
        before = layer.weight.data.copy()
        if attempt(lambda: layer.load_state_dict({"weight": x, "bias": a})) is REFUSED:
            np.testing.assert_array_equal(layer.weight.data, before)  # all or nothing
        else:
            np.testing.assert_array_equal(layer.weight.data, np.asarray(data_of(x)))
        attempt(lambda: layer.load_state_dict(x))
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
    out = attempt(lambda: model(x))
    if out is not REFUSED:
        w1, b1, w2, b2 = (p.data for p in model.parameters())
        check(out, lambda: np.maximum(np.asarray(data_of(x), dtype=np.float64) @ w1 + b1, 0) @ w2 + b2, False)
        loss = attempt(lambda: F.cross_entropy(out, a))
        if loss is not REFUSED:
            loss.backward()
            assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    for make in (optim.SGD, optim.RMSprop, optim.Adam):
        opt = attempt(lambda make=make: make(x, lr=a))
        assert opt is REFUSED or opt.lr == a
        opt = attempt(lambda make=make: make(model.parameters(), lr=a))
        assert opt is REFUSED or opt.lr == a
    batch = attempt(lambda: tl.data.minibatches(x, a, b).__next__())
    if batch is not REFUSED:
        xb, yb = batch
        assert len(xb) == len(yb) <= b
    data = attempt(lambda: tl.data.spiral(a, b))
    if data is not REFUSED:
        X, y = data
        assert X.shape == (a * b, 2) and sorted(set(y.tolist())) == list(range(b))


@settings(max_examples=100)
@given(content=st.binary(max_size=300), value=anything)
def test_save_and_load_refuse_cleanly_or_round_trip(content: bytes, value: Any, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    junk = folder / "junk.npz"
    junk.write_bytes(content)
    loaded = attempt(lambda: tl.load(junk))
    assert loaded is REFUSED or isinstance(loaded, dict)
    if attempt(lambda: tl.save({"w": value}, folder / "value.npz")) is not REFUSED:
        back = tl.load(folder / "value.npz")["w"]
        assert_same(back, np.asarray(data_of(value)))
    attempt(lambda: tl.save(value, folder / "other.npz"))


@settings(max_examples=100)
@given(root=anything, option=anything)
def test_graph_drawing_refuses_cleanly_or_draws(root: Any, option: Any) -> None:
    t = attempt(lambda: Tensor(root, requires_grad=True) * 2)
    attempt(lambda: tl.draw_graph(root))
    attempt(lambda: tl.explain(root, quiet=True))
    if t is not REFUSED:
        for source in (
            attempt(lambda: tl.draw_graph(t, max_nodes=option).source),
            attempt(lambda: tl.draw_graph(t, rankdir=option).source),
        ):
            assert source is REFUSED or ("digraph" in source and "mul" in source)
        table = attempt(lambda: tl.explain(t, quiet=True))
        assert table is REFUSED or isinstance(table, str)


def test_name_scope_names_must_be_strings() -> None:
    for bad in (None, 3, b"x", ["a"]):
        assert attempt(lambda bad=bad: tl.name_scope(bad).__enter__()) is REFUSED


FUZZ = {op.name: op.fuzz for op in OPS if op.fuzz is not None}  # each called as fuzz(tensor, argument)


@settings(max_examples=400)
@given(
    x=hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), elements=st.floats(-3, 3)
    ),
    argument=arguments,
    name=st.sampled_from(sorted(FUZZ)),
)
@example(x=np.array(0.0), argument=0, name="std")  # once NaN: sqrt's inf slope times zero deviations
def test_every_op_of_the_table_refuses_cleanly_or_gives_a_gradient_of_its_inputs_shape(
    x: np.ndarray, argument: Any, name: str
) -> None:
    """Any argument: a clear refusal, or a result that does not depend on grad mode and whose
    backward gives the input a gradient of its own shape and dtype, with no NaN (the values themselves are
    compared with NumPy, for valid arguments, by the op table's own tests)."""
    if _is_huge(argument):
        return
    t = Tensor(x, requires_grad=True)
    result = attempt(lambda: FUZZ[name](t, argument))
    if result is REFUSED or not isinstance(result, Tensor):
        return
    with tl.no_grad():
        again = quietly(lambda: FUZZ[name](Tensor(x), argument))
    assert_same(again, result.data)
    if result.requires_grad and result.dtype.kind == "f" and np.isfinite(result.data).all():
        quietly(lambda: result.sum().backward())
        assert t.grad is not None and t.grad.shape == x.shape and t.grad.dtype == x.dtype
        assert not np.isnan(t.grad).any()  # inf is a true slope (sqrt at 0); NaN would be a new one
