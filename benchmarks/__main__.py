"""``python -m benchmarks``: pin the BLAS threads, then run the suite (see ``--help``)."""

from benchmarks.pinning import pin_environment

# Before anything imports NumPy: OpenBLAS, MKL and OpenMP read these variables when they load.
_PINNING = pin_environment(1)

from benchmarks.runner import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(pinning=_PINNING))
