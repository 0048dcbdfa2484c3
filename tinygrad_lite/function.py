"""Differentiable operations: the `Function` base class and `Function.apply`.

Every operation in tinygrad_lite, built-in or user-written, is a subclass of `Function`
with two static methods side by side:

- ``forward(ctx, *arrays, **options)`` computes the output from NumPy arrays;
- ``backward(ctx, grad)`` turns the gradient of the output into one gradient per input
  (the vector-Jacobian product).

``MyOp.apply(*inputs, **options)`` runs ``forward`` and, when grad mode is on, records the
call in the graph so that ``Tensor.backward()`` can run ``backward`` later.
"""

from __future__ import annotations

from sys import _getframe
from types import CodeType
from typing import Any, ClassVar

import numpy as np

from . import anomaly
from .engine import Tensor, as_tensors
from .errors import IndexingError
from .state import enable_grad, is_grad_enabled, name_scope, no_grad, set_grad_enabled, state

__all__ = ["Function", "enable_grad", "is_grad_enabled", "name_scope", "no_grad", "set_grad_enabled"]


class Function:
    """Base class of every differentiable operation; subclass it to write your own.

    ``forward`` and ``backward`` are static methods whose first argument ``ctx`` is the
    record of one call: store what backward needs with ``ctx.save_for_backward(...)`` (read
    it back as ``ctx.saved_tensors``) or as plain attributes; ``ctx.needs_input_grad`` tells
    which inputs want a gradient, so backward can skip the others (return ``None`` for them):

    ```python
    class Cube(tl.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * grad

    y = Cube.apply(t)
    ```

    Positional arguments of ``apply`` are the inputs (Tensors, arrays or numbers); keyword
    arguments are passed to ``forward`` as non-differentiable options. ``backward`` returns,
    for each input, a gradient of the input's shape or of a shape the input broadcasts to:
    the engine sums the latter back (see `shapes.sum_to_shape`) and refuses any other shape
    with `GradientShapeError`.
    """

    # Slots keep each op's record small, which matters with a million of them alive: the
    # garbage collector walks every one. "__dict__" stays, created only if an op sets its own
    # attributes (``ctx.axis = axis``), so custom Functions can still do that.
    __slots__ = ("parents", "needs_input_grad", "saved_tensors", "options", "location", "line", "versions", "__dict__")

    name: ClassVar[str] = ""
    """The op's name in ``Tensor.op`` and in graph pictures; defaults to the class name in lower case."""

    fresh_gradients: ClassVar[bool] = False
    """True when ``backward`` returns, for every input, a new array that nothing else refers to
    (not ``grad`` itself, not a view of it, not a saved array): the engine may then add
    further gradients into it in place instead of allocating a sum."""

    reads_data: ClassVar[bool] = True
    """True when ``backward`` reads the values of the inputs or of the output (as ``Mul`` and
    ``Exp`` do; ``Add`` and ``Reshape`` do not). The engine then remembers their versions and
    refuses to run backward if one of them was changed in place after the forward pass."""

    is_view: ClassVar[bool] = False
    """True when the output may be a view of the first input's data (reshape, transpose, basic
    indexing): it then shares the input's in-place change counter."""

    parents: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple[Any, ...]
    options: dict[str, Any]
    location: CodeType | None  # the code of the user's call that created the op (see anomaly.user_frame)
    line: int  # and the position in it
    versions: tuple[int, ...] | None  # the inputs' versions at forward time (None: all 0)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for ``backward``; they come back, in order, as ``ctx.saved_tensors``."""
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx: Any, *args: Any, **options: Any) -> Any:
        """Compute the op's output from NumPy arrays (one per input), saving what backward needs on ``ctx``."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        """The vector-Jacobian product: from ``grad`` (d loss / d output) return one gradient per
        input (d loss / d input, in the input's shape or one it broadcasts to; None to skip it)."""
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' data and return the output as a Tensor in the graph."""
        tensors: tuple[Tensor, ...] = inputs
        for x in inputs:
            if type(x) is not Tensor:  # numbers and arrays become constant leaves
                tensors = as_tensors(inputs)
                break
        ctx = cls()
        arity = len(tensors)
        try:
            if arity == 2:  # the common cases, without building an argument list
                data = cls.forward(ctx, tensors[0].data, tensors[1].data, **options)
            elif arity == 1:
                data = cls.forward(ctx, tensors[0].data, **options)
            else:
                data = cls.forward(ctx, *[t.data for t in tensors], **options)
        except (ValueError, IndexError, OverflowError, ZeroDivisionError) as error:
            raise _op_error(cls.name, tensors, error) from error  # chained: the user's frame stays
        if type(data) is not np.ndarray:  # NumPy returns scalars for 0-d results
            data = np.asarray(data)
        thread = state  # one thread-local lookup, not one per flag
        if not thread.grad_enabled:
            out = Tensor._make(data, None, False, thread.scope)
        else:
            ctx.parents = tensors
            needs: tuple[bool, ...]
            if arity == 2:  # shared tuples: one object fewer per op for the garbage collector
                needs = _PAIRS[tensors[0].requires_grad][tensors[1].requires_grad]
            elif arity == 1:
                needs = _SINGLES[tensors[0].requires_grad]
            else:
                needs = tuple([t.requires_grad for t in tensors])
            ctx.needs_input_grad = needs
            ctx.options = options
            anomaly_on = thread.anomaly
            if cls.reads_data or anomaly_on:
                # The version check needs the inputs' versions now (None: all still 0) and the
                # user's line, for its message; the line is worked out only if it is needed.
                versions = None
                for t in tensors:
                    if t._vc is not None:
                        versions = tuple([0 if u._vc is None else u._vc[0] for u in tensors])
                        break
                ctx.versions = versions
                ctx.location, ctx.line = anomaly.user_frame(_getframe(1))  # (from the caller: no frame for apply)
            else:
                ctx.versions = None
                ctx.location, ctx.line = None, 0
            out = Tensor._make(data, ctx, True in needs, thread.scope)
            if anomaly_on:
                anomaly.check_forward(ctx, data)
        if cls.is_view and tensors and np.may_share_memory(data, tensors[0].data):
            out._share_version(tensors[0])
        return out


_SINGLES: tuple[tuple[bool], ...] = ((False,), (True,))  # needs_input_grad of a one-input op, indexed by requires_grad
_PAIRS: tuple[tuple[tuple[bool, bool], ...], ...] = (((False, False), (False, True)), ((True, False), (True, True)))


def _op_error(name: str, tensors: tuple[Tensor, ...], error: Exception) -> ValueError:
    """Name the op and the input shapes in an error raised by its forward (or by NumPy in it)."""
    shapes = " and ".join(str(t.shape) for t in tensors) or "no inputs"
    message = f"{name} on shapes {shapes}: {error}"
    return IndexingError(message) if isinstance(error, IndexError) else ValueError(message)
