"""Where random numbers come from: one global generator, reseeded by `manual_seed`.

Every function that draws random numbers takes ``rng=``: an int seed or a
``numpy.random.Generator``; ``rng=None`` draws from the global generator, so two runs after
the same ``tl.manual_seed(0)`` are identical.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_global = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator used whenever ``rng=None`` (``tl.randn``, ``nn.Linear``, dropout, ...).

        tl.manual_seed(0); a = tl.randn(3)
        tl.manual_seed(0); b = tl.randn(3)      # a and b are equal
    """
    global _global
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed takes an int seed, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed takes a non-negative seed, got {seed}")
    _global = np.random.default_rng(int(seed))


def generator(rng: Any = None) -> np.random.Generator:
    """``rng`` as a Generator: None → the global one, an int → a new one seeded with it, a
    Generator → itself."""
    if rng is None:
        return _global
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: a seed must be non-negative, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__} {rng!r}")
