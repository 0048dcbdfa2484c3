"""The Tensor: a NumPy array, the record of the op that made it, and reverse-mode autodiff.

A Tensor made by an op keeps that op's record (a `Function` instance, ``_ctx``), which holds
the input Tensors (``parents``). ``backward()`` walks this graph once, from the output to the
inputs in reverse topological order, calling each op's ``backward`` with the gradient of its
output and summing what comes back into every input that requires grad.

Layering: this module builds on `errors`, `state`, `shapes` and `anomaly`, and never imports
the modules above it. The one deliberate back-edge is `_ops`: Tensor's operators (``a + b``,
``a.exp()``) call the ops of `ops.py`, which are built on `Function` (function.py), which
builds on Tensor. ``ops.py`` hands itself over with `register_ops` when it is imported; in the
same way ``interop.py`` hands over what NumPy functions do with a Tensor (`register_interop`).
"""

from __future__ import annotations

import itertools
import numbers
import operator
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import anomaly
from .errors import GradientShapeError, IndexingError, InPlaceModificationError
from .shapes import axis_argument as _axis_argument
from .shapes import keepdims_argument as _keepdims_argument
from .shapes import normalize_axis as _normalize_axis
from .shapes import single_axis as _single_axis
from .shapes import sum_to_shape
from .state import state
from .validation import check_bounds as _check_bounds

if TYPE_CHECKING:
    from .function import Function

ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]
Index = Any
Axes = int | Sequence[int] | None  # an ``axis=``/``dim=`` argument: one axis, several, or all (None)

_created = itertools.count()  # numbers the tensors in the order they are made (Tensor._seq)
_last_change = -1  # the _seq clock's time of the last in-place change of any tensor (-1: none yet)
_ops: Any = None  # the ops module, handed over by ops.py (see the module docstring)
_interop: Any = None  # the NumPy hooks, handed over by interop.py


def register_ops(module: ModuleType) -> None:
    """Called once by ``ops.py``: the op classes that Tensor's operators and methods use."""
    global _ops
    _ops = module


def register_interop(module: ModuleType) -> None:
    """Called once by ``interop.py``: what ``np.exp(t)`` and ``np.sum(t)`` do with a Tensor."""
    global _interop
    _interop = module


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

    # The attributes every tensor sets are slots; the rarely set ones are class-level defaults,
    # overridden per tensor (in ``__dict__``) only when set: making a tensor costs fewer stores.
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_seq", "__dict__", "__weakref__")

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    _ctx: Function | None
    _seq: int  # when it was made: a tensor is always made after the inputs of its op (see backward_order)
    name: str | None = None
    scope: str = ""  # the name scope the tensor was made in (see tl.name_scope); "" for none
    _vc: list[int] | None = None  # the in-place change counter, shared with views; None until needed
    _model_path: str | None = None  # the place in a model ("fc1.weight"), set by nn.Module
    _hooks: list[Callable[[np.ndarray], Any]] | None = None

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
        if name is not None:
            self.name = name
        self._ctx = None
        scope = state.scope  # (one per-thread lookup)
        if scope:
            self.scope = scope
        self._seq = next(_created)

    @classmethod
    def _make(cls, data: np.ndarray, ctx: Function | None, requires_grad: bool, scope: str | None = None) -> Tensor:
        """The fast constructor the ops use: no checks, no copy (``scope``: the current name scope
        if None)."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.requires_grad = requires_grad
        out._ctx = ctx
        if scope is None:
            scope = state.scope
        if scope:
            out.scope = scope
        out._seq = next(_created)
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
        """The number of elements (a property, as in NumPy; PyTorch's ``x.size()`` is ``x.shape``).

        An int in every way, except that calling it (``x.size()``, the PyTorch habit) raises a
        TypeError that says so.
        """
        return _Size(self.data.size)

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
        global _last_change
        if self._vc is None:
            self._vc = [0]
        self._vc[0] += 1
        _last_change = next(_created)  # on the same clock as Tensor._seq (see run_backward)

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

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on Tensors (``np.exp(t)``, ``arr + t``): the Tensor op where there is one (see `interop`)."""
        return _interop.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """NumPy functions on Tensors (``np.sum(t)``, ``np.concatenate``): the Tensor method where there is one."""
        return _interop.array_function(func, args, kwargs)

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

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"``: a one-element tensor formats as its number; an empty spec gives ``str(t)``."""
        if not spec:
            return str(self)
        if self.data.size != 1:
            raise TypeError(
                f"format spec {spec!r} needs a tensor with one element, but this one has shape {self.shape}: "
                f"format its elements (e.g. t.item() of one, or np.array2string(t.data)), or use f\"{{t}}\""
            )
        return format(self.data.item(), spec)

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
            seed = np.array(1, dtype=self.data.dtype)  # (faster than np.ones for one element)
            if self.data.ndim:
                seed = seed.reshape(self.data.shape)
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
        if self.name is not None:
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
        if self.requires_grad and state.grad_enabled:
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
        if not self.data.flags.writeable:
            raise ValueError(
                f"{what}: this tensor's data is read-only (a number that ops share, such as the 2.5 of "
                "`w * 2.5`, or a read-only NumPy array); change a copy instead, e.g. `t = t.clone()`"
            )
        return True

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
        np.clip(self.data, *_check_bounds(lo, hi, "clip_()", self.shape), out=self.data)
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
        """Elementwise ``e**x``; its derivative is the output itself."""
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm; derivative ``1 / x``."""
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root; derivative ``1 / (2 sqrt(x))``."""
        return _ops.Sqrt.apply(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent; derivative ``1 - tanh(x)**2``."""
        return _ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        """Elementwise ``1 / (1 + e**-x)``, computed without overflow; derivative ``s (1 - s)``."""
        return _ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        """Elementwise ``max(x, 0)``; derivative 1 where ``x > 0``, else 0 (also at 0)."""
        return _ops.Relu.apply(self)

    def abs(self) -> Tensor:
        """Elementwise ``|x|``; derivative ``sign(x)`` (0 at 0)."""
        return _ops.Abs.apply(self)

    # Reductions take NumPy's ``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=`` (not both).

    def sum(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Sum over ``axis`` (None: every axis), as ``np.sum``; ``dim=``/``keepdim=`` work too.

            tl.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)    # Tensor([4., 6.])
        """
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        return _ops.Sum.apply(self, axis=axes, keepdims=_keepdims_argument(keepdims, keepdim))

    def mean(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Mean over ``axis``: ``sum / n``, composed from the two primitives (the mean of nothing is nan)."""
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        keep = _keepdims_argument(keepdims, keepdim)
        count = self.data.size if axes is None else int(np.prod([self.shape[a] for a in axes]))
        total = _ops.Sum.apply(self, axis=axes, keepdims=keep)
        if count == 0:  # like np.mean of nothing: nan, without dividing by zero
            return total * np.nan
        return total * (1.0 / count)

    def var(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        ddof: int = 0,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Variance ``sum((x - mean)**2) / (n - ddof)`` over ``axis``, composed from mean, sub, mul and sum.

        NumPy's default ``ddof=0`` (the biased estimate); PyTorch's ``var`` divides by
        ``n - 1`` by default, which is ``ddof=1`` here:

            tl.tensor([1.0, 2.0, 3.0, 4.0]).var()          # Tensor(1.25)
            tl.tensor([1.0, 2.0, 3.0, 4.0]).var(ddof=1)    # Tensor(1.6667)
        """
        if isinstance(ddof, bool) or not isinstance(ddof, numbers.Real):
            raise TypeError(f"ddof must be a number, got {type(ddof).__name__} {ddof!r}")
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        count = self.data.size if axes is None else int(np.prod([self.shape[a] for a in axes]))
        deviation = self - self.mean(axis=axes, keepdims=True)
        total = (deviation * deviation).sum(axis=axes, keepdims=_keepdims_argument(keepdims, keepdim))
        with np.errstate(divide="ignore", invalid="ignore"):  # n <= ddof: inf or nan, as NumPy
            return total / max(count - ddof, 0)

    def std(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        ddof: int = 0,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Standard deviation ``sqrt(var(...))``, with NumPy's default ``ddof=0`` (PyTorch's is 1).
        Where it is 0 (equal values, or one value), its gradient is 0, as PyTorch's (see `ops.Std`).

            tl.tensor([1.0, 3.0]).std()      # Tensor(1.)
        """
        return _ops.Std.apply(self.var(axis, keepdims, ddof, dim=dim, keepdim=keepdim))

    def max(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """The largest entries over ``axis`` (values only, as ``np.max``: for the indices call `argmax`).

        Tied entries share the gradient equally.
        """
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        return _ops.Max.apply(self, axis=axes, keepdims=_keepdims_argument(keepdims, keepdim))

    def min(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """The smallest entries over ``axis`` (values only, as ``np.min``: for the indices call `argmin`)."""
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        return _ops.Min.apply(self, axis=axes, keepdims=_keepdims_argument(keepdims, keepdim))

    def logsumexp(
        self,
        axis: Axes = None,
        keepdims: bool = False,
        *,
        dim: Axes = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """``log(sum(exp(x)))`` over ``axis`` (None: every axis), computed stably."""
        axes = _normalize_axis(_axis_argument(axis, dim), self.ndim)
        return _ops.LogSumExp.apply(self, axis=axes, keepdims=_keepdims_argument(keepdims, keepdim))

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``axis`` (or ``dim=``), computed stably."""
        return _ops.Softmax.apply(self, axis=_single_axis(_axis_argument(axis, dim, -1), self.ndim))

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """``log(softmax(x))`` along ``axis`` (or ``dim=``), as ``(x - m) - log(sum(exp(x - m)))``."""
        return _ops.LogSoftmax.apply(self, axis=_single_axis(_axis_argument(axis, dim, -1), self.ndim))

    def argmax(
        self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None, keepdim: bool | None = None
    ) -> np.ndarray:
        """Indices of the maxima (not differentiable): a NumPy array, as ``np.argmax``."""
        return self._arg_extreme(np.argmax, axis, keepdims, dim, keepdim)

    def argmin(
        self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None, keepdim: bool | None = None
    ) -> np.ndarray:
        """Indices of the minima (not differentiable): a NumPy array, as ``np.argmin``."""
        return self._arg_extreme(np.argmin, axis, keepdims, dim, keepdim)

    def _arg_extreme(self, find: Any, axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> np.ndarray:
        axis = _axis_argument(axis, dim)
        keep = _keepdims_argument(keepdims, keepdim)
        if self.data.size == 0 and (axis is None or self.shape[_single_axis(axis, self.ndim) or 0] == 0):
            raise ValueError(f"argmax/argmin of zero elements (shape {self.shape}, axis {axis}) is undefined")
        if axis is None:
            return np.asarray(find(self.data, keepdims=keep))
        return np.asarray(find(self.data, axis=_single_axis(axis, self.ndim), keepdims=keep))

    # ----- shapes: NumPy's names and PyTorch's ------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same data in another shape (ints or one tuple; one size may be -1); a view when NumPy can."""
        return _ops.Reshape.apply(self, shape=_sizes(shape, "reshape"))

    def view(self, *shape: Any) -> Tensor:
        """PyTorch's name for `reshape`: ``x.view(2, -1)``, ``x.view((2, -1))``."""
        return _ops.Reshape.apply(self, shape=_sizes(shape, "view"))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim..end_dim`` (both included) into one, as PyTorch's ``flatten``.

            tl.zeros(2, 3, 4).flatten().shape      # (24,)
            tl.zeros(2, 3, 4).flatten(1).shape     # (2, 12): one row per sample
        """
        if self.ndim == 0:
            _single_axis(start_dim, 0), _single_axis(end_dim, 0)
            return _ops.Reshape.apply(self, shape=(1,))
        start, end = _single_axis(start_dim, self.ndim) or 0, _single_axis(end_dim, self.ndim) or 0
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for {self.ndim} dimensions")
        merged = int(np.prod(self.shape[start : end + 1]))
        return _ops.Reshape.apply(self, shape=(*self.shape[:start], merged, *self.shape[end + 1 :]))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert an axis of size 1 at position ``dim`` (``-1``: at the end), as ``np.expand_dims``.

            tl.zeros(3).unsqueeze(0).shape     # (1, 3)
        """
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"unsqueeze takes one int dim, got {type(dim).__name__} {dim!r}")
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise ValueError(
                f"unsqueeze: dim {dim} is out of range [{-self.ndim - 1}, {self.ndim}] for shape {self.shape}"
            )
        position = int(dim) % (self.ndim + 1)
        return _ops.Reshape.apply(self, shape=(*self.shape[:position], 1, *self.shape[position:]))

    def squeeze(self, dim: int | Sequence[int] | None = None) -> Tensor:
        """Remove axes of size 1: all of them, or those of ``dim`` (an int or a tuple); an axis
        of ``dim`` whose size is not 1 is left alone, as in PyTorch.

            tl.zeros(1, 3, 1).squeeze().shape      # (3,)
            tl.zeros(2, 3).squeeze(0).shape        # (2, 3): axis 0 has size 2
        """
        axes = range(self.ndim) if dim is None else (_normalize_axis(dim, self.ndim) or ())
        drop = {a for a in axes if self.shape[a] == 1}
        return _ops.Reshape.apply(self, shape=tuple(n for a, n in enumerate(self.shape) if a not in drop))

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes. ``transpose()`` reverses them and a full permutation reorders them, as
        NumPy; exactly two axes are swapped, as PyTorch's ``transpose(dim0, dim1)``:

            tl.zeros(2, 3, 4).transpose(0, 2).shape        # (4, 3, 2)
            tl.zeros(2, 3, 4).transpose(1, 2, 0).shape     # (3, 4, 2)
            tl.zeros(2, 3).transpose(0, 1).shape           # (3, 2): a swap, not NumPy's identity
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if len(axes) == 2:  # PyTorch's transpose(dim0, dim1): swap two axes
            first, second = (_single_axis(a, self.ndim) for a in axes)
            order = list(range(self.ndim))
            if first is not None and second is not None:  # (None for a 0-d tensor: nothing to swap)
                order[first], order[second] = order[second], order[first]
            return _ops.Transpose.apply(self, axes=tuple(order))
        return _ops.Transpose.apply(self, axes=axes or None)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the axes: output axis ``i`` is input axis ``dims[i]`` (ints or one tuple).

            tl.zeros(2, 3, 4).permute(2, 0, 1).shape     # (4, 2, 3)
        """
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise ValueError(f"permute needs one entry per dimension ({self.ndim}), got {len(dims)}: {dims!r}")
        _normalize_axis(dims, self.ndim)  # each an int in range, none repeated
        return _ops.Transpose.apply(self, axes=tuple(int(d) % max(self.ndim, 1) for d in dims) or None)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes``: a size-1 axis stretches, ``-1`` keeps an axis's size, extra
        leading sizes add axes. The gradient sums over what was stretched.

            tl.tensor([[1.0], [2.0]]).expand(2, 3)       # Tensor([[1., 1., 1.], [2., 2., 2.]])
            tl.zeros(3).expand(4, -1).shape              # (4, 3)
        """
        sizes = _sizes(sizes, "expand")
        extra = len(sizes) - self.ndim
        if extra < 0:
            raise ValueError(
                f"expand: {len(sizes)} sizes for a tensor with {self.ndim} dimensions (shape {self.shape})"
            )
        target = []
        for i, size in enumerate(sizes):
            current = self.shape[i - extra] if i >= extra else None
            if size == -1 and current is not None:
                size = current
            if size < 0 or (current is not None and current not in (1, size)):
                raise ValueError(
                    f"expand: cannot expand shape {self.shape} to {sizes}: size {sizes[i]} at position {i} "
                    "(only an axis of size 1 stretches; -1 keeps an existing axis)"
                )
            target.append(size)
        return _ops.Expand.apply(self, shape=tuple(target))

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along axis ``i``, as PyTorch's ``repeat`` (NumPy's
        ``np.tile``); more sizes than axes add leading axes.

            tl.tensor([1.0, 2.0]).repeat(2)        # Tensor([1., 2., 1., 2.])
            tl.tensor([1.0, 2.0]).repeat(3, 1).shape   # (3, 2)
        """
        sizes = _sizes(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise ValueError(
                f"repeat needs at least one size per dimension ({self.ndim} for shape {self.shape}), got {sizes}"
            )
        if any(n < 0 for n in sizes):
            raise ValueError(f"repeat: sizes must be non-negative, got {sizes}")
        return _ops.Repeat.apply(self, sizes=sizes)

    def clone(self) -> Tensor:
        """A copy of the data in the graph (the gradient passes straight through)."""
        return _ops.Clone.apply(self)

    def numel(self) -> int:
        """The number of elements (PyTorch's name for ``.size``)."""
        return int(self.data.size)

    def dim(self) -> int:
        """The number of dimensions (PyTorch's name for ``.ndim``)."""
        return int(self.data.ndim)

    @property
    def T(self) -> Tensor:
        """The axes reversed (``transpose()``)."""
        return _ops.Transpose.apply(self, axes=None)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Clip into ``[lo, hi]`` (either may be None); the gradient passes where ``lo <= x <= hi``."""
        return _ops.Clip.apply(self, lo=lo, hi=hi)

    def maximum(self, other: ArrayLike) -> Tensor:
        """Elementwise maximum with broadcasting; at a tie neither side gets the gradient."""
        return _ops.Maximum.apply(self, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        """Elementwise minimum with broadcasting; at a tie neither side gets the gradient."""
        return _ops.Minimum.apply(self, other)

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another dtype; the gradient is cast back."""
        return _ops.Cast.apply(self, dtype=np.dtype(dtype))

    def any(self) -> bool:
        """Whether any element is nonzero (a Python bool)."""
        return bool(self.data.any())

    def all(self) -> bool:
        """Whether every element is nonzero (a Python bool)."""
        return bool(self.data.all())

    # ``float``/``double`` come last: inside the class body their names shadow the builtin types.

    def double(self) -> Tensor:
        """Cast to float64 (``astype(np.float64)``); the gradient is cast back."""
        return _ops.Cast.apply(self, dtype=np.dtype(np.float64))

    def float(self) -> Tensor:
        """Cast to float32, as PyTorch's ``float()`` (``astype(np.float32)``); the gradient is cast back."""
        return _ops.Cast.apply(self, dtype=np.dtype(np.float32))


class _Size(int):
    """``Tensor.size``: an int (NumPy's number of elements) that explains PyTorch's ``size()`` when called."""

    def __call__(self, *dim: Any) -> Any:
        which = f"x.shape[{dim[0]}]" if len(dim) == 1 else "x.shape"
        raise TypeError(
            f".size is a property here, the number of elements as in NumPy (x.size == {int(self)}), not a method: "
            f"PyTorch's x.size({', '.join(map(repr, dim))}) is {which} (and x.numel() is x.size)"
        )


def _sizes(sizes: tuple[Any, ...], what: str) -> tuple[int, ...]:
    """The sizes of ``reshape``/``view``/``expand``/``repeat``: ints, or one tuple or list of ints."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{what} takes ints (or one tuple of ints), got {sizes!r}")
    return tuple(int(n) for n in sizes)


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


_numbers: dict[tuple[Any, np.dtype[Any]], np.ndarray] = {}


def _number_array(value: float, dtype: np.dtype[Any]) -> np.ndarray:
    """``np.array(value, dtype)`` for a number an op meets (the 10 of ``10 * w``), made once.

    The arrays are kept read-only and shared, since making a 0-d array costs as much as the
    op itself. Zero is not kept (0.0 and -0.0 are equal keys but different numbers), nor NaN
    (never equal to itself), and at most 1024 numbers are.
    """
    key = (value, dtype)
    array = _numbers.get(key)
    if array is None:
        array = np.array(value, dtype=dtype)
        if value != 0 and value == value and len(_numbers) < 1024:
            array.flags.writeable = False
            _numbers[key] = array
    return array


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """Any input of an op that is not a Tensor, as a constant leaf: the one coercion rule.

    A Python number takes the dtype of the float tensor it meets (``float32_tensor * 2.5``
    stays float32); NumPy arrays and scalars keep their own dtype; lists become float64.
    """
    kind = type(value)
    if (kind is float or kind is int) and like is not None and like.data.dtype.kind == "f":
        return Tensor._make(_number_array(value, like.data.dtype), None, False)  # the common case: w * 10
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
    if len(inputs) == 2:  # a binary op with a number, the common case (w * 10, 10 * w)
        a, b = inputs
        return (
            a if isinstance(a, Tensor) else constant(a, like),
            b if isinstance(b, Tensor) else constant(b, like),
        )
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


def backward_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on that requires grad, ``root`` first and inputs after
    outputs: the order in which backward visits them.

    Tensors are numbered as they are made (``_seq``), and an op's output is made after its
    inputs, so the reverse order of making is a reverse topological order: collect the tensors
    (a plain walk, no recursion, so a chain of a million ops is fine), then sort. Tensors that
    come from elsewhere (unpickled, say) may carry numbers that break the rule; then the order
    comes from a depth-first search instead.
    """
    seen = {root}  # (a Tensor hashes by identity)
    nodes = [root]
    in_order = True
    for node in nodes:  # the list grows while it is walked: each node is appended once
        ctx = node._ctx
        if ctx is not None:
            for parent in ctx.parents:
                if parent.requires_grad:
                    if parent._seq >= node._seq:
                        in_order = False
                    if parent not in seen:
                        seen.add(parent)
                        nodes.append(parent)
    if not in_order:
        return _depth_first(root, True)[::-1]
    if len(nodes) > 1:
        nodes.sort(key=_made, reverse=True)
    return nodes


_made = operator.attrgetter("_seq")


def topological_order(root: Tensor, grad_only: bool = True) -> list[Tensor]:
    """Every tensor ``root`` depends on that requires grad (every tensor when ``grad_only`` is
    False, as for drawing), inputs before outputs.

    With ``grad_only`` it is the reverse of `backward_order`, the order backward visits them;
    otherwise inputs are listed in the order they were written (a depth-first search).
    """
    return backward_order(root)[::-1] if grad_only else _depth_first(root, False)


def _depth_first(root: Tensor, grad_only: bool) -> list[Tensor]:
    """An iterative depth-first search: a node is appended once all of its inputs have been."""
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


def input_gradients(ctx: Function, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
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
    needs = ctx.needs_input_grad
    fitted = None
    for i in range(len(parents)):  # the common case: every gradient already fits, or is None
        g = input_grads[i]
        if g is None:
            continue
        data = parents[i].data
        if not needs[i]:
            g = None
        elif type(g) is not np.ndarray or g.shape != data.shape or g.dtype != data.dtype:
            g = _fit(g, parents[i], ctx, i)  # (also a 0-d result: NumPy arithmetic makes it a scalar)
        else:
            continue
        if fitted is None:
            fitted = list(input_grads)
        fitted[i] = g
    return input_grads if fitted is None else tuple(fitted)


def _check_versions(node: Tensor, ctx: Function) -> None:
    """Refuse to run a backward whose inputs (or output) were changed in place since forward
    (for ops whose backward reads them: ``reads_data``)."""
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
    pending: dict[Tensor, np.ndarray] = {root: seed}  # (keyed by the tensors themselves: identity)
    owned: set[Tensor] = {root}  # pending arrays no one else refers to: safe to adopt or add into
    for node in backward_order(root):
        grad = pending.pop(node, None)
        if grad is None:  # no path carried a gradient here (every op skipped it)
            continue
        if type(grad) is not np.ndarray:  # NumPy returns sums of 0-d arrays as scalars
            grad = np.asarray(grad)
        if node._hooks:
            grad = _run_hooks(node, grad)
            owned.discard(node)  # a hook may keep what it was given
        if node.grad is None:
            node.grad = grad if node in owned else grad.copy()
        else:
            node.grad = np.asarray(node.grad + grad)
        ctx = node._ctx
        if ctx is None:
            continue
        if ctx.reads_data and _last_change > node._seq:  # (no change since the op was recorded: nothing to check)
            _check_versions(node, ctx)
        fresh = ctx.fresh_gradients
        for parent, parent_grad in zip(ctx.parents, input_gradients(ctx, grad)):
            if parent_grad is None:
                continue
            if anomaly_on:
                anomaly.check_backward(ctx, parent, parent_grad)
            previous = pending.get(parent)
            if previous is None:
                pending[parent] = parent_grad
                if fresh:
                    owned.add(parent)
            elif parent in owned:
                np.add(previous, parent_grad, out=previous)  # no third array: a weight's gradient is big
            else:
                pending[parent] = np.asarray(previous + parent_grad)  # (NumPy makes a scalar of a 0-d sum)
                owned.add(parent)
