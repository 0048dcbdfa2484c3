"""Benchmarks: tinygrad_lite against a hand-written NumPy floor (and PyTorch, HIPS autograd, micrograd).

Run ``python -m benchmarks`` (or ``make bench``); ``python -m benchmarks --help`` lists the options.
Every workload first checks that each contender computes the same loss and gradients as the
NumPy reference at step 0, then times the contenders interleaved in one process, with BLAS
pinned to one thread, and prints medians and the median of per-round paired ratios.

Nothing here imports NumPy at package import time: ``__main__`` pins the BLAS thread count
through environment variables first, which only works before NumPy is loaded.
"""
