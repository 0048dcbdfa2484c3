"""W6: a deep chain ``y = y * 1.0000001`` repeated n times from a scalar leaf x = 1, then backward.

The time (building the chain, backward, and freeing the graph) must grow linearly with n,
and a million links must neither hit Python's recursion limit nor take more than 10 s.
One block is one chain. The step-0 check uses a chain of min(n, 10^4) links.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_lite as tl

from .harness import NUMPY, TINYGRAD, Gradients, Impl, Target, Workload

FACTOR = 1.0000001
FULL_LENGTHS = (10**4, 10**5, 10**6)
QUICK_LENGTHS = (10**3, 10**4)
CHECK_LENGTH = 10**4
TIME_LIMIT_LENGTH = 10**6  # the 10 s target is for this length
TIME_LIMIT_SECONDS = 10.0


class Chain(Impl):
    """A contender builds and differentiates a chain of ``length`` links with ``chain(n)``."""

    def __init__(self, length: int) -> None:
        self.length = length

    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        raise NotImplementedError

    def loss_and_grads(self) -> tuple[float, Gradients]:
        y, dx = self.chain(min(self.length, CHECK_LENGTH))
        return y, [dx]

    def run(self) -> None:
        self.chain(self.length)


class NumpyChain(Chain):
    """The floor: n multiplications of a 0-d array forward, n of the gradient backward."""

    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        y = np.ones(())
        for _ in range(n):
            y = y * FACTOR
        grad = np.ones(())
        for _ in range(n):
            grad = grad * FACTOR
        return float(y), grad


class TinygradChain(Chain):
    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        x = tl.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * FACTOR
        y.backward()
        return y.item(), x.grad


class TorchChain(Chain):
    def __init__(self, length: int, torch: Any) -> None:
        super().__init__(length)
        self.torch = torch

    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        x = self.torch.ones((), dtype=self.torch.float64, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * FACTOR
        y.backward()
        return y.item(), x.grad.numpy()


class AutogradChain(Chain):
    def __init__(self, length: int, autograd: Any) -> None:
        super().__init__(length)
        self.autograd = autograd

    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        def f(x: Any) -> Any:
            y = x
            for _ in range(n):
                y = y * FACTOR
            return y

        y, dx = self.autograd.value_and_grad(f)(1.0)
        return float(y), np.asarray(dx)


class MicrogradChain(Chain):
    def __init__(self, length: int, micrograd: Any) -> None:
        super().__init__(length)
        self.Value = micrograd.engine.Value

    def chain(self, n: int) -> tuple[float, np.ndarray | None]:
        x = self.Value(1.0)
        y = x
        for _ in range(n):
            y = y * FACTOR
        y.backward()
        return float(y.data), np.asarray(x.grad, dtype=np.float64)


def _builder(length: int) -> Any:
    def build(optional: dict[str, Any]) -> dict[str, Impl | str]:
        impls: dict[str, Impl | str] = {NUMPY: NumpyChain(length), TINYGRAD: TinygradChain(length)}
        if "torch" in optional:
            impls["torch"] = TorchChain(length, optional["torch"])
        if "autograd" in optional:
            impls["autograd"] = AutogradChain(length, optional["autograd"])
        if "micrograd" in optional:
            impls["micrograd"] = MicrogradChain(length, optional["micrograd"])
        return impls

    return build


def _warm_up(impl: Impl) -> None:
    """A short chain: it warms the same code up without paying for a million links once more."""
    assert isinstance(impl, Chain)
    impl.chain(min(impl.length, CHECK_LENGTH))


def workloads(lengths: tuple[int, ...]) -> list[Workload]:
    rows = []
    for n in lengths:
        target = Target("absolute", TIME_LIMIT_SECONDS) if n == TIME_LIMIT_LENGTH else None
        label = f"W6 deep chain, n = 10^{len(str(n)) - 1}"
        rounds = 3 if n >= 10**6 else 5 if n >= 10**5 else 9  # a million links take seconds
        rows.append(Workload("W6", label, "s", 1.0, target, _builder(n), warm_up=_warm_up, rounds=rounds))
    return rows
