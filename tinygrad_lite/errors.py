"""Every exception tinygrad_lite defines, in one place (the bottom layer: it imports nothing).

Each one also derives from the built-in exception a NumPy or PyTorch user would catch, so
``except ValueError`` or ``except RuntimeError`` still works.
"""

from __future__ import annotations


class GradientShapeError(ValueError, RuntimeError):
    """A gradient of the wrong shape: a ``gradient=`` argument, or what an op's ``backward`` returned.

    A ValueError, and a RuntimeError as in PyTorch. A gradient is never broadcast up to fit.
    """


class IndexingError(IndexError, ValueError):
    """An index that does not fit the tensor (an IndexError, as in NumPy, and a ValueError)."""


class GradcheckError(RuntimeError):
    """An analytic gradient that disagrees with finite differences (raised by `tl.gradcheck`)."""


class InPlaceModificationError(RuntimeError):
    """A tensor changed in place after an op saved it for backward (the version check)."""
