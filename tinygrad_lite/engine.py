"""The Tensor: a NumPy array, the op that made it, and reverse-mode autodiff over the graph.

A Tensor made by an op remembers that op's record (its `Function` instance, ``_ctx``),
which holds the input Tensors (``parents``). ``backward()`` walks this graph once, from the
output to the inputs in reverse topological order, calling each op's ``backward`` with the
gradient of its output and summing what comes back into every input that requires grad.
"""

from __future__ import annotations

import numbers
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import function, ops

if TYPE_CHECKING:
    from .function import Function

ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]
Index = Any


def _check_floating(dtype: np.dtype[Any]) -> None:
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(
            f"requires_grad=True needs floating-point data, but the dtype is {dtype}: "
            "gradients are only defined for float tensors (pass float data or dtype=np.float64)"
        )


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``: ``data`` is a number, a
    nested list, a NumPy array (which keeps its dtype) or a Tensor (whose data is shared).
    Numbers and lists become float64 unless ``dtype`` says otherwise::

        w = Tensor(0.0, requires_grad=True, name="w")
        cost = w**2 - 10*w + 25
        cost.backward()
        w.grad   # array(-10.)
    """

    __slots__ = ("data", "grad", "requires_grad", "name", "_ctx", "scope", "__weakref__")
    __array_ufunc__ = None  # so `ndarray + Tensor` calls Tensor.__radd__ instead of looping

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    name: str | None
    _ctx: Function | None
    scope: str

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        if isinstance(data, Tensor):
            array = data.data if dtype is None else data.data.astype(dtype, copy=False)
        elif isinstance(data, (np.ndarray, np.generic)):
            array = np.array(data, dtype=dtype)
            if array.dtype.kind in "OUSV":
                raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
        else:
            array = _array_from_python(data, dtype)
        if requires_grad:
            _check_floating(array.dtype)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str or None, got {type(name).__name__}")
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._ctx = None
        self.scope = function.state.scope

    @classmethod
    def make(cls, data: np.ndarray, ctx: Function | None, requires_grad: bool) -> Tensor:
        """The fast constructor the ops use: no checks, no copy."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.requires_grad = requires_grad
        out.name = None
        out._ctx = ctx
        out.scope = function.state.scope
        return out

    # ----- what a Tensor is -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def op(self) -> str | None:
        """Name of the op that made this tensor (``"mul"``, ``"matmul"`` ...); None for a leaf."""
        return None if self._ctx is None else self._ctx.name

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The input Tensors of the op that made this tensor; empty for a leaf."""
        return () if self._ctx is None else self._ctx.parents

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it has no length (use .item() for its value)")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous: use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    __hash__ = object.__hash__  # tensors are graph nodes: identity, not value, defines them

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=50, precision=4)
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self._ctx is not None:
            extras.append(f"op={self._ctx.name!r}")
        return "Tensor(" + ", ".join([body, *extras]) + ")"

    # ----- autodiff ---------------------------------------------------------------------

    def backward(self, gradient: ArrayLike | None = None) -> None:
        """Reverse-mode autodiff: add d(self)/d(t) into ``t.grad`` for every ``t`` that requires grad.

        ``gradient`` is the gradient of some final scalar with respect to this tensor; it
        defaults to 1 for a tensor with one element and is required otherwise.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the graph that "
                "made it has requires_grad=True (or it was made under no_grad)"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient works only on a scalar output, but this tensor "
                    f"has shape {self.shape}; pass gradient= of that shape (e.g. np.ones({self.shape}))"
                )
            seed = np.ones(self.shape, dtype=self.dtype)
        else:
            seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=self.dtype)
            if seed.ndim == 0 and self.data.size == 1:
                seed = seed.reshape(self.shape)
            if seed.shape != self.shape:
                raise GradientShapeError(
                    f"backward(): gradient has shape {seed.shape} but the tensor has shape {self.shape}"
                )
        run_backward(self, seed)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        out = Tensor.make(self.data, None, False)
        out.name = self.name
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return self."""
        if requires_grad:
            _check_floating(self.dtype)
        self.requires_grad = requires_grad
        return self

    # ----- operators --------------------------------------------------------------------

    def __add__(self, other: ArrayLike) -> Tensor:
        return ops.Add.apply(self, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return ops.Add.apply(other, self)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return ops.Sub.apply(self, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return ops.Sub.apply(other, self)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return ops.Mul.apply(self, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return ops.Mul.apply(other, self)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return ops.Div.apply(other, self)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        return ops.Pow.apply(self, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return ops.Pow.apply(base, self)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return ops.MatMul.apply(other, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __getitem__(self, index: Index) -> Tensor:
        return ops.Index.apply(self, index=_index_arrays(index))

    # Comparisons are not differentiable: they return boolean constants.
    def __lt__(self, other: ArrayLike) -> Tensor:
        return _compare(np.less, self, other)

    def __le__(self, other: ArrayLike) -> Tensor:
        return _compare(np.less_equal, self, other)

    def __gt__(self, other: ArrayLike) -> Tensor:
        return _compare(np.greater, self, other)

    def __ge__(self, other: ArrayLike) -> Tensor:
        return _compare(np.greater_equal, self, other)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, self, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, self, other)

    # ----- methods ------------------------------------------------------------------------

    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ops.Relu.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``: ``sum / n``, composed from the two primitives."""
        axes = _normalize_axis(axis, self.ndim)
        count = self.size if axes is None else int(np.prod([self.shape[a] for a in axes]))
        total = ops.Sum.apply(self, axis=axes, keepdims=bool(keepdims))
        if count == 0:  # like np.mean of nothing: nan, without dividing by zero
            return total * np.nan
        return total * (1.0 / count)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Max.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Min.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self) -> Tensor:
        return ops.Transpose.apply(self, axes=None)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        return ops.Clip.apply(self, lo=lo, hi=hi)

    def maximum(self, other: ArrayLike) -> Tensor:
        return ops.Maximum.apply(self, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        return ops.Minimum.apply(self, other)

    def softmax(self, axis: int = -1) -> Tensor:
        return ops.Softmax.apply(self, axis=_single_axis(axis, self.ndim))

    def log_softmax(self, axis: int = -1) -> Tensor:
        return ops.LogSoftmax.apply(self, axis=_single_axis(axis, self.ndim))

    def logsumexp(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return ops.LogSumExp.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another dtype; the gradient is cast back."""
        return ops.Cast.apply(self, dtype=np.dtype(dtype))

    def argmax(self, axis: int | None = None) -> np.ndarray:
        """Indices of the maxima (not differentiable): a NumPy array."""
        return np.asarray(np.argmax(self.data, axis=_single_axis(axis, self.ndim) if axis is not None else None))

    def argmin(self, axis: int | None = None) -> np.ndarray:
        """Indices of the minima (not differentiable): a NumPy array."""
        return np.asarray(np.argmin(self.data, axis=_single_axis(axis, self.ndim) if axis is not None else None))

    def any(self) -> bool:
        return bool(self.data.any())

    def all(self) -> bool:
        return bool(self.data.all())


class GradientShapeError(ValueError, RuntimeError):
    """A gradient of the wrong shape (a ValueError, and a RuntimeError as in PyTorch)."""


# ----- turning things into tensors ---------------------------------------------------------


def _array_from_python(data: Any, dtype: Any) -> np.ndarray:
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"Tensor data must be a number, a (nested) list or an array, got {type(data).__name__}")
    try:
        array = np.array(data, dtype=np.float64 if dtype is None else dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(f"cannot make a Tensor from {type(data).__name__} {data!r:.80}: {error}") from None
    if array.dtype == object:
        raise TypeError(f"cannot make a Tensor from {type(data).__name__} {data!r:.80}: not numeric")
    return array


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """A constant input of an op. A Python number takes the dtype of the tensor it meets
    (``float32_tensor * 2.5`` stays float32); arrays keep their own dtype."""
    kind = type(value)
    if (kind is float or kind is int) and like is not None and like.data.dtype.kind == "f":
        return Tensor.make(np.array(value, dtype=like.data.dtype), None, False)  # the common case: w * 10
    if kind is np.ndarray:
        return Tensor.make(value, None, False)
    if isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        if like is not None and like.data.dtype.kind == "f" and not isinstance(value, complex):
            return Tensor.make(np.array(value, dtype=like.data.dtype), None, False)
        dtype = np.float64 if like is None else np.result_type(like.data.dtype, value)  # type: ignore[arg-type]
        return Tensor.make(np.array(value, dtype=dtype), None, False)
    if isinstance(value, np.generic):
        return Tensor.make(np.asarray(value), None, False)
    return Tensor.make(_array_from_python(value, None), None, False)


def as_tensors(inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """The inputs of an op as Tensors: numbers and arrays become constants (see `constant`)."""
    like = None
    for x in inputs:
        if isinstance(x, Tensor):
            like = x
            break
    return tuple([x if isinstance(x, Tensor) else constant(x, like) for x in inputs])


def _compare(ufunc: Any, a: Tensor, b: Any) -> Tensor:
    other = b.data if isinstance(b, Tensor) else constant(b, a).data
    try:
        return Tensor.make(ufunc(a.data, other), None, False)
    except ValueError:
        raise ValueError(
            f"cannot compare tensors of shapes {a.shape} and {np.shape(other)}: they do not broadcast"
        ) from None


def _index_arrays(index: Index) -> Index:
    """Replace Tensors and lists inside an index by arrays, as NumPy expects."""
    if isinstance(index, tuple):
        return tuple(_index_arrays(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
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


def _single_axis(axis: int, ndim: int) -> int | None:
    """``axis`` as a non-negative int; None for a 0-d tensor (which accepts 0 and -1, as in PyTorch)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return int(axis) % ndim if ndim else None


# ----- the backward pass -------------------------------------------------------------------


def topological_order(root: Tensor, grad_only: bool = True) -> list[Tensor]:
    """Every tensor ``root`` depends on that requires grad (every tensor when ``grad_only`` is
    False, as for drawing), inputs before outputs and in the order they were written.

    An iterative depth-first search (no recursion, so a chain of a million ops is fine):
    a node is appended once all of its inputs have been appended.
    """
    order: list[Tensor] = []
    seen: set[int] = set()  # marked when expanded, not when pushed: a node pushed early may
    stack: list[tuple[Tensor, bool]] = [(root, False)]  # be reached again below a later sibling
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        ctx = node._ctx
        if ctx is not None:
            for parent in reversed(ctx.parents):  # the stack pops them in written order
                if (parent.requires_grad or not grad_only) and id(parent) not in seen:
                    stack.append((parent, False))
    return order


def sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes along which an input of ``shape`` was stretched.

    This is the only place where broadcasting is undone; every op's gradient goes through it.
    """
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # a custom op returned a scalar or a smaller array
        return np.broadcast_to(grad, shape)
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    if extra:
        summed = summed.reshape(summed.shape[extra:])
    if summed.shape != shape:
        raise RuntimeError(f"a gradient of shape {grad.shape} cannot be reduced to the input shape {shape}")
    return summed


def _fit(grad: Any, parent: Tensor) -> np.ndarray:
    """Make an op's gradient for ``parent`` an array of exactly its shape and dtype."""
    array: np.ndarray = np.asarray(grad)
    if array.shape != parent.data.shape:
        array = sum_to_shape(array, parent.data.shape)
    if array.dtype != parent.data.dtype:
        array = array.astype(parent.data.dtype)
    return array


def run_backward(root: Tensor, seed: np.ndarray) -> None:
    """Propagate ``seed`` (d final / d root) to every tensor ``root`` depends on.

    Each node is visited once, in reverse topological order, so by the time its op's backward
    runs, the gradients from all of its consumers have been summed into ``pending``.
    """
    anomaly = function.state.anomaly
    pending: dict[int, np.ndarray] = {id(root): seed}
    owned: set[int] = set()  # pending arrays no one else refers to: safe to add into in place
    for node in reversed(topological_order(root)):
        grad = pending.pop(id(node), None)
        if grad is None:  # no path carried a gradient here (every op skipped it)
            continue
        if type(grad) is not np.ndarray:  # NumPy returns sums of 0-d arrays as scalars
            grad = np.asarray(grad)
        if node.grad is None:
            node.grad = grad if grad.flags.writeable else grad.copy()  # not a read-only broadcast view
        else:
            total = node.grad + grad
            node.grad = total if type(total) is np.ndarray else np.asarray(total)
        ctx = node._ctx
        if ctx is None:
            continue
        input_grads = ctx.backward(ctx, grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.parents):
            raise RuntimeError(
                f"{ctx.name}.backward returned {len(input_grads)} gradients for {len(ctx.parents)} inputs"
            )
        for parent, parent_grad, needed in zip(ctx.parents, input_grads, ctx.needs_input_grad):
            if parent_grad is None or not needed:
                continue
            data = parent.data
            if type(parent_grad) is not np.ndarray or parent_grad.shape != data.shape:
                parent_grad = _fit(parent_grad, parent)
            elif parent_grad.dtype != data.dtype:
                parent_grad = parent_grad.astype(data.dtype)
            if anomaly:
                from .anomaly import check_backward

                check_backward(ctx, parent, parent_grad)
            key = id(parent)
            previous = pending.get(key)
            if previous is None:
                pending[key] = parent_grad
                if ctx.fresh_gradients:
                    owned.add(key)
            elif key in owned:
                np.add(previous, parent_grad, out=previous)  # no third array: a weight's gradient is big
            else:
                total = previous + parent_grad
                pending[key] = total if type(total) is np.ndarray else np.asarray(total)
                owned.add(key)


def _user_location() -> str:
    """``file:line`` of the innermost frame outside this package (for error messages)."""
    package_dir = os.path.dirname(__file__)
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package_dir:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"
