"""The deeplearning.ai example: minimize ``cost = w**2 - 10*w + 25 = (w - 5)**2`` from ``w = 0``.

Each gradient-descent step is ``w <- w - lr * (2w - 10)``; with lr = 0.01 that is
``w <- 0.98 w + 0.1``, so ``w_n = 5 (1 - 0.98**n)``: 0.1 after one step, 4.99999999 after 1001.
"""

from __future__ import annotations

from .engine import Tensor
from .function import no_grad


def cost_of(w: Tensor) -> Tensor:
    return w**2 - 10 * w + 25


def cost_and_gradient(w: Tensor) -> Tensor:
    """Build the cost graph from ``w`` and run backward: afterwards ``w.grad`` is ``2w - 10``."""
    w.zero_grad()
    cost = cost_of(w)
    cost.backward()
    return cost


def update(w: Tensor, lr: float) -> None:
    """The gradient-descent update ``w <- w - lr * dcost/dw``, in place and unrecorded."""
    if w.grad is None:
        raise RuntimeError("update() needs w.grad: run cost_and_gradient(w) first")
    with no_grad():
        w -= lr * w.grad


def gradient_descent_step(w: Tensor, lr: float) -> Tensor:
    """One step: build the graph, backward, update ``w`` in place; returns the cost before the step."""
    cost = cost_and_gradient(w)
    update(w, lr)
    return cost
