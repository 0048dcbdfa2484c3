"""Benchmarks: tinygrad_lite against hand-written NumPy (and PyTorch, HIPS autograd, micrograd when installed).

``python -m benchmarks`` (``make bench``) times W1-W6 and MEM with BLAS pinned to one thread,
the contenders interleaved round by round, prints tinygrad_lite's ratio to each, and writes
``docs/_generated/bench_results.{json,md}``. That every contender computes the same loss and
gradients as the NumPy reference is checked by tests/test_benchmarks.py (and again before timing).
"""
