"""``tl.detect_anomaly()``: find the first op whose output (or gradient) is NaN or infinite."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .engine import Tensor, _user_location
from .function import state


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every op's output in forward and its gradients in backward inside this block.

    The first NaN or inf raises ``FloatingPointError`` naming the op, its input shapes and the
    line of your code that created it. Outside the block nothing is checked or slowed down::

        with tl.detect_anomaly():
            loss = model(X).log().sum()   # FloatingPointError: log produced nan ... at train.py:12
            loss.backward()
    """
    previous = state.anomaly
    state.anomaly = True
    try:
        yield
    finally:
        state.anomaly = previous


def _describe(ctx: Any) -> str:
    shapes = ", ".join(str(p.shape) for p in ctx.parents)
    return f"'{ctx.name}' (inputs of shapes {shapes}) created at {getattr(ctx, 'location', '<unknown>')}"


def _bad(array: np.ndarray) -> str | None:
    if array.dtype.kind not in "fc" or np.isfinite(array).all():
        return None
    return "nan" if np.isnan(array).any() else "inf"


def check_forward(ctx: Any, out: Tensor) -> None:
    ctx.location = _user_location()
    problem = _bad(out.data)
    if problem is not None:
        raise FloatingPointError(f"detect_anomaly: the op {_describe(ctx)} produced {problem} in its output")


def check_backward(ctx: Any, parent: Tensor, grad: np.ndarray) -> None:
    problem = _bad(grad)
    if problem is not None:
        raise FloatingPointError(
            f"detect_anomaly: the backward of the op {_describe(ctx)} produced {problem} "
            f"in the gradient of its input of shape {parent.shape}"
        )
