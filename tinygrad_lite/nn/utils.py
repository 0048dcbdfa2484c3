"""Gradient clipping, as ``torch.nn.utils``: rescale or clamp the ``.grad`` arrays in place."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..engine import Tensor
from .module import _parameters_of

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _gradients(parameters: Tensor | Iterable[Tensor], owner: str) -> list[np.ndarray]:
    """The distinct ``.grad`` arrays of the parameters that have one (each array once)."""
    grads: list[np.ndarray] = []
    seen: set[int] = set()
    for p in _parameters_of(parameters, owner):
        if p.grad is not None and id(p.grad) not in seen:
            seen.add(id(p.grad))
            grads.append(p.grad)
    return grads


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
) -> np.floating:
    """Rescale the gradients so that their total norm is at most ``max_norm``; returns the total norm before.

    The total norm treats all gradients as one vector: ``(sum over every entry |g|**p)**(1/p)``
    for ``norm_type=p`` (``inf``: the largest ``|g|``). When it exceeds ``max_norm``, every
    gradient is multiplied by ``max_norm / (total + 1e-6)``, as PyTorch. Parameters without a
    gradient are skipped; with none at all the norm is 0:

    ```python
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    ```
    """
    grads = _gradients(parameters, "clip_grad_norm_")
    if isinstance(norm_type, str):
        if norm_type != "inf":
            raise ValueError(f"clip_grad_norm_: norm_type must be a positive number or 'inf', got {norm_type!r}")
        norm_type = math.inf
    p = float(norm_type)
    if not p > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be a positive number or inf, got {norm_type}")
    max_norm = float(max_norm)
    if not grads:
        zero: np.floating = np.float64(0.0)
        return zero
    dtype = np.result_type(*grads)
    if p == math.inf:
        norms = np.array([np.abs(g).max() if g.size else 0.0 for g in grads], dtype=dtype)
        raw = norms.max()
    else:
        norms = np.array([np.linalg.norm(g.ravel(), ord=p) if g.size else 0.0 for g in grads], dtype=dtype)
        raw = np.linalg.norm(norms, ord=p)
    total: np.floating = dtype.type(raw)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}, so they cannot "
            "be clipped; set error_if_nonfinite=False to clip anyway"
        )
    coefficient = min(max_norm / (float(total) + 1e-6), 1.0) if np.isfinite(total) else max_norm / float(total)
    if coefficient < 1.0 or not np.isfinite(coefficient):
        for g in grads:
            g *= coefficient
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]`` in place, as PyTorch:

    ```python
    nn.utils.clip_grad_value_(model.parameters(), 0.5)
    ```
    """
    value = float(clip_value)
    if value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for g in _gradients(parameters, "clip_grad_value_"):
        np.clip(g, -value, value, out=g)
