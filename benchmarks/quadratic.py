"""W1: minimize ``cost = w**2 - 10*w + 25`` by gradient descent from w = 0 (lr 0.01), 1000 steps.

The graph is rebuilt at every step, so this measures the fixed cost of a framework per op:
five scalar ops forward, their backward, and the update. One block is the whole 1000-step run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_lite as tl

from .harness import NUMPY, TINYGRAD, Gradients, Impl, Target, Workload

STEPS = 1000
LR = 0.01


class NumpyQuadratic(Impl):
    """The floor: the cost and its derivative ``2w - 10`` written out on a 0-d float64 array."""

    def loss_and_grads(self) -> tuple[float, Gradients]:
        w = np.zeros(())
        cost = w**2 - 10 * w + 25
        return float(cost), [2 * w - 10]

    def run(self) -> None:
        w = np.zeros(())
        for _ in range(STEPS):
            cost = w**2 - 10 * w + 25  # noqa: F841  (forward computed as the frameworks do)
            grad = 2 * w - 10
            w -= LR * grad


class TinygradQuadratic(Impl):
    def loss_and_grads(self) -> tuple[float, Gradients]:
        w = tl.tensor(0.0, requires_grad=True)
        cost = w**2 - 10 * w + 25
        cost.backward()
        return cost.item(), [w.grad]

    def run(self) -> None:
        w = tl.tensor(0.0, requires_grad=True)
        for _ in range(STEPS):
            w.zero_grad()
            cost = w**2 - 10 * w + 25
            cost.backward()
            w.data -= LR * w.grad  # type: ignore[operator]  # backward has just set it


class TorchQuadratic(Impl):
    def __init__(self, torch: Any) -> None:
        self.torch = torch

    def loss_and_grads(self) -> tuple[float, Gradients]:
        w = self.torch.zeros((), dtype=self.torch.float64, requires_grad=True)
        cost = w**2 - 10 * w + 25
        cost.backward()
        return cost.item(), [w.grad.numpy()]

    def run(self) -> None:
        torch = self.torch
        w = torch.zeros((), dtype=torch.float64, requires_grad=True)
        for _ in range(STEPS):
            w.grad = None
            cost = w**2 - 10 * w + 25
            cost.backward()
            with torch.no_grad():
                w -= LR * w.grad


class AutogradQuadratic(Impl):
    def __init__(self, autograd: Any) -> None:
        self.cost_and_gradient = autograd.value_and_grad(lambda w: w**2 - 10 * w + 25)

    def loss_and_grads(self) -> tuple[float, Gradients]:
        cost, grad = self.cost_and_gradient(0.0)
        return float(cost), [np.asarray(grad)]

    def run(self) -> None:
        w = 0.0
        for _ in range(STEPS):
            _, grad = self.cost_and_gradient(w)
            w -= LR * grad


class MicrogradQuadratic(Impl):
    def __init__(self, micrograd: Any) -> None:
        self.Value = micrograd.engine.Value

    def loss_and_grads(self) -> tuple[float, Gradients]:
        w = self.Value(0.0)
        cost = w**2 - 10 * w + 25
        cost.backward()
        return float(cost.data), [np.asarray(w.grad, dtype=np.float64)]

    def run(self) -> None:
        w = self.Value(0.0)
        for _ in range(STEPS):
            w.grad = 0.0
            cost = w**2 - 10 * w + 25
            cost.backward()
            w.data -= LR * w.grad


def build(optional: dict[str, Any]) -> dict[str, Impl | str]:
    impls: dict[str, Impl | str] = {NUMPY: NumpyQuadratic(), TINYGRAD: TinygradQuadratic()}
    if "torch" in optional:
        impls["torch"] = TorchQuadratic(optional["torch"])
    if "autograd" in optional:
        impls["autograd"] = AutogradQuadratic(optional["autograd"])
    if "micrograd" in optional:
        impls["micrograd"] = MicrogradQuadratic(optional["micrograd"])
    return impls


WORKLOADS = [
    Workload("W1", "W1 quadratic, 1000 GD steps", "µs/step", 1e6 / STEPS, Target("absolute", 50.0), build, rounds=15,
             steps=STEPS),
]
