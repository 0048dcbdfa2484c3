"""Pin every BLAS and OpenMP pool to the same number of threads, so all contenders get the same cores.

`pin_environment` must run before NumPy (or PyTorch) is imported: OpenBLAS, MKL and OpenMP
read these variables once, when they load. `pin_loaded_libraries` then uses threadpoolctl
(when installed) on whatever did load, which also covers a NumPy imported too early, and
pins PyTorch's own pools. Both return lines that say what was pinned, for the report.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_environment(threads: int = 1) -> list[str]:
    """Set the thread-count variables of OpenMP, OpenBLAS and MKL (call before importing NumPy)."""
    late = "numpy" in sys.modules
    changed = []
    for variable in THREAD_VARIABLES:
        previous = os.environ.get(variable)
        os.environ[variable] = str(threads)
        if previous not in (None, str(threads)):
            changed.append(f"{variable} was {previous}")
    line = "environment: " + "=".join(THREAD_VARIABLES) + f"={threads}"
    if changed:
        line += f" (overriding: {', '.join(changed)})"
    if late:
        line += " -- NumPy was already imported, so only threadpoolctl below can pin its BLAS"
    return [line]


class _Pins:
    """Keeps the threadpoolctl limiter alive for the whole run (it is undone when collected)."""

    limiter: Any = None


def pin_loaded_libraries(threads: int = 1) -> list[str]:
    """Limit the already loaded thread pools with threadpoolctl (if present); describe each pool."""
    import numpy  # noqa: F401  (loads NumPy's BLAS, so threadpoolctl can see it)

    lines = []
    try:
        import threadpoolctl
    except ImportError:
        lines.append("threadpoolctl: not installed (relying on the environment variables)")
        info: list[dict[str, Any]] = []
    else:
        _Pins.limiter = threadpoolctl.threadpool_limits(limits=threads)
        info = threadpoolctl.threadpool_info()
        lines.append(f"threadpoolctl {threadpoolctl.__version__}: limited every pool to {threads}")
    for pool in info:
        name = os.path.basename(pool.get("filepath", "?"))
        details = ", ".join(
            f"{key} {pool[key]}" for key in ("version", "threading_layer", "architecture") if pool.get(key)
        )
        where = f"{name}; {details}" if details else name
        lines.append(f"  {pool.get('internal_api')} ({where}): {pool.get('num_threads')} thread(s)")
    return lines


def pin_torch(torch: Any, threads: int = 1) -> str:
    """PyTorch has its own intra-op and inter-op pools; pin both."""
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # allowed only before any parallel work; OMP_NUM_THREADS covers it then
        torch.set_num_interop_threads(threads)
    return f"torch: {torch.get_num_threads()} intra-op thread(s), {torch.get_num_interop_threads()} inter-op thread(s)"
