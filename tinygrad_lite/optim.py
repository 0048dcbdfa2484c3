"""Optimizers with exactly PyTorch's update rules (``torch.optim``), so the same run gives the
same trajectory: same defaults, same place for ``eps`` and for weight decay.

The training loop is PyTorch's::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X_batch, y_batch in data.minibatches(X, y, 64):
        opt.zero_grad()
        F.cross_entropy(model(X_batch), y_batch).backward()
        opt.step()

Each ``step()`` updates ``p.data`` in place with NumPy. Parameters whose ``.grad`` is None
are skipped (their state, such as Adam's step count, does not advance). ``p.grad`` is never
written to: one gradient array may be shared by several tensors.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .engine import Tensor

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop"]


def _check_params(params: Iterable[Tensor], owner: str) -> list[Tensor]:
    if isinstance(params, Tensor):
        raise TypeError(f"{owner}: params must be an iterable of Tensors, got a single Tensor; pass [tensor]")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: params must be an iterable of Tensors (e.g. model.parameters()), got {type(params).__name__}"
        ) from None
    if not params:
        raise ValueError(
            f"{owner}: got no parameters to optimize (an empty list, or a model.parameters() "
            "generator that was already used up?)"
        )
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        label = f"params[{i}]" + (f" ({p.name!r})" if isinstance(p, Tensor) and p.name else "")
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: {label} is a {type(p).__name__}, not a Tensor")
        if not p.requires_grad:
            raise ValueError(
                f"{owner}: {label} does not require grad, so it never gets a gradient (make it with requires_grad=True)"
            )
        if not p.is_leaf:
            raise ValueError(
                f"{owner}: {label} is the result of an op ({p.op!r}), not a leaf: only leaves "
                "(weights made directly) can be optimized"
            )
        if id(p) in seen:
            raise ValueError(f"{owner}: {label} is the same tensor as params[{seen[id(p)]}]; it would be updated twice")
        seen[id(p)] = i
    return params


def _check_number(owner: str, what: str, value: Any, lo: float = 0.0, below: float | None = None) -> float:
    """``value`` as a float in ``[lo, below)`` (or ``[lo, inf)``), else an error naming it."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{owner}: {what} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if below is None:
        if not (lo <= number < math.inf):
            raise ValueError(f"{owner}: {what} must be a finite number >= {lo}, got {number}")
    elif not (lo <= number < below):
        raise ValueError(f"{owner}: {what} must be in [{lo}, {below}), got {number}")
    return number


def _gradient(p: Tensor, weight_decay: float, owner: str) -> np.ndarray | None:
    """``p.grad`` plus the L2 term ``weight_decay * p`` (a new array: ``p.grad`` is left alone)."""
    grad = p.grad
    if grad is None:
        return None
    if grad.shape != p.data.shape:
        raise ValueError(f"{owner}: parameter {p.name or ''} of shape {p.shape} has a gradient of shape {grad.shape}")
    return grad + weight_decay * p.data if weight_decay else grad


class Optimizer:
    """Base class: holds the parameters (checked once) and clears their gradients.

    Subclasses implement ``step()``. The hyperparameters are plain attributes (``opt.lr``),
    so a schedule can change them between steps.
    """

    def __init__(self, params: Iterable[Tensor]) -> None:
        self.params: list[Tensor] = _check_params(params, type(self).__name__)

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to None, before the next ``backward()``."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and k != "params")
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    For each parameter ``p`` with gradient ``g``, step ``t``::

        g = g + weight_decay * p                  # L2 penalty (weight_decay/2)·|p|² in the loss
        if momentum:
            b = g                    (t = 1: a copy of the first gradient)
            b = momentum * b + g     (t > 1)
            g = g + momentum * b  if nesterov else  b
        p = p - lr * g

    (PyTorch's form, not Sutskever's ``v = momentum * v + lr * g``: the two agree for a
    fixed ``lr``.) Example: ``w = 1``, gradient ``2w``, ``lr = 0.1`` gives ``w = 0.8``::

        w = tl.tensor([1.0], requires_grad=True)
        opt = optim.SGD([w], lr=0.1)
        (w ** 2).sum().backward(); opt.step()   # w.data == [0.8]
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        owner = "SGD"
        self.lr = _check_number(owner, "lr (the learning rate)", lr)
        self.momentum = _check_number(owner, "momentum", momentum)
        self.weight_decay = _check_number(owner, "weight_decay", weight_decay)
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0 (it looks ahead along the momentum)")
        self.nesterov = bool(nesterov)
        super().__init__(params)
        self._momentum_buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient by one SGD step."""
        lr, momentum, nesterov = self.lr, self.momentum, self.nesterov
        for i, p in enumerate(self.params):
            grad = _gradient(p, self.weight_decay, "SGD")
            if grad is None:
                continue
            if momentum:
                buffer = self._momentum_buffers[i]
                if buffer is None:
                    # a copy: `grad` may be p.grad itself, which other tensors may share
                    buffer = self._momentum_buffers[i] = np.array(grad, copy=True)
                else:
                    buffer *= momentum
                    buffer += grad
                grad = grad + momentum * buffer if nesterov else buffer
            p.data -= lr * grad


class RMSprop(Optimizer):
    """RMSprop (PyTorch's ``torch.optim.RMSprop``, not centered, no momentum).

    For each parameter ``p`` with gradient ``g``; ``v`` starts at 0::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g²
        p = p - lr * g / (sqrt(v) + eps)          # eps outside the square root

    ``alpha`` must be in ``[0, 1)`` (PyTorch accepts any ``alpha >= 0``, but above 1 the
    average of squares can turn negative).

    Example: the first step moves each coordinate by about ``lr / sqrt(1 - alpha)``, here
    ``0.01 / 0.1 = 0.1``::

        w = tl.tensor([1.0], requires_grad=True)
        opt = optim.RMSprop([w], lr=0.01)
        (w ** 2).sum().backward(); opt.step()   # w.data ≈ [0.9]
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        owner = "RMSprop"
        self.lr = _check_number(owner, "lr (the learning rate)", lr)
        self.alpha = _check_number(owner, "alpha", alpha, below=1.0)
        self.eps = _check_number(owner, "eps", eps)
        self.weight_decay = _check_number(owner, "weight_decay", weight_decay)
        super().__init__(params)
        self._square_averages: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient by one RMSprop step."""
        lr, alpha, eps = self.lr, self.alpha, self.eps
        for i, p in enumerate(self.params):
            grad = _gradient(p, self.weight_decay, "RMSprop")
            if grad is None:
                continue
            square_average = self._square_averages[i]
            if square_average is None:
                square_average = self._square_averages[i] = np.zeros_like(p.data)
            square_average *= alpha
            square_average += (1 - alpha) * (grad * grad)
            p.data -= lr * (grad / (np.sqrt(square_average) + eps))


class Adam(Optimizer):
    """Adam (PyTorch's ``torch.optim.Adam``; ``weight_decay`` is an L2 term added to the
    gradient, as there, not AdamW's decoupled decay).

    For each parameter ``p`` with gradient ``g`` at its step ``t = 1, 2, ...``; ``m`` and
    ``v`` start at 0::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g²
        step_size = lr / (1 - beta1**t)
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        p = p - step_size * m / denom

    Example: the first step moves each coordinate by almost exactly ``lr`` against the
    sign of its gradient::

        w = tl.tensor([1.0], requires_grad=True)
        opt = optim.Adam([w], lr=0.1)
        (w ** 2).sum().backward(); opt.step()   # w.data ≈ [0.9]
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        owner = "Adam"
        self.lr = _check_number(owner, "lr (the learning rate)", lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_number(owner, "betas[0]", betas[0], below=1.0),
            _check_number(owner, "betas[1]", betas[1], below=1.0),
        )
        self.eps = _check_number(owner, "eps", eps)
        self.weight_decay = _check_number(owner, "weight_decay", weight_decay)
        super().__init__(params)
        count = len(self.params)
        self._steps = [0] * count
        self._first_moments: list[np.ndarray | None] = [None] * count
        self._second_moments: list[np.ndarray | None] = [None] * count

    def step(self) -> None:
        """Update every parameter that has a gradient by one Adam step."""
        lr, (beta1, beta2), eps = self.lr, self.betas, self.eps
        for i, p in enumerate(self.params):
            grad = _gradient(p, self.weight_decay, "Adam")
            if grad is None:
                continue
            m, v = self._first_moments[i], self._second_moments[i]
            if m is None or v is None:
                m = self._first_moments[i] = np.zeros_like(p.data)
                v = self._second_moments[i] = np.zeros_like(p.data)
            self._steps[i] += 1
            t = self._steps[i]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * (grad * grad)
            step_size = lr / (1 - beta1**t)
            denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
            p.data -= step_size * (m / denom)
