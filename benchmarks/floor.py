"""The "minimal engine": the least a reverse-mode engine whose values are NumPy arrays can do.

It is the floor under W1, W5 and W6, where every op is tiny and the cost per op is all there is.
A value is an ndarray and its gradient; each op appends one closure to a tape (only if a
gradient will be needed), and backward runs the tape backwards. Nothing else: no graph kept
after backward (nothing to draw), no dtype rules, no version counters, no ownership copies,
no user's line for messages, no error checks. What tinygrad_lite costs above this row is its
engine; what this row costs above micrograd (whose values are Python floats) is NumPy: an
operation on 0-d arrays costs many times one on floats, and it returns a NumPy scalar that an
engine promising ``.data`` is an ndarray must turn back into one (``np.asarray``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

TAPE: list[Any] = []  # the pullbacks of the ops recorded since the last backward, oldest first


class Value:
    __slots__ = ("data", "grad", "requires_grad")

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad

    def _add_grad(self, grad: Any) -> None:
        self.grad = np.asarray(grad) if self.grad is None else np.asarray(self.grad + grad)

    def __mul__(self, other: Any) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, self.requires_grad or other.requires_grad)

        def pullback() -> None:  # a gradient is computed only for a value that requires one
            if self.requires_grad:
                self._add_grad(out.grad * other.data)
            if other.requires_grad:
                other._add_grad(out.grad * self.data)

        TAPE.append(pullback)
        return out

    __rmul__ = __mul__

    def __add__(self, other: Any) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, self.requires_grad or other.requires_grad)

        def pullback() -> None:
            if self.requires_grad:
                self._add_grad(out.grad)
            if other.requires_grad:
                other._add_grad(out.grad)

        TAPE.append(pullback)
        return out

    def __sub__(self, other: Any) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, self.requires_grad or other.requires_grad)

        def pullback() -> None:
            if self.requires_grad:
                self._add_grad(out.grad)
            if other.requires_grad:
                other._add_grad(-out.grad)  # type: ignore[operator]

        TAPE.append(pullback)
        return out

    def __pow__(self, exponent: float) -> Value:
        out = Value(self.data**exponent, self.requires_grad)
        if self.requires_grad:
            TAPE.append(lambda: self._add_grad(out.grad * exponent * self.data ** (exponent - 1)))
        return out

    def _unary(self, data: np.ndarray, local: Any) -> Value:
        out = Value(data, self.requires_grad)
        if self.requires_grad:
            TAPE.append(lambda: self._add_grad(out.grad * local(out.data)))
        return out

    def tanh(self) -> Value:
        return self._unary(np.tanh(self.data), lambda y: 1 - y * y)

    def exp(self) -> Value:
        return self._unary(np.exp(self.data), lambda y: y)

    def sum(self) -> Value:
        out = Value(self.data.sum(), self.requires_grad)
        if self.requires_grad:
            TAPE.append(lambda: self._add_grad(np.broadcast_to(out.grad, self.data.shape).copy()))
        return out

    def item(self) -> float:
        return float(self.data)

    def backward(self) -> None:
        """Seed with 1 and run the pullbacks recorded since the last backward, newest first."""
        self.grad = np.ones_like(self.data)
        while TAPE:
            TAPE.pop()()


def leaf(data: Any) -> Value:
    return Value(data, requires_grad=True)


def update(w: Value) -> None:
    """W1's gradient-descent step."""
    w.data -= 0.01 * w.grad  # type: ignore[operator]
    w.grad = None
