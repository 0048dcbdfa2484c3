"""Numerical gradients and gradient checking: the lecture's "analytic vs numerical gradient".

The numerical gradient perturbs one coordinate at a time by ``h`` and takes the centered
difference ``(f(x + h) - f(x - h)) / 2h``, whose error shrinks like h² (the forward
difference's only like h). It costs two evaluations per coordinate, so it is only used to
check the analytic gradient that backward computes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import Tensor
from .errors import GradcheckError
from .function import no_grad


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``f`` at ``x``: ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h``.

    ``f`` maps a NumPy array to a float; ``x`` is not changed (a float64 copy is perturbed):

    ```python
    tl.numerical_gradient(lambda w: float((w**2).sum()), np.array([1.0, -2.0]))
    # array([ 2., -4.])
    ```
    """
    _check_step(h, "h")
    x = np.array(_float_array(x, "numerical_gradient"), order="C")  # C order: reshape(-1) below must be a view
    grad = np.zeros_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        plus = float(f(x))
        flat[i] = saved - h
        minus = float(f(x))
        flat[i] = saved
        flat_grad[i] = (plus - minus) / (2 * h)
    return grad


def _check_step(h: Any, what: str) -> None:
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 < h < np.inf:
        raise ValueError(f"the step {what} must be a positive finite number, got {h!r}")


def _float_array(x: Any, what: str) -> np.ndarray:
    """``x`` (a Tensor, array, number or list) as a float64 array, or a TypeError saying why not."""
    data = x.data if isinstance(x, Tensor) else x
    if np.iscomplexobj(data):
        raise TypeError(f"{what} needs real numbers, got complex values")
    try:
        return np.array(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} needs real numbers, got {type(data).__name__}: {error}") from None


def rel_error(a: Any, b: Any) -> float:
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``.

    The lecture's rule of thumb: above 1e-2 the gradient is probably wrong; below 1e-7 is
    what a smooth function should give in float64 (up to 1e-4 is fine near kinks).
    """
    a, b = _float_array(a, "rel_error"), _float_array(b, "rel_error")
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes {a.shape} and {b.shape} differ")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def gradient_mismatch(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    check: Sequence[bool],
    eps: float,
    atol: float,
    rtol: float,
    seed: int = 0,
) -> str | None:
    """Compare backward with central differences; describe the first disagreement, or None.

    The output may have any shape: both sides compute the gradient of ``sum(out * R)`` for a
    fixed random ``R`` (a vector-Jacobian product), which a wrong backward fails to match
    for almost every ``R``. Everything runs in float64.
    """
    _check_step(eps, "eps")
    arrays = [
        _float_array(x, "gradient checking") if c else np.asarray(x.data if isinstance(x, Tensor) else x)
        for x, c in zip(inputs, check)
    ]
    leaves = [Tensor(a, requires_grad=c) for a, c in zip(arrays, check)]
    out = fn(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"the function must return a Tensor, it returned {type(out).__name__}")
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    if not out.requires_grad:
        analytic = [np.zeros_like(a) for a in arrays]
    else:
        out.backward(weights)
        analytic = [np.zeros_like(a) if t.grad is None else t.grad for a, t in zip(arrays, leaves)]

    for i, (array, wanted) in enumerate(zip(arrays, check)):
        if not wanted:
            continue

        def projected(x: np.ndarray, i: int = i) -> float:
            args = [Tensor(x if j == i else a) for j, a in enumerate(arrays)]
            with no_grad():
                return float(np.sum(fn(*args).data * weights))

        numeric = numerical_gradient(projected, array, h=eps)
        bad = np.abs(analytic[i] - numeric) > atol + rtol * np.abs(numeric)
        if bad.any():
            index = tuple(int(k) for k in np.argwhere(bad)[0])
            return (
                f"gradient of input {i} (shape {array.shape}) is wrong at index {index}: "
                f"analytic {float(analytic[i][index])!r}, numeric {float(numeric[index])!r} "
                f"(allowed |difference| <= {atol} + {rtol} * |numeric|)"
            )
    return None


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the analytic gradient of every input that requires grad against finite differences.

    Element by element, ``|analytic - numeric| <= atol + rtol * |numeric|``. Returns True, or
    raises `GradcheckError` naming the input, the index and both values (returns False
    instead when ``raise_exception=False``):

    ```python
    x = tl.tensor(np.random.randn(3, 4), requires_grad=True)
    tl.gradcheck(lambda x: x.tanh().sum(axis=1), [x])   # True
    ```
    """
    if isinstance(inputs, Tensor) or not isinstance(inputs, Sequence):
        inputs = [inputs]
    check = [isinstance(x, Tensor) and x.requires_grad for x in inputs]
    if not any(check):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    problem = gradient_mismatch(fn, inputs, check, eps, atol, rtol)
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(problem)
    return False
