"""Checks of the numbers users pass as options (learning rates, probabilities, sizes), with
errors that name the owner, the option and the value."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def check_number(owner: str, what: str, value: Any, lo: float = 0.0, below: float | None = None) -> float:
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


def positive_int(owner: str, what: str, value: Any) -> int:
    """``value`` as an int >= 1, else an error naming it."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{owner}: {what} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: {what} must be at least 1, got {value}")
    return int(value)


def check_bounds(lo: Any, hi: Any, what: str, shape: tuple[int, ...] | None = None) -> tuple[Any, Any]:
    """Bounds of ``clip``: None, real numbers or real arrays (Tensors give their data), never
    complex or non-numeric; with ``shape``, array bounds must broadcast to it. Returns them."""
    if lo is None and hi is None:
        raise ValueError(f"{what} needs at least one of lo and hi")
    bounds = []
    for name, bound in (("lo", lo), ("hi", hi)):
        data = getattr(bound, "data", bound)
        if data is not None:
            if isinstance(data, bool) or np.asarray(data).dtype.kind not in "iuf":
                raise TypeError(f"{what}: {name} must be a real number or None, got {type(data).__name__} {data!r:.60}")
            if shape is not None and not _broadcasts_to(np.shape(data), shape):
                raise ValueError(f"{what}: {name} of shape {np.shape(data)} does not broadcast to the shape {shape}")
        bounds.append(data)
    return bounds[0], bounds[1]


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
