"""Where ops come from, and ``tl.detect_anomaly()``: find the first op whose output (or gradient)
is NaN or infinite.

Every recorded op remembers the line of the user's code that created it (`user_frame`), so
that errors found later, in backward, can point at it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import CodeType, FrameType
from typing import Any

import numpy as np

from .state import state

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_frame(frame: FrameType | None = None) -> tuple[CodeType | None, int]:
    """The code object and instruction offset of the innermost frame outside this package,
    looking from ``frame`` (default: the caller's) outwards.

    Called for every recorded op, so it stores the offset (``f_lasti``), which is free, and
    leaves turning it into a line number to `location_text`, which runs only for a message.
    """
    if frame is None:
        frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None, 0
    return frame.f_code, frame.f_lasti


def _line_of(code: CodeType, offset: int) -> int:
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return line
    return code.co_firstlineno


def user_location() -> str:
    """``file:line`` of the innermost frame outside this package (for error messages)."""
    code, offset = user_frame()
    return "<unknown>" if code is None else f"{code.co_filename}:{_line_of(code, offset)}"


def location_text(ctx: Any) -> str:
    """``file:line`` where the op ``ctx`` was created."""
    code = getattr(ctx, "location", None)
    return "<unknown>" if code is None else f"{code.co_filename}:{_line_of(code, ctx.line)}"


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every op's output in forward and its gradients in backward inside this block.

    The first NaN or inf raises ``FloatingPointError`` naming the op, its input shapes and the
    line of your code that created it. Outside the block nothing is checked or slowed down:

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
    return f"'{ctx.name}' (inputs of shapes {shapes}) created at {location_text(ctx)}"


def _bad(array: np.ndarray) -> str | None:
    if array.dtype.kind not in "fc" or np.isfinite(array).all():
        return None
    return "nan" if np.isnan(array).any() else "inf"


def check_forward(ctx: Any, data: np.ndarray) -> None:
    """Raise FloatingPointError if the output of the op ``ctx`` holds a NaN or an inf."""
    problem = _bad(data)
    if problem is not None:
        raise FloatingPointError(f"detect_anomaly: the op {_describe(ctx)} produced {problem} in its output")


def check_backward(ctx: Any, parent: Any, grad: np.ndarray) -> None:
    """Raise FloatingPointError if the gradient an op passes to ``parent`` holds a NaN or an inf."""
    problem = _bad(grad)
    if problem is not None:
        raise FloatingPointError(
            f"detect_anomaly: the backward of the op {_describe(ctx)} produced {problem} "
            f"in the gradient of its input of shape {parent.shape}"
        )
