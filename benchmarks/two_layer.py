"""W4: a two-layer net, X (200, 3072) -> 100 ReLU -> 10, with biases; softmax cross-entropy
+ 0.5 * 1e-3 * (|W1|^2 + |W2|^2); one SGD step per step.

The NumPy reference is CS231n's ``TwoLayerNet.loss`` backward written out by hand. The
tinygrad_lite version is what its users write: ``nn.Sequential`` of ``nn.Linear`` and
``nn.ReLU``, ``F.cross_entropy``, ``F.l2_penalty`` and ``optim.SGD``. Every contender starts
from the same weights (those ``nn.Linear`` draws), so step 0 can be compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_lite import Tensor, nn, optim
from tinygrad_lite import functional as F

from .harness import NUMPY, TINYGRAD, Gradients, Impl, Target, TrainingImpl, Workload
from .linear import cross_entropy_and_dscores

N, D, H, C = 200, 3072, 100, 10
REG = 1e-3
LR = 1e-2
STEPS_PER_BLOCK = 2
SEED = 4


def make_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D)), rng.integers(0, C, size=N)


def make_model() -> nn.Sequential:
    return nn.Sequential(nn.Linear(D, H, rng=SEED + 1), nn.ReLU(), nn.Linear(H, C, rng=SEED + 2))


def initial_parameters() -> list[np.ndarray]:
    """W1, b1, W2, b2 as the tinygrad_lite model starts (W in the (in, out) layout)."""
    return [p.data.copy() for p in make_model().parameters()]


# ----- the NumPy reference ---------------------------------------------------------------------------


def two_layer_loss(
    params: list[np.ndarray], X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, list[np.ndarray]]:
    """Loss and gradients of the net (CS231n ``TwoLayerNet.loss``, vectorized)."""
    W1, b1, W2, b2 = params
    hidden_in = X @ W1 + b1
    hidden = np.maximum(0, hidden_in)
    loss, dscores = cross_entropy_and_dscores(hidden @ W2 + b2, y)
    dW2 = hidden.T @ dscores
    db2 = dscores.sum(axis=0)
    dhidden = dscores @ W2.T
    dhidden[hidden_in <= 0] = 0
    dW1 = X.T @ dhidden
    db1 = dhidden.sum(axis=0)
    if reg:  # reg = 0 leaves the penalty out altogether (benchmarks.analysis compares with and without)
        loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dW1 += reg * W1
        dW2 += reg * W2
    return float(loss), [dW1, db1, dW2, db2]


class NumpyTwoLayer(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, reg: float = REG) -> None:
        self.X, self.y = make_data()
        self.params = initial_parameters()
        self.reg = reg

    def loss_and_grads(self) -> tuple[float, Gradients]:
        return two_layer_loss(self.params, self.X, self.y, self.reg)

    def step(self) -> None:
        _, grads = two_layer_loss(self.params, self.X, self.y, self.reg)
        for p, g in zip(self.params, grads):
            p -= LR * g


# ----- the contenders ----------------------------------------------------------------------------------


class TinygradTwoLayer(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, reg: float = REG) -> None:
        X, self.y = make_data()
        self.X = Tensor(X)
        self.model = make_model()
        self.weights = [p for name, p in self.model.named_parameters() if name.endswith("weight")]
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR)
        self.reg = reg

    def forward_backward(self) -> Tensor:
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(self.X), self.y)
        if self.reg:
            loss = loss + F.l2_penalty(self.weights, 0.5 * self.reg)
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        return loss.item(), [p.grad for p in self.model.parameters()]

    def step(self) -> None:
        self.forward_backward()
        self.optimizer.step()


class TorchTwoLayer(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, torch: Any) -> None:
        self.torch = torch
        X, y = make_data()
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, C)).double()
        W1, b1, W2, b2 = initial_parameters()
        with torch.no_grad():  # torch keeps weights as (out, in)
            for layer, W, b in ((self.model[0], W1, b1), (self.model[2], W2, b2)):
                layer.weight.copy_(torch.from_numpy(W.T))
                layer.bias.copy_(torch.from_numpy(b))
        self.weights = [self.model[0].weight, self.model[2].weight]
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def forward_backward(self) -> Any:
        self.optimizer.zero_grad()
        penalty = sum((W * W).sum() for W in self.weights)
        loss = self.torch.nn.functional.cross_entropy(self.model(self.X), self.y) + 0.5 * REG * penalty
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        first, last = self.model[0], self.model[2]
        grads = [first.weight.grad.T, first.bias.grad, last.weight.grad.T, last.bias.grad]
        return loss.item(), [g.numpy() for g in grads]

    def step(self) -> None:
        self.forward_backward()
        self.optimizer.step()


class AutogradTwoLayer(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, autograd: Any) -> None:
        anp = autograd.numpy
        X, y = make_data()
        rows = np.arange(N)
        self.params = initial_parameters()

        def loss(params: list[Any]) -> Any:
            W1, b1, W2, b2 = params
            hidden = anp.maximum(0.0, anp.dot(X, W1) + b1)
            scores = anp.dot(hidden, W2) + b2
            shifted = scores - anp.max(scores, axis=1, keepdims=True)
            log_sums = anp.log(anp.sum(anp.exp(shifted), axis=1))
            penalty = anp.sum(W1 * W1) + anp.sum(W2 * W2)
            return anp.mean(log_sums - shifted[rows, y]) + 0.5 * REG * penalty

        self.loss_and_gradient = autograd.value_and_grad(loss)

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss, grads = self.loss_and_gradient(self.params)
        return float(loss), list(grads)

    def step(self) -> None:
        _, grads = self.loss_and_gradient(self.params)
        for p, g in zip(self.params, grads):
            p -= LR * g


def build(optional: dict[str, Any]) -> dict[str, Impl | str]:
    impls: dict[str, Impl | str] = {NUMPY: NumpyTwoLayer(), TINYGRAD: TinygradTwoLayer()}
    if "torch" in optional:
        impls["torch"] = TorchTwoLayer(optional["torch"])
    if "autograd" in optional:
        impls["autograd"] = AutogradTwoLayer(optional["autograd"])
    if "micrograd" in optional:
        impls["micrograd"] = "n/a (scalars only)"
    return impls


def build_for_memory(optional: dict[str, Any]) -> dict[str, Impl | str]:
    """W4's contenders whose allocations tracemalloc can see (NumPy reports its own to it)."""
    impls = build(optional)
    if "torch" in impls:
        impls["torch"] = "n/a (not traced)"
    return impls


WORKLOADS = [
    Workload("W4", "W4 2-layer net (200×3072→100→10)", "ms/step", 1e3 / STEPS_PER_BLOCK, Target("ratio", 1.10), build,
             steps=STEPS_PER_BLOCK),
]
