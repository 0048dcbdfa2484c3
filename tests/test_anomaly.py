"""``tl.detect_anomaly()``: the first NaN or inf names the op, its input shapes and the user's line."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import Tensor


def test_forward_nan_names_the_op_shapes_and_line() -> None:
    x = Tensor(np.array([[1.0, -1.0]]), requires_grad=True)
    with tl.detect_anomaly(), pytest.raises(FloatingPointError) as info, np.errstate(invalid="ignore"):
        x.sqrt()  # the line the message must point to
    message = str(info.value)
    assert "'sqrt'" in message and "(1, 2)" in message and "nan" in message
    assert f"{__file__}:" in message and "test_anomaly.py" in message


def test_forward_inf_is_caught_too() -> None:
    with tl.detect_anomaly(), pytest.raises(FloatingPointError, match="'div'.*inf"), np.errstate(divide="ignore"):
        Tensor([1.0], requires_grad=True) / 0.0


def test_backward_nan_names_the_op() -> None:
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with tl.detect_anomaly():
        y = x.sqrt()  # finite forward; the gradient 1 / (2 sqrt(0)) is inf
        expected = r"backward of the op 'sqrt'.*inf.*shape \(2,\)"
        with pytest.raises(FloatingPointError, match=expected), np.errstate(divide="ignore"):
            y.sum().backward()


def test_outside_the_block_numpy_behaviour_holds() -> None:
    with np.errstate(invalid="ignore"):
        y = Tensor([-1.0], requires_grad=True).log()
    assert np.isnan(y.data).all()
    assert not tl.state.state.anomaly


def test_the_block_restores_the_previous_state_after_an_error() -> None:
    with pytest.raises(FloatingPointError), tl.detect_anomaly(), np.errstate(divide="ignore"):
        Tensor([0.0]).log()
    assert not tl.state.state.anomaly
