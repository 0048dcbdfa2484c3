"""Per-thread switches: grad mode, the current name scope, anomaly detection.

Everything that records a graph asks this module whether to record (``state.grad_enabled``)
and which scope the new op belongs to (``state.scope``). It sits below the engine and imports
nothing from the package.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any


class _ThreadState(threading.local):
    """A `no_grad` or a name scope in one thread must not leak into another."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope = ""
        self.anomaly = False


state = _ThreadState()


def is_grad_enabled() -> bool:
    """Whether operations in this thread are being recorded for backward."""
    return state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Set grad mode for a block (or a decorated function) and restore the previous mode on exit,
    also when the block raises."""

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

    Results have ``requires_grad=False``. Use it for evaluation and for parameter updates,
    which change the weights in place:

        with tl.no_grad():
            w -= lr * w.grad
    """
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Turn recording back on inside a `no_grad` block (a context manager or a decorator)."""
    return _GradMode(True)


class set_grad_enabled(_GradMode):  # noqa: N801  (PyTorch's spelling: a function-like class)
    """Switch grad mode on or off: ``tl.set_grad_enabled(False)`` as a call, or ``with
    tl.set_grad_enabled(is_training):`` for a block (the previous mode comes back on exit).

        tl.set_grad_enabled(False)
        y = w * 2            # not recorded
        tl.set_grad_enabled(True)
    """

    def __init__(self, mode: Any) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled takes True or False, got {type(mode).__name__} {mode!r}")
        super().__init__(mode)
        self.previous.append(state.grad_enabled)  # as a plain call it takes effect at once,
        state.grad_enabled = mode  # as PyTorch's does

    def __enter__(self) -> None:
        pass  # already switched by __init__; __exit__ restores the mode from before the call


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Group every op created inside the block under ``name``; scopes nest as ``"net/layer1"``.

    `draw_graph` draws each scope as a cluster:

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
