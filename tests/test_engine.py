"""The Tensor and the backward pass: what finite differences cannot see."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import Tensor, testing

# ----- construction and dtypes -----------------------------------------------------------


def test_python_numbers_and_lists_become_float64() -> None:
    assert Tensor(3).dtype == np.float64
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor([[True, False]]).dtype == np.float64
    assert Tensor([1, 2], dtype=np.int32).dtype == np.int32


def test_numpy_arrays_keep_their_dtype_and_are_copied() -> None:
    array = np.arange(3, dtype=np.float32)
    t = Tensor(array)
    assert t.dtype == np.float32
    array[0] = 99
    assert t.data[0] == 0  # a copy: changing the array later does not change the tensor
    assert Tensor(np.arange(3)).dtype == np.arange(3).dtype


def test_tensor_from_tensor_shares_data() -> None:
    a = Tensor([1.0, 2.0])
    assert Tensor(a).data is a.data


def test_requires_grad_on_integers_says_why() -> None:
    with pytest.raises(TypeError, match="floating-point.*int64"):
        Tensor(np.array([1, 2]), requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        Tensor([1, 0], dtype=bool, requires_grad=True)


def test_non_numeric_data_is_refused() -> None:
    with pytest.raises(TypeError, match="str"):
        Tensor("abc")
    with pytest.raises(TypeError):
        Tensor([[1, 2], [3]])


def test_attributes() -> None:
    t = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    assert (t.shape, t.ndim, t.size, t.dtype, t.name) == ((2, 3), 2, 6, np.float64, "x")
    assert t.grad is None and t.op is None and t.parents == () and t.is_leaf
    assert t.T.shape == (3, 2)
    assert len(t) == 2
    assert np.asarray(t) is t.data and t.numpy() is t.data
    assert Tensor(2.5).item() == 2.5
    assert "requires_grad=True" in repr(t) and "name='x'" in repr(t)


def test_op_and_parents_record_the_graph() -> None:
    a = Tensor(2.0, requires_grad=True)
    b = a * 3
    assert b.op == "mul"
    assert b.parents[0] is a and b.parents[1].data == 3 and b.parents[1].is_leaf
    assert (a + 1).op == "add" and a.T.op == "transpose" and (a + 1).parents[0] is a


def test_len_of_0d_tensor_is_an_error() -> None:
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


# ----- operators with NumPy arrays and scalars on either side -------------------------------


def test_ndarray_and_scalar_on_the_left_give_tensors() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    array = np.array([3.0, 4.0])
    results = [array + t, array - t, array * t, array / t, array**t, 2.5**t, 1 - t, 2 / t, array @ t]
    for result in results:
        assert isinstance(result, Tensor)
    np.testing.assert_allclose((array - t).data, [2.0, 2.0])
    (2.5**t).sum().backward()
    np.testing.assert_allclose(t.grad, 2.5 ** np.array([1.0, 2.0]) * np.log(2.5))


def test_comparisons_are_boolean_constants() -> None:
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (t < 2, t <= 2, t > 2, t >= 2, t == 2, t != 2, np.array([2.0, 2.0, 2.0]) < t):
        assert isinstance(result, Tensor) and result.dtype == bool and not result.requires_grad
    np.testing.assert_array_equal((t > 1.5).data, [False, True, True])


def test_argmax_returns_numpy() -> None:
    t = Tensor([[1.0, 5.0], [7.0, 2.0]])
    assert isinstance(t.argmax(axis=1), np.ndarray)
    np.testing.assert_array_equal(t.argmax(axis=1), [1, 0])
    assert t.argmax() == 2


# ----- backward semantics ------------------------------------------------------------------


def test_quadratic_gradient_sums_both_paths() -> None:
    w = Tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10 * w + 25
    cost.backward()
    assert w.grad == -10.0  # 0 through the pow path, -10 through the mul path
    assert cost.grad == 1.0


def test_grad_of_a_0d_tensor_is_an_array_after_every_backward() -> None:
    w = Tensor(0.0, requires_grad=True)
    cost = w**2 - 10 * w + 25  # two paths into w: their sum must stay an ndarray
    for _ in range(2):
        cost.backward()
        assert type(w.grad) is np.ndarray and w.grad.shape == () and type(cost.grad) is np.ndarray
    assert w.grad == -20.0


def test_reused_node_gets_the_sum_of_its_paths() -> None:
    x = Tensor(3.0, requires_grad=True)
    a = x * 2  # used three times below
    y = a * a + a
    y.backward()
    assert a.grad == 2 * 6 + 1
    assert x.grad == 2 * (2 * 6 + 1)


def test_intermediates_get_gradients_too() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (h**2).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    np.testing.assert_allclose(x.grad, 2 * h.data * 3)


def test_gradients_accumulate_over_backward_calls_until_zero_grad() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 2 * x.data)
    x.zero_grad()
    assert x.grad is None
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad, [5.0, 5.0])


def test_grad_has_the_shape_and_dtype_of_its_tensor() -> None:
    b = Tensor(np.zeros((1, 3)), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    (x + b).sum().backward()
    assert b.grad.shape == (1, 3)
    np.testing.assert_allclose(b.grad, [[4.0, 4.0, 4.0]])


def test_constant_inputs_get_no_gradient() -> None:
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None


def test_backward_on_a_non_scalar_needs_a_gradient() -> None:
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar.*shape \(2, 2\)"):
        (x * 2).backward()
    (x * 2).backward(np.full((2, 2), 0.5))
    np.testing.assert_allclose(x.grad, np.ones((2, 2)))


def test_backward_gradient_may_be_tensor_array_or_number() -> None:
    x = Tensor([1.0], requires_grad=True)
    (x * 2).backward(Tensor([1.0]))
    (x * 2).backward(np.array([1.0]))
    (x * 2).backward(0.5)  # a number fits any one-element tensor
    (x * 2).sum().backward(3)
    np.testing.assert_allclose(x.grad, [2 + 2 + 1 + 6.0])


def test_one_element_tensors_default_to_gradient_one() -> None:
    x = Tensor(np.ones((1, 1)), requires_grad=True)
    (x * 4).backward()
    np.testing.assert_allclose(x.grad, [[4.0]])


def test_gradient_of_the_wrong_shape_is_refused() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"gradient has shape \(2,\).*\(3,\)"):
        (x * 2).backward(np.ones(2))
    with pytest.raises(RuntimeError):  # also a RuntimeError, as PyTorch raises
        (x * 2).backward(np.ones((3, 1)))


def test_backward_on_a_tensor_without_grad_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()


@pytest.mark.slow
def test_long_chain_has_no_recursion_limit() -> None:
    w = Tensor(1.0, requires_grad=True)
    y = w
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    assert w.grad == pytest.approx(1.0000001**100_000, rel=1e-9)


def test_node_with_many_consumers() -> None:
    x = Tensor(2.0, requires_grad=True)
    total = x * 0
    for i in range(2_000):
        total = total + x * i
    total.backward()
    assert x.grad == sum(range(2_000))


# ----- conventions at kinks and ties --------------------------------------------------------


def test_relu_and_abs_have_zero_gradient_at_zero() -> None:
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.zero_grad()
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_maximum_with_zero_has_zero_gradient_at_zero() -> None:
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    tl.maximum(x, 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.zero_grad()
    tl.maximum(0.0, x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.zero_grad()
    x.minimum(0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0])


def test_max_and_min_share_the_gradient_among_ties() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.zero_grad()
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])
    x.zero_grad()
    x.min(axis=0, keepdims=True).sum().backward()
    np.testing.assert_allclose(x.grad, [[1, 0, 0], [0, 1, 1]])


def test_clip_passes_the_gradient_inside_the_closed_interval() -> None:
    x = Tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1, 1, 0])


def test_repeated_indices_accumulate() -> None:
    scores = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    picked = scores[np.array([0, 1, 1, 1]), np.array([2, 0, 0, 1])]
    np.testing.assert_array_equal(picked.data, [2.0, 3.0, 3.0, 4.0])
    picked.sum().backward()
    np.testing.assert_array_equal(scores.grad, [[0, 0, 1], [2, 1, 0]])


def test_indexing_with_a_boolean_tensor_mask_and_lists() -> None:
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    x[x > 0].sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 1])
    x.zero_grad()
    x[[0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2, 0, 0])


def test_softmax_family_is_stable_at_large_magnitudes() -> None:
    x = Tensor(np.array([[1e4, -1e4, 0.0], [5e3, 5e3, -1e4]]), requires_grad=True)
    for y in (x.softmax(), x.log_softmax(), x.logsumexp(axis=1)):
        assert np.isfinite(y.data).all()
        x.zero_grad()
        y.backward(np.ones(y.shape))
        assert np.isfinite(x.grad).all()
    np.testing.assert_allclose(x.logsumexp(axis=1).data, [1e4, 5e3 + np.log(2)])


# ----- float32 end to end ------------------------------------------------------------------


def test_float32_in_float32_out() -> None:
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.1]], dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = ((x @ w).tanh() * 2.5 + 1).exp().log_softmax().sum() / 3
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_float32_parameter_with_float64_constant_keeps_a_float32_gradient() -> None:
    w = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    y = (w * np.array([1.0, 2.0])).sum()  # NumPy promotes the output to float64
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32


def test_astype_casts_the_gradient_back() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


# ----- no_grad and detach ------------------------------------------------------------------


def test_no_grad_records_nothing() -> None:
    w = Tensor(1.0, requires_grad=True)
    with tl.no_grad():
        y = w * 2
        assert not tl.is_grad_enabled()
        with tl.enable_grad():
            z = w * 2
    assert not y.requires_grad and y.op is None and y.parents == ()
    assert z.requires_grad
    assert tl.is_grad_enabled()


def test_no_grad_as_a_decorator() -> None:
    @tl.no_grad()
    def evaluate(w: Tensor) -> Tensor:
        return w * 2

    assert not evaluate(Tensor(1.0, requires_grad=True)).requires_grad


def test_no_grad_is_per_thread() -> None:
    seen = []
    inside, done = threading.Event(), threading.Event()

    def other_thread() -> None:
        inside.wait()
        seen.append((Tensor(1.0, requires_grad=True) * 2).requires_grad)
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with tl.no_grad():
        inside.set()
        done.wait()
    thread.join()
    assert seen == [True]


def test_detach_shares_data_and_cuts_the_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.data is y.data and d.is_leaf and not d.requires_grad
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad, y.data)


# ----- errors that name the problem --------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: tl.maximum(a, b),
        lambda a, b: tl.where(np.ones((2, 3), dtype=bool), a, b),
    ],
)
def test_broadcasting_mismatch_names_both_shapes(make: object) -> None:
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        make(a, b)  # type: ignore[operator]


def test_matmul_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\).*3.*4"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match="at least one dimension"):
        Tensor(np.ones(3)) @ Tensor(2.0)


def test_reshape_and_axis_errors() -> None:
    with pytest.raises(ValueError, match=r"6 elements into shape \(4, 2\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Tensor(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(ValueError, match="over zero elements"):
        Tensor(np.ones((0, 3))).max()


def test_index_out_of_range_names_the_index() -> None:
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        Tensor(np.ones(3))[5]


# ----- custom Functions ----------------------------------------------------------------------


class Cube(tl.Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):  # type: ignore[no-untyped-def]
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad


def test_custom_function_as_in_the_api() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(t)
    assert y.op == "cube" and y.parents == (t,)
    y.sum().backward()
    np.testing.assert_allclose(t.grad, [3.0, 12.0])


def test_custom_function_with_two_inputs_skips_unneeded_gradients() -> None:
    calls = []

    class ScaledAdd(tl.Function):
        name = "scaled_add"

        @staticmethod
        def forward(ctx, a, b, scale=1.0):  # type: ignore[no-untyped-def]
            return a + scale * b

        @staticmethod
        def backward(ctx, grad):  # type: ignore[no-untyped-def]
            calls.append(ctx.needs_input_grad)
            scale = ctx.options["scale"]
            return grad, (scale * grad if ctx.needs_input_grad[1] else None)

    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones(3))
    y = ScaledAdd.apply(a, b, scale=2.0)
    assert y.op == "scaled_add"
    y.sum().backward()
    assert calls == [(True, False)]
    np.testing.assert_allclose(a.grad, np.ones((2, 3)))


def test_custom_function_returning_wrong_number_of_gradients() -> None:
    class Broken(tl.Function):
        @staticmethod
        def forward(ctx, a, b):  # type: ignore[no-untyped-def]
            return a * b

        @staticmethod
        def backward(ctx, grad):  # type: ignore[no-untyped-def]
            return grad

    x = Tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="broken.backward returned 1 gradients for 2 inputs"):
        Broken.apply(x, x).backward()


def test_input_reached_directly_and_through_another_consumer() -> None:
    """``a + a*2``: the root sees ``a`` before the mul that also consumes it; both paths must count."""
    x = Tensor(3.0, requires_grad=True)
    a = x * 1
    (a + a * 2).backward()
    assert a.grad == 3.0 and x.grad == 3.0
    b = x * 1
    (b * 2 + b).backward()
    assert b.grad == 3.0


@st.composite
def random_dags(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """A recipe for a random graph: each step combines two earlier nodes, so nodes get reused."""
    steps = []
    for i in range(draw(st.integers(1, 12))):
        op = draw(st.sampled_from(["add", "mul", "sub", "tanh"]))
        steps.append((op, draw(st.integers(0, i + 1)), draw(st.integers(0, i + 1))))
    return steps


@given(recipe=random_dags(), values=testing.arrays((2, 3), lo=-1, hi=1), other=testing.arrays((3,), lo=-1, hi=1))
def test_random_graphs_with_reuse_match_finite_differences(
    recipe: list[tuple[str, int, int]], values: np.ndarray, other: np.ndarray
) -> None:
    def build(x: Tensor, y: Tensor) -> Tensor:
        nodes = [x, y]
        for op, i, j in recipe:
            a, b = nodes[i], nodes[j]
            nodes.append({"add": a + b, "mul": a * b * 0.5, "sub": a - b, "tanh": (a + b).tanh()}[op])
        return nodes[-1] + nodes[len(nodes) // 2]

    testing.check_gradients(build, values, other)


def test_gradients_of_a_weight_used_twice_are_summed_in_place() -> None:
    """Two contributions to a big weight cost two arrays of its size, not three."""
    import tracemalloc

    from tinygrad_lite import functional as F

    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 500))
    W = Tensor(rng.standard_normal((500, 500)), requires_grad=True)
    loss = (Tensor(X) @ W).sum() + F.l2_penalty(W, 0.1)
    tracemalloc.start()
    try:
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * W.data.nbytes, f"backward peaked at {peak / W.data.nbytes:.2f} times the weight's size"
    d_matmul = X.sum(axis=0)[:, None] * np.ones((1, 500))  # d sum(X @ W) / dW
    np.testing.assert_allclose(W.grad, d_matmul + 0.2 * W.data)


def test_a_custom_op_returning_a_saved_array_is_never_added_into() -> None:
    class Scale(tl.Function):  # d(x * c)/dx = c: returns its saved array when grad is 1
        @staticmethod
        def forward(ctx, x, c):  # type: ignore[no-untyped-def]
            ctx.save_for_backward(c)
            return x * c

        @staticmethod
        def backward(ctx, grad):  # type: ignore[no-untyped-def]
            (c,) = ctx.saved_tensors
            return (c if np.all(grad == 1) else c * grad), None

    c = np.array([2.0, 3.0])
    x = Tensor([1.0, 1.0], requires_grad=True)
    y = Scale.apply(x, c).sum() + Scale.apply(x, c).sum() + (x * 4).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(c, [2.0, 3.0])  # the saved array is intact
    np.testing.assert_allclose(x.grad, 2 * (2 * c + 4))
