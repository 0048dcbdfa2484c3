"""Tests of tinygrad_lite.functional: losses and activations.

The two fused losses are checked four ways: against central finite differences (hypothesis,
float64, all reductions), against NumPy references (including the naive per-sample loops of
the CS231n assignment), against the same loss composed from primitive Tensor ops (values and
gradients), and against the lecture's numbers.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite import testing

from . import reference

REDUCTIONS = ["mean", "sum", "none"]


# ----- strategies and references ---------------------------------------------------------------


@st.composite
def batches(draw, lo=-3.0, hi=3.0):
    """Scores of shape (N, C) and N labels in [0, C)."""
    n, c = draw(testing.shapes(min_dims=2, max_dims=2, max_side=5))
    return draw(testing.arrays((n, c), lo=lo, hi=hi)), draw(testing.labels(n, c))


@st.composite
def hinge_batches(draw, gap=1e-2):
    """Scores, labels and a margin with every margin s_j - s_y + margin at least `gap` from the kink at 0."""
    scores, y = draw(batches())
    margin = draw(st.floats(0.0, 3.0))
    rows = np.arange(len(y))
    margins = scores - scores[rows, y][:, None] + margin
    near = np.abs(margins) < gap
    near[rows, y] = False  # the true class is not in the sum: its "margin" is not a kink
    scores = scores + 2 * gap * near  # moves only s_j, so only margin j, to between gap and 3 gap
    return scores, y, margin


def reduce(per_sample, reduction):
    """The reduction, for NumPy arrays and Tensors alike."""
    if reduction == "none":
        return per_sample
    return per_sample.sum() if reduction == "sum" else per_sample.mean()


def numpy_cross_entropy(scores, y):
    probs = reference.softmax(scores, axis=1)
    return -np.log(probs[np.arange(len(y)), y])


def naive_hinge(scores, y, margin, squared):
    """The per-sample losses with explicit loops, as in CS231n's svm_loss_naive."""
    losses = np.zeros(len(y))
    for i in range(len(y)):
        for j in range(scores.shape[1]):
            if j == y[i]:
                continue
            term = max(0.0, scores[i, j] - scores[i, y[i]] + margin)
            losses[i] += term**2 if squared else term
    return losses


def composed_cross_entropy(x, y, reduction):
    """Cross-entropy from primitive ops; shifting by a constant row max does not change the loss."""
    shifted = x - x.data.max(axis=1, keepdims=True)
    log_probs = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    return reduce(-log_probs[np.arange(len(y)), y], reduction)


def composed_hinge(s, y, margin, squared, reduction):
    """The SVM loss from primitive ops; multiplying by a mask drops the true class from the sum."""
    n, c = s.shape
    correct = s[np.arange(n), y].reshape(n, 1)
    terms = (s - correct + margin).relu() * (np.arange(c) != y[:, None])
    if squared:
        terms = terms * terms
    return reduce(terms.sum(axis=1), reduction)


def backward_with(out, rng):
    """Backward from a scalar, or with random upstream gradients from a vector of per-sample losses."""
    out.backward(None if out.ndim == 0 else rng.uniform(0.5, 1.5, out.shape))


# ----- fused losses vs finite differences, NumPy and their composition --------------------------


@given(batch=batches(), reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_gradient_matches_finite_differences(batch, reduction):
    scores, y = batch
    testing.check_gradients(lambda s, labels: F.cross_entropy(s, labels, reduction=reduction), scores, y)


@given(batch=hinge_batches(), squared=st.booleans(), reduction=st.sampled_from(REDUCTIONS))
def test_hinge_loss_gradient_matches_finite_differences(batch, squared, reduction):
    scores, y, margin = batch
    testing.check_gradients(
        lambda s, labels: F.hinge_loss(s, labels, margin=margin, squared=squared, reduction=reduction), scores, y
    )


@given(batch=batches(lo=-10.0, hi=10.0), reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_value_matches_numpy(batch, reduction):
    scores, y = batch
    got = F.cross_entropy(scores, y, reduction=reduction).data
    np.testing.assert_allclose(got, reduce(numpy_cross_entropy(scores, y), reduction), rtol=1e-10, atol=1e-12)


@given(
    batch=batches(),
    margin=st.floats(0.0, 3.0),
    squared=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_hinge_loss_value_matches_naive_loops(batch, margin, squared, reduction):
    scores, y = batch
    got = F.hinge_loss(scores, y, margin=margin, squared=squared, reduction=reduction).data
    want = reduce(naive_hinge(scores, y, margin, squared), reduction)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def assert_same_values_and_gradients(fused, composed, scores):
    """Run both losses on fresh leaves with the same upstream gradient; compare values and gradients."""
    x, x_ref = tl.tensor(scores, requires_grad=True), tl.tensor(scores, requires_grad=True)
    out, out_ref = fused(x), composed(x_ref)
    np.testing.assert_allclose(out.data, out_ref.data, rtol=1e-12, atol=1e-12)
    backward_with(out, np.random.default_rng(0))
    backward_with(out_ref, np.random.default_rng(0))
    np.testing.assert_allclose(x.grad, x_ref.grad, rtol=1e-10, atol=1e-12)


@given(batch=batches(), reduction=st.sampled_from(REDUCTIONS))
def test_fused_cross_entropy_equals_its_composition(batch, reduction):
    scores, y = batch
    assert_same_values_and_gradients(
        lambda x: F.cross_entropy(x, y, reduction=reduction),
        lambda x: composed_cross_entropy(x, y, reduction),
        scores,
    )


@given(batch=hinge_batches(), squared=st.booleans(), reduction=st.sampled_from(REDUCTIONS))
def test_fused_hinge_loss_equals_its_composition(batch, squared, reduction):
    scores, y, margin = batch
    assert_same_values_and_gradients(
        lambda x: F.hinge_loss(x, y, margin=margin, squared=squared, reduction=reduction),
        lambda x: composed_hinge(x, y, margin, squared, reduction),
        scores,
    )


# ----- the gradients in closed form --------------------------------------------------------------


def softmax_and_onehot(scores, y):
    probs = reference.softmax(scores, axis=1)
    onehot = np.zeros_like(scores)
    onehot[np.arange(len(y)), y] = 1
    return probs, onehot


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradient_is_softmax_minus_onehot(reduction):
    rng = np.random.default_rng(1)
    scores, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    x = tl.tensor(scores, requires_grad=True)
    upstream = rng.uniform(0.5, 1.5, 6)
    loss = F.cross_entropy(x, y, reduction=reduction)
    loss.backward(upstream if reduction == "none" else None)
    probs, onehot = softmax_and_onehot(scores, y)
    weight = {"mean": 1 / 6, "sum": 1.0, "none": upstream[:, None]}[reduction]
    np.testing.assert_allclose(x.grad, (probs - onehot) * weight, rtol=1e-12, atol=1e-15)


def test_hinge_gradient_gives_the_true_class_minus_the_number_of_violations():
    # margins (delta = 1): class 1: 0.5 + 1 = 1.5 > 0, class 2: 1.2 > 0, class 3: -4 < 0
    x = tl.tensor([[0.0, 0.5, 0.2, -5.0]], requires_grad=True)
    loss = F.hinge_loss(x, [0])
    loss.backward()
    assert loss.item() == pytest.approx(2.7)
    np.testing.assert_array_equal(x.grad, [[-2.0, 1.0, 1.0, 0.0]])


def test_hinge_gradient_is_zero_at_a_margin_of_exactly_zero():
    x = tl.tensor([[0.0, -1.0], [0.0, -0.5]], requires_grad=True)  # row 0 sits exactly at the kink
    loss = F.hinge_loss(x, [0, 0], reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(0.5)
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [-1.0, 1.0]])


def test_squared_hinge_gradient_is_twice_the_violation():
    x = tl.tensor([[1.0, 1.5, -3.0]], requires_grad=True)  # the violation of class 1 is 1.5 - 1 + 1 = 1.5
    loss = F.hinge_loss(x, [0], squared=True)
    loss.backward()
    assert loss.item() == pytest.approx(2.25)
    np.testing.assert_allclose(x.grad, [[-3.0, 3.0, 0.0]])


# ----- the lecture's numbers and sanity checks ---------------------------------------------------


def test_cs231n_worked_example_gives_hinge_loss_8():
    assert F.hinge_loss(np.array([[13.0, -7.0, 11.0]]), [0], margin=10).item() == 8.0


def test_lecture_cat_car_frog_example():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # one row per image
    y = [0, 1, 2]
    np.testing.assert_allclose(F.hinge_loss(scores, y, reduction="none").data, [2.9, 0.0, 12.9], atol=1e-12)
    assert F.hinge_loss(scores, y).item() == pytest.approx(15.8 / 3)
    assert F.cross_entropy(scores[:1], y[:1]).item() == pytest.approx(2.04, abs=5e-3)  # -log(0.13)


@pytest.fixture
def tiny_weight_scores():
    """Scores of a linear classifier with W = 0.0001 * randn on random data: C = 10 classes."""
    rng = np.random.default_rng(231)
    X = rng.standard_normal((500, 50))
    W = tl.tensor(0.0001 * rng.standard_normal((50, 10)), requires_grad=True)
    return X @ W, rng.integers(0, 10, 500)


def test_initial_softmax_loss_is_about_log_C(tiny_weight_scores):
    scores, y = tiny_weight_scores
    assert F.cross_entropy(scores, y).item() == pytest.approx(np.log(10), abs=1e-2)  # 2.302


def test_initial_hinge_loss_is_about_C_minus_1(tiny_weight_scores):
    scores, y = tiny_weight_scores
    assert F.hinge_loss(scores, y).item() == pytest.approx(9.0, abs=1e-2)


# ----- one graph node, no side effects -------------------------------------------------------------


@pytest.mark.parametrize(
    "loss, name", [(F.cross_entropy, "cross_entropy"), (F.hinge_loss, "hinge_loss")], ids=["ce", "hinge"]
)
def test_fused_loss_is_one_node_that_leaves_its_inputs_alone(loss, name):
    rng = np.random.default_rng(2)
    scores, y = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    x = tl.tensor(scores.copy(), requires_grad=True)
    labels = y.copy()
    out = loss(x, labels)
    assert out.op == name
    assert len(out.parents) == 1 and out.parents[0] is x
    out.backward()
    first = x.grad.copy()
    out.backward()  # a second backward must see the same saved arrays: gradients accumulate
    np.testing.assert_allclose(x.grad, 2 * first)
    np.testing.assert_array_equal(x.data, scores)
    np.testing.assert_array_equal(labels, y)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.hinge_loss], ids=["ce", "hinge"])
def test_fused_loss_of_constants_records_no_gradient(loss):
    scores, y = np.random.default_rng(3).standard_normal((4, 3)), [0, 1, 2, 0]
    assert not loss(scores, y).requires_grad  # an array is a constant
    x = tl.tensor(scores, requires_grad=True)
    with tl.no_grad():
        out = loss(x, y)
    assert not out.requires_grad and out.op is None
    np.testing.assert_allclose(out.data, loss(scores, y).data)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.hinge_loss], ids=["ce", "hinge"])
def test_integer_labels_of_every_kind_give_the_same_loss(loss):
    scores = np.random.default_rng(4).standard_normal((4, 3))
    y = [2, 0, 1, 2]
    want = loss(scores, np.array(y)).item()
    for labels in (y, tuple(y), np.array(y, dtype=np.int32), np.array(y, dtype=np.uint8), tl.tensor(y, dtype=np.int64)):
        assert loss(scores, labels).item() == want


def test_empty_batch():
    assert np.isnan(F.cross_entropy(np.zeros((0, 3)), []).item())  # the mean of nothing, as in NumPy
    assert F.hinge_loss(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), reduction="sum").item() == 0.0
    assert F.cross_entropy(np.zeros((0, 3)), [], reduction="none").shape == (0,)


# ----- errors that help a student fix their code -------------------------------------------------


LOSSES = pytest.mark.parametrize("loss", [F.cross_entropy, F.hinge_loss], ids=["ce", "hinge"])


@LOSSES
@pytest.mark.parametrize(
    "labels, error, message",
    [
        ([0.0, 1.0, 2.0], TypeError, r"integer class labels.*dtype float64"),
        (np.array([0, 1, 2], dtype=np.float32), TypeError, r"dtype float32.*astype\(np.int64\)"),
        (np.array([True, False, True]), TypeError, r"dtype bool"),
        (tl.tensor([0, 1, 2]), TypeError, r"dtype float64.*tl.tensor\(y, dtype=np.int64\)"),
        (np.array([[0], [1], [2]]), ValueError, r"1-D labels.*shape \(3, 1\).*reshape\(-1\)"),
        (np.array(1), ValueError, r"1-D labels.*shape \(\)"),
        ([0, 1], ValueError, r"2 labels for 3 samples: scores have shape \(3, 4\) and labels shape \(2,\)"),
        ([0, 1, 2, 3], ValueError, r"4 labels for 3 samples"),
        ([0, 1, 4], ValueError, r"label 4 at index 2 is out of range.*4 classes.*\[0, 4\)"),
        ([0, -1, 2], ValueError, r"label -1 at index 1 is out of range"),
        ([5, 1, -2], ValueError, r"label 5 at index 0 .*\(2 labels are out of range\)"),
    ],
    ids=["float", "float32", "bool", "float-tensor", "column", "scalar", "short", "long", "too-big", "negative", "two"],
)
def test_bad_labels_raise_errors_naming_the_problem(loss, labels, error, message):
    scores = tl.tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(error, match=message):
        loss(scores, labels)


@LOSSES
@pytest.mark.parametrize(
    "shape, message",
    [
        ((4,), r"shape \(N, C\).*got shape \(4,\).*reshape\(1, -1\)"),
        ((2, 3, 4), r"shape \(N, C\).*got shape \(2, 3, 4\)"),
        ((), r"shape \(N, C\).*got shape \(\)"),
        ((3, 0), r"\(3, 0\) have no classes"),
    ],
)
def test_scores_that_are_not_a_matrix_raise(loss, shape, message):
    with pytest.raises(ValueError, match=message):
        loss(np.zeros(shape), [0, 0, 0])


@LOSSES
@pytest.mark.parametrize("reduction", ["avg", "Mean", None])
def test_unknown_reduction_raises_naming_it(loss, reduction):
    with pytest.raises(ValueError, match=f"got {reduction!r}"):
        loss(np.zeros((2, 3)), [0, 1], reduction=reduction)


def test_mse_loss_rejects_unknown_reduction_and_mismatched_shapes():
    with pytest.raises(ValueError, match="'average'"):
        F.mse_loss(np.zeros(3), np.zeros(3), reduction="average")
    with pytest.raises(ValueError, match=r"pred has shape \(3, 1\) but target has shape \(3,\)"):
        F.mse_loss(tl.tensor(np.zeros((3, 1)), requires_grad=True), np.zeros(3))


@pytest.mark.parametrize("penalty", [F.l2_penalty, F.l1_penalty])
def test_penalty_of_nothing_raises(penalty):
    with pytest.raises(ValueError, match="got no tensors"):
        penalty([], 0.1)


# ----- dtypes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "loss",
    [F.cross_entropy, F.hinge_loss, lambda s, y, reduction: F.hinge_loss(s, y, squared=True, reduction=reduction)],
    ids=["ce", "hinge", "squared-hinge"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_the_dtype_of_the_scores(loss, reduction, dtype):
    rng = np.random.default_rng(5)
    scores, y = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    x = tl.tensor(scores.astype(dtype), requires_grad=True)
    out = loss(x, y, reduction=reduction)
    out.backward(np.ones(out.shape, dtype=dtype))
    assert out.dtype == dtype and x.grad.dtype == dtype
    x64 = tl.tensor(scores.astype(dtype).astype(np.float64), requires_grad=True)
    out64 = loss(x64, y, reduction=reduction)
    out64.backward(np.ones(out64.shape))
    np.testing.assert_allclose(out.data, out64.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad, x64.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, F.logsumexp, lambda t: F.mse_loss(t, 2 * t.data)])
def test_activations_and_mse_keep_float32(fn):
    x = tl.tensor(np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    out = fn(x)
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("penalty", [F.l2_penalty, F.l1_penalty])
def test_penalties_keep_float32(penalty):
    w = tl.tensor(np.array([[0.5, -1.0]], dtype=np.float32), requires_grad=True)
    out = penalty([w], 0.1)
    out.backward()
    assert out.dtype == np.float32 and w.grad.dtype == np.float32


# ----- softmax, log_softmax, logsumexp -------------------------------------------------------------


ACTIVATIONS = {
    "softmax": (lambda t, axis: F.softmax(t, axis=axis), reference.softmax),
    "log_softmax": (lambda t, axis: F.log_softmax(t, axis=axis), lambda x, axis: np.log(reference.softmax(x, axis))),
    "logsumexp": (lambda t, axis: F.logsumexp(t, axis=axis), lambda x, axis: np.log(np.exp(x).sum(axis=axis))),
    "logsumexp-keepdims": (
        lambda t, axis: F.logsumexp(t, axis=axis, keepdims=True),
        lambda x, axis: np.log(np.exp(x).sum(axis=axis, keepdims=True)),
    ),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data())
def test_activation_matches_numpy_and_finite_differences(name, data):
    fn, reference = ACTIVATIONS[name]
    shape = data.draw(testing.shapes(min_dims=1))
    x = data.draw(testing.arrays(shape))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    out = fn(x, axis)  # a NumPy array is taken as a constant
    assert not out.requires_grad
    np.testing.assert_allclose(out.data, reference(x, axis), rtol=1e-12, atol=1e-15)
    testing.check_gradients(lambda t: fn(t, axis), x)


def test_activations_default_to_the_last_axis():
    x = np.random.default_rng(7).standard_normal((2, 3, 4))
    np.testing.assert_allclose(F.softmax(x).data, reference.softmax(x, -1))
    np.testing.assert_allclose(F.log_softmax(x).data, np.log(reference.softmax(x, -1)))
    np.testing.assert_allclose(F.logsumexp(x).data, np.log(np.exp(x).sum(axis=-1)))
    np.testing.assert_allclose(F.logsumexp(x, axis=None).data, np.log(np.exp(x).sum()))


HUGE = np.array([[1e4, -1e4, 0.5e4, 1e4 - 1.0], [-1e4, -1e4 + 1.0, -1e4 - 1.0, -1e4 + 0.5]])
SHIFTED = HUGE - HUGE.max(axis=1, keepdims=True)  # the same rows moved next to 0, where NumPy is exact


@pytest.mark.parametrize(
    "fn, offset",
    [
        (F.softmax, 0.0),
        (F.log_softmax, 0.0),
        (F.logsumexp, HUGE.max(axis=1)),
        (lambda t: F.cross_entropy(t, [3, 1], reduction="none"), 0.0),
        (lambda t: F.hinge_loss(t, [3, 1], reduction="none"), 0.0),
    ],
    ids=["softmax", "log_softmax", "logsumexp", "cross_entropy", "hinge_loss"],
)
def test_logits_of_magnitude_1e4_give_finite_values_and_gradients(fn, offset):
    # All five are shift-invariant along a row (logsumexp up to adding the shift), so the
    # huge logits must give what the small ones give; naive exp(1e4) would overflow to inf.
    x, x_small = tl.tensor(HUGE, requires_grad=True), tl.tensor(SHIFTED, requires_grad=True)
    out, out_small = fn(x), fn(x_small)
    upstream = np.random.default_rng(8).uniform(0.5, 1.5, out.shape)
    out.backward(upstream)
    out_small.backward(upstream)
    assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
    np.testing.assert_allclose(out.data, out_small.data + offset, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad, x_small.grad, rtol=1e-9, atol=1e-12)


def test_float32_logits_of_magnitude_1e4_stay_finite():
    x = tl.tensor(HUGE.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, [0, 3]) + F.log_softmax(x).sum() + F.logsumexp(x).sum()
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad).all()


# ----- mse and penalties ---------------------------------------------------------------------------


@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS))
def test_mse_loss_matches_numpy_and_finite_differences(data, reduction):
    shape = data.draw(testing.shapes())
    pred, target = data.draw(testing.arrays(shape)), data.draw(testing.arrays(shape))
    want = reduce((pred - target) ** 2, reduction)
    np.testing.assert_allclose(F.mse_loss(pred, target, reduction=reduction).data, want)
    testing.check_gradients(lambda p, t: F.mse_loss(p, t, reduction=reduction), pred, target)


@st.composite
def weight_lists(draw, avoid=()):
    count = draw(st.integers(1, 3))
    return [draw(testing.arrays(testing.shapes(), avoid=avoid)) for _ in range(count)]


@given(weights=weight_lists(), lam=st.floats(0.01, 2.0))
def test_l2_penalty_matches_numpy_and_finite_differences(weights, lam):
    want = lam * sum(float(np.sum(w**2)) for w in weights)
    assert F.l2_penalty([tl.tensor(w) for w in weights], lam).item() == pytest.approx(want, rel=1e-12)
    testing.check_gradients(lambda *ws: F.l2_penalty(ws, lam), *weights)


@given(weights=weight_lists(avoid=(0.0,)), lam=st.floats(0.01, 2.0))
def test_l1_penalty_matches_numpy_and_finite_differences(weights, lam):
    want = lam * sum(float(np.sum(np.abs(w))) for w in weights)
    assert F.l1_penalty([tl.tensor(w) for w in weights], lam).item() == pytest.approx(want, rel=1e-12)
    testing.check_gradients(lambda *ws: F.l1_penalty(ws, lam), *weights)


@pytest.mark.parametrize("penalty, per_weight", [(F.l2_penalty, lambda w: 2 * w), (F.l1_penalty, np.sign)])
def test_penalty_takes_one_tensor_or_any_iterable(penalty, per_weight):
    a, b = tl.tensor([1.0, -2.0], requires_grad=True), tl.tensor([[0.0, 3.0]], requires_grad=True)
    single = penalty(a, 0.5)
    assert single.item() == penalty([a], 0.5).item()
    total = penalty((w for w in (a, b)), 0.5)  # a generator, e.g. model.parameters()
    total.backward()
    np.testing.assert_allclose(a.grad, 0.5 * per_weight(a.data))
    np.testing.assert_allclose(b.grad, 0.5 * per_weight(b.data))  # |w| has gradient 0 at 0


@given(weights=weight_lists(), lam=st.floats(1e-3, 2.0))
def test_fused_penalties_equal_their_composition_from_ops(weights, lam):
    """The fused l2/l1 nodes compute what ``lam * sum((w * w).sum())`` / ``|w|`` compose to."""
    compositions = {
        F.l2_penalty: lambda ws: sum(((w * w).sum() for w in ws[1:]), start=(ws[0] * ws[0]).sum()) * lam,
        F.l1_penalty: lambda ws: sum((w.abs().sum() for w in ws[1:]), start=ws[0].abs().sum()) * lam,
    }
    for fused, composed in compositions.items():
        a = [tl.tensor(w, requires_grad=True) for w in weights]
        b = [tl.tensor(w, requires_grad=True) for w in weights]
        out_fused, out_composed = fused(a, lam), composed(b)
        assert out_fused.op in ("l2_penalty", "l1_penalty") and out_fused.parents == tuple(a)
        np.testing.assert_allclose(out_fused.data, out_composed.data, rtol=1e-12, atol=1e-15)
        out_fused.backward()
        out_composed.backward()
        for x, y in zip(a, b):
            # atol: for subnormal weights (1e-311) 2 * (lam * w) and (2 * lam) * w round differently
            np.testing.assert_allclose(x.grad, y.grad, rtol=1e-12, atol=1e-300)


# ===== release 0.2: the course toolbox's functions (section C) =================================


def test_activation_functions_match_numpy():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(F.relu(x).data, np.maximum(x, 0))
    np.testing.assert_allclose(F.sigmoid(x).data, 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(F.tanh(x).data, np.tanh(x), rtol=1e-14)
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, np.where(x > 0, x, 0.1 * x), rtol=1e-15)
    np.testing.assert_allclose(F.leaky_relu(x).data, np.where(x > 0, x, 0.01 * x), rtol=1e-15)


@given(testing.arrays(testing.shapes(), avoid=(0.0,)), st.floats(0.0, 0.5))
def test_leaky_relu_gradient_matches_finite_differences(x, slope):
    testing.check_gradients(lambda t: F.leaky_relu(t, slope), x)


def test_leaky_relu_gradient_at_zero_is_the_slope_as_pytorch():
    x = tl.tensor([0.0, -1.0, 2.0], requires_grad=True)
    F.leaky_relu(x, 0.2).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.2, 0.2, 1.0])


def test_dropout_statistics_scaling_and_gradient():
    x = tl.tensor(np.full((400, 500), 3.0), requires_grad=True)
    out = F.dropout(x, p=0.3, rng=0)
    kept = out.data != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)  # 200,000 draws: std of the mean 0.001
    np.testing.assert_allclose(out.data[kept], 3.0 / 0.7, rtol=1e-15)
    assert out.data.mean() == pytest.approx(3.0, rel=0.01)
    out.backward(np.ones(x.shape))
    np.testing.assert_allclose(x.grad, kept / 0.7, rtol=1e-15)  # the same mask scales the gradient
    np.testing.assert_array_equal(F.dropout(x, p=0.3, rng=0).data, out.data)  # same seed, same mask
    assert F.dropout(x, p=0.3, training=False) is x and F.dropout(x, p=0.0) is x
    assert not F.dropout(x, p=1.0).data.any()
    f32 = F.dropout(np.ones(10, dtype=np.float32), p=0.5, rng=1)
    assert f32.dtype == np.float32


@pytest.mark.parametrize("p", [-0.5, 1.01, float("nan")])
def test_dropout_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match=f"between 0 and 1, got {p}"):
        F.dropout(np.ones(3), p=p)
    with pytest.raises(TypeError, match="number in"):
        F.dropout(np.ones(3), p="0.5")


def test_one_hot():
    out = F.one_hot(np.array([0, 2, 1]), 3)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert F.one_hot([[1], [3]]).shape == (2, 1, 4)  # num_classes inferred as max + 1
    assert F.one_hot([], 5).shape == (0, 5)
    with pytest.raises(ValueError, match=r"label 3 at index 1 is out of range \[0, 3\)"):
        F.one_hot([0, 3], 3)
    with pytest.raises(TypeError, match="integer class labels.*float64"):
        F.one_hot(np.array([0.0, 1.0]), 2)


def test_nll_loss_of_log_softmax_is_cross_entropy():
    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((6, 4)), np.array([0, 3, 1, 1, 2, 0])
    for reduction in ("mean", "sum", "none"):
        a = tl.tensor(scores, requires_grad=True)
        b = tl.tensor(scores, requires_grad=True)
        nll = F.nll_loss(F.log_softmax(a, axis=1), labels, reduction=reduction)
        ce = F.cross_entropy(b, labels, reduction=reduction)
        np.testing.assert_allclose(nll.data, ce.data, rtol=1e-13)
        nll.sum().backward()
        ce.sum().backward()
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12, atol=1e-15)
    assert F.nll_loss(np.log([[0.5, 0.5], [0.9, 0.1]]), [0, 0]).item() == pytest.approx(
        -(np.log(0.5) + np.log(0.9)) / 2, rel=1e-15
    )
    with pytest.raises(TypeError, match="nll_loss needs integer class labels"):
        F.nll_loss(np.zeros((2, 2)), np.array([0.0, 1.0]))


def bce_reference(p, t):
    return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))


def test_binary_cross_entropy_values_clamped_logs_and_reductions():
    p = np.array([0.8, 0.2, 0.5, 1.0, 0.0])
    t = np.array([1.0, 0.0, 0.3, 0.0, 1.0])
    with np.errstate(divide="ignore"):
        want = bce_reference(p, t)
    np.testing.assert_allclose(want[3:], [100.0, 100.0])  # PyTorch's clamp of log at -100
    np.testing.assert_allclose(F.binary_cross_entropy(p, t, reduction="none").data, want, rtol=1e-15)
    assert F.binary_cross_entropy(p, t).item() == pytest.approx(want.mean(), rel=1e-15)
    assert F.binary_cross_entropy(p, t, reduction="sum").item() == pytest.approx(want.sum(), rel=1e-15)
    probs = tl.tensor(p, requires_grad=True)
    F.binary_cross_entropy(probs, t, reduction="sum").backward()
    # PyTorch's backward: (p - t) / max(p (1 - p), 1e-12)
    np.testing.assert_allclose(probs.grad, (p - t) / np.maximum(p * (1 - p), 1e-12), rtol=1e-15)
    assert np.all(np.isfinite(probs.grad))


@given(
    testing.arrays(st.tuples(st.integers(1, 5)), lo=0.05, hi=0.95),
    st.sampled_from(["mean", "sum", "none"]),
)
def test_binary_cross_entropy_gradients_match_finite_differences(p, reduction):
    t = np.linspace(0, 1, p.size)
    testing.check_gradients(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), p, t)


def test_binary_cross_entropy_refuses_probabilities_outside_0_1_and_mismatched_shapes():
    with pytest.raises(ValueError, match=r"probs must be in \[0, 1\], got 1.5 at index \(1,\).*with_logits"):
        F.binary_cross_entropy(np.array([0.5, 1.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"probs have shape \(2,\) but targets have shape \(2, 1\)"):
        F.binary_cross_entropy(np.array([0.5, 0.5]), np.ones((2, 1)))


def test_binary_cross_entropy_with_logits_is_stable_and_equals_the_sigmoid_version():
    x = np.array([-3.0, -0.5, 0.0, 2.0, 4.0])
    t = np.array([0.0, 1.0, 0.5, 1.0, 0.0])
    sig = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(x, t, reduction="none").data, bce_reference(sig, t), rtol=1e-12
    )
    big = tl.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    targets = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(big, targets, reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_array_equal(big.grad, [0.0, 0.0, 1.0, -1.0])  # sigmoid(x) - t, finite


@given(
    testing.arrays(st.tuples(st.integers(1, 5)), lo=-6, hi=6),
    st.sampled_from(["mean", "sum", "none"]),
)
def test_binary_cross_entropy_with_logits_gradients_match_finite_differences(x, reduction):
    t = np.linspace(0, 1, x.size)
    testing.check_gradients(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), x, t)


def test_cross_entropy_with_class_probabilities():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 3))
    targets = rng.dirichlet(np.ones(3), size=4)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    per_sample = -(targets * log_probs).sum(axis=1)
    np.testing.assert_allclose(F.cross_entropy(logits, targets, reduction="none").data, per_sample, rtol=1e-13)
    assert F.cross_entropy(logits, targets).item() == pytest.approx(per_sample.mean(), rel=1e-13)
    assert F.cross_entropy(logits, targets, reduction="sum").item() == pytest.approx(per_sample.sum(), rel=1e-13)
    labels = np.array([2, 0, 1, 1])  # one-hot rows give the integer-label loss
    assert F.cross_entropy(logits, np.eye(3)[labels]).item() == pytest.approx(
        F.cross_entropy(logits, labels).item(), rel=1e-13
    )
    testing.check_gradients(lambda s, t: F.cross_entropy(s, t), logits, targets)
    with pytest.raises(TypeError, match="float64"):
        F.cross_entropy(logits, np.array([0.0, 1.0, 2.0, 1.0]))  # float (N,) labels: still refused
    with pytest.raises(ValueError, match=r"the logits' shape \(4, 3\), got shape \(4, 2\)"):
        F.cross_entropy(logits, np.ones((4, 2)) / 2)


def test_batch_norm_function_matches_the_layer():
    x = np.random.default_rng(3).standard_normal((5, 2))
    mean, var = tl.zeros(2), tl.ones(2)
    out = F.batch_norm(x, mean, var, training=True)
    np.testing.assert_allclose(out.data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(mean.data, 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(
        F.batch_norm(x, mean, var).data, (x - mean.data) / np.sqrt(var.data + 1e-5), rtol=1e-12
    )  # training=False uses the running statistics
