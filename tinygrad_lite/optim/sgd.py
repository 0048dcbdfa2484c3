"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Tensor
from .optimizer import Optimizer, ParamsArgument, check_flag, check_number


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    For each parameter ``p`` with gradient ``g``, step ``t``:

    ```python
    g = g + weight_decay * p                  # L2 penalty (weight_decay/2)·|p|² in the loss
    if momentum:
        b = g                                     (t = 1: a copy of the first gradient)
        b = momentum * b + (1 - dampening) * g    (t > 1)
        g = g + momentum * b  if nesterov else  b
    p = p - lr * g
    ```

    (PyTorch's form, not Sutskever's ``v = momentum * v + lr * g``: the two agree for a
    fixed ``lr``. Dampening is not applied to the first buffer, as in PyTorch; Nesterov needs
    a momentum and no dampening. ``dampening`` is keyword-only: the positional order of the
    other options is this library's first one.) The buffer is the state ``"momentum_buffer"``.
    Example: ``w = 1``, gradient ``2w``, ``lr = 0.1`` gives ``w = 0.8``:

    ```python
    w = tl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w ** 2).sum().backward(); opt.step()   # w.data == [0.8]
    ```
    """

    state_keys = ("momentum_buffer",)

    def __init__(
        self,
        params: ParamsArgument,
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        dampening: float = 0.0,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_option(self, name: str, value: Any, owner: str) -> Any:
        if name == "lr":
            return check_number(owner, "lr (the learning rate)", value)
        if name == "dampening":
            dampening = check_number(owner, "dampening", value)
            if dampening > 1:
                raise ValueError(f"{owner}: dampening must be in [0, 1], got {dampening}")
            return dampening
        if name == "nesterov":
            return check_flag(owner, "nesterov", value)
        return check_number(owner, name, value)

    def _check_group(self, group: dict[str, Any], owner: str) -> None:
        if group["nesterov"] and (group["momentum"] == 0 or group["dampening"] != 0):
            raise ValueError(
                f"{owner}: nesterov=True needs a momentum > 0 (it looks ahead along the momentum) "
                f"and dampening 0, as in PyTorch; got momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _update(self, group: dict[str, Any], state: dict[str, Any], p: Tensor, grad: np.ndarray) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                # a copy: `grad` may be p.grad itself, which must never change
                buffer = state["momentum_buffer"] = np.array(grad, copy=True)
            else:
                buffer *= momentum
                dampening = group["dampening"]
                buffer += grad if dampening == 0 else (1 - dampening) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        p.data -= group["lr"] * grad
