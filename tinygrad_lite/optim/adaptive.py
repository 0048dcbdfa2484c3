"""The optimizers that scale each coordinate's step: RMSprop, Adam and AdamW."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import Tensor
from .optimizer import Optimizer, ParamsArgument, check_number


def _check_betas(owner: str, value: Any) -> tuple[float, float]:
    if isinstance(value, np.ndarray):  # read back from a file
        value = tuple(value.tolist()) if value.shape == (2,) else value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {value!r}")
    return (
        check_number(owner, "betas[0]", value[0], below=1.0),
        check_number(owner, "betas[1]", value[1], below=1.0),
    )


class RMSprop(Optimizer):
    """RMSprop (PyTorch's ``torch.optim.RMSprop``, not centered, no momentum).

    For each parameter ``p`` with gradient ``g``; ``v`` (state ``"square_avg"``) starts at 0:

    ```python
    g = g + weight_decay * p
    v = alpha * v + (1 - alpha) * g²
    p = p - lr * g / (sqrt(v) + eps)          # eps outside the square root
    ```

    ``alpha`` must be in ``[0, 1)`` (PyTorch accepts any ``alpha >= 0``, but above 1 the
    average of squares can turn negative).

    Example: the first step moves each coordinate by about ``lr / sqrt(1 - alpha)``, here
    ``0.01 / 0.1 = 0.1``:

    ```python
    w = tl.tensor([1.0], requires_grad=True)
    opt = optim.RMSprop([w], lr=0.01)
    (w ** 2).sum().backward(); opt.step()   # w.data ≈ [0.9]
    ```
    """

    state_keys = ("step", "square_avg")

    def __init__(
        self,
        params: ParamsArgument,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay})

    def _check_option(self, name: str, value: Any, owner: str) -> Any:
        if name == "lr":
            return check_number(owner, "lr (the learning rate)", value)
        return check_number(owner, name, value, below=1.0 if name == "alpha" else None)

    def _update(self, group: dict[str, Any], state: dict[str, Any], p: Tensor, grad: np.ndarray) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data
        if not state:
            state["step"], state["square_avg"] = 0, np.zeros_like(p.data)
        state["step"] += 1
        square_average = state["square_avg"]
        square_average *= group["alpha"]
        square_average += (1 - group["alpha"]) * (grad * grad)
        p.data -= group["lr"] * (grad / (np.sqrt(square_average) + group["eps"]))


class Adam(Optimizer):
    """Adam (PyTorch's ``torch.optim.Adam``; ``weight_decay`` is an L2 term added to the
    gradient, as there; for decoupled weight decay use `AdamW`).

    For each parameter ``p`` with gradient ``g`` at its step ``t = 1, 2, ...``; ``m`` and
    ``v`` (state ``"exp_avg"`` and ``"exp_avg_sq"``) start at 0:

    ```python
    g = g + weight_decay * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g²
    step_size = lr / (1 - beta1**t)
    denom = sqrt(v) / sqrt(1 - beta2**t) + eps
    p = p - step_size * m / denom
    ```

    Each parameter counts its own steps (state ``"step"``): one that had no gradient at a
    step does not advance. Example: the first step moves each coordinate by almost exactly
    ``lr`` against the sign of its gradient:

    ```python
    w = tl.tensor([1.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    (w ** 2).sum().backward(); opt.step()   # w.data ≈ [0.9]
    ```
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq")
    _decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsArgument,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    def _check_option(self, name: str, value: Any, owner: str) -> Any:
        if name == "lr":
            return check_number(owner, "lr (the learning rate)", value)
        if name == "betas":
            return _check_betas(owner, value)
        return check_number(owner, name, value)

    def _update(self, group: dict[str, Any], state: dict[str, Any], p: Tensor, grad: np.ndarray) -> None:
        lr, (beta1, beta2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if weight_decay:
            if self._decoupled_weight_decay:
                p.data *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p.data
        if not state:
            state["step"], state["exp_avg"], state["exp_avg_sq"] = 0, np.zeros_like(p.data), np.zeros_like(p.data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        step_size = lr / (1 - beta1**t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
        p.data -= step_size * (m / denom)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``).

    The weights shrink by ``lr * weight_decay`` of themselves before the Adam update, which
    sees the plain gradient (Adam's ``weight_decay`` instead adds ``weight_decay * p`` to the
    gradient, where the division by ``sqrt(v)`` rescales it):

    ```python
    p = p * (1 - lr * weight_decay)          # i.e. p -= lr * weight_decay * p
    (then Adam's update of p with g, exactly as in `Adam`)
    ```

    The defaults are PyTorch's, ``weight_decay=1e-2`` included. Example: with a zero
    gradient only the decay acts:

    ```python
    w = tl.tensor([2.0], requires_grad=True)
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = np.zeros(1); opt.step()   # w.data == [1.9] (2 * (1 - 0.1 * 0.5))
    ```
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsArgument,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
