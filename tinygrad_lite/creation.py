"""Making tensors (``tensor``, ``zeros``, ``ones``, ``full``, ``eye``, ``linspace``, ``randn``,
``rand``, ``randint``, ``arange`` and the ``*_like`` ones) and the ops that are functions rather
than methods (``maximum``, ``minimum``, ``where``, ``concatenate``/``cat``, ``stack``).

Every factory takes ``requires_grad=``, ``dtype=`` and ``name=`` (``randint`` makes integers,
which cannot require grad); the random ones take ``rng=`` (None: the generator `tl.manual_seed`
seeds)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .engine import ArrayLike, Tensor, constant
from .randomness import generator
from .shapes import axis_argument


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"a shape is made of non-negative ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _leaf(array: np.ndarray, requires_grad: bool, name: str | None) -> Tensor:
    return Tensor(array, requires_grad=requires_grad, name=name)


def _data(like: ArrayLike, what: str) -> np.ndarray:
    """The array a ``*_like`` factory copies the shape (and dtype) of."""
    if isinstance(like, Tensor):
        return like.data
    try:
        return np.asarray(like)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} needs a Tensor or an array, got {type(like).__name__}: {error}") from None


def _number(value: Any, what: str) -> Any:
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        raise TypeError(f"{what} needs a real number, got {type(value).__name__} {value!r:.60}")
    return value


def tensor(data: ArrayLike, **kwargs: Any) -> Tensor:
    """``tl.tensor(data, requires_grad=False, dtype=None, name=None)``: the same as ``Tensor(...)``."""
    return Tensor(data, **kwargs)


def zeros(*shape: Any, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None) -> Tensor:
    """A tensor of zeros: ``tl.zeros(2, 3)`` or ``tl.zeros((2, 3))``."""
    return _leaf(np.zeros(_shape(shape), dtype=dtype), requires_grad, name)


def ones(*shape: Any, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None) -> Tensor:
    """A tensor of ones: ``tl.ones(2, 3)`` or ``tl.ones((2, 3))``."""
    return _leaf(np.ones(_shape(shape), dtype=dtype), requires_grad, name)


def zeros_like(
    like: ArrayLike, requires_grad: bool = False, dtype: Any = None, name: str | None = None
) -> Tensor:
    """Zeros of ``like``'s shape and dtype (a Tensor or an array): ``tl.zeros_like(w)``."""
    data = _data(like, "zeros_like")
    return _leaf(np.zeros(data.shape, dtype=data.dtype if dtype is None else dtype), requires_grad, name)


def ones_like(
    like: ArrayLike, requires_grad: bool = False, dtype: Any = None, name: str | None = None
) -> Tensor:
    """Ones of ``like``'s shape and dtype: ``tl.ones_like(w)``."""
    data = _data(like, "ones_like")
    return _leaf(np.ones(data.shape, dtype=data.dtype if dtype is None else dtype), requires_grad, name)


def full(
    shape: Any, value: float, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None
) -> Tensor:
    """A tensor of ``shape`` (an int or a tuple) filled with ``value`` (float64 unless ``dtype``).

        tl.full((2, 3), 0.5)       # every entry 0.5
    """
    dims = _shape(tuple(shape) if isinstance(shape, (tuple, list)) else (shape,))
    return _leaf(np.full(dims, _number(value, "full"), dtype=dtype), requires_grad, name)


def full_like(
    like: ArrayLike, value: float, requires_grad: bool = False, dtype: Any = None, name: str | None = None
) -> Tensor:
    """``like``'s shape and dtype filled with ``value``: ``tl.full_like(w, 0.1)``."""
    data = _data(like, "full_like")
    filled = np.full(data.shape, _number(value, "full_like"), dtype=data.dtype if dtype is None else dtype)
    return _leaf(filled, requires_grad, name)


def eye(
    n: int, m: int | None = None, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None
) -> Tensor:
    """The ``n`` by ``m`` (default ``n``) identity matrix: ones on the diagonal, zeros elsewhere.

        tl.eye(2)        # Tensor([[1., 0.], [0., 1.]])
    """
    rows, = _shape((n,))
    cols = rows if m is None else _shape((m,))[0]
    return _leaf(np.eye(rows, cols, dtype=dtype), requires_grad, name)


def linspace(
    start: float, stop: float, num: int, requires_grad: bool = False, dtype: Any = np.float64, name: str | None = None
) -> Tensor:
    """``num`` evenly spaced numbers from ``start`` to ``stop``, both included (``np.linspace``;
    PyTorch calls ``num`` ``steps``).

        tl.linspace(0, 1, 5)     # Tensor([0., 0.25, 0.5, 0.75, 1.])
    """
    count, = _shape((num,))
    values = np.linspace(_number(start, "linspace"), _number(stop, "linspace"), count, dtype=dtype)
    return _leaf(values, requires_grad, name)


def rand(
    *shape: Any,
    rng: np.random.Generator | int | None = None,
    requires_grad: bool = False,
    dtype: Any = np.float64,
    name: str | None = None,
) -> Tensor:
    """Uniform samples in ``[0, 1)``; ``rng`` as for `randn` (None: the generator `tl.manual_seed` seeds).

        tl.rand(2, 3, rng=0).shape      # (2, 3)
    """
    samples = generator(rng).random(_shape(shape))
    return _leaf(samples.astype(dtype, copy=False), requires_grad, name)


def randint(
    low: int,
    high: int,
    shape: Any = (),
    rng: np.random.Generator | int | None = None,
    dtype: Any = np.int64,
    name: str | None = None,
) -> Tensor:
    """Random integers in ``[low, high)`` (int64, so not differentiable); ``shape`` is an int or a tuple.

        tl.randint(0, 10, (2, 3), rng=0)      # class labels, say
    """
    for what, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not isinstance(bound, (int, np.integer)):
            raise TypeError(f"randint: {what} must be an int, got {type(bound).__name__} {bound!r}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be larger than low ({low}); the range [low, high) is empty")
    if not np.issubdtype(np.dtype(dtype), np.integer):
        raise TypeError(f"randint makes integers: dtype must be an integer dtype, got {np.dtype(dtype)}")
    dims = _shape(tuple(shape) if isinstance(shape, (tuple, list)) else (shape,))
    return _leaf(generator(rng).integers(low, high, size=dims, dtype=dtype), False, name)


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


def concatenate(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (or ``dim=``), as ``np.concatenate``.

        tl.concatenate([tl.ones(2, 3), tl.zeros(1, 3)]).shape    # (3, 3)
    """
    return ops.Concatenate.apply(*_tensor_list(tensors, "concatenate"), axis=axis_argument(axis, dim, 0))


def cat(tensors: Sequence[ArrayLike], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """PyTorch's name for `concatenate`: ``tl.cat([a, b], dim=1)``."""
    chosen = dim if axis is None else axis_argument(axis, None if dim == 0 else dim, 0)
    return ops.Concatenate.apply(*_tensor_list(tensors, "cat"), axis=chosen)


def stack(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis (or ``dim=``), as ``np.stack``."""
    return ops.Stack.apply(*_tensor_list(tensors, "stack"), axis=axis_argument(axis, dim, 0))
