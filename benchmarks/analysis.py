"""``python -m benchmarks.analysis``: the two experiments behind the analysis in docs/performance.md.

1. The L2 penalty. W2, W3 and W4 with and without their ``0.5 * 1e-3 * sum(W**2)`` term, for
   tinygrad_lite and for the NumPy reference (which then leaves its ``reg`` lines out too):
   median paired ratio, the extra time per step, and the peak memory of one step.
2. The deep chain. W6's chain for tinygrad_lite split into building, backward and freeing, with
   Python's cyclic garbage collector on (as in the benchmark) and off, and the time the
   collector ran (measured with ``gc.callbacks``).
   Also the same three workloads with 4 input features instead of ~3072: the arithmetic all
   but vanishes, so the difference left is the framework's fixed cost per step.
3. The memory of one W4 step over time: tracemalloc's current and peak bytes after every
   forward and backward of every op (each op class is wrapped for this process only), so the
   line where the peak rises says which allocation makes it.

Nothing here is a target; it says where the time and memory of the missed targets go.
"""

from benchmarks.pinning import pin_environment

_PINNING = pin_environment(1)  # before NumPy is imported, as in __main__

import argparse  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import tinygrad_lite as tl  # noqa: E402
from tinygrad_lite import functional, ops  # noqa: E402

from . import linear, two_layer  # noqa: E402
from .deep_chain import FACTOR  # noqa: E402
from .harness import NUMPY, TINYGRAD, Impl, TrainingImpl, measure_interleaved, median  # noqa: E402
from .linear import NumpyLinear, TinygradLinear  # noqa: E402
from .memory import MIB, step_peak_bytes  # noqa: E402
from .pinning import pin_loaded_libraries  # noqa: E402
from .two_layer import NumpyTwoLayer, TinygradTwoLayer  # noqa: E402

WORKLOADS: dict[str, Callable[[float], dict[str, Impl]]] = {
    "W2": lambda reg: {NUMPY: NumpyLinear("softmax", reg), TINYGRAD: TinygradLinear("softmax", reg)},
    "W3": lambda reg: {NUMPY: NumpyLinear("hinge", reg), TINYGRAD: TinygradLinear("hinge", reg)},
    "W4": lambda reg: {NUMPY: NumpyTwoLayer(reg), TINYGRAD: TinygradTwoLayer(reg)},
}


def penalty_experiment(rounds: int) -> list[str]:
    lines = ["L2 penalty: tinygrad_lite vs the NumPy reference, with and without 0.5*1e-3*sum(W**2), and with",
             "4 input features (D = 4) instead of ~3072: what is left there is the fixed cost per step",
             f"  ({rounds} interleaved rounds; time per step; peak = tracemalloc peak of one step)"]
    for key, build in WORKLOADS.items():
        for reg, features in ((1e-3, None), (0.0, None), (1e-3, 4)):
            module: Any = two_layer if key == "W4" else linear
            full_size = module.D
            module.D = features or full_size  # make_data and make_model read it when the impls are built
            try:
                impls = build(reg)
            finally:
                module.D = full_size
            results = measure_interleaved(impls, rounds)
            reference = impls[NUMPY]
            steps = reference.steps if isinstance(reference, TrainingImpl) else 1
            base = median(results.values[NUMPY]) / steps * 1e3
            mine = median(results.values[TINYGRAD]) / steps * 1e3
            ratio = median(results.paired_ratios(TINYGRAD))
            peaks = {name: step_peak_bytes(impl) / MIB for name, impl in impls.items()}
            label = "D = 4  " if features else "with   " if reg else "without"
            lines.append(
                f"  {key} {label} penalty: NumPy {base:6.3f} ms, "
                f"tinygrad_lite {mine:6.3f} ms, paired ratio {ratio:.3f}, difference {mine - base:+.3f} ms; "
                f"peak NumPy {peaks[NUMPY]:5.2f} MiB, tinygrad_lite {peaks[TINYGRAD]:5.2f} MiB"
            )
    return lines


def chain_phases(n: int) -> tuple[float, float, float]:
    """Seconds to build a chain of n links, to run backward, and to free the graph."""
    x = tl.tensor(1.0, requires_grad=True)
    y = x
    begin = time.perf_counter()
    for _ in range(n):
        y = y * FACTOR
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    del y
    freed = time.perf_counter()
    return built - begin, done - built, freed - done


def chain_experiment(lengths: list[int]) -> list[str]:
    spent = [0.0, 0.0, 0]  # seconds collecting, start of the current collection, collections

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            spent[1] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - spent[1]
            spent[2] += 1

    lines = ["W6 deep chain, tinygrad_lite: build + backward + free, cyclic garbage collector on and off"]
    gc.callbacks.append(on_collection)
    try:
        for n in lengths:
            for collector in (True, False):
                gc.collect()
                spent[:] = [0.0, 0.0, 0]
                if not collector:
                    gc.disable()
                try:
                    build, backward, free = chain_phases(n)
                finally:
                    gc.enable()
                total = build + backward + free
                lines.append(
                    f"  n = {n:>7}, collector {'on ' if collector else 'off'}: {total:6.2f} s = build {build:6.2f} "
                    f"+ backward {backward:6.2f} + free {free:5.2f}; {total / n * 1e6:5.1f} µs per link; "
                    f"collector ran {spent[2]} times for {spent[0]:5.2f} s ({spent[0] / total:.0%})"
                )
    finally:
        gc.callbacks.remove(on_collection)
    return lines


def memory_timeline() -> list[str]:
    """tracemalloc after each op's forward and backward during one tinygrad_lite W4 step."""
    events: list[tuple[str, float, float]] = []

    def traced(name: str, method: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            result = method(*args, **kwargs)
            current, peak = tracemalloc.get_traced_memory()
            events.append((name, current / MIB, peak / MIB))
            return result

        return call

    wrapped = []
    for module in (ops, functional):
        for op in vars(module).values():
            if isinstance(op, type) and issubclass(op, tl.Function) and op is not tl.Function:
                for phase in ("forward", "backward"):
                    original = op.__dict__.get(phase)
                    if isinstance(original, staticmethod):
                        wrapped.append((op, phase, original))
                        setattr(op, phase, staticmethod(traced(f"{op.__name__}.{phase}", original.__func__)))
    try:
        impl = TinygradTwoLayer()
        impl.step()  # warm-up
        events.clear()
        gc.collect()
        tracemalloc.start()
        try:
            impl.forward_backward()
            current, peak = tracemalloc.get_traced_memory()
            events.append(("backward() (grads summed)", current / MIB, peak / MIB))
            impl.optimizer.step()
            current, peak = tracemalloc.get_traced_memory()
            events.append(("SGD.step", current / MIB, peak / MIB))
        finally:
            tracemalloc.stop()
    finally:
        for op, phase, original in wrapped:
            setattr(op, phase, original)
    lines = [f"memory of one tinygrad_lite W4 step (MiB; one W1 or its gradient is {3072 * 100 * 8 / MIB:.2f})"]
    previous_peak = 0.0
    for name, now, top in events:
        rise = top - previous_peak
        mark = f"  <- peak +{rise:.2f} since the line above" if rise > 0.5 else ""
        lines.append(f"  after {name:<26} current {now:6.2f}  peak so far {top:6.2f}{mark}")
        previous_peak = top
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41, help="interleaved rounds of the penalty experiment")
    parser.add_argument("--lengths", default="10000,100000,1000000", help="chain lengths, comma-separated")
    parser.add_argument("--only", choices=("penalty", "chain", "memory"), default=None, help="run one experiment")
    args = parser.parse_args()
    print("\n".join(_PINNING + pin_loaded_libraries(1)))
    if args.only in (None, "penalty"):
        print("\n".join(penalty_experiment(args.rounds)), flush=True)
    if args.only in (None, "memory"):
        print("\n".join(memory_timeline()), flush=True)
    if args.only in (None, "chain"):
        print("\n".join(chain_experiment([int(n) for n in args.lengths.split(",")])), flush=True)


if __name__ == "__main__":
    main()
