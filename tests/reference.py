"""NumPy references for the softmax family, shared by the tests (one copy, written plainly).

They follow PyTorch's semantics at infinities: a row of only -inf gives NaN probabilities
(nothing to normalise), a row holding +inf or NaN gives NaN, and `logsumexp` treats an
infinite maximum as PyTorch does (``logsumexp([inf, 1]) == inf``, ``logsumexp([-inf]) == -inf``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _shifted(x: np.ndarray, axis: Any) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    return x - np.where(m == -np.inf, 0, m)


def softmax(x: Any, axis: Any = -1) -> np.ndarray:
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the max first."""
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind not in "f" else np.asarray(x)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        e = np.exp(_shifted(x, axis))
        return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Any = -1) -> np.ndarray:
    """``x - logsumexp(x)`` along ``axis``, computed as ``shifted - log(sum(exp(shifted)))``."""
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind not in "f" else np.asarray(x)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        shifted = _shifted(x, axis)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(x)))`` along ``axis`` (None: all), stable; an infinite max is shifted by 0."""
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind not in "f" else np.asarray(x)
    with np.errstate(all="ignore"):
        if x.size == 0:
            return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        return out if keepdims else (out.reshape(()) if axis is None else np.squeeze(out, axis))
