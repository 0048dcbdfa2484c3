"""Every public name has a docstring: the API reference is generated from them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import tinygrad_lite as tl
from tinygrad_lite import functional, nn, optim, testing, viz
from tinygrad_lite.nn import init, utils
from tinygrad_lite.optim import lr_scheduler

MODULES: list[ModuleType] = [tl, functional, nn, init, utils, optim, lr_scheduler, testing, viz, tl.data]


def _public(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", "").startswith("tinygrad_lite")
        ]
    return sorted(names)


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__call__"):
            continue
        if name == "__init__" and value is object.__init__:
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if callable(value) or isinstance(value, property):
            yield name, value


def _undocumented() -> list[str]:
    missing = []
    seen: set[int] = set()
    for module in MODULES:
        for name in _public(module):
            value = getattr(module, name)
            if isinstance(value, ModuleType) or id(value) in seen:
                continue
            seen.add(id(value))
            where = f"{module.__name__}.{name}"
            if not inspect.getdoc(value):
                missing.append(where)
            if inspect.isclass(value):
                for member, attr in _members(value):
                    if member == "__init__":
                        continue  # the class docstring documents the constructor
                    doc = attr.__doc__ if isinstance(attr, property) else inspect.getdoc(attr)
                    if not doc and not _inherits_doc(value, member):
                        missing.append(f"{where}.{member}")
    return missing


def _inherits_doc(cls: type, member: str) -> bool:
    for base in cls.__mro__[1:]:
        attr = vars(base).get(member)
        if attr is not None and getattr(attr, "__doc__", None):
            return True
    return False


def test_every_public_name_has_a_docstring() -> None:
    missing = _undocumented()
    assert not missing, f"{len(missing)} public names have no docstring: {missing}"


def test_no_docstring_uses_restructuredtext_literal_markers() -> None:
    """The reference renders docstrings as Markdown: examples are fenced python blocks, and a
    paragraph ending in "::" would show the two colons literally."""
    import pathlib

    package = pathlib.Path(tl.__file__).parent
    offenders = [
        f"{path.relative_to(package.parent)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.rstrip().endswith("::") and not line.lstrip().startswith("#")
    ]
    assert not offenders, f"docstring paragraphs ending in '::' at {offenders}"
