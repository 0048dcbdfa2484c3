"""Hypothesis strategies and a one-line gradient check, to test ops and models the way
tinygrad_lite tests its own:

```python
from hypothesis import given
from tinygrad_lite import testing

@given(testing.arrays(testing.shapes()))
def test_cube(x):
    testing.check_gradients(lambda t: Cube.apply(t), x)
```

Importing this module imports hypothesis (``pip install tinygrad-lite[test]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tinygrad_lite.testing needs hypothesis: pip install hypothesis (or tinygrad-lite[test])"
    ) from error

from .engine import Tensor
from .gradcheck import gradient_mismatch


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes such as ``()``, ``(3,)``, ``(2, 1, 4)``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together, such as ``((2, 1, 3), (4, 1))``."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda b: b.input_shapes)


@st.composite
def arrays(
    draw: Any,
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]],
    lo: float = -3.0,
    hi: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 1e-2,
    distinct: bool = False,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Float arrays with entries in ``[lo, hi]``, at least ``margin`` away from each value in
    ``avoid`` (the kinks: 0 for relu and abs) and, with ``distinct=True``, from each other (no
    ties for max and min)."""
    shape = tuple(draw(shape) if isinstance(shape, st.SearchStrategy) else shape)
    size = int(np.prod(shape))
    if distinct:
        # Gaps of 2 * margin that fit in [lo, hi] unscaled: stretching to [lo, hi] only widens
        # them, and pushing a value off a kink (by less than margin) still leaves margin.
        widest = max(2 * margin, min(1.0, (hi - lo) / max(size - 1, 1)))
        gaps = draw(st.lists(st.floats(2 * margin, widest), min_size=size, max_size=size))
        values = np.cumsum(gaps)
        values = lo + (values - values.min()) * ((hi - lo) / max(values.max() - values.min(), margin))
        order = draw(st.permutations(range(size)))
        values = values[list(order)]
        if avoid:
            values = np.array([_push_away(v, avoid, margin) for v in values])
        return values.reshape(shape).astype(dtype)

    def away(v: float) -> bool:
        return all(abs(v - k) >= margin for k in avoid)

    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False).filter(away)
    drawn: np.ndarray = draw(hnp.arrays(np.float64, shape, elements=elements))
    return drawn.astype(dtype)


def _push_away(v: float, avoid: Sequence[float], margin: float) -> float:
    for k in avoid:
        if abs(v - k) < margin:
            v = k + margin if v >= k else k - margin
    return float(v)


def labels(n: int | st.SearchStrategy[int], num_classes: int) -> st.SearchStrategy[np.ndarray]:
    """Integer class labels of length ``n`` in ``[0, num_classes)``."""
    if isinstance(n, int):
        return hnp.arrays(np.int64, (n,), elements=st.integers(0, num_classes - 1))
    return n.flatmap(lambda k: labels(k, num_classes))


def check_gradients(
    fn: Callable[..., Tensor],
    *arrays: Any,
    wrt: Sequence[int] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> None:
    """Assert that the analytic gradient of ``fn`` matches central finite differences.

    ``fn`` takes one Tensor per array and returns a Tensor of any shape; ``wrt`` lists the
    positions of the arrays to differentiate (default: every floating array). On a mismatch
    raises ``AssertionError`` naming the input, the index and both values.
    """
    floating = [np.asarray(a).dtype.kind == "f" for a in arrays]
    check = floating if wrt is None else [i in wrt for i in range(len(arrays))]
    problem = gradient_mismatch(fn, arrays, check, eps, atol, rtol)
    if problem is not None:
        raise AssertionError(problem)


def forward_matches(
    fn: Callable[..., Tensor], reference: Callable[..., Any], *arrays: Any, rtol: float = 1e-12
) -> None:
    """Assert that ``fn`` on Tensors gives the same values as ``reference`` on the NumPy arrays."""
    got = fn(*[Tensor(a) for a in arrays]).data
    want = np.asarray(reference(*arrays))
    if got.shape != want.shape:
        raise AssertionError(f"shape {got.shape} != NumPy's {want.shape}")
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12)
