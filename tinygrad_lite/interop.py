"""NumPy functions applied to Tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``arr + t``.

A Tensor implements NumPy's two dispatch hooks (``__array_ufunc__`` for ufuncs such as
``np.exp`` and the operators of an ndarray, ``__array_function__`` for functions such as
``np.sum``), and both follow one rule:

- a NumPy function that has a Tensor method or operator (``np.exp`` → ``t.exp()``,
  ``np.sum`` → ``t.sum()``, ``np.add`` → ``+``, ``np.concatenate`` → ``tl.concatenate``)
  returns that method's differentiable Tensor result; an option the method does not take
  (``dtype=``, ``where=``, ...) raises TypeError naming the method to call;
- any other NumPy function (``np.sin``, ``np.isfinite``, ``np.prod``) is computed on the data
  and returns NumPy's result, an ndarray that is **not** differentiable (a constant);
- ``out=`` (and an in-place operator on an ndarray, ``arr += t``) raises TypeError: a Tensor's
  result is never written into an array.

So ``ndarray + Tensor`` gives a Tensor, as ``Tensor + ndarray`` does:

```python
np.exp(tl.tensor([0.0], requires_grad=True))     # Tensor([1.], requires_grad=True, op='exp')
np.sin(tl.tensor([0.0]))                         # array([0.]): NumPy's, on the data
```

The module sits above `creation` and hands itself to the engine (`engine.register_interop`),
as `ops` does, so the engine does not import it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from . import engine, ops
from .creation import concatenate, stack, where
from .engine import Tensor, as_tensor


def _compare(ufunc: Any) -> Callable[[Any, Any], Tensor]:
    def compare(a: Any, b: Any) -> Tensor:  # as the operators: a boolean constant
        return Tensor._make(np.asarray(ufunc(_data(a), _data(b))), None, False)

    return compare


# ufunc -> (the Tensor result, the Tensor spelling named in errors)
UFUNCS: dict[Any, tuple[Callable[..., Any], str]] = {
    np.add: (ops.Add.apply, "a + b"),
    np.subtract: (ops.Sub.apply, "a - b"),
    np.multiply: (ops.Mul.apply, "a * b"),
    np.true_divide: (ops.Div.apply, "a / b"),
    np.power: (ops.Pow.apply, "a ** b"),
    np.matmul: (ops.MatMul.apply, "a @ b"),
    np.negative: (ops.Neg.apply, "-t"),
    np.positive: (lambda a: a, "+t"),
    np.exp: (ops.Exp.apply, "t.exp()"),
    np.log: (ops.Log.apply, "t.log()"),
    np.sqrt: (ops.Sqrt.apply, "t.sqrt()"),
    np.tanh: (ops.Tanh.apply, "t.tanh()"),
    np.absolute: (ops.Abs.apply, "t.abs()"),
    np.maximum: (ops.Maximum.apply, "tl.maximum(a, b)"),
    np.minimum: (ops.Minimum.apply, "tl.minimum(a, b)"),
    np.less: (_compare(np.less), "a < b"),
    np.less_equal: (_compare(np.less_equal), "a <= b"),
    np.greater: (_compare(np.greater), "a > b"),
    np.greater_equal: (_compare(np.greater_equal), "a >= b"),
    np.equal: (_compare(np.equal), "a == b"),
    np.not_equal: (_compare(np.not_equal), "a != b"),
}


def _tensor(a: Any) -> Tensor:
    return as_tensor(a)


# NumPy function -> (an adapter with NumPy's parameter names, the Tensor spelling named in errors).
# An adapter takes only what the Tensor method supports; anything else fails to bind.
def _sum(a: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    return _tensor(a).sum(axis=axis, keepdims=keepdims)


def _mean(a: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    return _tensor(a).mean(axis=axis, keepdims=keepdims)


def _max(a: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    return _tensor(a).max(axis=axis, keepdims=keepdims)


def _min(a: Any, axis: Any = None, *, keepdims: bool = False) -> Tensor:
    return _tensor(a).min(axis=axis, keepdims=keepdims)


def _var(a: Any, axis: Any = None, *, ddof: int = 0, keepdims: bool = False) -> Tensor:
    return _tensor(a).var(axis=axis, keepdims=keepdims, ddof=ddof)


def _std(a: Any, axis: Any = None, *, ddof: int = 0, keepdims: bool = False) -> Tensor:
    return _tensor(a).std(axis=axis, keepdims=keepdims, ddof=ddof)


def _argmax(a: Any, axis: Any = None, *, keepdims: bool = False) -> np.ndarray:
    return _tensor(a).argmax(axis=axis, keepdims=keepdims)


def _argmin(a: Any, axis: Any = None, *, keepdims: bool = False) -> np.ndarray:
    return _tensor(a).argmin(axis=axis, keepdims=keepdims)


def _reshape(a: Any, shape: Any) -> Tensor:
    return _tensor(a).reshape(shape)


def _transpose(a: Any, axes: Any = None) -> Tensor:
    return ops.Transpose.apply(a, axes=None if axes is None else tuple(axes))  # NumPy's meaning, always


def _squeeze(a: Any, axis: Any = None) -> Tensor:
    return _tensor(a).squeeze(axis)


def _expand_dims(a: Any, axis: int) -> Tensor:
    return _tensor(a).unsqueeze(axis)


def _clip(a: Any, a_min: Any = None, a_max: Any = None) -> Tensor:
    return _tensor(a).clip(a_min, a_max)


def _where(condition: Any, x: Any, y: Any) -> Tensor:
    return where(condition, x, y)


def _concatenate(arrays: Any, axis: int = 0) -> Tensor:
    return concatenate(arrays, axis=axis)


def _stack(arrays: Any, axis: int = 0) -> Tensor:
    return stack(arrays, axis=axis)


def _dot(a: Any, b: Any) -> Tensor:
    if np.ndim(_data(a)) not in (1, 2) or np.ndim(_data(b)) not in (1, 2):
        raise TypeError("np.dot of a Tensor works for 1-D and 2-D inputs (where it is a @ b); use a @ b (np.matmul)")
    return ops.MatMul.apply(a, b)


FUNCTIONS: dict[Any, tuple[Callable[..., Any], str]] = {
    np.sum: (_sum, "t.sum(axis=..., keepdims=...)"),
    np.mean: (_mean, "t.mean(axis=..., keepdims=...)"),
    np.max: (_max, "t.max(axis=..., keepdims=...)"),
    np.amax: (_max, "t.max(axis=..., keepdims=...)"),
    np.min: (_min, "t.min(axis=..., keepdims=...)"),
    np.amin: (_min, "t.min(axis=..., keepdims=...)"),
    np.var: (_var, "t.var(axis=..., keepdims=..., ddof=...)"),
    np.std: (_std, "t.std(axis=..., keepdims=..., ddof=...)"),
    np.argmax: (_argmax, "t.argmax(axis=...)"),
    np.argmin: (_argmin, "t.argmin(axis=...)"),
    np.reshape: (_reshape, "t.reshape(shape)"),
    np.transpose: (_transpose, "t.transpose(*axes)"),
    np.squeeze: (_squeeze, "t.squeeze(axis)"),
    np.expand_dims: (_expand_dims, "t.unsqueeze(axis)"),
    np.clip: (_clip, "t.clip(lo, hi)"),
    np.where: (_where, "tl.where(condition, a, b)"),
    np.concatenate: (_concatenate, "tl.concatenate(tensors, axis=...)"),
    np.stack: (_stack, "tl.stack(tensors, axis=...)"),
    np.dot: (_dot, "a @ b"),
}

_FIRST_IS_THE_TENSOR = {_sum, _mean, _max, _min, _var, _std, _argmax, _argmin, _reshape, _transpose, _squeeze,
                        _expand_dims, _clip}  # fmt: skip


def _data(value: Any) -> Any:
    """``value`` with every Tensor in it (also inside lists, tuples and dicts) replaced by its data."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_data(v) for v in value)
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return value


def _refuse_out(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs.get("out") is not None:
        raise TypeError(
            f"np.{name}(..., out=...) with a Tensor: tensors are not written through out= (nor by an in-place "
            f"operator on an array, `array += tensor`); use the result instead: `y = np.{name}(...)`, "
            "`array = array + tensor`, or work on t.numpy() for plain (not differentiable) NumPy"
        )
    kwargs.pop("out", None)


def _call(name: str, adapter: Callable[..., Any], spelling: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        inspect.signature(adapter).bind(*args, **kwargs)
    except TypeError:
        given = [*("..." for _ in args[1:]), *(f"{k}=" for k in kwargs)]
        raise TypeError(
            f"np.{name}({', '.join(['tensor', *given])}): a Tensor does not take these options through NumPy; "
            f"call {spelling} (or np.{name} on t.numpy(), which is not differentiable)"
        ) from None
    return adapter(*args, **kwargs)


def array_ufunc(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: a ufunc with a Tensor among its inputs (see the module docstring)."""
    name = ufunc.__name__
    _refuse_out(name, kwargs)
    known = UFUNCS.get(ufunc)
    if method != "__call__":
        spelling = "the Tensor methods (t.sum(axis=...), t.max(axis=...))"
        raise TypeError(
            f"np.{name}.{method} on a Tensor is not supported: call {spelling}, or np.{name}.{method} on t.numpy() "
            "(not differentiable)"
        )
    if known is None:
        return ufunc(*_data(inputs), **_data(kwargs))  # no Tensor method: NumPy's answer on the data
    result, spelling = known
    if kwargs:
        raise TypeError(
            f"np.{name}(..., {', '.join(f'{k}=' for k in kwargs)}) on a Tensor: these options are not supported; "
            f"call {spelling}"
        )
    return result(*inputs)


def array_function(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_function__``: a NumPy function with a Tensor among its arguments."""
    name = getattr(func, "__name__", str(func))
    kwargs = dict(kwargs)
    _refuse_out(name, kwargs)
    known = FUNCTIONS.get(func)
    if known is not None:
        adapter, spelling = known
        if adapter not in _FIRST_IS_THE_TENSOR or (args and isinstance(args[0], Tensor)):
            return _call(name, adapter, spelling, args, kwargs)
    return func(*_data(args), **_data(kwargs))  # no Tensor method: NumPy's answer on the data


engine.register_interop(sys.modules[__name__])  # Tensor's NumPy hooks call the functions above
