"""Making tensors (``tensor``, ``zeros``, ``ones``, ``randn``, ``arange``) and the ops that are
functions rather than methods (``maximum``, ``minimum``, ``where``, ``concatenate``, ``stack``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .engine import ArrayLike, Tensor, constant
from .randomness import generator


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"a shape is made of non-negative ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _leaf(array: np.ndarray, requires_grad: bool, name: str | None) -> Tensor:
    return Tensor(array, requires_grad=requires_grad, name=name)


def tensor(data: ArrayLike, **kwargs: Any) -> Tensor:
    """``tl.tensor(data, requires_grad=False, dtype=None, name=None)``: the same as ``Tensor(...)``."""
    return Tensor(data, **kwargs)


def zeros(*shape: Any, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None) -> Tensor:
    """A tensor of zeros: ``tl.zeros(2, 3)`` or ``tl.zeros((2, 3))``."""
    return _leaf(np.zeros(_shape(shape), dtype=dtype), requires_grad, name)


def ones(*shape: Any, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None) -> Tensor:
    """A tensor of ones: ``tl.ones(2, 3)`` or ``tl.ones((2, 3))``."""
    return _leaf(np.ones(_shape(shape), dtype=dtype), requires_grad, name)


def randn(
    *shape: Any,
    rng: np.random.Generator | int | None = None,
    requires_grad: bool = False,
    dtype: Any = np.float64,
    name: str | None = None,
) -> Tensor:
    """Standard normal samples; ``rng`` is a ``np.random.Generator`` or an int seed (None: the
    global generator that `tl.manual_seed` seeds), for reproducible runs."""
    samples = generator(rng).standard_normal(_shape(shape))
    return _leaf(samples.astype(dtype, copy=False), requires_grad, name)


def arange(
    *args: float, requires_grad: bool = False, dtype: Any = None, name: str | None = None
) -> Tensor:
    """``tl.arange(stop)``, ``tl.arange(start, stop[, step])``, as ``np.arange`` (float64 unless ``dtype``)."""
    if not 1 <= len(args) <= 3:
        raise TypeError(f"arange takes 1 to 3 numbers (start, stop, step), got {len(args)}")
    return _leaf(np.arange(*args, dtype=np.float64 if dtype is None else dtype), requires_grad, name)


def maximum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise maximum with broadcasting; at a tie neither side gets the gradient."""
    return ops.Maximum.apply(a, b)


def minimum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise minimum with broadcasting; at a tie neither side gets the gradient."""
    return ops.Minimum.apply(a, b)


def where(condition: ArrayLike, a: ArrayLike, b: ArrayLike) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``, broadcasting all three like ``np.where``."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        raise TypeError(f"where() needs a boolean condition, got dtype {cond.dtype} (compare first, e.g. x > 0)")
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    a_t = a if isinstance(a, Tensor) else constant(a, like)
    b_t = b if isinstance(b, Tensor) else constant(b, like)
    try:
        np.broadcast_shapes(cond.shape, a_t.shape, b_t.shape)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, a {a_t.shape} and b {b_t.shape} do not broadcast together"
        ) from None
    return ops.Where.apply(a_t, b_t, condition=cond)


def _tensor_list(tensors: Sequence[ArrayLike], what: str) -> list[Any]:
    if isinstance(tensors, (Tensor, np.ndarray)) or not isinstance(tensors, Sequence):
        raise TypeError(f"{what} takes a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{what} needs at least one tensor")
    return list(tensors)


def concatenate(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis, as ``np.concatenate``."""
    return ops.Concatenate.apply(*_tensor_list(tensors, "concatenate"), axis=axis)


def stack(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis, as ``np.stack``."""
    return ops.Stack.apply(*_tensor_list(tensors, "stack"), axis=axis)
