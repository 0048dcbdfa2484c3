"""MEM: the peak memory of one W4 training step beyond the model and the data.

tracemalloc counts what is allocated while it runs, and NumPy reports its array buffers to
it, so starting it just before a step (after a warm-up step, with the model and the data
already in memory) and reading its peak afterwards gives the step's own peak: activations,
gradients, temporaries, the graph's Python objects. Allocations made before the start (the
model, the data) are not counted, nor are frees of them. PyTorch's allocator does not report
to tracemalloc, so it is not measured here.
"""

from __future__ import annotations

import gc
import tracemalloc

from .harness import Impl, Target, TrainingImpl, Workload
from .two_layer import build_for_memory

MIB = 2**20


def step_peak_bytes(impl: Impl) -> float:
    """Peak bytes allocated during one ``step()`` (more than once the same, but measured each round)."""
    assert isinstance(impl, TrainingImpl)
    gc.collect()
    tracemalloc.start()
    try:
        impl.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return float(peak)


def _one_step(impl: Impl) -> None:
    assert isinstance(impl, TrainingImpl)
    impl.step()


WORKLOADS = [
    Workload(
        "MEM",
        "MEM peak of one W4 step",
        "MiB",
        1 / MIB,
        Target("ratio", 1.5),
        build_for_memory,
        warm_up=_one_step,
        measure=step_peak_bytes,
        rounds=3,  # the same every time, but measured more than once to see that
    ),
]
