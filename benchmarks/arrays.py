"""W2, W3, W4 and MEM: classifiers on CIFAR-10-sized data, where the matrix products dominate.

W2/W3: X (500, 3073) (3072 pixels and the bias trick's column of ones) @ W (3073, 10); the mean
softmax cross-entropy (W2) or multiclass hinge loss with margin 1 (W3), + 0.5 * 1e-3 * sum(W**2);
one SGD step. W4: X (200, 3072) -> 100 ReLU -> 10 with biases, softmax cross-entropy
+ 0.5 * 1e-3 * (|W1|^2 + |W2|^2). MEM: the peak memory of one W4 step beyond the model and data.

Two NumPy references for W2/W3: "numpy" is the vectorized CS231n code (``dW = X.T @ dscores``);
"best numpy" the same with the weight gradient computed as ``(dscores.T @ X).T``, the orientation
of the product that OpenBLAS runs faster here for a tall, thin result. (For W4's shapes neither
orientation wins, so it has one reference.) Every workload also runs
in float32, where every contender gets float32 data and weights.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite import nn, optim

from .harness import Contender, Training, Workload, peak_bytes

REG = 1e-3  # the loss carries 0.5 * REG * sum(W**2), so the gradient carries REG * W
LINEAR = (500, 3073, 10)  # N, D, C
NET = (200, 3072, 100, 10)  # N, D, H, C


def linear_data(dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X with a bias column of ones, integer labels y, a small random W."""
    n, d, c = LINEAR
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, d))
    X[:, -1] = 1.0
    return X.astype(dtype), rng.integers(0, c, size=n), (0.001 * rng.standard_normal((d, c))).astype(dtype)


def net_data(dtype: Any) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """X, y, and W1, b1, W2, b2 as tinygrad_lite's ``nn.Linear`` layers draw them (in, out layout)."""
    n, d, _, c = NET
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((n, d)).astype(dtype), rng.integers(0, c, size=n)
    return X, y, [p.data.copy() for p in net_model(dtype).parameters()]


def net_model(dtype: Any) -> nn.Sequential:
    _, d, h, c = NET
    return nn.Sequential(nn.Linear(d, h, rng=5, dtype=dtype), nn.ReLU(), nn.Linear(h, c, rng=6, dtype=dtype))


# ----- the NumPy references --------------------------------------------------------------------


def weight_grad(X: np.ndarray, d: np.ndarray, best: bool) -> np.ndarray:
    """``X.T @ d`` as CS231n writes it, or the same sums as ``(d.T @ X).T``, copied back to row-major
    order (so that the updates that follow stay fast): faster for W2/W3's tall, thin (3073, 10)."""
    return np.ascontiguousarray((d.T @ X).T) if best else X.T @ d


def softmax_dscores(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of ``scores`` (shifted in place) and its gradient ``(softmax - onehot) / N``."""
    n, rows = len(y), np.arange(len(y))
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    sums = exp.sum(axis=1)
    loss = np.mean(np.log(sums) - scores[rows, y])
    dscores = exp / sums[:, None]
    dscores[rows, y] -= 1
    dscores /= n
    return float(loss), dscores


def hinge_dscores(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean multiclass SVM loss (margin 1) and its gradient with respect to the scores."""
    n, rows = len(y), np.arange(len(y))
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    mask = (margins > 0).astype(scores.dtype)
    mask[rows, y] = -mask.sum(axis=1)
    mask /= n
    return float(margins.sum() / n), mask


def numpy_linear(loss: str, dtype: Any, best: bool) -> Training:
    X, y, W = linear_data(dtype)
    dscores = softmax_dscores if loss == "softmax" else hinge_dscores

    def check() -> tuple[float, list[np.ndarray]]:
        data_loss, d = dscores(X @ W, y)
        dW = weight_grad(X, d, best)
        dW += REG * W
        return data_loss + 0.5 * REG * float(np.sum(W * W)), [dW]

    def step() -> None:
        W[...] -= 1e-3 * check()[1][0]

    return Training(check, step)


def numpy_net(dtype: Any) -> Training:
    X, y, params = net_data(dtype)

    def check() -> tuple[float, list[np.ndarray]]:
        """CS231n's ``TwoLayerNet.loss``, backward written out by hand."""
        W1, b1, W2, b2 = params
        hidden_in = X @ W1 + b1
        hidden = np.maximum(0, hidden_in)
        loss, dscores = softmax_dscores(hidden @ W2 + b2, y)
        dW2 = hidden.T @ dscores
        dhidden = dscores @ W2.T
        dhidden[hidden_in <= 0] = 0
        dW1 = X.T @ dhidden
        dW1 += REG * W1
        dW2 += REG * W2
        loss += 0.5 * REG * float(np.sum(W1 * W1) + np.sum(W2 * W2))
        return loss, [dW1, dhidden.sum(axis=0), dW2, dscores.sum(axis=0)]

    def step() -> None:
        for p, g in zip(params, check()[1]):
            p -= 1e-2 * g

    return Training(check, step)


# ----- the contenders, written as their users would ----------------------------------------------


def tinygrad_linear(loss: str, dtype: Any) -> Training:
    X, y, W0 = linear_data(dtype)
    X, W = tl.tensor(X), tl.tensor(W0, requires_grad=True)
    data_loss = F.cross_entropy if loss == "softmax" else F.hinge_loss
    optimizer = optim.SGD([W], lr=1e-3)

    def check() -> tuple[float, list[Any]]:
        optimizer.zero_grad()
        total = data_loss(X @ W, y) + F.l2_penalty(W, 0.5 * REG)
        total.backward()
        return total.item(), [W.grad]

    return Training(check, lambda: (check(), optimizer.step()))


def tinygrad_net(dtype: Any) -> Training:
    X, y, _ = net_data(dtype)
    inputs, model = tl.tensor(X), net_model(dtype)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    optimizer = optim.SGD(model.parameters(), lr=1e-2)

    def check() -> tuple[float, list[Any]]:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), y) + F.l2_penalty(weights, 0.5 * REG)
        loss.backward()
        return loss.item(), [p.grad for p in model.parameters()]

    return Training(check, lambda: (check(), optimizer.step()))


def torch_linear(torch: Any, loss: str, dtype: Any) -> Training:
    X0, y0, W0 = linear_data(dtype)
    X, y, W = torch.from_numpy(X0), torch.from_numpy(y0), torch.tensor(W0, requires_grad=True)
    optimizer, functional = torch.optim.SGD([W], lr=1e-3), torch.nn.functional

    def check() -> tuple[float, list[Any]]:
        optimizer.zero_grad()
        scores = X @ W
        if loss == "softmax":
            data_loss = functional.cross_entropy(scores, y)
        else:  # multi_margin_loss divides each sample's sum over j != y_i by C
            data_loss = functional.multi_margin_loss(scores, y, margin=1.0) * LINEAR[2]
        total = data_loss + 0.5 * REG * (W * W).sum()
        total.backward()
        return total.item(), [W.grad.numpy()]

    return Training(check, lambda: (check(), optimizer.step()))


def torch_net(torch: Any, dtype: Any) -> Training:
    X0, y0, params = net_data(dtype)
    X, y = torch.from_numpy(X0), torch.from_numpy(y0)
    _, d, h, c = NET
    first, last = torch.nn.Linear(d, h), torch.nn.Linear(h, c)
    model = torch.nn.Sequential(first, torch.nn.ReLU(), last)
    model.to(torch.float32 if dtype == np.float32 else torch.float64)
    with torch.no_grad():  # torch keeps weights as (out, in)
        for layer, W, b in ((first, *params[:2]), (last, *params[2:])):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)

    def check() -> tuple[float, list[Any]]:
        optimizer.zero_grad()
        penalty = (first.weight * first.weight).sum() + (last.weight * last.weight).sum()
        loss = torch.nn.functional.cross_entropy(model(X), y) + 0.5 * REG * penalty
        loss.backward()
        grads = [first.weight.grad.T, first.bias.grad, last.weight.grad.T, last.bias.grad]
        return loss.item(), [g.numpy() for g in grads]

    return Training(check, lambda: (check(), optimizer.step()))


def autograd_linear(autograd: Any, loss: str, dtype: Any) -> Training:
    anp = autograd.numpy
    X, y, W = linear_data(dtype)
    n, rows = len(y), np.arange(len(y))

    def softmax(W: Any) -> Any:
        scores = anp.dot(X, W)
        shifted = scores - anp.max(scores, axis=1, keepdims=True)
        return anp.mean(anp.log(anp.sum(anp.exp(shifted), axis=1)) - shifted[rows, y]) + 0.5 * REG * anp.sum(W * W)

    def svm(W: Any) -> Any:
        scores = anp.dot(X, W)
        margins = anp.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
        # the true class contributes exactly max(0, 0 + 1) = 1 per sample: take it out again
        return (anp.sum(margins) - n) / n + 0.5 * REG * anp.sum(W * W)

    value_and_grad = autograd.value_and_grad(softmax if loss == "softmax" else svm)

    def check() -> tuple[float, list[Any]]:
        value, dW = value_and_grad(W)
        return float(value), [dW]

    def step() -> None:
        W[...] -= 1e-3 * value_and_grad(W)[1]

    return Training(check, step)


def autograd_net(autograd: Any, dtype: Any) -> Training:
    anp = autograd.numpy
    X, y, params = net_data(dtype)
    rows = np.arange(len(y))

    def loss(params: list[Any]) -> Any:
        W1, b1, W2, b2 = params
        scores = anp.dot(anp.maximum(0.0, anp.dot(X, W1) + b1), W2) + b2
        shifted = scores - anp.max(scores, axis=1, keepdims=True)
        data = anp.mean(anp.log(anp.sum(anp.exp(shifted), axis=1)) - shifted[rows, y])
        return data + 0.5 * REG * (anp.sum(W1 * W1) + anp.sum(W2 * W2))

    value_and_grad = autograd.value_and_grad(loss)

    def check() -> tuple[float, list[Any]]:
        value, grads = value_and_grad(params)
        return float(value), list(grads)

    def step() -> None:
        for p, g in zip(params, value_and_grad(params)[1]):
            p -= 1e-2 * g

    return Training(check, step)


def build_linear(loss: str, dtype: Any, optional: dict[str, Any]) -> dict[str, Contender | str]:
    built: dict[str, Contender | str] = {
        "numpy": numpy_linear(loss, dtype, best=False),
        "best numpy": numpy_linear(loss, dtype, best=True),
        "tinygrad_lite": tinygrad_linear(loss, dtype),
        "micrograd": "n/a (scalars only)",
    }
    if "torch" in optional:
        built["torch"] = torch_linear(optional["torch"], loss, dtype)
    if "autograd" in optional:
        built["autograd"] = autograd_linear(optional["autograd"], loss, dtype)
    return built


def build_net(dtype: Any, optional: dict[str, Any], memory: bool = False) -> dict[str, Contender | str]:
    built: dict[str, Contender | str] = {
        "numpy": numpy_net(dtype),
        "best numpy": "n/a (same as numpy)",
        "tinygrad_lite": tinygrad_net(dtype),
        "micrograd": "n/a (scalars only)",
    }
    if "torch" in optional:  # PyTorch's allocator does not report to tracemalloc
        built["torch"] = "n/a (not traced)" if memory else torch_net(optional["torch"], dtype)
    if "autograd" in optional:
        built["autograd"] = autograd_net(optional["autograd"], dtype)
    return built


def workloads() -> list[Workload]:
    rows = []
    for dtype, suffix in ((np.float64, ""), (np.float32, ", float32")):
        f64 = dtype == np.float64  # issue 16's targets are for float64; float32 is reported
        linear_targets = (("autograd", 1.0), ("numpy", 1.0)) if f64 else ()
        rows += [
            Workload("W2", f"W2 linear softmax 500×3073{suffix}", "ms/step", 1e3 / 2,
                     partial(build_linear, "softmax", dtype), dtype=dtype, targets=linear_targets),
            Workload("W3", f"W3 linear hinge 500×3073{suffix}", "ms/step", 1e3 / 2,
                     partial(build_linear, "hinge", dtype), dtype=dtype, targets=linear_targets),
            Workload("W4", f"W4 2-layer net 200×3072→100→10{suffix}", "ms/step", 1e3 / 2, partial(build_net, dtype),
                     dtype=dtype, targets=(("best peer", 0.9),) if f64 else ()),
        ]
    rows.sort(key=lambda w: w.key)
    rows.append(Workload("MEM", "MEM peak of one W4 step", "MiB", 2.0**-20, partial(build_net, np.float64, memory=True),
                         rounds=3, targets=(("numpy", 1.2),), measure=peak_bytes, warm_up=lambda c: c.step()))  # type: ignore[attr-defined]
    return rows
