"""``python -m benchmarks``: pin the BLAS threads, then run (``--help`` lists the options)."""

from benchmarks.harness import pin_environment

pin_environment(1)  # before NumPy is imported: OpenBLAS, MKL and OpenMP read the variables when they load

from benchmarks.report import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
