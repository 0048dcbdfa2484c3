"""tinygrad_lite.optim: trajectories against PyTorch's update rules written out in NumPy here."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import nn, optim

# The objective of every trajectory test: f(w) = sum(c * (w - target)^2), gradient 2 c (w - target).
CURVATURE = np.array([1.0, 0.3, 2.5])
TARGET = np.array([0.5, -1.0, 2.0])


def gradient(w, curvature=CURVATURE, target=TARGET):
    return 2 * curvature * (w - target)


def run(make_optimizer, w0, steps, curvature=CURVATURE, target=TARGET):
    """The positions of w after each step, training with tinygrad_lite."""
    w = tl.tensor(w0, requires_grad=True)
    opt = make_optimizer([w])
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        (((w - target) ** 2) * curvature).sum().backward()
        opt.step()
        trajectory.append(w.data.copy())
    return np.array(trajectory)


# ----- the update rules of torch.optim, in plain NumPy ------------------------------------


def sgd_reference(w, steps, lr, momentum=0.0, weight_decay=0.0, nesterov=False, grad_fn=gradient):
    trajectory, velocity = [], None
    for _ in range(steps):
        g = grad_fn(w) + weight_decay * w
        if momentum != 0:
            velocity = g if velocity is None else momentum * velocity + g
            g = g + momentum * velocity if nesterov else velocity
        w = w - lr * g
        trajectory.append(w)
    return np.array(trajectory)


def rmsprop_reference(w, steps, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, grad_fn=gradient):
    trajectory, mean_square = [], np.zeros_like(w)
    for _ in range(steps):
        g = grad_fn(w) + weight_decay * w
        mean_square = alpha * mean_square + (1 - alpha) * g**2
        w = w - lr * g / (np.sqrt(mean_square) + eps)
        trajectory.append(w)
    return np.array(trajectory)


def adam_reference(w, steps, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, grad_fn=gradient):
    trajectory, m, v = [], np.zeros_like(w), np.zeros_like(w)
    beta1, beta2 = betas
    for t in range(1, steps + 1):
        g = grad_fn(w) + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w = w - (lr / (1 - beta1**t)) * m / (np.sqrt(v) / np.sqrt(1 - beta2**t) + eps)
        trajectory.append(w)
    return np.array(trajectory)


W0 = np.array([2.0, 1.0, -1.5])


@pytest.mark.parametrize(
    "settings",
    [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True},
    ],
)
def test_sgd_follows_the_torch_update(settings):
    np.testing.assert_allclose(
        run(lambda p: optim.SGD(p, **settings), W0, 5), sgd_reference(W0, 5, **settings), rtol=1e-13
    )


@pytest.mark.parametrize(
    "settings",
    [{}, {"lr": 0.1, "alpha": 0.9}, {"lr": 0.05, "eps": 0.1}, {"lr": 0.01, "weight_decay": 0.5}],
)
def test_rmsprop_follows_the_torch_update(settings):
    np.testing.assert_allclose(
        run(lambda p: optim.RMSprop(p, **settings), W0, 5), rmsprop_reference(W0, 5, **settings), rtol=1e-13
    )


@pytest.mark.parametrize(
    "settings",
    [{}, {"lr": 0.1}, {"lr": 0.1, "betas": (0.5, 0.9)}, {"lr": 0.05, "eps": 0.1}, {"lr": 0.1, "weight_decay": 0.5}],
)
def test_adam_follows_the_torch_update(settings):
    np.testing.assert_allclose(
        run(lambda p: optim.Adam(p, **settings), W0, 5), adam_reference(W0, 5, **settings), rtol=1e-13
    )


@given(
    w0=st.lists(st.floats(-3, 3), min_size=3, max_size=3).map(np.array),
    lr=st.floats(0, 0.3),
    momentum=st.floats(0, 0.99),
    weight_decay=st.floats(0, 0.2),
    nesterov=st.booleans(),
)
def test_sgd_trajectory_for_any_settings(w0, lr, momentum, weight_decay, nesterov):
    nesterov = nesterov and momentum > 0
    settings = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay, "nesterov": nesterov}
    np.testing.assert_allclose(
        run(lambda p: optim.SGD(p, **settings), w0, 4), sgd_reference(w0, 4, **settings), rtol=1e-12, atol=1e-14
    )


@given(
    w0=st.lists(st.floats(-3, 3), min_size=3, max_size=3).map(np.array),
    lr=st.floats(0, 0.3),
    beta1=st.floats(0, 0.99),
    beta2=st.floats(0, 0.999),
    eps=st.floats(1e-8, 1e-2),
    weight_decay=st.floats(0, 0.2),
)
def test_adam_trajectory_for_any_settings(w0, lr, beta1, beta2, eps, weight_decay):
    settings = {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}
    np.testing.assert_allclose(
        run(lambda p: optim.Adam(p, **settings), w0, 4), adam_reference(w0, 4, **settings), rtol=1e-11, atol=1e-14
    )


@given(
    w0=st.lists(st.floats(-3, 3), min_size=3, max_size=3).map(np.array),
    lr=st.floats(0, 0.3),
    alpha=st.floats(0, 0.999),
    eps=st.floats(1e-8, 1e-2),
    weight_decay=st.floats(0, 0.2),
)
def test_rmsprop_trajectory_for_any_settings(w0, lr, alpha, eps, weight_decay):
    settings = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay}
    np.testing.assert_allclose(
        run(lambda p: optim.RMSprop(p, **settings), w0, 4),
        rmsprop_reference(w0, 4, **settings),
        rtol=1e-11,
        atol=1e-14,
    )


# ----- numbers worked out by hand, on f(w) = w^2 from w = 1 ------------------------------------


def steps_on_square(opt_factory, steps):
    return run(opt_factory, np.array([1.0]), steps, curvature=np.array([1.0]), target=np.array([0.0]))[:, 0]


def test_hand_computed_sgd_steps():
    # plain: w <- w - 0.1 * 2w = 0.8 w
    np.testing.assert_allclose(steps_on_square(lambda p: optim.SGD(p, lr=0.1), 3), [0.8, 0.64, 0.512], rtol=1e-15)
    # momentum: b1 = g1 = 2 -> w = 0.8; g2 = 1.6, b2 = 0.9 * 2 + 1.6 = 3.4 -> w = 0.8 - 0.34 = 0.46
    np.testing.assert_allclose(steps_on_square(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), 2), [0.8, 0.46])
    # nesterov: b1 = 2, step g + 0.9 b = 3.8 -> w = 0.62; g2 = 1.24, b2 = 3.04, step 1.24 + 2.736 -> w = 0.2224
    np.testing.assert_allclose(
        steps_on_square(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), 2), [0.62, 0.2224]
    )
    # weight decay 0.5 adds 0.5 w to the gradient: w <- w - 0.1 * 2.5 w = 0.75 w
    np.testing.assert_allclose(steps_on_square(lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), 2), [0.75, 0.5625])


def test_hand_computed_first_steps_of_adam_and_rmsprop():
    # Adam's first step is lr * g / (|g| + eps): almost exactly lr
    (w,) = steps_on_square(lambda p: optim.Adam(p, lr=0.1), 1)
    assert w == pytest.approx(0.9 + 0.1 * 1e-8 / 2, abs=1e-15)
    # RMSprop's first step is lr * g / (sqrt(1 - alpha) |g| + eps) = lr / 0.1 with the defaults
    (w,) = steps_on_square(lambda p: optim.RMSprop(p, lr=0.01), 1)
    assert w == pytest.approx(1 - 0.01 * 2 / (0.1 * 2 + 1e-8), abs=1e-15)
    # with eps = 1 the denominators are sqrt(0.004) / sqrt(0.001) + 1 = 3 and sqrt(0.04) + 1 = 1.2
    (w,) = steps_on_square(lambda p: optim.Adam(p, lr=0.3, eps=1.0), 1)
    assert w == pytest.approx(1 - 0.3 * 2 / 3, abs=1e-15)
    (w,) = steps_on_square(lambda p: optim.RMSprop(p, lr=0.3, eps=1.0), 1)
    assert w == pytest.approx(1 - 0.3 * 2 / 1.2, abs=1e-15)


# ----- bookkeeping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1),
        lambda p: optim.RMSprop(p, weight_decay=0.1),
        lambda p: optim.Adam(p, weight_decay=0.1),
    ],
)
def test_step_never_writes_into_a_gradient(make):
    # Add's backward hands the same array to both of its inputs: gradients can be shared
    a, b = tl.tensor([1.0, 2.0], requires_grad=True), tl.tensor([3.0, 4.0], requires_grad=True)
    shared = np.array([0.5, -0.5])
    opt = make([a, b])
    for _ in range(3):
        a.grad = b.grad = shared
        opt.step()
    np.testing.assert_array_equal(shared, [0.5, -0.5])


@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: optim.RMSprop(p),
        lambda p: optim.Adam(p),
    ],
)
def test_parameters_without_a_gradient_are_skipped(make):
    used, unused = tl.tensor([1.0], requires_grad=True), tl.tensor([5.0], requires_grad=True)
    opt = make([used, unused])
    (used * 3).sum().backward()
    opt.step()
    assert unused.data[0] == 5.0 and used.data[0] != 1.0


def test_adam_counts_steps_per_parameter_like_torch():
    late, early = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = optim.Adam([late, early], lr=0.1, eps=1.0)
    early.grad = np.array([2.0])
    opt.step()  # `late` has no gradient yet: its step count stays 0
    late.grad = early.grad = np.array([2.0])
    opt.step()
    # late's first step: m_hat = 2, v_hat = 4 -> 0.1 * 2 / (2 + 1)
    assert late.data[0] == pytest.approx(1 - 0.1 * 2 / 3, abs=1e-15)
    np.testing.assert_allclose(
        early.data, adam_reference(np.array([1.0]), 2, lr=0.1, eps=1.0, grad_fn=lambda w: np.array([2.0]))[-1]
    )


@pytest.mark.parametrize(
    "make",
    [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.RMSprop(p), lambda p: optim.Adam(p)],
)
def test_float32_parameters_stay_float32(make):
    w = tl.tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    opt = make([w])
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.data.dtype == np.float32 and np.all(np.abs(w.data) < [1.0, 2.0])


def test_zero_grad_sets_gradients_to_none():
    w = tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad()
    assert w.grad is None


def test_model_parameters_generator_and_changing_lr():
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert len(opt.params) == 2
    before = model.weight.data.copy()
    opt.lr = 0.0  # a schedule may change the learning rate between steps
    model(np.ones((1, 2))).sum().backward()
    opt.step()
    np.testing.assert_array_equal(model.weight.data, before)
    opt.lr = 1.0
    opt.step()
    np.testing.assert_allclose(model.weight.data, before - 1.0)
    assert "SGD(2 parameters, lr=1.0" in repr(opt)


def test_wrong_gradient_shape_is_reported():
    w = tl.tensor([1.0, 2.0], requires_grad=True, name="w")
    w.grad = np.array(1.0)
    with pytest.raises(ValueError, match=r"w of shape \(2,\) has a gradient of shape \(\)"):
        optim.SGD([w], lr=0.1).step()


# ----- bad input --------------------------------------------------------------------------


def param():
    return tl.tensor([1.0], requires_grad=True)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: optim.SGD([param()], lr=-0.1),
            ValueError,
            r"lr \(the learning rate\) must be a finite number >= 0.0, got -0.1",
        ),
        (lambda: optim.SGD([param()], lr=math.nan), ValueError, "got nan"),
        (lambda: optim.SGD([param()], lr="0.1"), TypeError, "lr .* must be a number, got str"),
        (lambda: optim.SGD([param()], lr=0.1, momentum=-0.5), ValueError, "momentum must be .* got -0.5"),
        (lambda: optim.SGD([param()], lr=0.1, weight_decay=-1), ValueError, "weight_decay must be .* got -1.0"),
        (lambda: optim.SGD([param()], lr=0.1, nesterov=True), ValueError, "nesterov=True needs a momentum > 0"),
        (lambda: optim.RMSprop([param()], eps=-1e-8), ValueError, "eps must be .* got -1e-08"),
        (lambda: optim.RMSprop([param()], alpha=1.5), ValueError, r"alpha must be in \[0.0, 1.0\), got 1.5"),
        (lambda: optim.RMSprop([param()], lr=-1), ValueError, "lr"),
        (lambda: optim.Adam([param()], betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0.0, 1.0\), got 1.0"),
        (lambda: optim.Adam([param()], betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must be in \[0.0, 1.0\), got -0.1"),
        (lambda: optim.Adam([param()], betas=0.9), ValueError, r"betas must be a pair \(beta1, beta2\), got 0.9"),
        (lambda: optim.Adam([param()], eps=-1.0), ValueError, "eps"),
        (lambda: optim.Adam([param()], lr=-0.001), ValueError, "got -0.001"),
        (lambda: optim.Adam([], lr=0.1), ValueError, "Adam: got no parameters"),
        (lambda: optim.SGD(iter([]), lr=0.1), ValueError, "already used up"),
        (lambda: optim.SGD(param(), lr=0.1), TypeError, r"got a single Tensor; pass \[tensor\]"),
        (lambda: optim.SGD(3, lr=0.1), TypeError, "must be an iterable of Tensors .* got int"),
        (lambda: optim.SGD([param(), np.ones(2)], lr=0.1), TypeError, r"params\[1\] is a ndarray, not a Tensor"),
        (
            lambda: optim.SGD([tl.tensor([1.0], name="b")], lr=0.1),
            ValueError,
            r"params\[0\] \('b'\) does not require grad",
        ),
        (lambda: optim.RMSprop([param() * 2]), ValueError, r"params\[0\] is the result of an op \('mul'\), not a leaf"),
    ],
)
def test_bad_input_is_refused_with_a_reason(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_tensor_given_twice_is_refused():
    w = param()
    with pytest.raises(ValueError, match=r"params\[2\] is the same tensor as params\[0\]"):
        optim.Adam([w, param(), w])


def test_used_up_generator_gives_a_hint():
    model = nn.Linear(2, 2)
    params = model.parameters()
    optim.SGD(params, lr=0.1)
    with pytest.raises(ValueError, match="generator that was already used up"):
        optim.SGD(params, lr=0.1)
