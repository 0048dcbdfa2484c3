"""Saving and loading state dicts as ``.npz`` files: plain arrays, never pickle.

``tl.save(model.state_dict(), "model.npz")`` writes one array per name;
``model.load_state_dict(tl.load("model.npz"))`` reads them back. A file with an object
array in it (which would need pickle, and so could run code) is refused.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from .engine import Tensor

__all__ = ["load", "save"]

PathLike = str | os.PathLike[str]

# A zip file starts with a local file header, or with the end record when it is empty.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def save(state_dict: Mapping[str, Any], path: PathLike) -> None:
    """Write ``{name: array}`` to ``path`` as an ``.npz`` archive (exactly that path: no
    ``.npz`` is appended). Values may be NumPy arrays, Tensors or numbers; they must be
    numeric or boolean (an object or string array raises ``TypeError``)::

        tl.save(model.state_dict(), "model.npz")
        tl.save({"W": np.eye(2)}, "weights.npz")
    """
    if not isinstance(state_dict, Mapping):
        hint = " (for a model, save model.state_dict())" if hasattr(state_dict, "state_dict") else ""
        raise TypeError(f"save takes a mapping of name -> array{hint}, got {type(state_dict).__name__}")
    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: names must be str, got {type(name).__name__} {name!r}")
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biufc":
            raise TypeError(
                f"save: {name!r} has dtype {array.dtype}; only numeric and boolean arrays can be "
                "saved (object arrays would need pickle)"
            )
        arrays[name] = array
    # Written member by member rather than with np.savez(path, **arrays): savez appends
    # ".npz" to the path and would take a name such as "file" for its own argument.
    with open(path, "wb") as file, zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def load(path: PathLike) -> dict[str, np.ndarray]:
    """Read an ``.npz`` archive written by `save` (or ``np.savez``) into ``{name: array}``.

    Never unpickles: a file holding an object array, a truncated or corrupt file, or a file
    that is not an ``.npz`` archive raises ``ValueError`` naming the path; a missing file
    raises ``FileNotFoundError``::

        model.load_state_dict(tl.load("model.npz"))
    """
    where = os.fspath(path)
    if not os.path.exists(where):
        raise FileNotFoundError(f"load: no such file: {where!r}")
    # The file is opened here, not by np.load, which leaves it open when the zip is damaged.
    with open(where, "rb") as file:
        head = file.read(6)
        if not head.startswith(_ZIP_MAGIC):
            kind = "it is a single .npy array" if head.startswith(b"\x93NUMPY") else "it is not a zip archive"
            raise ValueError(f"load: {where!r} is not an .npz archive of named arrays: {kind}")
        file.seek(0)
        try:
            with np.load(file, allow_pickle=False) as archive:
                return {name: archive[name] for name in archive.files}
        except ValueError as error:  # NumPy's refusal of object arrays, or a damaged array header
            raise ValueError(f"load: cannot read {where!r}: {error} (pickled data is never loaded)") from None
        # the file is open already: an OSError here comes from offsets inside a damaged zip
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
            raise ValueError(
                f"load: {where!r} is not a readable .npz archive (truncated or corrupt?): {error}"
            ) from None
