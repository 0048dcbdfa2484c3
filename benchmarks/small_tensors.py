"""W5: many ops on a small tensor, where a framework's fixed cost per op is everything.

x has shape (8,); 500 elementwise ops cycle through ``y * x``, ``y + 0.5``, ``tanh(y)``,
``exp(y)`` (so y stays between about -3 and 3), then ``y.sum()`` and backward. The unit is
the time of the whole forward and backward divided by the 500 ops. ``x`` appears in 125 of
the products, so its gradient is a sum over 126 paths.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_lite as tl

from .harness import NUMPY, TINYGRAD, Gradients, Impl, Target, Workload

SIZE = 8
OPS = 500
REPEATS = 2  # forward + backward passes in one block
SHIFT = 0.5
SEED = 5
MUL, ADD, TANH, EXP = range(4)


def initial_x() -> np.ndarray:
    return np.random.default_rng(SEED).uniform(-1.0, 1.0, size=SIZE)


class NumpySmall(Impl):
    """The floor: forward keeping what backward needs on a tape, then the chain rule by hand."""

    def __init__(self) -> None:
        self.x = initial_x()

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss, dx = self.forward_backward()
        return loss, [dx]

    def run(self) -> None:
        for _ in range(REPEATS):
            self.forward_backward()

    def forward_backward(self) -> tuple[float, np.ndarray]:
        x = self.x
        tape = []
        y = x
        for i in range(OPS):
            kind = i % 4
            if kind == MUL:
                tape.append(y)
                y = y * x
            elif kind == ADD:
                y = y + SHIFT
            elif kind == TANH:
                y = np.tanh(y)
                tape.append(y)
            else:
                y = np.exp(y)
                tape.append(y)
        loss = y.sum()
        grad = np.ones_like(y)
        dx = np.zeros_like(x)
        for i in reversed(range(OPS)):
            kind = i % 4
            if kind == MUL:
                dx += grad * tape.pop()
                grad = grad * x
            elif kind == TANH:
                out = tape.pop()
                grad = grad * (1 - out * out)
            elif kind == EXP:
                grad = grad * tape.pop()
        dx += grad  # y started as x itself
        return float(loss), dx



def op_cycle(x: Any) -> Any:
    """The workload's OPS ops on ``x`` (a tinygrad_lite or a torch tensor: both spell them alike)."""
    y = x
    for i in range(OPS):
        kind = i % 4
        if kind == MUL:
            y = y * x
        elif kind == ADD:
            y = y + SHIFT
        elif kind == TANH:
            y = y.tanh()
        else:
            y = y.exp()
    return y

class TinygradSmall(Impl):
    def __init__(self) -> None:
        self.x = tl.tensor(initial_x(), requires_grad=True)

    def forward_backward(self) -> tl.Tensor:
        x = self.x
        x.zero_grad()
        loss: tl.Tensor = op_cycle(x).sum()
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        return loss.item(), [self.x.grad]

    def run(self) -> None:
        for _ in range(REPEATS):
            self.forward_backward()


class TorchSmall(Impl):
    def __init__(self, torch: Any) -> None:
        self.x = torch.tensor(initial_x(), requires_grad=True)

    def forward_backward(self) -> Any:
        x = self.x
        x.grad = None
        loss = op_cycle(x).sum()
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        return loss.item(), [self.x.grad.numpy()]

    def run(self) -> None:
        for _ in range(REPEATS):
            self.forward_backward()


class AutogradSmall(Impl):
    def __init__(self, autograd: Any) -> None:
        anp = autograd.numpy
        self.x = initial_x()

        def f(x: Any) -> Any:
            y = x
            for i in range(OPS):
                kind = i % 4
                if kind == MUL:
                    y = y * x
                elif kind == ADD:
                    y = y + SHIFT
                elif kind == TANH:
                    y = anp.tanh(y)
                else:
                    y = anp.exp(y)
            return anp.sum(y)

        self.loss_and_gradient = autograd.value_and_grad(f)

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss, dx = self.loss_and_gradient(self.x)
        return float(loss), [dx]

    def run(self) -> None:
        for _ in range(REPEATS):
            self.loss_and_gradient(self.x)


def build(optional: dict[str, Any]) -> dict[str, Impl | str]:
    impls: dict[str, Impl | str] = {NUMPY: NumpySmall(), TINYGRAD: TinygradSmall()}
    if "torch" in optional:
        impls["torch"] = TorchSmall(optional["torch"])
    if "autograd" in optional:
        impls["autograd"] = AutogradSmall(optional["autograd"])
    if "micrograd" in optional:
        impls["micrograd"] = "n/a (no tanh, exp)"
    return impls


WORKLOADS = [
    Workload("W5", "W5 small tensors (8,), 500 ops", "µs/op", 1e6 / (REPEATS * OPS), Target("absolute", 12.0), build,
             steps=REPEATS),
]
