"""Section T: gradients that cannot be silently wrong.

Each tensor owns its ``.grad``; a backward of the wrong shape is refused; in-place updates
work under ``no_grad`` and are refused where they would break a gradient; a tensor changed
in place between forward and backward is caught; errors keep the user's traceback.
"""

from __future__ import annotations

import itertools
import traceback
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import Tensor

# ----- each tensor owns its gradient ---------------------------------------------------------


def _leaves(*shapes: tuple[int, ...]) -> list[Tensor]:
    rng = np.random.default_rng(0)
    return [tl.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


def _assert_no_shared_gradients(tensors: list[Tensor]) -> None:
    grads = [t.grad for t in tensors if t.grad is not None]
    for a, b in itertools.combinations(grads, 2):
        assert a is not b
        assert not np.shares_memory(a, b)


def test_inputs_of_an_add_get_their_own_gradients() -> None:
    p, q = _leaves((3,), (3,))
    h = p + q
    ((h) ** 2).sum().backward()
    assert p.grad is not q.grad and h.grad is not p.grad
    _assert_no_shared_gradients([p, q, h])
    expected = 2 * (p.data + q.data)
    q.grad *= 0  # clipping or rescaling one gradient in place ...
    np.testing.assert_allclose(p.grad, expected)  # ... leaves the others alone
    np.testing.assert_allclose(h.grad, expected)


def test_views_and_pass_through_ops_do_not_share_gradients() -> None:
    (x,) = _leaves((2, 3))
    r = x.reshape(3, 2)
    t = r.T
    s = t[0:2]
    total = s.sum() + (-x).sum() + x.astype(np.float64).sum()
    total.backward()
    _assert_no_shared_gradients([x, r, t, s, total])


def test_grad_never_aliases_the_gradient_argument() -> None:
    (x,) = _leaves((3,))
    y = x + 0
    seed = np.array([1.0, 2.0, 3.0])
    y.backward(seed)
    assert not np.shares_memory(y.grad, seed) and not np.shares_memory(x.grad, seed)
    seed[:] = 0
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0])


def test_grad_never_aliases_an_array_an_op_saved() -> None:
    class PassSaved(tl.Function):  # a user's op that returns an array it saved
        @staticmethod
        def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
            ctx.save_for_backward(np.ones_like(x))
            return x.copy()

        @staticmethod
        def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
            (ones,) = ctx.saved_tensors
            return ones  # the saved array itself

    (x,) = _leaves((3,))
    out = PassSaved.apply(x)
    out.backward(np.ones(3))
    saved = out._ctx.saved_tensors[0]  # type: ignore[union-attr]
    x.grad *= 5
    np.testing.assert_array_equal(saved, np.ones(3))  # the op's own array is untouched


@st.composite
def _random_graphs(draw: st.DrawFn) -> list[Tensor]:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    nodes = [tl.tensor(rng.standard_normal(3), requires_grad=True) for _ in range(draw(st.integers(1, 3)))]
    for _ in range(draw(st.integers(1, 8))):
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        op = draw(st.sampled_from(["add", "sub", "mul", "reshape", "neg", "getitem", "tanh"]))
        if op == "add":
            nodes.append(a + b)
        elif op == "sub":
            nodes.append(a - b)
        elif op == "mul":
            nodes.append(a * b)
        elif op == "reshape":
            nodes.append(a.reshape(1, 3).reshape(3))
        elif op == "neg":
            nodes.append(-a)
        elif op == "getitem":
            nodes.append(a[:])
        else:
            nodes.append(a.tanh())
    return nodes


@given(_random_graphs())
def test_no_two_tensors_of_any_graph_share_a_gradient(nodes: list[Tensor]) -> None:
    sum(n.sum() for n in nodes).backward()  # type: ignore[union-attr]
    _assert_no_shared_gradients(nodes)


# ----- strict gradient shapes ------------------------------------------------------------------


def _op_returning(make_gradient: Any) -> type[tl.Function]:
    class Custom(tl.Function):
        @staticmethod
        def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
            return 2 * x

        @staticmethod
        def backward(ctx: Any, grad: np.ndarray) -> Any:
            return make_gradient(grad)

    return Custom


@pytest.mark.parametrize(
    ("make_gradient", "shape_text"),
    [
        (lambda g: (2 * g).sum(), r"\(\)"),  # a scalar for a (3,) input: never broadcast up
        (lambda g: np.ones(2), r"\(2,\)"),
        (lambda g: np.ones((3, 1)), r"\(3, 1\)"),
    ],
)
def test_a_backward_of_the_wrong_shape_is_refused(make_gradient: Any, shape_text: str) -> None:
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(tl.GradientShapeError, match=rf"custom.backward returned a gradient of shape {shape_text}"):
        _op_returning(make_gradient).apply(x).sum().backward()
    assert x.grad is None


def test_the_error_names_the_input_and_its_shape() -> None:
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(tl.GradientShapeError, match=r"for input 0 of shape \(3,\)"):
        _op_returning(lambda g: g.sum()).apply(x).sum().backward()


def test_a_gradient_in_a_shape_the_input_broadcasts_to_is_summed_back() -> None:
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    _op_returning(lambda g: np.ones((4, 3))).apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0, 4.0])


def test_a_complex_gradient_for_a_real_input_is_refused() -> None:
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="complex gradient"):
        _op_returning(lambda g: g * 1j).apply(x).sum().backward()


def test_sum_to_shape_refuses_to_broadcast_up() -> None:
    from tinygrad_lite.shapes import sum_to_shape

    np.testing.assert_array_equal(sum_to_shape(np.ones((4, 3)), (1, 3)), [[4.0, 4.0, 4.0]])
    with pytest.raises(tl.GradientShapeError, match=r"shape \(3,\) cannot be summed back to the input shape \(2, 3\)"):
        sum_to_shape(np.ones(3), (2, 3))


# ----- in-place updates ----------------------------------------------------------------------

IN_PLACE = [
    ("-=", lambda t: t.__isub__(2.0), lambda a: a - 2.0),
    ("+=", lambda t: t.__iadd__(np.array([1.0, 2.0, 3.0])), lambda a: a + [1.0, 2.0, 3.0]),
    ("*=", lambda t: t.__imul__(tl.tensor(3.0)), lambda a: a * 3.0),
    ("/=", lambda t: t.__itruediv__(4.0), lambda a: a / 4.0),
    ("zero_", lambda t: t.zero_(), lambda a: np.zeros_like(a)),
    ("fill_", lambda t: t.fill_(7), lambda a: np.full_like(a, 7.0)),
    ("copy_", lambda t: t.copy_(np.array([9, 8, 7])), lambda a: np.array([9.0, 8.0, 7.0])),
    ("add_", lambda t: t.add_(np.ones(3), alpha=2), lambda a: a + 2.0),
    ("sub_", lambda t: t.sub_(1.0), lambda a: a - 1.0),
    ("mul_", lambda t: t.mul_(-1.0), lambda a: -a),
    ("div_", lambda t: t.div_(2.0), lambda a: a / 2.0),
    ("clip_", lambda t: t.clip_(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("setitem", lambda t: t.__setitem__(slice(0, 2), 5.0), lambda a: np.array([5.0, 5.0, a[2]])),
]


@pytest.mark.parametrize(("what", "change", "expected"), IN_PLACE, ids=[row[0] for row in IN_PLACE])
def test_in_place_under_no_grad_changes_the_same_leaf(what: str, change: Any, expected: Any) -> None:
    w = tl.tensor([0.25, -1.5, 2.0], requires_grad=True, name="w")
    before = w.data.copy()
    data = w.data
    with tl.no_grad():
        result = change(w)
    assert result is w or result is None  # __setitem__ returns None
    assert w.data is data  # the same array, changed in place
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.data, expected(before))
    assert w._version == 1


@pytest.mark.parametrize(("what", "change", "expected"), IN_PLACE, ids=[row[0] for row in IN_PLACE])
def test_in_place_on_a_leaf_that_requires_grad_is_refused_with_grad_mode_on(
    what: str, change: Any, expected: Any
) -> None:
    w = tl.tensor([0.25, -1.5, 2.0], requires_grad=True)
    before = w.data.copy()
    with pytest.raises(RuntimeError, match=r"tl\.no_grad\(\)"):
        change(w)
    np.testing.assert_array_equal(w.data, before)
    assert w._version == 0


@pytest.mark.parametrize(("what", "change", "expected"), IN_PLACE, ids=[row[0] for row in IN_PLACE])
def test_in_place_on_a_tensor_that_does_not_require_grad_works_with_grad_mode_on(
    what: str, change: Any, expected: Any
) -> None:
    t = tl.tensor([0.25, -1.5, 2.0])
    before = t.data.copy()
    change(t)
    np.testing.assert_allclose(t.data, expected(before))


def test_the_course_update_trains_with_in_place_subtraction() -> None:
    w = tl.tensor(0.0, requires_grad=True, name="w")
    for _ in range(1001):
        w.zero_grad()
        (w**2 - 10 * w + 25).backward()
        with tl.no_grad():
            w -= 0.01 * w.grad
    assert w.is_leaf and w.requires_grad
    assert w.item() == pytest.approx(5 * (1 - 0.98**1001), rel=1e-12)


def test_augmented_assignment_on_an_intermediate_is_recorded_out_of_place() -> None:
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    old = h
    h += 1
    h *= x
    assert h is not old and old.op == "mul" and h.op == "mul"
    np.testing.assert_array_equal(old.data, [3.0, 6.0])  # the old node is untouched
    h.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data + 1)  # d/dx (3x + 1) x


@pytest.mark.parametrize("method", ["mul_", "setitem", "zero_", "clip_"])
def test_in_place_methods_on_an_intermediate_are_refused(method: str) -> None:
    h = tl.tensor([1.0, 2.0], requires_grad=True) * 2
    calls = {
        "mul_": lambda: h.mul_(2),
        "setitem": lambda: h.__setitem__(0, 1.0),
        "zero_": lambda: h.zero_(),
        "clip_": lambda: h.clip_(0, 1),
    }
    with pytest.raises(RuntimeError, match="out of place"):
        calls[method]()
    np.testing.assert_array_equal(h.data, [2.0, 4.0])


def test_adding_a_tensor_that_requires_grad_keeps_its_gradient() -> None:
    total = tl.zeros(2)
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    total += w * w  # recorded out of place: the gradient to w is not lost
    total.sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])
    with pytest.raises(RuntimeError, match="requires grad"):
        tl.zeros(2).copy_(w)


def test_copy_and_fill_broadcast_and_cast_but_never_complex_into_real() -> None:
    t = tl.zeros(2, 3, dtype=np.float32)
    t.copy_(np.array([1, 2, 3], dtype=np.int64))
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, [[1, 2, 3], [1, 2, 3]])
    t.fill_(2.5)
    np.testing.assert_array_equal(t.data, np.full((2, 3), 2.5, dtype=np.float32))
    with pytest.raises(TypeError, match="complex"):
        t.copy_(np.array([1j, 2, 3]))
    with pytest.raises(TypeError, match="complex"):
        t.fill_(1j)
    with pytest.raises(ValueError, match=r"shape \(2,\) does not broadcast to the tensor's shape \(2, 3\)"):
        t.copy_(np.ones(2))
    with pytest.raises(ValueError, match="one number"):
        t.fill_(np.ones(3))
    np.testing.assert_array_equal(t.data, np.full((2, 3), 2.5, dtype=np.float32))


def test_in_place_refuses_a_value_that_does_not_fit() -> None:
    t = tl.zeros(3)
    with pytest.raises(ValueError, match=r"\(4,\) does not broadcast"):
        t += np.ones(4)
    with pytest.raises(TypeError, match="complex"):
        t -= 1j
    with pytest.raises(TypeError, match="dtype int64"):
        tl.tensor(np.array([1, 2])).div_(2)  # a true division result does not fit an int tensor
    with pytest.raises(TypeError, match="real number"):
        t.clip_(1j, 2)
    with pytest.raises(tl.IndexingError, match=r"shape \(3,\)"):
        t[5] = 1.0


# ----- the version check -----------------------------------------------------------------------


def test_a_saved_input_changed_before_backward_is_caught_with_the_users_line() -> None:
    w = tl.tensor([1.0, 2.0], requires_grad=True, name="w")
    x = tl.tensor([3.0, 4.0])
    loss = (w * x).sum()  # the op under test: this line is named in the message
    with tl.no_grad():
        w -= 0.1
    pattern = r"tensor w \(its input 0\) of the op 'mul' created at .*test_trust\.py:\d+"
    with pytest.raises(RuntimeError, match=pattern) as info:
        loss.backward()
    line_number = int(str(info.value).split("test_trust.py:")[1].split(" ")[0])
    with open(__file__) as source:
        source_line = source.read().splitlines()[line_number - 1]
    assert "loss = (w * x).sum()" in source_line
    assert w.grad is None  # nothing was accumulated


def test_changes_through_detach_and_views_are_caught() -> None:
    for make_alias in (lambda t: t.detach(), lambda t: t.reshape(2, 1), lambda t: t.T, lambda t: t[0:1]):
        w = tl.tensor([1.0, 2.0], requires_grad=True)
        loss = (w * w).sum()
        with tl.no_grad():
            alias = make_alias(w)
            alias += 1
        with pytest.raises(RuntimeError, match="changed in place"):
            loss.backward()


def test_a_copy_made_by_advanced_indexing_does_not_share_the_counter() -> None:
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with tl.no_grad():
        copy = w[[0, 1]]
        copy += 1
    loss.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_a_changed_output_that_an_op_saved_is_caught() -> None:
    x = tl.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # exp's backward reads its output
    with tl.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match=r"\(its output\) of the op 'exp'"):
        y.sum().backward()


def test_ops_whose_backward_reads_nothing_ignore_changes() -> None:
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    loss = (w + 1).sum()
    with tl.no_grad():
        w -= 1  # add's gradient does not depend on w
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_writing_into_data_is_the_untracked_escape_hatch() -> None:
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data[0] = 10.0  # not counted, as in PyTorch
    assert w._version == 0
    loss.backward()
    np.testing.assert_array_equal(w.grad, [20.0, 4.0])


def test_a_change_after_an_earlier_change_is_still_caught() -> None:
    # backward skips the check when nothing changed since the op was recorded; a change made
    # before the forward pass must not hide one made after it
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    with tl.no_grad():
        w -= 1  # before the forward pass: fine
    loss = (w * w).sum()
    loss.backward()
    np.testing.assert_array_equal(w.grad, [0.0, 2.0])
    loss = (w * w).sum()
    with tl.no_grad():
        w -= 1  # after it: caught
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_backward_order_does_not_trust_numbers_that_break_the_making_order() -> None:
    # backward visits tensors in reverse order of making (Tensor._seq); tensors numbered
    # elsewhere (a copy from another process) fall back to a depth-first search
    w = tl.tensor(3.0, requires_grad=True)
    y = w * w
    y._seq, w._seq = 10**15, 10**15 - 1  # made "later" than z below
    z = y * 2 + w
    z.backward()
    assert w.grad == 4 * 3.0 + 1
    assert y.grad == 2.0


def test_numbers_shared_between_ops_keep_their_sign_and_cannot_be_changed() -> None:
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    a, b = w * 0.0, w * -0.0  # equal keys, different numbers: never shared
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(np.signbit((1 / b).data), [True, True])
        np.testing.assert_array_equal(np.signbit((1 / a).data), [False, False])
    (w * 2.5).sum().backward()
    constant = (w * 2.5).parents[1]
    assert constant.data.dtype == np.float64 and constant.item() == 2.5
    with pytest.raises(ValueError, match="read-only"):
        constant.data[...] = 1.0
    for change in (lambda: constant.add_(1), lambda: constant.__isub__(1), lambda: constant.fill_(0)):
        with pytest.raises(ValueError, match=r"this tensor's data is read-only .* e\.g\. `t = t\.clone\(\)`"):
            change()
    assert constant.item() == 2.5 and constant._version == 0
    w32 = tl.tensor([1.0], dtype=np.float32, requires_grad=True)
    assert (w32 * 2.5).parents[1].data.dtype == np.float32  # the dtype is part of the key
    nan = (w * float("nan")).data
    assert np.isnan(nan).all()


# ----- errors keep the user's traceback -------------------------------------------------------


def test_an_error_in_a_users_forward_keeps_the_users_frame() -> None:
    class Broken(tl.Function):
        @staticmethod
        def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
            raise ValueError("users_own_failure")

        @staticmethod
        def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
            return grad

    with pytest.raises(ValueError, match="broken on shapes") as info:
        Broken.apply(tl.tensor([1.0]))
    assert isinstance(info.value.__cause__, ValueError)
    text = "".join(traceback.format_exception(info.value))
    assert "users_own_failure" in text and "in forward" in text


# ----- grad mode ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [tl.no_grad, tl.enable_grad])
def test_grad_mode_comes_back_when_the_block_raises(mode: Any) -> None:
    with tl.no_grad():
        before = tl.is_grad_enabled()
        with pytest.raises(ZeroDivisionError), mode():
            raise ZeroDivisionError("inside the block")
        assert tl.is_grad_enabled() is before
    with pytest.raises(ZeroDivisionError), tl.no_grad():
        raise ZeroDivisionError("inside the block")
    assert tl.is_grad_enabled()


def test_set_grad_enabled_as_a_call_and_as_a_block() -> None:
    x = tl.tensor(1.0, requires_grad=True)
    try:
        tl.set_grad_enabled(False)
        assert not (x * 2).requires_grad
    finally:
        tl.set_grad_enabled(True)
    with tl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with pytest.raises(TypeError, match="True or False"):
        tl.set_grad_enabled("no")  # type: ignore[arg-type]


# ----- hooks, retain_graph, requires_grad_ ---------------------------------------------------


def test_a_hook_sees_the_gradient_and_may_replace_it() -> None:
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    seen: list[np.ndarray] = []
    h.register_hook(lambda g: seen.append(g.copy()))
    remove = h.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    np.testing.assert_array_equal(seen[0], 2 * h.data)
    np.testing.assert_array_equal(h.grad, 20 * h.data)  # the hook ran before accumulation
    np.testing.assert_array_equal(x.grad, 3 * 20 * h.data)  # and before the gradient flowed on
    remove()
    x.zero_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(x.grad, 3 * 2 * h.data)


def test_a_hook_on_a_leaf_and_a_wrong_shaped_replacement() -> None:
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: np.zeros(2))
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    y = tl.tensor([1.0, 2.0], requires_grad=True)
    y.register_hook(lambda g: np.zeros(3))
    with pytest.raises(tl.GradientShapeError, match=r"\(3,\)"):
        (y * y).sum().backward()


def test_retain_graph_is_accepted_and_a_second_backward_accumulates() -> None:
    w = tl.tensor(2.0, requires_grad=True)
    loss = w * w
    loss.backward(retain_graph=True)
    loss.backward()
    assert w.grad == pytest.approx(8.0)


def test_requires_grad_flag_only_changes_on_leaves() -> None:
    w = tl.zeros(2).requires_grad_()
    assert w.requires_grad
    h = w * 2
    with pytest.raises(RuntimeError, match="only leaves"):
        h.requires_grad_(False)
    assert h.requires_grad_(True) is h
    with pytest.raises(TypeError, match="float"):
        tl.tensor(np.array([1, 2])).requires_grad_()
    with pytest.raises(TypeError, match="True or False"):
        w.requires_grad_("yes")  # type: ignore[arg-type]


# ----- edge cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_max_and_min_of_an_empty_tensor_along_a_non_empty_axis_follow_numpy(reduce: str) -> None:
    data = np.zeros((0, 3, 1))
    x = tl.tensor(data, requires_grad=True)
    out = getattr(x, reduce)(axis=1)
    assert out.shape == getattr(np, reduce)(data, axis=1).shape == (0, 1)
    out.sum().backward()
    assert x.grad.shape == (0, 3, 1)
    with pytest.raises(ValueError, match="zero elements"):
        getattr(x, reduce)(axis=0)
    with pytest.raises(ValueError, match="zero elements"):
        getattr(x, reduce)()


@pytest.mark.parametrize("bounds", [(1j, 1j), (0.0, 2j), ("a", None), (None, [1j])])
def test_clip_refuses_complex_or_non_numeric_bounds(bounds: tuple[Any, Any]) -> None:
    with pytest.raises(TypeError, match="real number"):
        tl.tensor([1.0, 2.0], requires_grad=True).clip(*bounds)


def test_a_float32_root_gets_a_float32_gradient() -> None:
    x = tl.tensor(np.float32([1.0, 2.0]), requires_grad=True)
    y = (x * 2.5).sum()
    y.backward()
    assert y.grad is not None and y.grad.dtype == np.float32
    assert x.grad is not None and x.grad.dtype == np.float32
    z = (x * 2).sum()
    z.backward(np.float64(1.0))
    assert z.grad is not None and z.grad.dtype == np.float32


def test_gradcheck_defaults_catch_a_half_wrong_small_gradient() -> None:
    class HalfWrong(tl.Function):
        @staticmethod
        def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
            return 1e-4 * x

        @staticmethod
        def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
            return 1.5e-4 * grad  # 50% too large

    x = tl.tensor([0.3, -0.7], requires_grad=True)
    assert tl.gradcheck(HalfWrong.apply, [x], raise_exception=False) is False
    with pytest.raises(tl.GradcheckError):
        tl.gradcheck(HalfWrong.apply, [x])
