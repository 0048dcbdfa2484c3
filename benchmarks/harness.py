"""The parts every workload shares: what a contender implements, the step-0 check, interleaved timing.

A workload builds one `Impl` per contender. Each `Impl` can

- compute the loss and the gradients at step 0 (`loss_and_grads`), which are compared with
  the NumPy reference's before anything is timed, and
- run one timed block (`run`): a fixed number of steps, each forward + backward (+ update).

`measure_interleaved` runs the blocks of all contenders in turn, round after round
(A B C A B C ...), so a burst of load from another process hits every contender alike and
the per-round ratio contender / NumPy cancels most of it.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NUMPY = "numpy"
TINYGRAD = "tinygrad_lite"
OPTIONAL = ("torch", "autograd", "micrograd")
CONTENDERS = (NUMPY, TINYGRAD, *OPTIONAL)

CHECK_TOLERANCE = 1e-9

Gradients = Sequence["np.ndarray | None"]  # None where a contender produced no gradient (a failed check)


class Impl:
    """One contender's implementation of a workload (subclass it and fill in both methods)."""

    def loss_and_grads(self) -> tuple[float, Gradients]:
        """The loss and the gradients (float64 arrays, in the workload's order) at step 0."""
        raise NotImplementedError

    def run(self) -> None:
        """One timed block of the workload."""
        raise NotImplementedError


class TrainingImpl(Impl):
    """A contender that trains: one ``step()`` is forward + backward + update; a block is ``steps`` of them."""

    steps = 1

    def step(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        for _ in range(self.steps):
            self.step()


@dataclass(frozen=True)
class Target:
    """``kind`` "absolute": the median of tinygrad_lite at most ``value`` (in the row's unit);
    "ratio": its median paired ratio to NumPy at most ``value``."""

    kind: str
    value: float

    def describe(self, unit: str) -> str:
        if self.kind == "ratio":
            return f"≤ {self.value:g}× NumPy"
        return f"≤ {self.value:g}×" if unit == "×" else f"≤ {self.value:g} {unit}"


@dataclass
class Workload:
    """A row of the table: how to build the contenders, and how to turn a block's seconds into the unit."""

    key: str  # what --only selects, e.g. "W2"
    label: str  # the row's name in the table
    unit: str
    per_block: float  # unit per second of one block (e.g. 1e6 / 1000 for µs per step over 1000 steps)
    target: Target | None
    build: Callable[[dict[str, Any]], dict[str, Impl | str]]  # modules of the optional contenders in;
    # an Impl per contender out, or a string saying why that contender cannot run this workload
    warm_up: Callable[[Impl], None] | None = None  # default: one run()
    measure: Callable[[Impl], float] | None = None  # default: seconds of one block (time_block)
    rounds: int = 25  # by default; many short rounds give the medians more to work with on a busy machine
    steps: int = 1  # steps (or passes) in one block, to report page faults per step


@dataclass
class CheckResult:
    difference: float | None = None  # max relative difference over the loss and every gradient
    error: str | None = None  # an exception instead of a result

    @property
    def passed(self) -> bool:
        return self.error is None and self.difference is not None and self.difference < CHECK_TOLERANCE


def relative_difference(values: Sequence[object], reference: Sequence[object]) -> float:
    """max over the arrays of ``max|a - b| / max|b|`` (b from the reference; plain ``max|a - b|`` where b is 0).

    Relative to each array's largest entry rather than elementwise, so that entries near zero,
    where a different summation order legitimately changes the last digits, do not dominate.
    """
    if len(values) != len(reference):
        return float("inf")
    worst = 0.0
    for value, expected in zip(values, reference):
        if value is None:
            return float("inf")
        a = np.asarray(value, dtype=np.float64)
        b = np.asarray(expected, dtype=np.float64)
        if a.shape != b.shape or not np.all(np.isfinite(a)):
            return float("inf")
        if b.size == 0:
            continue
        scale = float(np.max(np.abs(b)))
        difference = float(np.max(np.abs(a - b)))
        worst = max(worst, difference / scale if scale > 0 else difference)
    return worst


def check_step0(impls: dict[str, Impl]) -> dict[str, CheckResult]:
    """Each contender's step-0 loss and gradients against the NumPy reference's."""
    loss, grads = impls[NUMPY].loss_and_grads()
    reference = [loss, *grads]
    results = {}
    for name, impl in impls.items():
        if name == NUMPY:
            continue
        try:
            value, gradients = impl.loss_and_grads()
        except Exception as error:  # a contender that cannot do this workload is reported, not fatal
            results[name] = CheckResult(error=_describe(error))
            continue
        results[name] = CheckResult(difference=relative_difference([value, *gradients], reference))
    return results


@dataclass
class Measurements:
    """One value per round (seconds per block, or bytes) for each contender that ran; errors for the others."""

    values: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    page_faults: dict[str, list[int]] = field(default_factory=dict)  # minor faults (fresh pages) per block

    def paired_ratios(self, name: str) -> list[float]:
        """This contender's value over NumPy's, round by round."""
        return [v / n for v, n in zip(self.values[name], self.values[NUMPY])]


def time_block(impl: Impl) -> float:
    """Seconds for one block.

    The garbage collector stays on while the block runs (collecting the graphs a framework
    makes is part of its cost), but a full collection before it keeps the previous
    contender's garbage from being charged to this one.
    """
    gc.collect()
    start = time.perf_counter()
    impl.run()
    return time.perf_counter() - start


def measure_interleaved(
    impls: dict[str, Impl],
    rounds: int,
    warm_up: Callable[[Impl], None] | None = None,
    measure: Callable[[Impl], float] = time_block,
) -> Measurements:
    """Warm every contender up once, then measure one block of each in turn (A B C A B C ...), ``rounds`` times."""
    results = Measurements()
    running = {}
    for name, impl in impls.items():
        try:
            (warm_up or _run)(impl)
        except Exception as error:  # reported in the table (micrograd's RecursionError, say)
            results.errors[name] = _describe(error)
            continue
        running[name] = impl
        results.values[name] = []
        results.page_faults[name] = []
    for _ in range(rounds):
        for name, impl in list(running.items()):
            faults = minor_page_faults()
            try:
                value = measure(impl)
            except Exception as error:
                results.errors[name] = _describe(error)
                del running[name], results.values[name], results.page_faults[name]
                continue
            results.page_faults[name].append(minor_page_faults() - faults)
            results.values[name].append(value)
    return results


def minor_page_faults() -> int:
    """Minor page faults of this process so far (0 where getrusage is missing).

    Each is a fresh page the kernel had to map in, typically because the allocator gave a
    large freed block back to the system and the next array of that size asked for it again.
    """
    try:
        import resource
    except ImportError:
        return 0
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_minflt)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def median_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """A distribution-free confidence interval of the median: the order statistics x_(k) and
    x_(n+1-k), with the largest k such that P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2.

    It assumes only independent rounds (no normality). With 25 rounds it is [x_(8), x_(18)];
    with fewer than 6 rounds it is the whole range, which then covers less than ``confidence``.
    """
    ordered = sorted(values)
    n = len(ordered)
    tail = (1 - confidence) / 2
    k, below = 1, 0.5**n  # below = P(Binomial(n, 1/2) <= k - 1)
    while k < (n + 1) // 2 and below + math.comb(n, k) * 0.5**n <= tail:
        below += math.comb(n, k) * 0.5**n
        k += 1
    return ordered[k - 1], ordered[n - k]


def _run(impl: Impl) -> None:
    impl.run()


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:80]}" if text else type(error).__name__
