"""The calculus of tinygrad_lite: every primitive op, its forward and its vector-Jacobian product.

Each op reads top to bottom as ``forward`` (NumPy in, NumPy out) and ``backward`` (the
gradient of the output in, one gradient per input out). A backward may return a gradient
in the broadcast shape of the output: the engine sums it back to the input's shape in one
place (`shapes.sum_to_shape`). It returns ``None`` for an input that needs no gradient, so
no time is spent on it (``ctx.needs_input_grad``).

Conventions at non-smooth points: relu'(0) = 0, abs'(0) = 0; ``std`` has gradient 0 where it
is 0 (as PyTorch's); at a tie of ``maximum`` or
``minimum`` neither side gets the gradient (so max(0, x) has gradient 0 at x = 0, like relu);
``max``/``min`` reductions share the gradient equally among tied entries; ``clip`` passes
the gradient where lo <= x <= hi.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import engine
from .errors import IndexingError
from .function import Function
from .validation import check_bounds

Array = np.ndarray


def _real(a: Array, name: str) -> Array:
    """Refuse complex input to an op that orders values or is defined only on the real line."""
    if a.dtype.kind == "c":
        raise TypeError(f"{name} is defined for real numbers only, got complex input (dtype {a.dtype})")
    return a


# ----- elementwise arithmetic (broadcasting) -----------------------------------------------


class Add(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        return a + b

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array, Array]:
        return grad, grad


class Sub(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        return a - b

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array, Array | None]:
        return grad, -grad if ctx.needs_input_grad[1] else None


class Mul(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return grad * b if da else None, grad * a if db else None


class Div(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        b, out = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        grad_a = grad / b if da else None
        grad_b = -(grad / b if grad_a is None else grad_a) * out if db else None  # d(a/b)/db = -(a/b)/b
        return grad_a, grad_b


class Neg(Function):
    reads_data = False

    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        return -a

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        return -grad


class Pow(Function):
    """``a ** b`` for a scalar or tensor exponent; d/da = b a^(b-1), d/db = a^b log(a)."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        a, b, out = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        grad_a = grad_b = None
        if da:
            if b.ndim == 0:  # the usual case, one exponent: no need to scan an array of them
                e = b.item()
                if e == 2 and b.dtype.kind == "f":  # x**2, the commonest: 2x (the same bits as b * a**(b-1))
                    local = a * 2
                elif e == 0:  # x**0 is constant: its derivative is 0 even where x**-1 is inf
                    local = np.zeros_like(b * a)
                else:
                    local = b * a ** (b - 1)
            else:
                local = b * a ** (b - 1)
                if (b == 0).any():
                    local = np.where(b == 0, 0, local)
            grad_a = grad * local
        if db:
            with np.errstate(divide="ignore", invalid="ignore"):
                local = out * np.log(a)
            grad_b = grad * np.where((a == 0) & (b >= 0), 0, local)  # 0**b is flat in b there
        return grad_a, grad_b


class MatMul(Function):
    """``a @ b`` as ``np.matmul``: 1-D, 2-D and batched (batch dimensions broadcast)."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs inputs with at least one dimension")
        inner = b.shape[-2 if b.ndim > 1 else 0]
        if a.shape[-1] != inner:
            raise ValueError(
                f"not aligned: the last dimension of the first ({a.shape[-1]}) must equal the "
                f"{'second-to-last' if b.ndim > 1 else 'only'} dimension of the second ({inner})"
            )
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
            # The weight gradient a.T @ grad (k, n) can also be computed as (grad.T @ a).T: the
            # same sums in another loop order. Measured with OpenBLAS in float64 (benchmarks W2,
            # W3), that is faster for a long reduction into a tall, thin result, e.g. 500 rows
            # into 3073 x 10 (about 0.85x with the copy back to row-major order, which keeps
            # later elementwise updates fast); for other shapes and in float32 neither wins
            # consistently. Equal up to float rounding (tests/test_benchmarks.py).
            m, k, n = a.shape[0], a.shape[1], grad.shape[1]
            grad_b: Array | None = None
            if db and a.dtype == np.float64 and m >= 256 and n <= 32 and k >= 32 * n:
                grad_b = np.ascontiguousarray((grad.T @ a).T)
            elif db:
                grad_b = a.T @ grad
            return grad @ b.T if da else None, grad_b
        # Treat a 1-D a as a row (1, n) and a 1-D b as a column (n, 1), then drop that axis
        # again. Gradients keep the broadcast batch dimensions: the engine sums them back.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        grad_a = grad_b = None
        if da:
            grad_a = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if db:
            grad_b = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


# ----- elementwise functions ---------------------------------------------------------------


class Exp(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Std(Sqrt):
    """The square root of a variance, for ``Tensor.std``; its slope is 0 where the variance is 0.

    There every deviation from the mean is 0 (equal values, or a single one), and sqrt's
    slope 1 / (2 sqrt(0)) = inf times those zeros would give NaN. The std of one value is 0
    whatever the value, and that of equal values has a kink like ``abs`` at 0, so the
    gradient is 0 there, as PyTorch's.
    """

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(out == 0, 0.0, grad / (2 * out))


class Tanh(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        # exp of a non-positive number never overflows: 1/(1+e^-a) for a >= 0, e^a/(1+e^a) below
        e = np.exp(-np.abs(_real(a, "sigmoid")))
        out = np.where(a >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        ctx.save_for_backward(a)
        return np.maximum(_real(a, "relu"), 0)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (a,) = ctx.saved_tensors
        return grad * (a > 0)


class Abs(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (a,) = ctx.saved_tensors
        return grad * np.sign(a)


class Clip(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, lo: Any = None, hi: Any = None) -> Array:
        ctx.bounds = check_bounds(lo, hi, "clip", a.shape)
        ctx.save_for_backward(_real(a, "clip"))
        return np.clip(a, *ctx.bounds)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        return grad * inside


class Maximum(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        ctx.save_for_backward(_real(a, "maximum"), _real(b, "maximum"))
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return grad * (a > b) if da else None, grad * (b > a) if db else None


class Minimum(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array) -> Array:
        ctx.save_for_backward(_real(a, "minimum"), _real(b, "minimum"))
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return grad * (a < b) if da else None, grad * (b < a) if db else None


class Where(Function):
    reads_data = False

    """``where(condition, a, b)``; the condition is an option, not an input: it has no gradient."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, b: Array, condition: Any = None) -> Array:
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array | None, Array | None]:
        condition = ctx.options["condition"]
        da, db = ctx.needs_input_grad
        zero = np.zeros((), dtype=grad.dtype)
        return (np.where(condition, grad, zero) if da else None, np.where(condition, zero, grad) if db else None)


class Cast(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, dtype: np.dtype[Any] | None = None) -> Array:
        return a.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        return grad  # the engine casts it back to the input's dtype


# ----- reductions ---------------------------------------------------------------------------


def _expand(grad: Array, axis: tuple[int, ...] | None, keepdims: bool) -> Array:
    """Give a reduced gradient back the reduced axes (as size 1), so it broadcasts to the input."""
    if axis is None or keepdims:
        return grad
    return np.expand_dims(grad, axis)


class Sum(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> Array:
        ctx.save_for_backward(a.shape)
        return a.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (shape,) = ctx.saved_tensors
        return np.broadcast_to(_expand(grad, ctx.options["axis"], ctx.options["keepdims"]), shape)


class _Extreme(Function):
    """max or min over axes; tied entries share the gradient equally."""

    fresh_gradients = True

    reduce: Any = None

    @classmethod
    def forward(cls, ctx: Any, a: Array, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> Array:
        if a.size == 0 and (axis is None or any(a.shape[i] == 0 for i in axis)):
            raise ValueError(f"max/min over zero elements (shape {a.shape}, axis {axis}) is undefined")
        extreme = cls.reduce(_real(a, cls.name), axis=axis, keepdims=True)
        ctx.save_for_backward(a, extreme)
        return extreme if keepdims else (extreme.reshape(()) if axis is None else np.squeeze(extreme, axis))

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        a, extreme = ctx.saved_tensors
        axis = ctx.options["axis"]
        hit = a == extreme
        count = hit.sum(axis=axis, keepdims=True)
        return hit * (_expand(grad, axis, ctx.options["keepdims"]) / count)


class Max(_Extreme):
    name = "max"
    reduce = staticmethod(np.max)


class Min(_Extreme):
    name = "min"
    reduce = staticmethod(np.min)


# ----- softmax family (stable: shift by the max first) -------------------------------------


def _finite_max(a: Array, axis: int | tuple[int, ...] | None) -> Array:
    """The max along axis (kept as size 1), with infinite maxima replaced by 0 so no inf - inf appears."""
    if a.size == 0:  # nothing to shift: zeros of the reduced shape
        return np.zeros_like(a.sum(axis=axis, keepdims=True))
    m = np.max(a, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


def _shift(a: Array, axis: int) -> Array:
    """``a`` minus its max along ``axis``, so exp never overflows. A row of only -inf (everything
    masked) is shifted by 0 instead of giving -inf - -inf; a row holding +inf or NaN gives NaN,
    as in PyTorch."""
    if a.size == 0:
        return a
    m = np.max(a, axis=axis, keepdims=True)
    return a - np.where(m == -np.inf, 0, m)


class Softmax(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, axis: int = -1) -> Array:
        with np.errstate(invalid="ignore", divide="ignore"):  # a row of only -inf gives nan, as in PyTorch
            e = np.exp(_shift(_real(a, "softmax"), axis))
            out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        axis = ctx.options["axis"]
        return out * (grad - (grad * out).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    fresh_gradients = True

    name = "log_softmax"

    @staticmethod
    def forward(ctx: Any, a: Array, axis: int = -1) -> Array:
        with np.errstate(invalid="ignore", divide="ignore"):
            shifted = _shift(_real(a, "log_softmax"), axis)
            out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (out,) = ctx.saved_tensors
        axis = ctx.options["axis"]
        return grad - np.exp(out) * grad.sum(axis=axis, keepdims=True)


class LogSumExp(Function):
    fresh_gradients = True

    @staticmethod
    def forward(ctx: Any, a: Array, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> Array:
        m = _finite_max(_real(a, "logsumexp"), axis)
        with np.errstate(invalid="ignore", divide="ignore"):  # all -inf: -inf; any +inf: inf
            out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
        ctx.save_for_backward(a, out)
        return out if keepdims else (out.reshape(()) if axis is None else np.squeeze(out, axis))

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        a, out = ctx.saved_tensors  # d logsumexp / da = softmax(a)
        with np.errstate(invalid="ignore"):
            return _expand(grad, ctx.options["axis"], ctx.options["keepdims"]) * np.exp(a - out)


# ----- shapes and indexing ------------------------------------------------------------------


class Reshape(Function):
    reads_data = False
    is_view = True

    @staticmethod
    def forward(ctx: Any, a: Array, shape: tuple[int, ...] = ()) -> Array:
        ctx.save_for_backward(a.shape)
        try:
            return a.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"cannot reshape {a.size} elements into shape {shape}") from None

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (shape,) = ctx.saved_tensors
        return grad.reshape(shape)


class Transpose(Function):
    reads_data = False
    is_view = True

    @staticmethod
    def forward(ctx: Any, a: Array, axes: tuple[int, ...] | None = None) -> Array:
        if axes is not None and sorted(int(x) % max(a.ndim, 1) for x in axes) != list(range(a.ndim)):
            raise ValueError(f"axes {axes} are not a permutation of the {a.ndim} axes")
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        axes = ctx.options["axes"]
        return np.transpose(grad, None if axes is None else np.argsort([int(x) % grad.ndim for x in axes]))


class Expand(Function):
    """Broadcast to a larger shape (PyTorch's ``expand``); a copy, so it can be written in place.

    The backward passes the gradient of the expanded shape on: the engine sums it back over the
    stretched axes (`shapes.sum_to_shape`), which is exactly the vector-Jacobian product."""

    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, shape: tuple[int, ...] = ()) -> Array:
        return np.broadcast_to(a, shape).copy()

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        return grad


class Repeat(Function):
    """Tile ``sizes[i]`` copies along axis ``i`` (PyTorch's ``repeat``, NumPy's ``np.tile``).

    Each input element appears once in every tile, so its gradient is the sum over the tiles:
    the output axis ``i`` of length ``sizes[i] * n_i`` is split into ``(sizes[i], n_i)`` and the
    tile axes are summed."""

    fresh_gradients = True
    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array, sizes: tuple[int, ...] = ()) -> Array:
        shape = (1,) * (len(sizes) - a.ndim) + a.shape  # more sizes than axes: leading axes of 1
        ctx.save_for_backward(shape)
        return np.tile(a.reshape(shape), sizes)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        (shape,) = ctx.saved_tensors
        split = [n for pair in zip(ctx.options["sizes"], shape) for n in pair]
        return grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))  # leading 1s: summed by the engine


class Clone(Function):
    """A copy of the data; the gradient passes straight through."""

    reads_data = False

    @staticmethod
    def forward(ctx: Any, a: Array) -> Array:
        return a.copy()

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        return grad


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) selects each element at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


class Index(Function):
    """``a[index]``; for integer-array indices, repeated positions accumulate in backward."""

    fresh_gradients = True
    reads_data = False
    is_view = True  # basic indexing gives a view; integer arrays and masks give a copy

    name = "getitem"

    @staticmethod
    def forward(ctx: Any, a: Array, index: Any = None) -> Array:
        ctx.save_for_backward(a.shape, a.dtype)
        try:
            return np.asarray(a[index])
        except IndexError as error:
            raise IndexingError(f"index {index!r:.200} does not fit: {error}") from None

    @staticmethod
    def backward(ctx: Any, grad: Array) -> Array:
        shape, dtype = ctx.saved_tensors
        index = ctx.options["index"]
        out = np.zeros(shape, dtype=dtype)
        if _is_basic(index):
            out[index] = grad
        else:
            np.add.at(out, index, grad)
        return out


class Concatenate(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, *arrays: Array, axis: int = 0) -> Array:
        out = np.concatenate(arrays, axis=axis)  # checks the shapes and the axis first
        ctx.save_for_backward(np.cumsum([x.shape[axis] for x in arrays])[:-1])
        return out

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array, ...]:
        (splits,) = ctx.saved_tensors
        return tuple(np.split(grad, splits, axis=ctx.options["axis"]))


class Stack(Function):
    reads_data = False

    @staticmethod
    def forward(ctx: Any, *arrays: Array, axis: int = 0) -> Array:
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Array) -> tuple[Array, ...]:
        return tuple(np.moveaxis(grad, ctx.options["axis"], 0))


engine.register_ops(sys.modules[__name__])  # Tensor's operators call the ops above (engine.py explains)
