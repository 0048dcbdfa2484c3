"""The optional contenders (the ``bench`` extra): PyTorch, HIPS autograd, micrograd.

Each is used when it imports, and reported as missing otherwise; none is required.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any

from .pinning import pin_torch

# contender -> (distribution on PyPI, the module to import so that its submodules are loaded)
PACKAGES = {
    "torch": ("torch", "torch"),
    "autograd": ("autograd", "autograd.numpy"),
    "micrograd": ("micrograd", "micrograd.engine"),
}


def load_optional() -> tuple[dict[str, Any], list[str]]:
    """The importable contenders' top-level modules, and one line per contender for the report."""
    modules: dict[str, Any] = {}
    lines = []
    for name, (distribution, module) in PACKAGES.items():
        try:
            importlib.import_module(module)
        except ImportError:
            lines.append(f"{name}: not installed, left out (pip install -e '.[bench]' adds it)")
            continue
        modules[name] = importlib.import_module(name)
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown version"
        line = f"{name} {version}"
        if name == "torch":
            line += f" ({pin_torch(modules[name])})"
        lines.append(line)
    return modules, lines
