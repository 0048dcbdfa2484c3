"""Small data sets for the lecture's experiments, and mini-batches.

- `spiral`: CS231n's interleaved spirals, which no linear classifier can separate;
- `load_digits`: the 8x8 handwritten digits bundled with scikit-learn (no download);
- `minibatches`: shuffled batches covering each sample once per epoch.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .randomness import generator
from .validation import positive_int

__all__ = ["load_digits", "minibatches", "spiral"]

_DEFAULT_SEED: Any = object()  # spiral's seed when not given: 0, unless rng= is given


def spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    seed: np.random.Generator | int | None = _DEFAULT_SEED,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The CS231n spiral toy set: ``n_classes`` interleaved spiral arms in 2-D.

    Arm ``k`` has ``n_per_class`` points with radius ``r`` evenly spaced from 0 to 1 and
    angle ``t`` evenly spaced from ``4k`` to ``4(k + 1)`` radians plus Gaussian noise of
    standard deviation 0.2; a point is ``(r sin t, r cos t)``. Samples are grouped by
    class (all of class 0 first). Returns ``X`` (float64, ``(N, 2)``) and ``y`` (int64,
    ``(N,)``) with ``N = n_per_class * n_classes``. The noise comes from ``rng`` (an int seed or
    a Generator) or, the older spelling, ``seed``; with neither, from seed 0, so the default set
    is always the same one (``seed=None``: the global generator of ``tl.manual_seed``):

    ```python
    X, y = data.spiral()        # X.shape == (300, 2), y[:3] == [0, 0, 0]
    ```
    """
    n = positive_int("spiral", "n_per_class", n_per_class)
    k = positive_int("spiral", "n_classes", n_classes)
    if rng is not None and seed is not _DEFAULT_SEED:
        raise TypeError("spiral: give rng= or its older name seed=, not both")
    gen = generator(rng if rng is not None else (0 if seed is _DEFAULT_SEED else seed))
    radius = np.tile(np.linspace(0.0, 1.0, n), k)
    labels = np.repeat(np.arange(k, dtype=np.int64), n)
    start = 4.0 * labels
    angle = start + np.tile(np.linspace(0.0, 4.0, n), k) + 0.2 * gen.standard_normal(n * k)
    X = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return X, labels


def minibatches(
    X: Any,
    y: Any,
    batch_size: int,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of ``(X_batch, y_batch)`` pairs: every sample exactly once.

    Batches have ``batch_size`` samples except perhaps the last, which has the rest. With
    ``shuffle`` the order is a fresh random permutation from ``rng`` (a Generator, a seed,
    or None for the global generator of ``tl.manual_seed``); without it, batches are
    consecutive slices:

    ```python
    for X_batch, y_batch in data.minibatches(X, y, batch_size=64, rng=0):
        ...
    ```
    """
    X = np.asarray(X)
    y = np.asarray(y)
    size = positive_int("minibatches", "batch_size", batch_size)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"minibatches: X and y must have a sample axis, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"minibatches: X has {len(X)} samples but y has {len(y)} (shapes {X.shape} and {y.shape})")
    if shuffle:
        order = generator(rng).permutation(len(X))
        for start in range(0, len(X), size):
            batch = order[start : start + size]
            yield X[batch], y[batch]
    else:
        for start in range(0, len(X), size):
            yield X[start : start + size], y[start : start + size]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits: 1,797 images of 64 pixels, 10 classes (0 to 9).

    Read from the copy bundled with scikit-learn (``sklearn.datasets.load_digits``; no
    download), which is needed: ``pip install tinygrad-lite[digits]``. Returns ``X``
    (float64, ``(1797, 64)``) with the pixel intensities 0..16 divided by 16, so in
    ``[0, 1]``, and ``y`` (int64, ``(1797,)``) the digit shown:

    ```python
    X, y = data.load_digits()   # X.max() == 1.0, set(y) == {0, ..., 9}
    ```
    """
    try:
        # imported by name so that type checkers need no stubs for scikit-learn
        datasets = importlib.import_module("sklearn.datasets")
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits: pip install tinygrad-lite[digits] "
            "(or pip install scikit-learn)"
        ) from error
    digits = datasets.load_digits()
    X = np.asarray(digits.data, dtype=np.float64) / 16.0
    y = np.asarray(digits.target, dtype=np.int64)
    return X, y
