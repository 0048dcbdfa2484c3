"""Differentiable operations: the `Function` base class, grad mode and name scopes.

Every operation in tinygrad_lite, built-in or user-written, is a subclass of `Function`
with two static methods side by side:

- ``forward(ctx, *arrays, **options)`` computes the output from NumPy arrays;
- ``backward(ctx, grad)`` turns the gradient of the output into one gradient per input
  (the vector-Jacobian product).

``MyOp.apply(*inputs, **options)`` runs ``forward`` and, when grad mode is on, records the
call in the graph so that ``Tensor.backward()`` can run ``backward`` later.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import engine

if TYPE_CHECKING:
    from .engine import Tensor


class _ThreadState(threading.local):
    """Per-thread switches: a `no_grad` in one thread must not leak into another."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope = ""
        self.anomaly = False


state = _ThreadState()


def is_grad_enabled() -> bool:
    """Whether operations in this thread are being recorded for backward."""
    return state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(state.grad_enabled)
        state.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self.previous.pop()


def no_grad() -> _GradMode:
    """Record no graph inside this block (or decorated function).

    Results have ``requires_grad=False``; use it for evaluation and parameter updates::

        with tl.no_grad():
            accuracy = (model(X).argmax(axis=1) == y).mean()
    """
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Turn recording back on inside a `no_grad` block."""
    return _GradMode(True)


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Group every op created inside the block under ``name``; scopes nest as ``"net/layer1"``.

    `draw_graph` draws each scope as a cluster::

        with tl.name_scope("layer1"):
            h = (x @ W1 + b1).relu()
    """
    if not isinstance(name, str):
        raise TypeError(f"name_scope needs a str name, got {type(name).__name__}: {name!r}")
    if not name or "/" in name:
        raise ValueError(f"name_scope name must be non-empty and contain no '/', got {name!r}")
    previous = state.scope
    state.scope = f"{previous}/{name}" if previous else name
    try:
        yield state.scope
    finally:
        state.scope = previous


class Function:
    """Base class of every differentiable operation; subclass it to write your own.

    ``forward`` and ``backward`` are static methods whose first argument ``ctx`` is the
    record of one call: store what backward needs with ``ctx.save_for_backward(...)`` (read
    it back as ``ctx.saved_tensors``) or as plain attributes; ``ctx.needs_input_grad`` tells
    which inputs want a gradient, so backward can skip the others (return ``None`` for them)::

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

    Positional arguments of ``apply`` are the inputs (Tensors, arrays or numbers); keyword
    arguments are passed to ``forward`` as non-differentiable options. ``backward`` may
    return gradients in the broadcast shape of the output: the engine sums them back to
    each input's shape (see `engine.sum_to_shape`).
    """

    # Slots keep each op's record small, which matters with a million of them alive: the
    # garbage collector walks every one. "__dict__" stays, created only if an op sets its own
    # attributes (``ctx.axis = axis``), so custom Functions can still do that.
    __slots__ = ("parents", "needs_input_grad", "saved_tensors", "options", "location", "__dict__")

    name: ClassVar[str] = ""
    """The op's name in ``Tensor.op`` and in graph pictures; defaults to the class name in lower case."""

    fresh_gradients: ClassVar[bool] = False
    """True when ``backward`` returns, for every input, a new array that nothing else refers to
    (not ``grad`` itself, not a view of it, not a saved array): the engine may then add
    further gradients into it in place instead of allocating a sum."""

    parents: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple[Any, ...]
    options: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for ``backward``; they come back, in order, as ``ctx.saved_tensors``."""
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx: Any, *args: Any, **options: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' data and return the output as a Tensor in the graph."""
        tensor_type = engine.Tensor
        tensors: tuple[Tensor, ...] = inputs
        for x in inputs:
            if type(x) is not tensor_type:  # numbers and arrays become constant leaves
                tensors = engine.as_tensors(inputs)
                break
        ctx = cls()
        try:
            data = cls.forward(ctx, *[t.data for t in tensors], **options)
        except (ValueError, IndexError, OverflowError, ZeroDivisionError) as error:
            raise _op_error(cls.name, tensors, error) from None
        if type(data) is not np.ndarray:  # NumPy returns scalars for 0-d results
            data = np.asarray(data)
        if not state.grad_enabled:
            return tensor_type.make(data, None, False)
        needs = tuple([t.requires_grad for t in tensors])
        ctx.parents = tensors
        ctx.needs_input_grad = needs
        ctx.options = options
        out = tensor_type.make(data, ctx, True in needs)
        if state.anomaly:
            from .anomaly import check_forward

            check_forward(ctx, out)
        return out


def _op_error(name: str, tensors: tuple[Tensor, ...], error: Exception) -> ValueError:
    """Name the op and the input shapes in an error raised by its forward (or by NumPy in it)."""
    from .ops import IndexingError

    shapes = " and ".join(str(t.shape) for t in tensors) or "no inputs"
    message = f"{name} on shapes {shapes}: {error}"
    return IndexingError(message) if isinstance(error, IndexError) else ValueError(message)
