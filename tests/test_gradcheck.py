"""Tests of the gradient-checking API: tl.numerical_gradient, tl.rel_error, tl.gradcheck,
and the public test helpers of tinygrad_lite.testing that build on them."""

import re

import numpy as np
import pytest
from hypothesis import given

import tinygrad_lite as tl
from tinygrad_lite import testing


class Cube(tl.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad


class WrongCube(tl.Function):
    """x**3 with the classic slip in its derivative: 2 x**2 instead of 3 x**2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x**2 * grad


class ForgetfulCube(tl.Function):
    """x**3 whose backward forgets to multiply by the upstream gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * np.ones_like(grad)


class MulWrongForB(tl.Function):
    """a * b with a right gradient for a and a wrong one (a**2) for b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a**2


def reported_values(error):
    """The analytic and numeric values named in a gradcheck message."""
    match = re.search(r"analytic (\S+), numeric (\S+) ", str(error))
    assert match, str(error)
    return float(match.group(1)), float(match.group(2))


# ----- numerical_gradient ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, gradient",
    [
        (lambda x: np.sum(x**3), lambda x: 3 * x**2),
        (lambda x: np.sum(np.sin(x)), np.cos),
        (lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x))),
        (lambda x: np.sum(x[0] * x[1]), lambda x: x[::-1]),
    ],
    ids=["cube", "sin", "logsumexp", "product"],
)
def test_numerical_gradient_matches_known_gradients(f, gradient):
    x = np.random.default_rng(0).standard_normal((2, 3))
    numeric = tl.numerical_gradient(f, x)
    assert numeric.shape == x.shape
    assert tl.rel_error(numeric, gradient(x)) < 1e-8


def test_numerical_gradient_is_the_central_difference():
    # for x**3 the central difference is exactly 3x**2 + h**2 (the forward one adds 3xh)
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(tl.numerical_gradient(lambda w: np.sum(w**3), x, h=0.1), 3 * x**2 + 0.01)


def test_numerical_gradient_leaves_x_unchanged():
    x = np.random.default_rng(1).standard_normal((3, 2)).astype(np.float32)
    before = x.copy()
    seen = []
    tl.numerical_gradient(lambda w: seen.append(w.dtype) or float(np.sum(w**2)), x)
    np.testing.assert_array_equal(x, before)
    assert x.dtype == np.float32 and set(seen) == {np.dtype(np.float64)}  # a float64 copy is perturbed


def test_numerical_gradient_of_transposed_and_0d_arrays():
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(tl.numerical_gradient(lambda w: np.sum(w**2), m.T), 2 * m.T, rtol=1e-9)
    assert tl.numerical_gradient(lambda w: float(w) ** 2, np.array(3.0)) == pytest.approx(6.0)


# ----- rel_error ----------------------------------------------------------------------------------


def test_rel_error_formula():
    assert tl.rel_error(1.0, 1.1) == pytest.approx(0.1 / 2.1)
    assert tl.rel_error(1.1, 1.0) == tl.rel_error(1.0, 1.1)
    assert tl.rel_error([1.0, 2.0, -1.0], [1.0, 3.0, -1.0]) == pytest.approx(1 / 5)  # the largest
    assert tl.rel_error(np.array([2.0, -2.0]), np.array([2.0, -2.0])) == 0.0


def test_rel_error_has_a_floor_of_1e_8():
    assert tl.rel_error(0.0, 0.0) == 0.0
    assert tl.rel_error(0.0, 1e-10) == pytest.approx(1e-2)  # 1e-10 / 1e-8, not 1e-10 / 1e-10 = 1
    assert tl.rel_error(0.0, 1e-6) == pytest.approx(1.0)


def test_rel_error_takes_tensors_and_rejects_mismatched_shapes():
    assert tl.rel_error(tl.tensor([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        tl.rel_error(np.zeros(2), np.zeros(3))


# ----- gradcheck ----------------------------------------------------------------------------------


def leaf(shape=(3, 4), seed=2, **kwargs):
    return tl.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True, **kwargs)


def test_gradcheck_passes_a_correct_function():
    assert tl.gradcheck(Cube.apply, [leaf()]) is True
    assert tl.gradcheck(lambda t: Cube.apply(t).sum(), [leaf()]) is True
    assert tl.gradcheck(Cube.apply, leaf((5,))) is True  # a single tensor instead of a list


def test_gradcheck_names_input_index_and_both_values_of_a_wrong_backward():
    x = tl.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    with pytest.raises(tl.GradcheckError, match=r"input 0 \(shape \(2, 2\)\) is wrong at index \(0, 0\)") as info:
        tl.gradcheck(WrongCube.apply, [x])
    analytic, numeric = reported_values(info.value)
    assert numeric / analytic == pytest.approx(1.5, rel=1e-6)  # 3 x**2 / 2 x**2, whatever the weights


def test_gradcheck_returns_false_instead_of_raising_when_asked():
    assert tl.gradcheck(WrongCube.apply, [leaf()], raise_exception=False) is False
    assert tl.gradcheck(Cube.apply, [leaf()], raise_exception=False) is True


def test_gradcheck_catches_a_backward_that_ignores_the_upstream_gradient():
    # A backward from .sum() feeds it all ones, where the slip cannot show ...
    x = leaf()
    ForgetfulCube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data**2)
    # ... but gradcheck weights the output (of any shape) with random upstream gradients.
    with pytest.raises(tl.GradcheckError, match="input 0"):
        tl.gradcheck(ForgetfulCube.apply, [leaf()])
    with pytest.raises(tl.GradcheckError, match="input 0"):
        tl.gradcheck(lambda t: ForgetfulCube.apply(t).sum(), [leaf()])


def test_gradcheck_checks_only_inputs_that_require_grad():
    a, b = leaf(seed=3), leaf(seed=4)
    assert tl.gradcheck(MulWrongForB.apply, [a, b.detach()]) is True
    assert tl.gradcheck(MulWrongForB.apply, [a, b.data]) is True  # an array is a constant
    with pytest.raises(tl.GradcheckError, match="input 1"):
        tl.gradcheck(MulWrongForB.apply, [a.detach(), b])
    with pytest.raises(ValueError, match="no input requires grad"):
        tl.gradcheck(Cube.apply, [a.detach()])


def test_gradcheck_of_an_input_the_output_does_not_depend_on():
    assert tl.gradcheck(lambda a, b: Cube.apply(a), [leaf(seed=5), leaf(seed=6)]) is True


def test_gradcheck_checks_float32_inputs_in_float64():
    assert tl.gradcheck(Cube.apply, [leaf(dtype=np.float32)]) is True


def test_gradcheck_of_a_transposed_input():
    x = tl.tensor(np.random.default_rng(7).standard_normal((3, 2)).T, requires_grad=True)
    assert tl.gradcheck(Cube.apply, [x]) is True


def test_gradcheck_tolerances():
    class SlightlyOffCube(Cube):
        @staticmethod
        def backward(ctx, grad):
            return Cube.backward(ctx, grad) * (1 + 1e-5)

    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert tl.gradcheck(SlightlyOffCube.apply, [x]) is True  # within the default rtol = 1e-3
    assert tl.gradcheck(SlightlyOffCube.apply, [x], atol=0.0, rtol=1e-7, raise_exception=False) is False


# ----- the public test helpers --------------------------------------------------------------------


@given(testing.arrays(testing.shapes()))
def test_check_gradients_passes_a_correct_op(x):
    testing.check_gradients(Cube.apply, x)


@given(testing.arrays(testing.shapes(), avoid=(0.0,), margin=0.1))
def test_check_gradients_catches_a_wrong_op(x):
    with pytest.raises(AssertionError, match=r"input 0 .* is wrong at index .*analytic .*numeric"):
        testing.check_gradients(WrongCube.apply, x)


def test_check_gradients_differentiates_float_arrays_or_the_ones_in_wrt():
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    testing.check_gradients(MulWrongForB.apply, a, b, wrt=[0])
    with pytest.raises(AssertionError, match="input 1"):
        testing.check_gradients(MulWrongForB.apply, a, b)
    testing.check_gradients(MulWrongForB.apply, a, np.array([3, -1]))  # integers are not differentiated


@given(testing.arrays(testing.shapes(min_side=2), distinct=True, avoid=(0.0,)))
def test_distinct_arrays_keep_their_entries_apart_and_off_the_kinks(x):
    assert np.all(np.abs(x) >= 1e-2 * (1 - 1e-9))
    assert np.all(np.diff(np.sort(x.ravel())) >= 1e-2 * (1 - 1e-9))
