"""tinygrad_lite.optim.lr_scheduler: each schedule's rates against its closed form (PyTorch's
values: its recursive updates agree with the closed forms to rounding)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import nn, optim
from tinygrad_lite.optim import lr_scheduler


def make_optimizer(lr=0.1, groups=1):
    params = [tl.tensor([1.0], requires_grad=True) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)], lr=lr)


def rates(schedule, epochs):
    """get_last_lr() at epochs 0 (right after construction) .. epochs, one step per epoch."""
    out = [schedule.get_last_lr()]
    for _ in range(epochs):
        schedule.optimizer.step()
        schedule.step()
        out.append(schedule.get_last_lr())
    return np.array(out)


def closed_forms(base_lrs, epochs, rule):
    return np.array([[rule(base, epoch) for base in base_lrs] for epoch in range(epochs + 1)])


CASES = {
    "StepLR": (
        lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
        lambda base, epoch: base * 0.5 ** (epoch // 3),
    ),
    "MultiStepLR": (
        lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
        lambda base, epoch: base * 0.3 ** sum(m <= epoch for m in [2, 5, 5, 9]),
    ),
    "ExponentialLR": (
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.93),
        lambda base, epoch: base * 0.93**epoch,
    ),
    "LambdaLR (the course's 1 / (1 + decay_rate * epoch))": (
        lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (1 + 0.3 * epoch)),
        lambda base, epoch: base / (1 + 0.3 * epoch),
    ),
    "CosineAnnealingLR": (
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=7, eta_min=0.01),
        lambda base, epoch: 0.01 + (base - 0.01) * (1 + math.cos(math.pi * epoch / 7)) / 2,
    ),
    "CosineAnnealingLR T_max=1": (
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=1),
        lambda base, epoch: base * (1 + math.cos(math.pi * epoch)) / 2,
    ),
}


@pytest.mark.parametrize(("make", "closed_form"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("groups", [1, 2])
def test_rates_follow_the_closed_form(make, closed_form, groups):
    opt = make_optimizer(groups=groups)
    schedule = make(opt)
    got = rates(schedule, 40)  # past T_max: the cosine climbs back up, as PyTorch's does
    np.testing.assert_allclose(
        got, closed_forms([0.1 * (i + 1) for i in range(groups)], 40, closed_form), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_array_equal([g["lr"] for g in opt.param_groups], got[-1])


def test_hand_computed_rates():
    assert rates(lr_scheduler.StepLR(make_optimizer(1.0), 2, gamma=0.5), 4)[:, 0].tolist() == [1.0, 1.0, 0.5, 0.5, 0.25]
    np.testing.assert_allclose(
        rates(lr_scheduler.CosineAnnealingLR(make_optimizer(1.0), T_max=4), 4)[:, 0],
        [1.0, (1 + math.sqrt(0.5)) / 2, 0.5, (1 - math.sqrt(0.5)) / 2, 0.0],
        atol=1e-16,
    )
    # a milestone at 0 acts at construction, as in PyTorch
    assert rates(lr_scheduler.MultiStepLR(make_optimizer(1.0), [0, 1], gamma=0.5), 2)[:, 0].tolist() == [
        0.5,
        0.25,
        0.25,
    ]


@given(
    T_max=st.integers(1, 12),
    eta_min=st.floats(0, 0.5),
    base=st.floats(1e-3, 1.0),
    epochs=st.integers(1, 60),
)
def test_cosine_for_any_settings(T_max, eta_min, base, epochs):  # noqa: N803
    schedule = lr_scheduler.CosineAnnealingLR(make_optimizer(base), T_max=T_max, eta_min=eta_min)
    expected = closed_forms(
        [base], epochs, lambda b, e: eta_min + (b - eta_min) * (1 + math.cos(math.pi * e / T_max)) / 2
    )
    np.testing.assert_allclose(rates(schedule, epochs), expected, rtol=1e-12, atol=1e-12)


def test_a_rate_changed_by_hand_is_carried_along():
    # the recursive rules scale the current rate, as PyTorch's do
    opt = make_optimizer(1.0)
    schedule = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.lr = 0.1
    schedule.step()
    assert schedule.get_last_lr() == [0.05] and opt.lr == 0.05


@pytest.mark.parametrize(("make", "closed_form"), CASES.values(), ids=CASES.keys())
def test_state_dict_round_trip_through_a_file(make, closed_form, tmp_path):
    opt = make_optimizer(groups=2)
    schedule = make(opt)
    rates(schedule, 6)
    tl.save({"schedule": schedule.state_dict(), "optim": opt.state_dict()}, tmp_path / "ckpt.npz")
    rest = rates(schedule, 10)[1:]

    ckpt = tl.load(tmp_path / "ckpt.npz")
    fresh_opt = make_optimizer(groups=2)
    fresh = make(fresh_opt)
    fresh_opt.load_state_dict(ckpt["optim"])
    fresh.load_state_dict(ckpt["schedule"])
    assert fresh.last_epoch == 6 and fresh.get_last_lr() == [g["lr"] for g in fresh_opt.param_groups]
    np.testing.assert_array_equal(rates(fresh, 10)[1:], rest)


def test_state_dict_contents():
    schedule = lr_scheduler.MultiStepLR(make_optimizer(), milestones=[5, 2, 5], gamma=0.5)
    state = schedule.state_dict()
    assert set(state) == {"last_epoch", "_step_count", "base_lrs", "_last_lr", "milestones", "gamma"}
    assert state["last_epoch"] == 0 and state["_step_count"] == 1 and state["gamma"] == 0.5
    np.testing.assert_array_equal(state["milestones"], [2, 5, 5])
    np.testing.assert_array_equal(state["base_lrs"], [0.1])
    lambda_state = lr_scheduler.LambdaLR(make_optimizer(), lambda epoch: 0.9**epoch).state_dict()
    assert set(lambda_state) == {"last_epoch", "_step_count", "base_lrs", "_last_lr"}  # the function is not saved


def test_get_last_lr_right_after_construction():
    opt = make_optimizer(0.3, groups=2)
    assert lr_scheduler.StepLR(opt, 10).get_last_lr() == [0.3, 0.6]
    assert lr_scheduler.LambdaLR(make_optimizer(0.3), lambda epoch: 0.5).get_last_lr() == [0.15]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: lr_scheduler.StepLR(nn.Linear(2, 2), 10),
            TypeError,
            r"got Linear \(pass the optimizer, e.g. optim.SGD",
        ),
        (lambda: lr_scheduler.CosineAnnealingLR("opt", 10), TypeError, "must be a tinygrad_lite optimizer .* got str"),
        (lambda: lr_scheduler.LambdaLR([1.0], lambda e: 1.0), TypeError, "got list"),
        (lambda: lr_scheduler.StepLR(make_optimizer(), 0), ValueError, "step_size must be at least 1, got 0"),
        (lambda: lr_scheduler.StepLR(make_optimizer(), 2.5), TypeError, "step_size must be an int, got float 2.5"),
        (lambda: lr_scheduler.StepLR(make_optimizer(), 2, gamma=-0.1), ValueError, "gamma must be .* got -0.1"),
        (lambda: lr_scheduler.MultiStepLR(make_optimizer(), [3, -1]), ValueError, "each milestone must be at least 0"),
        (lambda: lr_scheduler.MultiStepLR(make_optimizer(), 3), TypeError, "milestones must be a list of epochs"),
        (lambda: lr_scheduler.ExponentialLR(make_optimizer(), gamma="0.9"), TypeError, "gamma must be a number"),
        (lambda: lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=0), ValueError, "T_max must be at least 1"),
        (lambda: lr_scheduler.CosineAnnealingLR(make_optimizer(), 5, eta_min=-1), ValueError, "eta_min must be"),
        (lambda: lr_scheduler.LambdaLR(make_optimizer(), 0.5), TypeError, "lr_lambda must be a function of the epoch"),
        (
            lambda: lr_scheduler.LambdaLR(make_optimizer(groups=2), [lambda e: 1.0]),
            ValueError,
            "got 1 lr_lambda functions for 2 parameter groups",
        ),
        (lambda: lr_scheduler.LambdaLR(make_optimizer(), lambda e: "1"), TypeError, r"lr_lambda\(0\) returned str"),
        (
            lambda: lr_scheduler.LambdaLR(make_optimizer(), lambda e: -1.0),
            ValueError,
            "the learning rate for epoch 0 must be a finite number >= 0.0, got -0.1",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_load_state_dict_refusals_change_nothing():
    schedule = lr_scheduler.StepLR(make_optimizer(), 3)
    schedule.step()
    with pytest.raises(
        ValueError, match=r"wrong keys \(missing \['gamma', 'step_size'\], unexpected \['T_max', 'eta_min'\]\)"
    ):
        schedule.load_state_dict(lr_scheduler.CosineAnnealingLR(make_optimizer(), 5).state_dict())
    other = lr_scheduler.StepLR(make_optimizer(groups=2), 3).state_dict()
    with pytest.raises(ValueError, match="base_lrs must hold 1 number"):
        schedule.load_state_dict(other)
    bad = dict(schedule.state_dict(), step_size=0)
    with pytest.raises(ValueError, match="step_size must be at least 1"):
        schedule.load_state_dict(bad)
    assert schedule.last_epoch == 1 and schedule.step_size == 3
