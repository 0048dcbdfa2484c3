"""The Tensor: a NumPy array, the record of the op that made it, and reverse-mode autodiff.

A Tensor made by an op keeps that op's record (a `Function` instance, ``_ctx``), which holds
the input Tensors (``parents``). ``backward()`` walks this graph once, from the output to the
inputs in reverse topological order, calling each op's ``backward`` with the gradient of its
output and summing what comes back into every input that requires grad.

Layering: this module builds on `errors`, `state`, `shapes` and `anomaly`, and never imports
the modules above it. The one deliberate back-edge is `_ops`: Tensor's operators (``a + b``,
``a.exp()``) call the ops of `ops.py`, which are built on `Function` (function.py), which
builds on Tensor. ``ops.py`` hands itself over with `register_ops` when it is imported.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import anomaly
from .errors import GradientShapeError, IndexingError, InPlaceModificationError
from .shapes import normalize_axis as _normalize_axis
from .shapes import single_axis as _single_axis
from .shapes import sum_to_shape
from .state import state
from .validation import check_bounds as _check_bounds

if TYPE_CHECKING:
    from .function import Function

ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]
Index = Any

_ops: Any = None  # the ops module, handed over by ops.py (see the module docstring)


def register_ops(module: ModuleType) -> None:
    """Called once by ``ops.py``: the op classes that Tensor's operators and methods use."""
    global _ops
    _ops = module


def _check_floating(dtype: np.dtype[Any]) -> None:
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(
            f"requires_grad=True needs floating-point data, but the dtype is {dtype}: "
            "gradients are only defined for float tensors (pass float data or dtype=np.float64)"
        )


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``: ``data`` is a number, a
    nested list, a NumPy array (copied; it keeps its dtype) or a Tensor (whose data is shared).
    Numbers and lists become float64 unless ``dtype`` says otherwise:

        w = Tensor(0.0, requires_grad=True, name="w")
        cost = w**2 - 10*w + 25
        cost.backward()
        w.grad   # array(-10.)
    """

    __slots__ = (
        "data", "grad", "requires_grad", "name", "_ctx", "scope", "_vc", "_model_path", "_hooks", "__weakref__"
    )
    __array_ufunc__ = None  # so `ndarray + Tensor` calls Tensor.__radd__ instead of looping

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    name: str | None
    _ctx: Function | None
    scope: str
    _vc: list[int] | None  # the in-place change counter, shared with views; None until needed
    _model_path: str | None  # the place in a model ("fc1.weight"), set by nn.Module
    _hooks: list[Callable[[np.ndarray], Any]] | None

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
        if array.dtype.kind not in "biufc":
            raise TypeError(f"Tensor data must be numeric (bool, int, float or complex), got dtype {array.dtype}")
        if requires_grad:
            _check_floating(array.dtype)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str or None, got {type(name).__name__}")
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._ctx = None
        self.scope = state.scope
        self._vc = None
        self._model_path = None
        self._hooks = None

    @classmethod
    def _make(cls, data: np.ndarray, ctx: Function | None, requires_grad: bool) -> Tensor:
        """The fast constructor the ops use: no checks, no copy."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.requires_grad = requires_grad
        out.name = None
        out._ctx = ctx
        out.scope = state.scope
        out._vc = None
        out._model_path = None
        out._hooks = None
        return out

    # ----- what a Tensor is -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the data, as ``ndarray.shape``."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements (a property, as in NumPy; PyTorch's ``size()`` is ``shape``)."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of the data."""
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
        """True for a tensor no recorded op made (data, weights, constants)."""
        return self._ctx is None

    @property
    def _version(self) -> int:
        """How many times this tensor's data (or a view's, or a detached copy's) was changed in place."""
        return 0 if self._vc is None else self._vc[0]

    def _bump_version(self) -> None:
        """Count an in-place change of ``data`` (the in-place methods and optimizers call it)."""
        if self._vc is None:
            self._vc = [0]
        self._vc[0] += 1

    def _share_version(self, other: Tensor) -> None:
        """Make this tensor count its in-place changes together with ``other`` (a view or a detached copy)."""
        if other._vc is None:
            other._vc = [0]
        self._vc = other._vc

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def tolist(self) -> Any:
        """The data as (nested) Python lists, as ``ndarray.tolist``."""
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

    def backward(self, gradient: ArrayLike | None = None, retain_graph: bool | None = None) -> None:
        """Reverse-mode autodiff: add d(self)/d(t) into ``t.grad`` for every ``t`` that requires grad.

        ``gradient`` is the gradient of some final scalar with respect to this tensor; it
        defaults to 1 for a tensor with one element and is required otherwise. Graphs are
        always kept, so ``retain_graph`` is accepted (as in PyTorch) and changes nothing: a
        second ``backward()`` adds the same gradients again.

            y = (x * x).sum()
            y.backward()          # x.grad == 2 * x
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
            given = gradient.data if isinstance(gradient, Tensor) else gradient
            if np.iscomplexobj(given):
                raise TypeError("backward(): gradient= must be real, got complex values")
            try:
                seed = np.array(given, dtype=self.dtype)  # a copy: .grad never aliases the argument
            except (TypeError, ValueError) as error:
                raise TypeError(f"backward(): gradient= must be numeric, got {type(given).__name__}: {error}") from None
            if seed.ndim == 0 and self.data.size == 1:
                seed = seed.reshape(self.shape)
            if seed.shape != self.shape:
                raise GradientShapeError(
                    f"backward(): gradient has shape {seed.shape} but the tensor has shape {self.shape}"
                )
        run_backward(self, seed)

    def register_hook(self, hook: Callable[[np.ndarray], Any]) -> Callable[[], None]:
        """Call ``hook(grad)`` with the gradient flowing into this tensor during backward.

        The hook sees the sum of all paths' gradients for this backward pass, before it is
        added into ``.grad`` (and, for an intermediate, before it flows on to the inputs); if
        it returns an array (or Tensor, or number) of the same shape, that replaces the
        gradient. Returns a function that removes the hook:

            h = x.register_hook(lambda g: g * 2)   # doubles every gradient reaching x
            h()                                     # removes it
        """
        if not callable(hook):
            raise TypeError(f"register_hook needs a callable, got {type(hook).__name__}")
        if not self.requires_grad:
            raise RuntimeError("register_hook on a tensor that does not require grad: it never gets a gradient")
        if self._hooks is None:
            self._hooks = []
        hooks = self._hooks
        hooks.append(hook)

        def remove() -> None:
            if hook in hooks:
                hooks.remove(hook)

        return remove

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None; PyTorch's ``x.grad.zero_()``)."""
        self.grad = None

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data (and its in-place change counter), cut off from the graph."""
        out = Tensor._make(self.data, None, False)
        out.name = self.name
        out._share_version(self)
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self; only leaves can change it.

            w = tl.zeros(3).requires_grad_()     # a trainable leaf
            w.requires_grad_(False)              # frozen
        """
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_ takes True or False, got {type(requires_grad).__name__} {requires_grad!r}")
        requires_grad = bool(requires_grad)
        if self._ctx is not None and requires_grad != self.requires_grad:
            raise RuntimeError(
                f"requires_grad_({requires_grad}) on the result of an op ({self.op!r}): only leaves can change "
                "it; use .detach() for a tensor cut off from the graph"
            )
        if requires_grad:
            _check_floating(self.dtype)
        self.requires_grad = requires_grad
        return self

    # ----- in-place updates -------------------------------------------------------------
    # In place means: the same object, still a leaf, requires_grad kept, data changed. That is
    # only safe where no graph is being recorded for this tensor: under tl.no_grad(), or on a
    # tensor that does not require grad. Every change is counted (the version check).

    def _check_in_place(self, what: str, operator: bool = False) -> bool:
        """Whether ``what`` may change this tensor in place; raise where it may not.

        Returns False for ``a += b`` on a non-leaf that requires grad with grad mode on: that
        is recorded as an ordinary out-of-place op instead, as in PyTorch's autograd.
        """
        if not (self.requires_grad and state.grad_enabled):
            return True
        if self._ctx is None:
            raise RuntimeError(
                f"{what} would change a leaf that requires grad in place while the graph is being "
                f"recorded; update it inside `with tl.no_grad():` (e.g. `with tl.no_grad(): w -= lr * w.grad`)"
            )
        if operator:
            return False
        raise RuntimeError(
            f"{what} would change the result of an op ({self.op!r}) in place while the graph is being "
            f"recorded, which would break its gradient; write it out of place (e.g. `y = y * 2`)"
        )

    def _operand(self, other: Any, what: str) -> Any:
        """``other`` as a number or an array that fits into this tensor in place (it broadcasts to its shape)."""
        value: Any
        if isinstance(other, Tensor):
            if other.requires_grad and state.grad_enabled:
                raise RuntimeError(
                    f"{what}: the value requires grad, but an in-place write is not recorded in the graph; "
                    "compute the result out of place, or pass value.detach()"
                )
            value = other.data
        else:
            value = np.asarray(other) if not isinstance(other, (float, int)) else other
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "OUSV":
                raise TypeError(f"{what}: the value must be numeric, got an array of dtype {value.dtype}")
            if value.dtype.kind == "c" and self.dtype.kind != "c":
                raise TypeError(f"{what}: cannot write complex values into a tensor of dtype {self.dtype}")
            try:
                np.broadcast_to(value, self.shape)
            except ValueError:
                raise ValueError(
                    f"{what}: a value of shape {value.shape} does not broadcast to the tensor's shape {self.shape}"
                ) from None
        return value

    def _in_place(self, what: str, ufunc: Any, other: Any) -> Tensor:
        value = self._operand(other, what)
        try:
            ufunc(self.data, value, out=self.data, casting="same_kind")
        except TypeError as error:  # NumPy's UFuncTypeError: e.g. float into an int tensor
            raise TypeError(f"{what} on a tensor of dtype {self.dtype}: {error}") from None
        self._bump_version()
        return self

    def __iadd__(self, other: ArrayLike) -> Tensor:
        if not self._check_in_place("+=", operator=True) or _needs_graph(other):
            return self + other
        return self._in_place("+=", np.add, other)

    def __isub__(self, other: ArrayLike) -> Tensor:
        if not self._check_in_place("-=", operator=True) or _needs_graph(other):
            return self - other
        return self._in_place("-=", np.subtract, other)

    def __imul__(self, other: ArrayLike) -> Tensor:
        if not self._check_in_place("*=", operator=True) or _needs_graph(other):
            return self * other
        return self._in_place("*=", np.multiply, other)

    def __itruediv__(self, other: ArrayLike) -> Tensor:
        if not self._check_in_place("/=", operator=True) or _needs_graph(other):
            return self / other
        return self._in_place("/=", np.true_divide, other)

    def add_(self, other: ArrayLike, alpha: float = 1) -> Tensor:
        """In place: ``self += alpha * other`` (under ``tl.no_grad()`` or on a tensor that does not require grad)."""
        self._check_in_place("add_()")
        return self._in_place("add_()", np.add, _scaled(other, alpha))

    def sub_(self, other: ArrayLike, alpha: float = 1) -> Tensor:
        """In place: ``self -= alpha * other``."""
        self._check_in_place("sub_()")
        return self._in_place("sub_()", np.subtract, _scaled(other, alpha))

    def mul_(self, other: ArrayLike) -> Tensor:
        """In place: ``self *= other``."""
        self._check_in_place("mul_()")
        return self._in_place("mul_()", np.multiply, other)

    def div_(self, other: ArrayLike) -> Tensor:
        """In place: ``self /= other``."""
        self._check_in_place("div_()")
        return self._in_place("div_()", np.true_divide, other)

    def zero_(self) -> Tensor:
        """In place: set every element to 0 (``.grad`` is untouched; see `zero_grad`)."""
        return self.fill_(0)

    def fill_(self, value: float) -> Tensor:
        """In place: set every element to ``value`` (cast to the tensor's dtype)."""
        self._check_in_place("fill_()")
        array = self._operand(value, "fill_()")
        if np.ndim(array) != 0:
            raise ValueError(f"fill_() takes one number, got an array of shape {np.shape(array)}; use copy_()")
        return self._copy_from(array, "fill_()")

    def copy_(self, src: ArrayLike) -> Tensor:
        """In place: copy ``src`` into this tensor, broadcast to its shape and cast to its dtype."""
        self._check_in_place("copy_()")
        return self._copy_from(self._operand(src, "copy_()"), "copy_()")

    def clip_(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """In place: clip every element into ``[lo, hi]`` (either bound may be None)."""
        self._check_in_place("clip_()")
        _check_bounds(lo, hi, "clip_()")
        np.clip(self.data, lo, hi, out=self.data)
        self._bump_version()
        return self

    def _copy_from(self, array: Any, what: str) -> Tensor:
        try:
            np.copyto(self.data, array, casting="unsafe")
        except TypeError as error:
            raise TypeError(f"{what} into a tensor of dtype {self.dtype}: {error}") from None
        self._bump_version()
        return self

    def __setitem__(self, index: Index, value: ArrayLike) -> None:
        """``t[index] = value`` in place (under ``tl.no_grad()`` or on a tensor that does not require grad)."""
        self._check_in_place("item assignment t[index] = value")
        array = value.data if isinstance(value, Tensor) else value
        if isinstance(value, Tensor) and value.requires_grad and state.grad_enabled:
            self._operand(value, "item assignment")  # raises: the write would not be recorded
        if np.iscomplexobj(array) and self.dtype.kind != "c":
            raise TypeError(f"item assignment: cannot write complex values into a tensor of dtype {self.dtype}")
        try:
            self.data[_index_arrays(index)] = array
        except IndexError as error:
            raise IndexingError(f"index {index!r:.200} does not fit a tensor of shape {self.shape}: {error}") from None
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"item assignment into a tensor of shape {self.shape} at {index!r:.200}: {error}"
            ) from None
        self._bump_version()

    # ----- operators --------------------------------------------------------------------

    def __add__(self, other: ArrayLike) -> Tensor:
        return _ops.Add.apply(self, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return _ops.Add.apply(other, self)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return _ops.Sub.apply(self, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _ops.Sub.apply(other, self)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return _ops.Mul.apply(self, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return _ops.Mul.apply(other, self)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return _ops.Div.apply(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return _ops.Div.apply(other, self)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        return _ops.Pow.apply(self, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return _ops.Pow.apply(base, self)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return _ops.MatMul.apply(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return _ops.MatMul.apply(other, self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __getitem__(self, index: Index) -> Tensor:
        return _ops.Index.apply(self, index=_index_arrays(index))

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
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.Sqrt.apply(self)

    def tanh(self) -> Tensor:
        return _ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return _ops.Relu.apply(self)

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Sum.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``: ``sum / n``, composed from the two primitives."""
        axes = _normalize_axis(axis, self.ndim)
        count = self.size if axes is None else int(np.prod([self.shape[a] for a in axes]))
        total = _ops.Sum.apply(self, axis=axes, keepdims=bool(keepdims))
        if count == 0:  # like np.mean of nothing: nan, without dividing by zero
            return total * np.nan
        return total * (1.0 / count)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Max.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Min.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self) -> Tensor:
        return _ops.Transpose.apply(self, axes=None)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        return _ops.Clip.apply(self, lo=lo, hi=hi)

    def maximum(self, other: ArrayLike) -> Tensor:
        return _ops.Maximum.apply(self, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        return _ops.Minimum.apply(self, other)

    def softmax(self, axis: int = -1) -> Tensor:
        return _ops.Softmax.apply(self, axis=_single_axis(axis, self.ndim))

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _ops.LogSoftmax.apply(self, axis=_single_axis(axis, self.ndim))

    def logsumexp(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.LogSumExp.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=bool(keepdims))

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another dtype; the gradient is cast back."""
        return _ops.Cast.apply(self, dtype=np.dtype(dtype))

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


# ----- turning things into tensors ---------------------------------------------------------


def _array_from_python(data: Any, dtype: Any) -> np.ndarray:
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"Tensor data must be a number, a (nested) list or an array, got {type(data).__name__}")
    try:
        array = np.array(data)  # first as NumPy sees it, so None or a string is not read as nan
        if array.dtype.kind not in "biufc":
            raise TypeError("not numeric")
        target = np.dtype(np.float64 if dtype is None else dtype)
        if array.dtype.kind == "c" and target.kind != "c":
            raise TypeError(f"complex values cannot become {target} without losing their imaginary part")
        return array.astype(target)
    except (ValueError, TypeError) as error:
        raise TypeError(f"cannot make a Tensor from {type(data).__name__} {data!r:.80}: {error}") from None


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """Any input of an op that is not a Tensor, as a constant leaf: the one coercion rule.

    A Python number takes the dtype of the float tensor it meets (``float32_tensor * 2.5``
    stays float32); NumPy arrays and scalars keep their own dtype; lists become float64.
    """
    kind = type(value)
    if (kind is float or kind is int) and like is not None and like.data.dtype.kind == "f":
        return Tensor._make(np.array(value, dtype=like.data.dtype), None, False)  # the common case: w * 10
    if kind is np.ndarray:
        if value.dtype.kind in "OUSV":
            raise TypeError(f"an op's input must be numeric, got an array of dtype {value.dtype}")
        return Tensor._make(value, None, False)
    if isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        if like is not None and like.data.dtype.kind == "f" and not isinstance(value, complex):
            return Tensor._make(np.array(value, dtype=like.data.dtype), None, False)
        dtype = np.float64 if like is None else np.result_type(like.data.dtype, value)  # type: ignore[arg-type]
        return Tensor._make(np.array(value, dtype=dtype), None, False)
    if isinstance(value, np.generic):
        return Tensor._make(np.asarray(value), None, False)
    return Tensor._make(_array_from_python(value, None), None, False)


def as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    """``value`` if it is a Tensor, else `constant(value, like)`."""
    return value if isinstance(value, Tensor) else constant(value, like)


def as_tensors(inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """The inputs of an op as Tensors: numbers and arrays become constants (see `constant`)."""
    like = None
    for x in inputs:
        if isinstance(x, Tensor):
            like = x
            break
    return tuple([x if isinstance(x, Tensor) else constant(x, like) for x in inputs])


def _needs_graph(other: Any) -> bool:
    """Whether ``t += other`` must be recorded (out of place) to keep ``other``'s gradient."""
    return isinstance(other, Tensor) and other.requires_grad and state.grad_enabled


def _scaled(other: Any, alpha: Any) -> Any:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number, got {type(alpha).__name__} {alpha!r}")
    if alpha == 1:
        return other
    return (other.data if isinstance(other, Tensor) else np.asarray(other)) * alpha


def _compare(ufunc: Any, a: Tensor, b: Any) -> Tensor:
    other = b.data if isinstance(b, Tensor) else constant(b, a).data
    try:
        return Tensor._make(ufunc(a.data, other), None, False)
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


def _fit(grad: Any, parent: Tensor, ctx: Function, position: int) -> np.ndarray:
    """An op's gradient for ``parent`` as an array of exactly its shape and dtype.

    A gradient in a shape the input broadcasts to is summed back (`sum_to_shape`); any other
    shape is a bug in the op's backward and raises `GradientShapeError`, never broadcast up.
    """
    array: np.ndarray = np.asarray(grad)
    if array.shape != parent.data.shape:
        try:
            array = sum_to_shape(array, parent.data.shape)
        except GradientShapeError:
            raise GradientShapeError(
                f"{ctx.name}.backward returned a gradient of shape {array.shape} for input {position} "
                f"of shape {parent.data.shape}: a gradient must have the input's shape or a shape the input "
                "broadcasts to (which is summed back)"
            ) from None
    if array.dtype != parent.data.dtype:
        if array.dtype.kind == "c" and parent.data.dtype.kind != "c":
            raise TypeError(f"{ctx.name}.backward returned a complex gradient for input {position}, which is real")
        array = array.astype(parent.data.dtype)
    return array


def input_gradients(ctx: Function, grad: np.ndarray) -> list[np.ndarray | None]:
    """One step of the chain rule: the gradients ``ctx``'s op passes to each of its inputs.

    Calls the op's ``backward`` with the gradient of its output and returns, aligned with
    ``ctx.parents``, each input's gradient in the input's shape and dtype, or None for an input
    that needs none. `run_backward` and `tl.explain` both use it.
    """
    input_grads = ctx.backward(ctx, grad)
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    parents = ctx.parents
    if len(input_grads) != len(parents):
        raise RuntimeError(f"{ctx.name}.backward returned {len(input_grads)} gradients for {len(parents)} inputs")
    result: list[np.ndarray | None] = []
    for position, (parent, parent_grad, needed) in enumerate(zip(parents, input_grads, ctx.needs_input_grad)):
        if parent_grad is None or not needed:
            result.append(None)
            continue
        data = parent.data
        if type(parent_grad) is not np.ndarray or parent_grad.shape != data.shape or parent_grad.dtype != data.dtype:
            parent_grad = _fit(parent_grad, parent, ctx, position)
        result.append(parent_grad)
    return result


def _check_versions(node: Tensor, ctx: Function) -> None:
    """Refuse to run a backward whose inputs (or output) were changed in place since forward."""
    if not ctx.reads_data:
        return
    versions = ctx.versions  # None: every input was at version 0
    for i, tensor in enumerate(ctx.parents):
        vc = tensor._vc
        if vc is not None and vc[0] != (0 if versions is None else versions[i]):
            _version_error(ctx, tensor, f"its input {i}", 0 if versions is None else versions[i])
    if node._vc is not None and node._vc[0] != 0:  # the output was new, at version 0
        _version_error(ctx, node, "its output", 0)


def _version_error(ctx: Function, tensor: Tensor, role: str, seen: int) -> None:
    label = tensor.name or tensor._model_path or f"of shape {tensor.shape}"
    raise InPlaceModificationError(
        f"backward: the tensor {label} ({role}) of the op {ctx.name!r} created at "
        f"{anomaly.location_text(ctx)} was changed in place after the op used it (version {seen} -> "
        f"{tensor._version}; e.g. an optimizer step or `-=` between forward and backward), so its gradient "
        "would be wrong: run backward() before changing it, or recompute the forward pass"
    )


def _run_hooks(node: Tensor, grad: np.ndarray) -> np.ndarray:
    for hook in list(node._hooks or ()):
        replaced = hook(grad)
        if replaced is None:
            continue
        array = np.array(replaced.data if isinstance(replaced, Tensor) else replaced, dtype=node.dtype)
        if array.shape != node.shape:
            raise GradientShapeError(
                f"a hook of a tensor of shape {node.shape} returned a gradient of shape {array.shape}"
            )
        grad = array
    return grad


def run_backward(root: Tensor, seed: np.ndarray) -> None:
    """Propagate ``seed`` (d final / d root) to every tensor ``root`` depends on.

    Each node is visited once, in reverse topological order, so by the time its op's backward
    runs, the gradients from all of its consumers have been summed into ``pending``.

    Ownership: every ``.grad`` is an array no other tensor (and no op's saved array, no
    user's array) refers to. A gradient array is adopted as ``.grad`` only when it is
    ``owned`` — made fresh for this one tensor (``Function.fresh_gradients``, or a sum made
    here); one that an op passed through (``Add`` gives the same array to both inputs) is
    copied first.
    """
    anomaly_on = state.anomaly
    pending: dict[int, np.ndarray] = {id(root): seed}
    owned: set[int] = {id(root)}  # pending arrays no one else refers to: safe to adopt or add into
    for node in reversed(topological_order(root)):
        key = id(node)
        grad = pending.pop(key, None)
        if grad is None:  # no path carried a gradient here (every op skipped it)
            continue
        if type(grad) is not np.ndarray:  # NumPy returns sums of 0-d arrays as scalars
            grad = np.asarray(grad)
        if node._hooks:
            grad = _run_hooks(node, grad)
            owned.discard(key)  # a hook may keep what it was given
        if node.grad is None:
            node.grad = grad if key in owned else grad.copy()
        else:
            node.grad = np.asarray(node.grad + grad)
        ctx = node._ctx
        if ctx is None:
            continue
        _check_versions(node, ctx)
        for parent, parent_grad in zip(ctx.parents, input_gradients(ctx, grad)):
            if parent_grad is None:
                continue
            if anomaly_on:
                anomaly.check_backward(ctx, parent, parent_grad)
            pkey = id(parent)
            previous = pending.get(pkey)
            if previous is None:
                pending[pkey] = parent_grad
                if ctx.fresh_gradients:
                    owned.add(pkey)
            elif pkey in owned:
                np.add(previous, parent_grad, out=previous)  # no third array: a weight's gradient is big
            else:
                pending[pkey] = np.asarray(previous + parent_grad)
                owned.add(pkey)
