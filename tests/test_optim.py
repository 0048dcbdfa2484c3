"""tinygrad_lite.optim: trajectories against PyTorch's update rules written out in NumPy here."""

import math
import subprocess
import sys

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


def sgd_reference(w, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, grad_fn=gradient):
    trajectory, velocity = [], None
    for _ in range(steps):
        g = grad_fn(w) + weight_decay * w
        if momentum != 0:
            velocity = g if velocity is None else momentum * velocity + (1 - dampening) * g
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


def adam_reference(
    w, steps, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False, grad_fn=gradient
):
    trajectory, m, v = [], np.zeros_like(w), np.zeros_like(w)
    beta1, beta2 = betas
    for t in range(1, steps + 1):
        g = grad_fn(w)
        if decoupled:  # AdamW: p <- p - lr * weight_decay * p, then Adam without the L2 term
            w = w - lr * weight_decay * w
        else:
            g = g + weight_decay * w
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
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
        {"lr": 0.05, "momentum": 0.5, "dampening": 1.0, "weight_decay": 0.1},
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
    dampening=st.floats(0, 1),
    weight_decay=st.floats(0, 0.2),
    nesterov=st.booleans(),
)
def test_sgd_trajectory_for_any_settings(w0, lr, momentum, dampening, weight_decay, nesterov):
    nesterov = nesterov and momentum > 0
    dampening = 0.0 if nesterov else dampening
    settings = {
        "lr": lr,
        "momentum": momentum,
        "dampening": dampening,
        "weight_decay": weight_decay,
        "nesterov": nesterov,
    }
    np.testing.assert_allclose(
        run(lambda p: optim.SGD(p, **settings), w0, 4), sgd_reference(w0, 4, **settings), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize(
    "settings",
    [{}, {"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.5}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}],
)
def test_adamw_follows_the_torch_update(settings):
    reference_settings = {"weight_decay": 1e-2, **settings}  # AdamW's default decay is PyTorch's 1e-2
    np.testing.assert_allclose(
        run(lambda p: optim.AdamW(p, **settings), W0, 5),
        adam_reference(W0, 5, decoupled=True, **reference_settings),
        rtol=1e-13,
    )


@given(
    w0=st.lists(st.floats(-3, 3), min_size=3, max_size=3).map(np.array),
    lr=st.floats(0, 0.3),
    beta1=st.floats(0, 0.99),
    beta2=st.floats(0, 0.999),
    eps=st.floats(1e-8, 1e-2),
    weight_decay=st.floats(0, 0.2),
    decoupled=st.booleans(),
)
def test_adam_and_adamw_trajectories_for_any_settings(w0, lr, beta1, beta2, eps, weight_decay, decoupled):
    settings = {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}
    kind = optim.AdamW if decoupled else optim.Adam
    np.testing.assert_allclose(
        run(lambda p: kind(p, **settings), w0, 4),
        adam_reference(w0, 4, decoupled=decoupled, **settings),
        rtol=1e-11,
        atol=1e-14,
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
    (w * 2).sum().backward()
    old = w.grad
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad, [0.0])
    np.testing.assert_array_equal(old, [2.0])  # a new array: the old one is left alone


def test_dampening_is_keyword_only_so_the_positional_order_stays():
    w = param()
    opt = optim.SGD([w], 0.1, 0.9, 0.01, True)  # lr, momentum, weight_decay, nesterov
    assert (opt.param_groups[0]["weight_decay"], opt.param_groups[0]["nesterov"]) == (0.01, True)
    with pytest.raises(TypeError):
        optim.SGD([w], 0.1, 0.9, 0.01, True, 0.5)


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
        (
            lambda: optim.SGD([param()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "and dampening 0, as in PyTorch; got momentum=0.9, dampening=0.1",
        ),
        (lambda: optim.SGD([param()], lr=0.1, dampening=1.5), ValueError, r"dampening must be in \[0, 1\], got 1.5"),
        (lambda: optim.SGD([param()], lr=0.1, nesterov=1), TypeError, "nesterov must be True or False, got int 1"),
        (lambda: optim.AdamW([param()], weight_decay=-0.1), ValueError, "AdamW: weight_decay must be .* got -0.1"),
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
            lambda: optim.SGD([tl.tensor(np.array([1, 2]), name="ids")], lr=0.1),
            TypeError,
            r"params\[0\] \('ids'\) has dtype int64; only floating-point tensors can be optimized",
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


# ----- frozen parameters, all-or-nothing steps, SGD's first momentum buffer -------------------

OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1),
    "RMSprop": lambda p: optim.RMSprop(p, weight_decay=0.1),
    "Adam": lambda p: optim.Adam(p, weight_decay=0.1),
    "AdamW": lambda p: optim.AdamW(p),
}


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_frozen_parameters_are_accepted_and_left_alone(make):
    trained = tl.tensor([1.0, 2.0], requires_grad=True)
    frozen = tl.tensor([3.0, 4.0], name="frozen")  # requires_grad=False: e.g. a frozen layer
    opt = make([trained, frozen])
    assert opt.params == [trained, frozen]
    (trained * frozen).sum().backward()
    opt.step()
    assert frozen.grad is None
    np.testing.assert_array_equal(frozen.data, [3.0, 4.0])
    assert np.all(trained.data < [1.0, 2.0])


BAD_GRADIENTS = [
    (np.array([1.0 + 2.0j, 0.0]), TypeError, r"gradient of dtype complex128 \(complex\); a gradient must be a real"),
    (np.ones(3), ValueError, r"of shape \(2,\) has a gradient of shape \(3,\)"),
    (np.array([None, None]), TypeError, "gradient of dtype object"),
    (np.array([True, False]), TypeError, "gradient of dtype bool"),
    ([1.0, 2.0], TypeError, "has a gradient that is a list, not a NumPy array"),
    (tl.tensor([1.0, 2.0]), TypeError, r"is a Tensor, not a NumPy array \(use .data"),
]


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
@pytest.mark.parametrize(("bad", "error", "message"), BAD_GRADIENTS)
def test_a_bad_third_gradient_changes_nothing(make, bad, error, message):
    params = [tl.tensor([1.0, 2.0], requires_grad=True, name=name) for name in ("a", "b", "c")]
    opt = make(params)
    for p in params:  # one good step first, so there is state that must not move either
        p.grad = np.array([0.5, -0.5])
    opt.step()
    before = [p.data.copy() for p in params]
    state_before = opt.state_dict()
    params[0].grad, params[1].grad, params[2].grad = np.array([1.0, 1.0]), np.array([1, 2]), bad
    with pytest.raises(error, match=rf"{type(opt).__name__}.step: params\[2\] \('c'\) .*{message}") as caught:
        opt.step()
    assert "no parameter was changed" in str(caught.value)
    for p, data in zip(params, before):
        np.testing.assert_array_equal(p.data, data)
    after = opt.state_dict()
    for key, entry in state_before["state"].items():
        for name, value in entry.items():
            np.testing.assert_array_equal(after["state"][key][name], value)


def test_integer_gradients_are_accepted():
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    w.grad = np.array([1, -2])
    optim.SGD([w], lr=0.5).step()
    np.testing.assert_array_equal(w.data, [0.5, 3.0])


def test_options_broken_through_param_groups_are_caught_before_any_update():
    a, b = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad = b.grad = np.array([1.0])
    opt.param_groups[1]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"SGD.step: param_groups\[1\]: lr \(the learning rate\) must be .* got -1.0"):
        opt.step()
    assert a.data[0] == 1.0 and b.data[0] == 1.0


def test_first_momentum_buffer_is_a_copy_and_two_steps_match_the_closed_form():
    # momentum only: with the same gradient g twice, b1 = g, b2 = m g + g, so
    # p2 = p0 - lr g - lr (1 + m) g, and p.grad must still be g afterwards.
    p0, g, lr, m = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.7, 1.1]), 0.1, 0.9
    w = tl.tensor(p0.copy(), requires_grad=True)
    opt = optim.SGD([w], lr=lr, momentum=m)
    gradient = g.copy()
    w.grad = gradient
    opt.step()
    buffer = opt.state[0]["momentum_buffer"]
    assert buffer is not gradient and not np.shares_memory(buffer, gradient)
    opt.step()
    np.testing.assert_array_equal(gradient, g)  # p.grad unchanged
    assert w.grad is gradient
    np.testing.assert_allclose(w.data, p0 - lr * g - lr * (1 + m) * g, rtol=1e-15, atol=1e-16)


def test_dampening_is_not_applied_to_the_first_buffer():
    # PyTorch: b1 = g (no dampening), then b = m b + (1 - d) g. On f = w^2 from w = 1 with
    # lr 0.1, m 0.9, d 0.5: g1 = 2 -> b1 = 2, w = 0.8; g2 = 1.6, b2 = 1.8 + 0.8 = 2.6 -> w = 0.54
    np.testing.assert_allclose(
        steps_on_square(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5), 2), [0.8, 0.54], rtol=1e-15
    )


def test_adamw_decays_the_weights_before_the_adam_update():
    # a zero gradient: only the decay acts, p (1 - lr wd)
    w = tl.tensor([2.0, -4.0], requires_grad=True)
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = np.zeros(2)
    opt.step()
    np.testing.assert_allclose(w.data, [1.9, -3.8], rtol=1e-15)
    # first step with a gradient: decay, then (almost exactly) lr against the gradient's sign
    w = tl.tensor([2.0], requires_grad=True)
    opt = optim.AdamW([w], lr=0.1)  # PyTorch's default weight_decay=1e-2
    w.grad = np.array([3.0])
    opt.step()
    assert w.data[0] == pytest.approx(2.0 * (1 - 0.1 * 0.01) - 0.1 * 3.0 / (3.0 + 1e-8), abs=1e-15)
    # Adam's weight_decay is an L2 term instead: with eps large the two differ visibly
    a, b = tl.tensor([2.0], requires_grad=True), tl.tensor([2.0], requires_grad=True)
    adam, adamw = (
        optim.Adam([a], lr=0.1, eps=1.0, weight_decay=0.5),
        optim.AdamW([b], lr=0.1, eps=1.0, weight_decay=0.5),
    )
    a.grad, b.grad = np.zeros(1), np.zeros(1)
    adam.step()
    adamw.step()
    # Adam: g = 0.5 * 2 = 1, m_hat = 1, v_hat = 1 -> 2 - 0.1 * 1 / 2; AdamW: 2 * 0.95, no Adam move
    assert a.data[0] == pytest.approx(2 - 0.05, abs=1e-15) and b.data[0] == pytest.approx(1.9, abs=1e-15)


# ----- parameter groups ---------------------------------------------------------------------


def test_param_groups_take_their_own_options_and_the_defaults():
    a, b = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a], "lr": 0.01}, {"params": b, "momentum": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.5]
    assert opt.param_groups[0]["params"] == [a] and opt.param_groups[1]["params"] == [b]
    assert set(opt.param_groups[0]) == {"params", "lr", "momentum", "dampening", "weight_decay", "nesterov"}
    assert opt.lr == 0.01
    opt.lr = 0.2  # the first group's rate
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.1]
    with pytest.raises(ValueError, match="lr .* got -1.0"):
        opt.lr = -1


def test_groups_follow_the_same_trajectories_as_separate_optimizers():
    def trajectory(groups):
        ws = [tl.tensor(W0.copy(), requires_grad=True) for _ in range(2)]
        opt = optim.Adam([{"params": [w], **options} for w, options in zip(ws, groups)], lr=0.05)
        out = []
        for _ in range(4):
            opt.zero_grad()
            sum((((w - TARGET) ** 2) * CURVATURE).sum() for w in ws).backward()
            opt.step()
            out.append([w.data.copy() for w in ws])
        return np.array(out)

    together = trajectory([{"lr": 0.1}, {"betas": (0.5, 0.9), "weight_decay": 0.2}])
    np.testing.assert_allclose(together[:, 0], adam_reference(W0, 4, lr=0.1), rtol=1e-13)
    np.testing.assert_allclose(
        together[:, 1], adam_reference(W0, 4, lr=0.05, betas=(0.5, 0.9), weight_decay=0.2), rtol=1e-13
    )


def test_add_param_group():
    a, b = tl.tensor([1.0], requires_grad=True), tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.5})
    a.grad = b.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.9, 0.5])
    with pytest.raises(ValueError, match=r"params\[2\] is the same tensor as params\[0\]"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize(
    ("groups", "error", "message"),
    [
        (
            [{"params": [param()], "learning_rate": 0.1}],
            ValueError,
            r"param_groups\[0\] has unknown option\(s\) 'learning_rate'",
        ),
        ([{"lr": 0.1}], ValueError, r"param_groups\[0\] has no 'params' entry"),
        ([{"params": [param()]}, param()], TypeError, "mixes dicts .* and Tensors"),
        ([{"params": [param()], "momentum": -1}], ValueError, r"param_groups\[0\]: momentum must be .* got -1.0"),
        ([{"params": []}], ValueError, "the parameter groups hold no parameters"),
    ],
)
def test_bad_param_groups_are_refused(groups, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(groups, lr=0.1)


def test_a_tensor_in_two_groups_is_refused():
    w = param()
    with pytest.raises(ValueError, match=r"param_groups\[1\]: params\[1\] is the same tensor as params\[0\]"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


# ----- state_dict / load_state_dict -------------------------------------------------------------

ALL_KINDS = {
    "SGD": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "SGD-nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01),
    "Adam": lambda p: optim.Adam(p, lr=0.05),
    "AdamW": lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1),
}


def quadratic_steps(opt, ws, steps):
    for _ in range(steps):
        opt.zero_grad()
        sum((((w - TARGET) ** 2) * CURVATURE).sum() for w in ws).backward()
        opt.step()


def leaves(tree, path=()):
    for key, value in tree.items():
        assert isinstance(key, str), path + (key,)
        if isinstance(value, dict):
            yield from leaves(value, path + (key,))
        else:
            yield path + (key,), value


@pytest.mark.parametrize("make", ALL_KINDS.values(), ids=ALL_KINDS.keys())
def test_state_dict_round_trip_through_a_file_continues_bit_for_bit(make, tmp_path):
    ws = [tl.tensor(W0 + i, requires_grad=True) for i in range(2)]
    opt = make([{"params": [ws[0]]}, {"params": [ws[1]], "lr": 0.02}])
    quadratic_steps(opt, ws, 3)
    tl.save({"weights": {str(i): w for i, w in enumerate(ws)}, "optim": opt.state_dict()}, tmp_path / "ckpt.npz")
    for _, value in leaves(opt.state_dict()):
        assert isinstance(value, (np.ndarray, int, float, bool))
    quadratic_steps(opt, ws, 4)

    ckpt = tl.load(tmp_path / "ckpt.npz")
    copies = [tl.tensor(ckpt["weights"][str(i)], requires_grad=True) for i in range(2)]
    resumed = make([{"params": [copies[0]]}, {"params": [copies[1]], "lr": 0.5}])
    resumed.load_state_dict(ckpt["optim"])
    assert resumed.param_groups[1]["lr"] == 0.02  # the saved options win
    quadratic_steps(resumed, copies, 4)
    for w, copy in zip(ws, copies):
        assert w.data.tobytes() == copy.data.tobytes()


def test_state_dict_layout_and_copies():
    a, b = tl.tensor([1.0, 2.0], requires_grad=True), tl.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    assert opt.state_dict()["state"] == {}
    a.grad = np.array([1.0, 1.0])
    opt.step()
    state = opt.state_dict()
    assert list(state) == ["state", "param_groups"]
    assert list(state["state"]) == ["0"]  # b never had a gradient: no state
    assert state["state"]["0"]["step"] == 1 and isinstance(state["state"]["0"]["step"], int)
    np.testing.assert_allclose(state["state"]["0"]["exp_avg"], [0.1, 0.1])
    group = state["param_groups"]["0"]
    np.testing.assert_array_equal(group["params"], [0, 1])
    np.testing.assert_array_equal(group["betas"], [0.9, 0.999])
    assert group["lr"] == 0.1 and group["eps"] == 1e-8 and group["weight_decay"] == 0.0
    opt.step()
    np.testing.assert_allclose(state["state"]["0"]["exp_avg"], [0.1, 0.1])  # a copy, not the live buffer


def test_load_state_dict_into_a_fresh_process_continues_bit_for_bit(tmp_path):
    script = """
import sys
import numpy as np
import tinygrad_lite as tl
from tinygrad_lite import nn, optim
from tinygrad_lite import functional as F

X = np.random.default_rng(0).standard_normal((32, 4))
y = np.arange(32) % 3
model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
opt = optim.AdamW(model.parameters(), lr=0.01)
schedule = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

def train(steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(X), y).backward()
        opt.step()
        schedule.step()

if sys.argv[1] == "first":
    train(5)
    tl.save({"model": model.state_dict(), "optim": opt.state_dict(), "schedule": schedule.state_dict(),
             "epoch": 5}, sys.argv[2])
    train(5)
else:
    ckpt = tl.load(sys.argv[2])
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])
    schedule.load_state_dict(ckpt["schedule"])
    assert ckpt["epoch"] == 5 and type(ckpt["epoch"]) is int
    train(5)
print(b"".join(p.data.tobytes() for p in model.parameters()).hex(), opt.lr)
"""
    path = tmp_path / "ckpt.npz"
    outputs = []
    for part in ("first", "second"):
        result = subprocess.run(
            [sys.executable, "-c", script, part, str(path)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.split())
    assert outputs[0] == outputs[1]
    assert float(outputs[0][1]) == 0.01 * 0.5**5


def make_adam():
    return optim.Adam([tl.tensor([1.0, 2.0], requires_grad=True), tl.tensor([3.0], requires_grad=True)], lr=0.1)


def stepped_adam_state():
    opt = make_adam()
    for p in opt.params:
        p.grad = np.ones_like(p.data)
    opt.step()
    return opt.state_dict()


def mutate(change):
    state = stepped_adam_state()
    change(state)
    return state


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        (
            optim.Adam([param()], lr=0.1).state_dict(),
            ValueError,
            r"param_groups\['0'\] of the state dict has 1 parameter\(s\), this optimizer's group 0 has 2",
        ),
        (
            optim.Adam([{"params": [param()]}, {"params": [param()]}]).state_dict(),
            ValueError,
            r"the state dict has 2 parameter group\(s\) .* this optimizer has 1",
        ),
        (
            optim.SGD([param(), param()], lr=0.1, momentum=0.9).state_dict(),
            ValueError,
            r"param_groups\['0'\] has the wrong keys \(missing 'betas', 'eps'; unexpected 'dampening', 'momentum', "
            r"'nesterov'\): is it from another kind of optimizer\?",
        ),
        (
            mutate(lambda s: s["state"]["1"].update(exp_avg=np.ones(2))),
            ValueError,
            r"state\['1'\]\['exp_avg'\] must be a real array of the shape of params\[1\], \(1,\); "
            r"got dtype float64, shape \(2,\)",
        ),
        (
            mutate(lambda s: s["state"].update({"7": {}})),
            ValueError,
            r"state has an entry '7'; its keys must be parameter positions '0'..'1'",
        ),
        (mutate(lambda s: s["state"]["0"].update(step=0)), ValueError, r"state\['0'\]\['step'\] must be an int >= 1"),
        (mutate(lambda s: s["param_groups"]["0"].update(lr=-1.0)), ValueError, "lr .* got -1.0"),
        (mutate(lambda s: s.pop("state")), ValueError, "the state dict has the wrong keys .*missing 'state'"),
        ([1, 2], TypeError, "the state dict must be a dict, got list"),
    ],
)
def test_load_state_dict_refuses_what_does_not_fit_and_changes_nothing(state, error, message):
    opt = make_adam()
    for p in opt.params:
        p.grad = np.full_like(p.data, 0.5)
    opt.step()
    before = opt.state_dict()
    with pytest.raises(error, match=message):
        opt.load_state_dict(state)
    after = opt.state_dict()
    assert after["param_groups"]["0"]["lr"] == before["param_groups"]["0"]["lr"]
    for (path, value), (_, kept) in zip(leaves(before), leaves(after)):
        np.testing.assert_array_equal(kept, value, err_msg=str(path))


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_step_counts_as_an_in_place_change(make):
    used, unused = tl.tensor([1.0, 2.0], requires_grad=True), tl.tensor([3.0], requires_grad=True)
    opt = make([used, unused])
    versions = used._version, unused._version
    loss = (used * used).sum()  # Mul saves `used` for its backward
    used.grad = np.ones(2)
    opt.step()
    assert (used._version, unused._version) == (versions[0] + 1, versions[1])
    with pytest.raises(RuntimeError, match="in place"):
        loss.backward()  # the graph saw the weights before the step
