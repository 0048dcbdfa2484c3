"""Saving and loading state dicts and checkpoints as ``.npz`` files: plain arrays, never pickle.

``tl.save(model.state_dict(), "model.npz")`` writes one array per name;
``model.load_state_dict(tl.load("model.npz"))`` reads them back. A whole checkpoint is a dict
of dicts:

```python
tl.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ckpt.npz")
ckpt = tl.load("ckpt.npz")          # the same nesting; ckpt["epoch"] == 3, an int
```

The file is an ordinary ``.npz`` archive (``np.load`` reads it): one ``.npy`` member per array,
named by its path of keys joined with ``/`` (``"optim/state/0/exp_avg"``). When the object is
more than a flat dict of arrays (nested dicts, Python numbers), one more member,
``__tinygrad_lite_layout__``, holds a JSON description of the nesting, so that empty dicts
come back and Python numbers come back as Python numbers (``int``, ``float``, ``bool``,
``complex``); arrays (0-d ones and NumPy scalars included) come back as arrays. A file with an
object array in it (which would need pickle, and so could run code), or with a member that is
not a ``.npy`` array, is refused.
"""

from __future__ import annotations

import json
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
_NPY_MAGIC = b"\x93NUMPY"
LAYOUT = "__tinygrad_lite_layout__"
_LAYOUT_VERSION = 1
# A Python number's type, as the layout records it.
_NUMBER_KINDS: dict[type, str] = {bool: "bool", int: "int", float: "float", complex: "complex"}
_NUMBER_TYPES = {kind: kind_type for kind_type, kind in _NUMBER_KINDS.items()}


def _flatten(
    node: Mapping[Any, Any], path: tuple[str, ...], arrays: dict[str, np.ndarray]
) -> tuple[dict[str, Any], bool]:
    """Collect the arrays of ``node`` into ``arrays`` (member name -> array); return the layout
    of ``node`` (``{key: sub-layout or leaf kind}``) and whether only array leaves were met."""
    layout: dict[str, Any] = {}
    plain = True
    for key, value in node.items():
        where = "/".join((*path, str(key)))
        if not isinstance(key, str):
            raise TypeError(f"save: names must be str, got {type(key).__name__} {key!r} (at {where!r})")
        if "/" in key:
            raise ValueError(f"save: the name {where!r} contains '/', which the file uses to separate nested dicts")
        if not path and key == LAYOUT:
            raise ValueError(f"save: the name {LAYOUT!r} is reserved for the file's layout")
        if isinstance(value, Mapping):
            layout[key], _ = _flatten(value, (*path, key), arrays)
            plain = False
            continue
        if type(value) in _NUMBER_KINDS:
            layout[key] = _NUMBER_KINDS[type(value)]
            plain = False
        else:
            layout[key] = "array"
        try:
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
        except (ValueError, OverflowError) as error:  # ragged lists, ints beyond int64
            raise TypeError(f"save: {where!r} cannot be stored as an array: {error}") from None
        if array.dtype.kind not in "biufc":
            raise TypeError(
                f"save: {where!r} has dtype {array.dtype}; only numeric and boolean arrays, Tensors, numbers "
                f"and dicts of them can be saved (got a {type(value).__name__}; object arrays would need pickle)"
            )
        arrays[where] = array
    return layout, plain


def save(obj: Mapping[str, Any], path: PathLike) -> None:
    """Write ``obj`` to ``path`` as an ``.npz`` archive (exactly that path: no ``.npz`` is
    appended). ``obj`` is a dict with string keys whose values are NumPy arrays, Tensors,
    numbers, or dicts of the same kind, nested to any depth (keys may not contain ``/``).
    Arrays must be numeric or boolean (an object or string array raises ``TypeError``):

    ```python
    tl.save(model.state_dict(), "model.npz")
    tl.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ckpt.npz")
    ```
    """
    if not isinstance(obj, Mapping):
        hint = " (for a model, save model.state_dict())" if hasattr(obj, "state_dict") else ""
        raise TypeError(f"save takes a mapping of name -> array{hint}, got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    tree, plain = _flatten(obj, (), arrays)
    # Written member by member rather than with np.savez(path, **arrays): savez appends
    # ".npz" to the path and would take a name such as "file" for its own argument.
    with open(path, "wb") as file, zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
        if not plain:  # a flat dict of arrays needs no layout: the file is what np.savez would write
            text = json.dumps({"version": _LAYOUT_VERSION, "tree": tree})
            with archive.open(LAYOUT + ".npy", "w") as member:
                np.lib.format.write_array(member, np.array(text), allow_pickle=False)


def load(path: PathLike) -> dict[str, Any]:
    """Read an ``.npz`` archive written by `save` (or ``np.savez``) back into the dict that was
    saved, with the same nesting: arrays as arrays, Python numbers as Python numbers.

    Never unpickles: a file holding an object array or a member that is not a ``.npy`` array,
    a truncated or corrupt file, or a file that is not an ``.npz`` archive raises
    ``ValueError`` naming the path; a missing file raises ``FileNotFoundError``:

    ```python
    model.load_state_dict(tl.load("model.npz"))
    ckpt = tl.load("ckpt.npz"); opt.load_state_dict(ckpt["optim"])
    ```
    """
    where = os.fspath(path)
    if not os.path.exists(where):
        raise FileNotFoundError(f"load: no such file: {where!r}")
    # The file is opened here, not by np.load, which leaves it open when the zip is damaged.
    with open(where, "rb") as file:
        head = file.read(6)
        if not head.startswith(_ZIP_MAGIC):
            kind = "it is a single .npy array" if head.startswith(_NPY_MAGIC) else "it is not a zip archive"
            raise ValueError(f"load: {where!r} is not an .npz archive of named arrays: {kind}")
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                arrays = _read_members(archive, where)
        except ValueError as error:  # NumPy's refusal of object arrays, or a damaged array header
            if str(error).startswith("load: "):
                raise
            raise ValueError(f"load: cannot read {where!r}: {error} (pickled data is never loaded)") from None
        # the file is open already: an OSError here comes from offsets inside a damaged zip
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
            raise ValueError(
                f"load: {where!r} is not a readable .npz archive (truncated or corrupt?): {error}"
            ) from None
    layout = arrays.pop(LAYOUT, None)
    if layout is None:
        return arrays
    return _unflatten(_read_layout(layout, where), (), arrays, where)


def _read_members(archive: zipfile.ZipFile, where: str) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or not name.endswith(".npy"):
            raise ValueError(
                f"load: {where!r} holds a member {name!r} that is not a .npy array: it is not an .npz archive "
                "of named arrays"
            )
        with archive.open(info) as member:
            if member.read(len(_NPY_MAGIC)) != _NPY_MAGIC:
                raise ValueError(f"load: {where!r} holds a member {name!r} that is not a .npy array")
        with archive.open(info) as member:
            arrays[name[: -len(".npy")]] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _read_layout(layout: np.ndarray, where: str) -> dict[str, Any]:
    try:
        if layout.dtype.kind != "U" or layout.ndim != 0:
            raise ValueError("not a string")
        description = json.loads(str(layout))
        if not isinstance(description, dict) or description.get("version") != _LAYOUT_VERSION:
            raise ValueError(f"unknown version {description.get('version') if isinstance(description, dict) else None}")
        tree = description["tree"]
        if not isinstance(tree, dict):
            raise ValueError("no tree")
    except (ValueError, KeyError) as error:
        raise ValueError(f"load: {where!r} has a damaged {LAYOUT!r} member: {error}") from None
    return tree


def _unflatten(
    tree: dict[str, Any], path: tuple[str, ...], arrays: dict[str, np.ndarray], where: str
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, kind in tree.items():
        name = "/".join((*path, key))
        if isinstance(kind, dict):
            result[key] = _unflatten(kind, (*path, key), arrays, where)
            continue
        if name not in arrays or (kind != "array" and (kind not in _NUMBER_TYPES or arrays[name].ndim != 0)):
            raise ValueError(f"load: {where!r} does not match its layout at {name!r} (damaged file?)")
        array = arrays.pop(name)
        result[key] = array if kind == "array" else _NUMBER_TYPES[kind](array.item())
    if not path and arrays:
        raise ValueError(f"load: {where!r} holds arrays its layout does not name: {sorted(arrays)} (damaged file?)")
    return result
