"""What every workload shares: the contenders' interface, the step-0 comparison, one timer, the statistics.

A workload builds one `Contender` per framework. Each can compute its loss and gradients at
step 0 (`check`, compared with the NumPy reference by `relative_difference`) and run one timed
block (`run`). `measure` warms every contender up once, then runs their blocks in turn, round
after round, so that a burst of load from another process hits all of them alike; the ratio
of two contenders' times *in the same round* cancels most of it, and the report gives the
median of those per-round ratios.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.metadata
import os
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# contender -> the module to import (it loads the submodules the workloads use)
OPTIONAL = {"torch": "torch", "autograd": "autograd.numpy", "micrograd": "micrograd.engine"}
CHECK_TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}


def pin_environment(threads: int = 1) -> None:
    """Give OpenMP, OpenBLAS and MKL ``threads`` threads; only works before NumPy or PyTorch is imported."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)


def load_optional() -> dict[str, Any]:
    """The optional contenders (the ``bench`` extra) that import, by name; the others are left out."""
    modules = {}
    for name, module in OPTIONAL.items():
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        modules[name] = importlib.import_module(name)
    if "torch" in modules:  # PyTorch has its own intra-op and inter-op pools
        modules["torch"].set_num_threads(1)
        with contextlib.suppress(RuntimeError):  # only allowed before its first parallel work
            modules["torch"].set_num_interop_threads(1)
    return modules


def pin_blas(threads: int = 1) -> list[str]:
    """Limit every loaded BLAS/OpenMP pool with threadpoolctl (when installed); describe the pools."""
    try:
        import threadpoolctl
    except ImportError:
        return ["threadpoolctl not installed: relying on " + ", ".join(THREAD_VARIABLES)]
    _KEEP.append(threadpoolctl.threadpool_limits(limits=threads))  # undone when collected: keep it
    return [" ".join(str(pool[key]) for key in ("internal_api", "version", "architecture") if pool.get(key))
            + f": {pool.get('num_threads')} thread(s)" for pool in threadpoolctl.threadpool_info()]


_KEEP: list[Any] = []


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class Contender:
    """One framework's implementation of a workload, as two functions: ``check()`` gives the loss and
    the gradients (in the workload's order) at step 0; ``run()`` runs one timed block."""

    def __init__(self, check: Callable[[], tuple[float, Sequence[Any]]], run: Callable[[], object]) -> None:
        self.check, self.run = check, run


class Training(Contender):
    """A contender that trains: ``step()`` is forward + backward + update; a block is ``steps`` steps."""

    def __init__(self, check: Callable[[], tuple[float, Sequence[Any]]], step: Callable[[], object],
                 steps: int = 2) -> None:
        super().__init__(check, self.run_steps)
        self.step, self.steps = step, steps

    def run_steps(self) -> None:
        for _ in range(self.steps):
            self.step()


Build = Callable[[dict[str, Any]], "dict[str, Contender | str]"]  # optional modules -> contenders or why not


@dataclass
class Workload:
    """A row of the table: how to build its contenders and how to turn one block's measurement into the unit."""

    key: str  # what --only selects, e.g. "W2"
    label: str
    unit: str
    scale: float  # unit per measured value (e.g. 1e6 / 1000 for µs per step from the seconds of 1000 steps)
    build: Build
    rounds: int = 15
    dtype: Any = np.float64
    targets: tuple[tuple[str, float], ...] = ()  # (versus, limit): tinygrad_lite ÷ versus ≤ limit
    measure: Callable[[Contender], float] | None = None  # default: time_block
    warm_up: Callable[[Contender], None] | None = None  # default: one run()


def relative_difference(values: Sequence[Any], reference: Sequence[Any]) -> float:
    """max over the arrays of ``max|a - b| / max|b|`` (b from the reference; ``max|a - b|`` where b is all 0).

    Relative to each array's largest entry rather than elementwise, so that entries near zero,
    where another summation order legitimately changes the last digits, do not dominate.
    """
    if len(values) != len(reference):
        return float("inf")
    worst = 0.0
    for value, expected in zip(values, reference):
        a, b = np.asarray(value, dtype=np.float64), np.asarray(expected, dtype=np.float64)
        if a.shape != b.shape or not np.all(np.isfinite(a)):
            return float("inf")
        if b.size:
            scale = float(np.max(np.abs(b)))
            difference = float(np.max(np.abs(a - b)))
            worst = max(worst, difference / scale if scale > 0 else difference)
    return worst


def step0_difference(contender: Contender, reference: Contender) -> float:
    """How far a contender's step-0 loss and gradients are from the reference's (`relative_difference`)."""
    loss, grads = reference.check()
    value, gradients = contender.check()
    return relative_difference([value, *gradients], [loss, *grads])


def time_block(contender: Contender) -> float:
    """Seconds of one block. A full collection first keeps the previous contender's garbage from
    being charged to this one; the collector stays on during the block, as it is for a user."""
    gc.collect()
    start = time.perf_counter()
    contender.run()
    return time.perf_counter() - start


def peak_bytes(contender: Contender) -> float:
    """Peak bytes allocated during one ``step()``, as tracemalloc sees them (NumPy reports its buffers to it)."""
    assert isinstance(contender, Training)
    gc.collect()
    tracemalloc.start()
    try:
        contender.step()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def measure(
    contenders: dict[str, Contender],
    rounds: int,
    measure_one: Callable[[Contender], float] = time_block,
    warm_up: Callable[[Contender], None] | None = None,
) -> dict[str, list[float] | str]:
    """Warm each contender up once, then measure one block of each in turn, ``rounds`` times.

    The order rotates from round to round, so no contender always runs right after the same
    other one. A contender that raises is left out from then on; its entry is the error text.
    """
    results: dict[str, list[float] | str] = {}
    running = []
    for name, contender in contenders.items():
        try:
            if warm_up is None:
                contender.run()
            else:
                warm_up(contender)
        except Exception as error:  # reported in the table (micrograd's RecursionError, say)
            results[name] = describe(error)
            continue
        running.append(name)
        results[name] = []
    for round_ in range(rounds):
        shift = round_ % max(len(running), 1)
        for name in running[shift:] + running[:shift]:
            values = results[name]
            if isinstance(values, str):
                continue
            try:
                values.append(measure_one(contenders[name]))
            except Exception as error:
                results[name] = describe(error)
    return results


def paired_ratios(values: Sequence[float], versus: Sequence[float]) -> list[float]:
    return [a / b for a, b in zip(values, versus)]


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """The 25th, 50th and 75th percentiles (NumPy's default linear interpolation)."""
    q1, q2, q3 = np.percentile(np.asarray(values, dtype=np.float64), [25, 50, 75])
    return float(q1), float(q2), float(q3)


def tracked_objects(build: Callable[[], object]) -> int:
    """How many more objects the cyclic garbage collector tracks while the result of ``build()`` is alive.

    For a graph this is what every collection has to walk: Tensors, op records, tuples, dicts.
    Temporaries freed by reference counting during the build are not counted.
    """
    gc.collect()
    before = len(gc.get_objects())
    alive = build()
    after = len(gc.get_objects())
    del alive
    return after - before


def describe(error: BaseException) -> str:
    text = str(error).splitlines()[0][:80] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
