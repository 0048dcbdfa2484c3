"""The examples' one shared helper: a progress bar when tqdm is installed and the output is a
terminal (``pip install tinygrad-lite[progress]``), the plain iterable otherwise. The examples
import it as ``from _progress import progress``: Python puts a script's own folder on the path,
so each example still runs as a plain script."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator


def progress(iterable: Iterable[int], desc: str) -> Iterator[int] | Iterable[int]:
    """``iterable`` with a tqdm progress bar if tqdm is installed and the output is a terminal."""
    if not sys.stdout.isatty():
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False)
