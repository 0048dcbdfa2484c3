"""Shape helpers: undoing broadcasting (`sum_to_shape`) and normalising ``axis`` arguments.

`sum_to_shape` is the one place in the framework where broadcasting is undone: the engine
passes every gradient an op returns through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import GradientShapeError


def sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes along which an input of ``shape`` was stretched.

    ``grad`` must have ``shape`` or a shape that ``shape`` broadcasts to; anything else (fewer
    dimensions, a mismatched size) raises `GradientShapeError`: a gradient is never broadcast up.

        sum_to_shape(np.ones((4, 3)), (3,))      # array([4., 4., 4.])
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != g for n, g in zip(shape, grad.shape[extra:])):
        raise GradientShapeError(
            f"a gradient of shape {grad.shape} cannot be summed back to the input shape {shape}: "
            f"the input does not broadcast to it"
        )
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape) if extra else summed


def normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints (None means all axes)."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):  # a 0-d tensor accepts axis 0 and -1, as in PyTorch
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        result.append(int(a) % max(ndim, 1))
    if len(set(result)) != len(result):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(sorted(result)) if ndim else None


def single_axis(axis: int, ndim: int) -> int | None:
    """``axis`` as a non-negative int; None for a 0-d tensor (which accepts 0 and -1, as in PyTorch)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return int(axis) % ndim if ndim else None


def axis_argument(axis: Any, dim: Any, default: Any = None) -> Any:
    """NumPy's ``axis=`` or PyTorch's ``dim=``, whichever was given (``default`` when neither).

    Giving both (``axis`` other than its default, and ``dim``) raises TypeError:

        axis_argument(None, 1)      # 1
        axis_argument(0, None)      # 0
    """
    if dim is None:
        return axis
    if not (axis is default or (type(axis) is type(default) and axis == default)):
        raise TypeError(
            f"got both axis={axis!r} and dim={dim!r}: they are the same argument (NumPy's and PyTorch's "
            "name), give one"
        )
    return dim


def keepdims_argument(keepdims: Any, keepdim: Any) -> bool:
    """NumPy's ``keepdims=`` or PyTorch's ``keepdim=``; giving both raises TypeError."""
    if keepdim is None:
        return bool(keepdims)
    if keepdims:
        raise TypeError(
            f"got both keepdims={keepdims!r} and keepdim={keepdim!r}: they are the same argument "
            "(NumPy's and PyTorch's name), give one"
        )
    return bool(keepdim)
