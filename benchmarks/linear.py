"""W2 and W3: a linear classifier on CIFAR-10-sized data, one SGD step per step.

X is (500, 3073) (3072 pixels and the bias trick's column of ones), W is (3073, 10), and the
loss is the mean data loss + 0.5 * 1e-3 * sum(W**2): softmax cross-entropy for W2, the
multiclass hinge loss (margin 1) for W3. The NumPy references are the vectorized CS231n
versions (integer-array indexing, no dense one-hot). The matrix products dominate, so a
framework should come within a few percent of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite import optim

from .harness import NUMPY, TINYGRAD, Gradients, Impl, Target, TrainingImpl, Workload

N, D, C = 500, 3073, 10
REG = 1e-3  # the loss carries 0.5 * REG * sum(W**2), so the gradient carries REG * W
LR = 1e-3
STEPS_PER_BLOCK = 2
SEED = 2


def make_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X with a bias column of ones, integer labels y, and a small random W."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    X[:, -1] = 1.0
    y = rng.integers(0, C, size=N)
    W = 0.001 * rng.standard_normal((D, C))
    return X, y, W


# ----- the NumPy references ------------------------------------------------------------------------


def cross_entropy_and_dscores(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of raw ``scores`` and its gradient ``(softmax - onehot) / N``.

    Shifts ``scores`` by their row max in place (the caller's array is a fresh temporary).
    """
    n = scores.shape[0]
    rows = np.arange(n)
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    sums = exp.sum(axis=1)
    loss = np.mean(np.log(sums) - scores[rows, y])
    dscores = exp / sums[:, None]
    dscores[rows, y] -= 1
    dscores /= n
    return float(loss), dscores


def softmax_loss(W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy + 0.5 reg |W|^2 and its gradient (CS231n ``softmax_loss_vectorized``)."""
    loss, dscores = cross_entropy_and_dscores(X @ W, y)
    dW = X.T @ dscores
    if reg:  # reg = 0 leaves the penalty out altogether (benchmarks.analysis compares with and without)
        loss += 0.5 * reg * np.sum(W * W)
        dW += reg * W
    return float(loss), dW


def hinge_loss(W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float) -> tuple[float, np.ndarray]:
    """Mean multiclass SVM loss (margin 1) + 0.5 reg |W|^2 and its gradient (CS231n ``svm_loss_vectorized``)."""
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    loss = margins.sum() / n
    mask = (margins > 0).astype(X.dtype)
    mask[rows, y] = -mask.sum(axis=1)
    dW = X.T @ mask
    dW /= n
    if reg:
        loss += 0.5 * reg * np.sum(W * W)
        dW += reg * W
    return float(loss), dW


class NumpyLinear(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, loss: str, reg: float = REG) -> None:
        self.X, self.y, self.W = make_data()
        self.loss_function = softmax_loss if loss == "softmax" else hinge_loss
        self.reg = reg

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss, dW = self.loss_function(self.W, self.X, self.y, self.reg)
        return loss, [dW]

    def step(self) -> None:
        _, dW = self.loss_function(self.W, self.X, self.y, self.reg)
        self.W -= LR * dW


# ----- the contenders, written as their users would --------------------------------------------


class TinygradLinear(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, loss: str, reg: float = REG) -> None:
        X, self.y, W = make_data()
        self.X = tl.tensor(X)
        self.W = tl.tensor(W, requires_grad=True)
        self.data_loss = F.cross_entropy if loss == "softmax" else F.hinge_loss
        self.optimizer = optim.SGD([self.W], lr=LR)
        self.reg = reg

    def forward_backward(self) -> tl.Tensor:
        self.optimizer.zero_grad()
        loss = self.data_loss(self.X @ self.W, self.y)
        if self.reg:
            loss = loss + F.l2_penalty(self.W, 0.5 * self.reg)
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        return loss.item(), [self.W.grad]

    def step(self) -> None:
        self.forward_backward()
        self.optimizer.step()


class TorchLinear(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, torch: Any, loss: str) -> None:
        self.torch = torch
        X, y, W = make_data()
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)
        self.W = torch.tensor(W, requires_grad=True)
        self.softmax = loss == "softmax"
        self.optimizer = torch.optim.SGD([self.W], lr=LR)

    def forward_backward(self) -> Any:
        functional = self.torch.nn.functional
        self.optimizer.zero_grad()
        scores = self.X @ self.W
        if self.softmax:
            data_loss = functional.cross_entropy(scores, self.y)
        else:  # multi_margin_loss divides each sample's sum over j != y_i by C
            data_loss = functional.multi_margin_loss(scores, self.y, margin=1.0) * C
        loss = data_loss + 0.5 * REG * (self.W * self.W).sum()
        loss.backward()
        return loss

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss = self.forward_backward()
        return loss.item(), [self.W.grad.numpy()]

    def step(self) -> None:
        self.forward_backward()
        self.optimizer.step()


class AutogradLinear(TrainingImpl):
    steps = STEPS_PER_BLOCK

    def __init__(self, autograd: Any, loss: str) -> None:
        anp = autograd.numpy
        self.X, y, self.W = make_data()
        rows = np.arange(N)
        X = self.X

        def softmax_loss(W: Any) -> Any:
            scores = anp.dot(X, W)
            shifted = scores - anp.max(scores, axis=1, keepdims=True)
            log_sums = anp.log(anp.sum(anp.exp(shifted), axis=1))
            return anp.mean(log_sums - shifted[rows, y]) + 0.5 * REG * anp.sum(W * W)

        def svm_loss(W: Any) -> Any:
            scores = anp.dot(X, W)
            margins = anp.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
            # the true class contributes exactly max(0, 0 + 1) = 1 per sample: take it out again
            return (anp.sum(margins) - N) / N + 0.5 * REG * anp.sum(W * W)

        self.loss_and_gradient = autograd.value_and_grad(softmax_loss if loss == "softmax" else svm_loss)

    def loss_and_grads(self) -> tuple[float, Gradients]:
        loss, dW = self.loss_and_gradient(self.W)
        return float(loss), [dW]

    def step(self) -> None:
        _, dW = self.loss_and_gradient(self.W)
        self.W -= LR * dW


def _builder(loss: str) -> Any:
    def build(optional: dict[str, Any]) -> dict[str, Impl | str]:
        impls: dict[str, Impl | str] = {NUMPY: NumpyLinear(loss), TINYGRAD: TinygradLinear(loss)}
        if "torch" in optional:
            impls["torch"] = TorchLinear(optional["torch"], loss)
        if "autograd" in optional:
            impls["autograd"] = AutogradLinear(optional["autograd"], loss)
        if "micrograd" in optional:
            impls["micrograd"] = "n/a (scalars only)"
        return impls

    return build


WORKLOADS = [
    Workload("W2", "W2 linear softmax (500×3073)", "ms/step", 1e3 / STEPS_PER_BLOCK, Target("ratio", 1.05),
             _builder("softmax"), steps=STEPS_PER_BLOCK),
    Workload("W3", "W3 linear hinge (500×3073)", "ms/step", 1e3 / STEPS_PER_BLOCK, Target("ratio", 1.05),
             _builder("hinge"), steps=STEPS_PER_BLOCK),
]
