"""What a PyTorch user types: dim/keepdim, the view family's options and errors, format, size,
factories, hooks and grad mode, NumPy functions on tensors, and the messages for common mistakes.

Values and gradients of the new ops are checked in the op table (tests/test_ops.py); this file
checks the spellings, the options, the edge cases and the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import Tensor, nn
from tinygrad_lite import functional as F

X = np.arange(24.0).reshape(2, 3, 4) / 7.0


# ----- dim= / keepdim= ----------------------------------------------------------------------

REDUCTIONS: dict[str, Callable[..., Any]] = {
    "sum": lambda t, **kw: t.sum(**kw),
    "mean": lambda t, **kw: t.mean(**kw),
    "max": lambda t, **kw: t.max(**kw),
    "min": lambda t, **kw: t.min(**kw),
    "var": lambda t, **kw: t.var(**kw),
    "std": lambda t, **kw: t.std(**kw),
    "logsumexp": lambda t, **kw: t.logsumexp(**kw),
    "argmax": lambda t, **kw: t.argmax(**kw),
    "argmin": lambda t, **kw: t.argmin(**kw),
    "F.logsumexp": lambda t, **kw: F.logsumexp(t, **kw),
}


def values(result: Any) -> np.ndarray:
    return np.asarray(result.data if isinstance(result, Tensor) else result)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_take_dim_and_keepdim_as_axis_and_keepdims(name: str) -> None:
    fn = REDUCTIONS[name]
    t = tl.tensor(X)
    np.testing.assert_array_equal(values(fn(t, dim=1)), values(fn(t, axis=1)))
    np.testing.assert_array_equal(values(fn(t, dim=1, keepdim=True)), values(fn(t, axis=1, keepdims=True)))
    assert values(fn(t, dim=-1, keepdim=True)).shape == (2, 3, 1)
    with pytest.raises(TypeError, match="both axis=1 and dim=1"):
        fn(t, axis=1, dim=1)
    with pytest.raises(TypeError, match="both keepdims=True and keepdim=True"):
        fn(t, axis=1, keepdims=True, keepdim=True)


@pytest.mark.parametrize(
    "fn",
    [lambda t, **kw: t.softmax(**kw), lambda t, **kw: t.log_softmax(**kw),
     lambda t, **kw: F.softmax(t, **kw), lambda t, **kw: F.log_softmax(t, **kw)],
    ids=["softmax", "log_softmax", "F.softmax", "F.log_softmax"],
)  # fmt: skip
def test_softmax_family_takes_dim(fn: Callable[..., Tensor]) -> None:
    t = tl.tensor(X)
    np.testing.assert_array_equal(fn(t, dim=0).data, fn(t, axis=0).data)
    assert not np.array_equal(fn(t, dim=0).data, fn(t).data)  # dim=0 really is not the default -1
    with pytest.raises(TypeError, match="both axis=0 and dim=1"):
        fn(t, axis=0, dim=1)


def test_cat_concatenate_and_stack_take_dim() -> None:
    a, b = tl.tensor(X), tl.tensor(X + 1)
    np.testing.assert_array_equal(tl.cat([a, b], dim=2).data, np.concatenate([X, X + 1], axis=2))
    np.testing.assert_array_equal(tl.cat([a, b]).data, np.concatenate([X, X + 1]))
    np.testing.assert_array_equal(tl.concatenate([a, b], dim=1).data, np.concatenate([X, X + 1], axis=1))
    np.testing.assert_array_equal(tl.stack([a, b], dim=3).data, np.stack([X, X + 1], axis=3))
    for call in (lambda: tl.cat([a, b], dim=1, axis=2), lambda: tl.stack([a, b], axis=1, dim=2)):
        with pytest.raises(TypeError, match="same argument"):
            call()


# ----- the view family: options and errors (values and gradients: OPS) ----------------------


def test_view_family_shapes() -> None:
    t = tl.zeros(2, 1, 3)
    assert t.view(3, -1).shape == (3, 2) and t.view((6,)).shape == (6,)
    assert t.flatten().shape == (6,) and t.flatten(1).shape == (2, 3) and t.flatten(0, 1).shape == (2, 3)
    assert tl.tensor(5.0).flatten().shape == (1,)
    assert t.unsqueeze(0).shape == (1, 2, 1, 3) and t.unsqueeze(-1).shape == (2, 1, 3, 1)
    assert t.squeeze().shape == (2, 3) and t.squeeze(1).shape == (2, 3)
    assert t.squeeze(0).shape == (2, 1, 3)  # size 2: left alone, as PyTorch
    assert t.squeeze((0, 1)).shape == (2, 3)
    assert t.permute(2, 0, 1).shape == (3, 2, 1) and t.permute((1, 2, 0)).shape == (1, 3, 2)
    assert t.expand(4, 2, 5, 3).shape == (4, 2, 5, 3) and t.expand(-1, 4, -1).shape == (2, 4, 3)
    assert t.repeat(2, 1, 2).shape == (4, 1, 6) and t.repeat(2, 1, 1, 1).shape == (2, 2, 1, 3)
    assert t.numel() == 6 and t.dim() == 3 and type(t.numel()) is int


def test_transpose_with_two_axes_swaps_them_as_pytorch() -> None:
    t = tl.tensor(X)
    np.testing.assert_array_equal(t.transpose(0, 2).data, np.swapaxes(X, 0, 2))
    np.testing.assert_array_equal(t.transpose(2, 0, 1).data, np.transpose(X, (2, 0, 1)))  # NumPy's permutation
    np.testing.assert_array_equal(t.transpose().data, X.T)
    m = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(m.transpose(0, 1).data, [[1.0, 3.0], [2.0, 4.0]])  # a swap, not the identity
    np.testing.assert_array_equal(m.transpose(1, 0).data, [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(np.transpose(m, (0, 1)).data, m.data)  # np.transpose keeps NumPy's meaning


def test_view_family_errors_name_the_problem() -> None:
    t = tl.zeros(2, 3)
    with pytest.raises(ValueError, match=r"cannot expand shape \(2, 3\) to \(2, 4\)"):
        t.expand(2, 4)
    with pytest.raises(ValueError, match="2 sizes for a tensor with 3"):
        tl.zeros(1, 2, 3).expand(2, 3)
    with pytest.raises(ValueError, match="at least one size per dimension"):
        t.repeat(2)
    with pytest.raises(ValueError, match="permute needs one entry per dimension"):
        t.permute(1)
    with pytest.raises(ValueError, match="repeats an axis"):
        t.permute(1, 1)
    with pytest.raises(ValueError, match="out of range"):
        t.unsqueeze(3)
    with pytest.raises(ValueError, match="start_dim 1 comes after end_dim 0"):
        t.flatten(1, 0)
    with pytest.raises(TypeError, match="takes ints"):
        t.view(2.0, 3)


def test_views_share_the_version_counter_and_expand_is_a_writable_copy() -> None:
    w = tl.tensor(X, requires_grad=True)
    v = w.view(-1)
    with tl.no_grad():
        v += 1.0  # through the view
    assert w._version == 1 and w.data[0, 0, 0] == X[0, 0, 0] + 1
    e = tl.ones(3).expand(2, 3)
    e += 1.0
    np.testing.assert_array_equal(e.data, np.full((2, 3), 2.0))


def test_clone_copies_and_float_double_cast() -> None:
    t = tl.tensor([1.0, 2.0], requires_grad=True)
    c = t.clone()
    assert c.data is not t.data and c.op == "clone"
    f = t.float()
    assert f.dtype == np.float32 and f.double().dtype == np.float64
    (f * 2).sum().backward()
    assert t.grad.dtype == np.float64
    np.testing.assert_array_equal(t.grad, [2.0, 2.0])


def test_var_and_std_use_numpys_ddof_0_by_default() -> None:
    t = tl.tensor([1.0, 2.0, 3.0, 4.0])
    assert t.var().item() == pytest.approx(1.25) and t.var(ddof=1).item() == pytest.approx(5 / 3)
    assert t.std().item() == pytest.approx(np.sqrt(1.25))
    with pytest.raises(TypeError, match="ddof must be a number"):
        t.var(ddof="1")  # type: ignore[arg-type]


# ----- format and size ----------------------------------------------------------------------


def test_format_works_on_one_element_tensors() -> None:
    loss = tl.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and format(loss, ".2e") == "1.23e-01"
    assert f"{tl.tensor([[2.5]]):.1f}" == "2.5"
    assert f"{loss}" == str(loss)
    with pytest.raises(TypeError, match=r"format spec '.2f' needs a tensor with one element.*shape \(2,\)"):
        f"{tl.tensor([1.0, 2.0]):.2f}"


def test_size_is_an_int_property_and_calling_it_says_so() -> None:
    t = tl.zeros(2, 3)
    assert t.size == 6 and isinstance(t.size, int) and hash(t.size) == hash(6)
    assert t.size + 1 == 7 and t.size * 2 == 12 and {t.size: "x"}[6] == "x" and np.zeros(t.size).shape == (6,)
    with pytest.raises(TypeError, match=r"\.size is a property.*x\.size\(\) is x\.shape"):
        t.size()
    with pytest.raises(TypeError, match=r"x\.size\(1\) is x\.shape\[1\]"):
        t.size(1)


# ----- factories ------------------------------------------------------------------------------


def test_like_factories_keep_shape_and_dtype() -> None:
    w = tl.ones(2, 3, dtype=np.float32)
    for made, value in ((tl.zeros_like(w), 0.0), (tl.ones_like(w), 1.0), (tl.full_like(w, 0.5), 0.5)):
        assert made.shape == (2, 3) and made.dtype == np.float32 and made.is_leaf
        np.testing.assert_array_equal(made.data, np.full((2, 3), value, dtype=np.float32))
    assert tl.zeros_like(np.zeros((2,), dtype=np.int64)).dtype == np.int64
    z = tl.zeros_like(w, requires_grad=True, dtype=np.float64, name="z")
    assert z.requires_grad and z.dtype == np.float64 and z.name == "z"


def test_full_eye_linspace() -> None:
    np.testing.assert_array_equal(tl.full((2, 3), 7).data, np.full((2, 3), 7.0))
    assert tl.full(3, 1.5).shape == (3,) and tl.full((2,), 1).dtype == np.float64
    np.testing.assert_array_equal(tl.eye(2).data, np.eye(2))
    np.testing.assert_array_equal(tl.eye(2, 3).data, np.eye(2, 3))
    np.testing.assert_array_equal(tl.linspace(0, 1, 5).data, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert tl.linspace(0, 1, 3, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="full needs a real number"):
        tl.full(2, "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative ints"):
        tl.eye(-1)


def test_rand_and_randint_follow_manual_seed_and_rng() -> None:
    tl.manual_seed(3)
    a, i = tl.rand(2, 3), tl.randint(0, 10, (4,))
    tl.manual_seed(3)
    b, j = tl.rand(2, 3), tl.randint(0, 10, (4,))
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(i.data, j.data)
    assert ((a.data >= 0) & (a.data < 1)).all() and a.dtype == np.float64
    np.testing.assert_array_equal(tl.rand(3, rng=5).data, np.random.default_rng(5).random(3))
    k = tl.randint(2, 5, 6, rng=0)
    assert k.dtype == np.int64 and k.shape == (6,) and not k.requires_grad and ((k.data >= 2) & (k.data < 5)).all()
    with pytest.raises(ValueError, match=r"high \(1\) must be larger than low \(1\)"):
        tl.randint(1, 1, 3)
    with pytest.raises(TypeError, match="integer dtype"):
        tl.randint(0, 3, 2, dtype=np.float64)


# ----- hooks, retain_graph, grad mode -----------------------------------------------------------


def test_register_hook_sees_and_may_replace_the_gradient() -> None:
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    seen: list[np.ndarray] = []
    h.register_hook(lambda g: seen.append(g.copy()))
    remove = x.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])  # d(h^2)/dh, flowing into the intermediate
    np.testing.assert_array_equal(x.grad, [180.0, 360.0])  # replaced before it is accumulated
    remove()
    x.zero_grad()
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_retain_graph_is_accepted_and_a_second_backward_accumulates() -> None:
    x = tl.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(12.0)


def test_set_grad_enabled_as_a_call_and_as_a_block_and_enable_grad() -> None:
    w = tl.tensor(1.0, requires_grad=True)
    try:
        tl.set_grad_enabled(False)
        assert not (w * 2).requires_grad and not tl.is_grad_enabled()
    finally:
        tl.set_grad_enabled(True)
    assert (w * 2).requires_grad
    with tl.set_grad_enabled(False):
        assert not (w * 2).requires_grad
        with tl.enable_grad():
            assert (w * 2).requires_grad
        assert not (w * 2).requires_grad
    assert tl.is_grad_enabled()
    with pytest.raises(TypeError, match="True or False"):
        tl.set_grad_enabled("no")  # type: ignore[arg-type]


# ----- NumPy functions on tensors ---------------------------------------------------------------


def test_numpy_ufuncs_with_a_tensor_method_are_differentiable() -> None:
    x = tl.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = np.exp(x) + np.tanh(x) + np.log(x) + np.sqrt(x) + np.abs(x) + np.maximum(x, 1.0)
    assert isinstance(y, Tensor) and y.requires_grad
    y.sum().backward()
    want = np.exp(x.data) + 1 - np.tanh(x.data) ** 2 + 1 / x.data + 0.5 / np.sqrt(x.data) + 1 + (x.data > 1)
    np.testing.assert_allclose(x.grad, want)


def test_numpy_functions_with_a_tensor_method_are_differentiable() -> None:
    x = tl.tensor(X, requires_grad=True)
    for result, want in (
        (np.sum(x), X.sum()), (np.sum(x, axis=1, keepdims=True), X.sum(axis=1, keepdims=True)),
        (np.mean(x, 0), X.mean(0)), (np.max(x), X.max()), (np.min(x, axis=2), X.min(axis=2)),
        (np.var(x, ddof=1), X.var(ddof=1)), (np.std(x), X.std()), (np.reshape(x, (6, 4)), X.reshape(6, 4)),
        (np.transpose(x), X.T), (np.transpose(x, (1, 0, 2)), np.transpose(X, (1, 0, 2))),
        (np.clip(x, 0.5, 2.0), np.clip(X, 0.5, 2.0)), (np.where(x > 1, x, 0.0), np.where(X > 1, X, 0.0)),
        (np.concatenate([x, X]), np.concatenate([X, X])), (np.stack([x, x], axis=1), np.stack([X, X], axis=1)),
        (np.matmul(x, np.ones(4)), X @ np.ones(4)), (np.squeeze(x[:1]), X[0]), (np.expand_dims(x, 0), X[None]),
    ):  # fmt: skip
        assert isinstance(result, Tensor) and result.requires_grad
        np.testing.assert_allclose(result.data, want)
    np.sum(x * 2).backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 2.0))
    np.testing.assert_array_equal(np.argmax(x, axis=1), X.argmax(axis=1))


def test_arrays_and_numpy_scalars_on_the_left_give_tensors() -> None:
    t = tl.tensor([1.0, 2.0], requires_grad=True)
    a = np.array([3.0, 4.0])
    for result in (a + t, a - t, a * t, a / t, a**t, np.float64(2.0) * t, a @ t):
        assert isinstance(result, Tensor) and result.requires_grad
    np.testing.assert_array_equal((a - t).data, [2.0, 2.0])
    mask = a < t
    assert isinstance(mask, Tensor) and mask.dtype == bool and not mask.requires_grad


def test_numpy_functions_without_a_tensor_method_give_numpys_result_on_the_data() -> None:
    t = tl.tensor([0.0, np.inf], requires_grad=True)
    s = np.sin(tl.tensor([0.0, np.pi / 2]))
    assert type(s) is np.ndarray
    np.testing.assert_allclose(s, [0.0, 1.0])
    finite = np.isfinite(t)
    assert type(finite) is np.ndarray and finite.tolist() == [True, False]
    assert np.prod(tl.tensor([2.0, 3.0])) == 6.0 and np.shape(t) == (2,)


def test_numpy_options_a_tensor_does_not_take_name_the_method_and_out_is_refused() -> None:
    t = tl.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"np\.sum\(tensor, dtype=\).*call t\.sum\(axis=\.\.\., keepdims=\.\.\.\)"):
        np.sum(t, dtype=np.float32)
    with pytest.raises(TypeError, match=r"np\.exp\(\.\.\., where=\).*call t\.exp\(\)"):
        np.exp(t, where=True)
    with pytest.raises(TypeError, match="tensors are not written through out="):
        np.exp(t, out=np.zeros(2))
    with pytest.raises(TypeError, match="tensors are not written through out="):
        np.sum(t, out=np.zeros(()))
    with pytest.raises(TypeError, match=r"np\.add\.reduce on a Tensor.*t\.sum"):
        np.add.reduce(t)
    array = np.zeros(2)
    with pytest.raises(TypeError, match="array \\+= tensor"):
        array += t
    for call in (lambda: np.sum(t, dtype=np.float32), lambda: np.exp(t, out=np.zeros(2))):
        with pytest.raises(TypeError) as error:
            call()
        assert "__array_ufunc__" not in str(error.value) and "unexpected keyword" not in str(error.value)


# ----- messages for common mistakes --------------------------------------------------------------


def test_sequential_of_a_class_asks_for_an_instance() -> None:
    with pytest.raises(TypeError, match=r"argument 1 is the class nn\.ReLU.*did you mean nn\.ReLU\(\)\?"):
        nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU)  # type: ignore[arg-type]


def test_cross_entropy_with_one_hot_float_labels_suggests_argmax() -> None:
    logits = tl.tensor(np.zeros((2, 3)))
    one_hot = np.eye(2)  # (2, 2): one-hot rows that do not fit 3 classes
    with pytest.raises(TypeError, match=r"one-hot rows.*labels\.argmax\(1\)"):
        F.cross_entropy(logits, one_hot)
    with pytest.raises(TypeError, match="integer class labels.*float64"):
        F.cross_entropy(logits, np.array([0.0, 1.0]))
