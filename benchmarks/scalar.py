"""W1, W5 and W6: tiny values and many ops, where a framework's fixed cost per op is everything.

W1: minimize ``w**2 - 10*w + 25`` by gradient descent from w = 0 (lr 0.01), 1000 steps, the
graph rebuilt at every step. W5: x of shape (8,), 500 ops cycling ``y * x``, ``y + 0.5``,
``tanh``, ``exp``, then ``sum`` and backward (x's gradient sums 126 paths). W6: a chain
``y = y * 1.0000001`` of n ops from a scalar leaf, backward, and freeing the graph; the cost
per op should not grow with n, and each op's graph node should hold few objects that Python's
cyclic garbage collector has to track.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

import tinygrad_lite as tl

from . import floor
from .harness import Contender, Workload

STEPS = 1000  # W1
OPS, REPEATS = 500, 2  # W5: ops per pass, passes per block
FACTOR = 1.0000001  # W6
CHECK_CHAIN = 500  # W6's step-0 check (micrograd's recursive topological sort fails near 10^3)


def quadratic(leaf: Any, update: Any) -> Contender:
    """W1 for values that support ``**``, ``*``, ``-``, ``+`` with numbers and ``backward()``."""

    def check() -> tuple[float, list[Any]]:
        w = leaf(0.0)
        cost = w**2 - 10 * w + 25
        cost.backward()
        return float(cost.data), [numpy(w.grad)]

    def run() -> None:
        w = leaf(0.0)
        for _ in range(STEPS):
            cost = w**2 - 10 * w + 25
            cost.backward()
            update(w)

    return Contender(check, run)


def numpy(value: Any) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def numpy_quadratic() -> Contender:
    """The floor: the cost and its derivative ``2w - 10`` written out on a 0-d float64 array."""

    def run() -> None:
        w = np.zeros(())
        for _ in range(STEPS):
            cost = w**2 - 10 * w + 25  # noqa: F841  (the forward pass, computed as the frameworks do)
            w -= 0.01 * (2 * w - 10)

    def check() -> tuple[float, list[Any]]:
        w = np.zeros(())
        return float(w**2 - 10 * w + 25), [2 * w - 10]

    return Contender(check, run)


def autograd_quadratic(autograd: Any) -> Contender:
    value_and_grad = autograd.value_and_grad(lambda w: w**2 - 10 * w + 25)

    def run() -> None:
        w = 0.0
        for _ in range(STEPS):
            w -= 0.01 * value_and_grad(w)[1]

    return Contender(lambda: (lambda v, g: (float(v), [np.asarray(g)]))(*value_and_grad(0.0)), run)


def tinygrad_update(w: tl.Tensor) -> None:
    w.data -= 0.01 * w.grad  # type: ignore[operator]
    w.zero_grad()


def torch_update(torch: Any, w: Any) -> None:
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad = None


def micrograd_update(w: Any) -> None:
    w.data -= 0.01 * w.grad
    w.grad = 0.0


def build_quadratic(optional: dict[str, Any]) -> dict[str, Contender | str]:
    built: dict[str, Contender | str] = {
        "numpy": numpy_quadratic(),
        "tinygrad_lite": quadratic(partial(tl.tensor, requires_grad=True), tinygrad_update),
        "minimal engine": quadratic(floor.leaf, floor.update),
    }
    if "torch" in optional:
        torch = optional["torch"]
        leaf = partial(torch.tensor, dtype=torch.float64, requires_grad=True)
        built["torch"] = quadratic(leaf, partial(torch_update, torch))
    if "autograd" in optional:
        built["autograd"] = autograd_quadratic(optional["autograd"])
    if "micrograd" in optional:
        built["micrograd"] = quadratic(optional["micrograd"].engine.Value, micrograd_update)
    return built


# ----- W5 ----------------------------------------------------------------------------------------


def op_cycle(x: Any, tanh: Any = None, exp: Any = None) -> Any:
    """W5's ops on ``x``: methods ``.tanh()``/``.exp()`` (tinygrad_lite, torch) unless functions are given."""
    y = x
    for i in range(OPS):
        kind = i % 4
        if kind == 0:
            y = y * x
        elif kind == 1:
            y = y + 0.5
        elif kind == 2:
            y = tanh(y) if tanh else y.tanh()
        else:
            y = exp(y) if exp else y.exp()
    return y


def initial_x() -> np.ndarray:
    return np.random.default_rng(5).uniform(-1.0, 1.0, size=8)


def repeated(check: Any) -> Contender:
    """A W5 contender: a block is REPEATS forward + backward passes."""

    def run() -> None:
        for _ in range(REPEATS):
            check()

    return Contender(check, run)


def numpy_small() -> tuple[float, list[Any]]:
    """The floor: forward keeping what backward needs on a tape, then the chain rule by hand."""
    x = initial_x()
    tape, y = [], x
    for i in range(OPS):
        kind = i % 4
        if kind == 0:
            tape.append(y)
            y = y * x
        elif kind == 1:
            y = y + 0.5
        else:
            y = np.tanh(y) if kind == 2 else np.exp(y)
            tape.append(y)
    grad, dx = np.ones_like(y), np.zeros_like(x)
    for i in reversed(range(OPS)):
        kind = i % 4
        if kind == 0:
            dx += grad * tape.pop()
            grad = grad * x
        elif kind == 2:
            out = tape.pop()
            grad = grad * (1 - out * out)
        elif kind == 3:
            grad = grad * tape.pop()
    return float(y.sum()), [dx + grad]  # y started as x itself


def tensor_small(x: Any) -> Any:
    """W5 in tinygrad_lite or torch (both spell the ops alike)."""

    def check() -> tuple[float, list[Any]]:
        x.grad = None
        loss = op_cycle(x).sum()
        loss.backward()
        return loss.item(), [numpy(x.grad)]

    return check


def build_small(optional: dict[str, Any]) -> dict[str, Contender | str]:
    built: dict[str, Contender | str] = {
        "numpy": repeated(numpy_small),
        "tinygrad_lite": repeated(tensor_small(tl.tensor(initial_x(), requires_grad=True))),
        "minimal engine": repeated(tensor_small(floor.leaf(initial_x()))),
        "micrograd": "n/a (no tanh, exp)",
    }
    if "torch" in optional:
        built["torch"] = repeated(tensor_small(optional["torch"].tensor(initial_x(), requires_grad=True)))
    if "autograd" in optional:
        anp = optional["autograd"].numpy
        value_and_grad = optional["autograd"].value_and_grad(lambda x: anp.sum(op_cycle(x, anp.tanh, anp.exp)))
        built["autograd"] = repeated(lambda: (lambda v, g: (float(v), [g]))(*value_and_grad(initial_x())))
    return built


# ----- W6 ----------------------------------------------------------------------------------------


class Chain(Contender):
    """A W6 contender: ``forward(n)`` builds a chain of n ops and returns what ``backward`` needs;
    ``backward(built)`` gives the chain's value and the leaf's gradient; a block is one chain of ``n``."""

    def __init__(self, n: int, forward: Any, backward: Any) -> None:
        super().__init__(lambda: self.once(CHECK_CHAIN), lambda: self.once(n))
        self.n, self.forward, self.backward = n, forward, backward

    def once(self, n: int) -> tuple[float, list[Any]]:
        value, grad = self.backward(self.forward(n))
        return value, [numpy(grad)]


def tensor_forward(leaf: Any, n: int) -> tuple[Any, Any]:
    x = y = leaf(1.0)
    for _ in range(n):
        y = y * FACTOR
    return x, y


def tensor_backward(built: tuple[Any, Any]) -> tuple[float, Any]:
    x, y = built
    y.backward()
    return float(y.data), x.grad


def numpy_backward(built: tuple[int, np.ndarray]) -> tuple[float, Any]:
    """The floor: the forward pass multiplied a 0-d array n times; backward does the same to the gradient."""
    n, y = built
    grad = np.ones(())
    for _ in range(n):
        grad = grad * FACTOR
    return float(y), grad


def autograd_chain(autograd: Any, n: int) -> tuple[float, Any]:
    """HIPS autograd builds and differentiates its graph inside value_and_grad, so all of it is 'backward'."""
    value, grad = autograd.value_and_grad(lambda y: tensor_forward(lambda _: y, n)[1])(1.0)
    return float(value), grad


def build_chain(n: int, optional: dict[str, Any]) -> dict[str, Contender | str]:
    built: dict[str, Contender | str] = {
        "numpy": Chain(n, lambda k: (k, tensor_forward(np.asarray, k)[1]), numpy_backward),
        "tinygrad_lite": Chain(n, partial(tensor_forward, partial(tl.tensor, requires_grad=True)), tensor_backward),
        "minimal engine": Chain(n, partial(tensor_forward, floor.leaf), tensor_backward),
    }
    if "torch" in optional:
        leaf = partial(optional["torch"].tensor, dtype=optional["torch"].float64, requires_grad=True)
        built["torch"] = Chain(n, partial(tensor_forward, leaf), tensor_backward)
    if "autograd" in optional:
        built["autograd"] = Chain(n, lambda k: k, partial(autograd_chain, optional["autograd"]))
    if "micrograd" in optional:
        built["micrograd"] = Chain(n, partial(tensor_forward, optional["micrograd"].engine.Value), tensor_backward)
    return built


def chain_warm_up(contender: Contender) -> None:
    """A short chain: warms the same code up without paying for a million ops once more."""
    assert isinstance(contender, Chain)
    contender.once(min(contender.n, 10**4))


def workloads(quick: bool) -> list[Workload]:
    rows = [
        Workload("W1", "W1 quadratic, 1000 GD steps", "µs/step", 1e6 / STEPS, build_quadratic, rounds=9,
                 targets=(("micrograd", 1.0),)),
        Workload("W5", "W5 small tensors (8,), 500 ops", "µs/op", 1e6 / (REPEATS * OPS), build_small,
                 targets=(("best peer", 1.0),)),
    ]
    for n in (10**3, 10**4) if quick else (10**4, 10**5, 10**6):
        rows.append(Workload("W6", f"W6 chain of 10^{len(str(n)) - 1} ops", "µs/op", 1e6 / n, partial(build_chain, n),
                             rounds=2 if n >= 10**6 else 3 if n >= 10**5 else 5, warm_up=chain_warm_up,
                             targets=(("torch", 1.0),) if n == 10**5 else ()))
    return rows
