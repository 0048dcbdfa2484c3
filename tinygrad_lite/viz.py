"""Pictures of the computation graph, the backward pass written out, and the step-through player.

The public names of the drawing layers, in one place (also at the top level, ``tl.draw_graph``):

- `describe_graph` — the graph model (`tinygrad_lite.graph`): nodes, edges, scopes, values
  and gradients as plain data;
- `draw_graph` and the picture formats of `save_graph` — the DOT writer
  (`tinygrad_lite.drawing`), which alone imports the ``graphviz`` package, when needed;
- `explain` — the chain rule of the last backward pass (`tinygrad_lite.chainrule`);
- `animate` and ``save_graph(root, "x.html")`` — the step-through player (`tinygrad_lite.player`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import drawing
from .chainrule import BackwardStep, BackwardTable, explain, trace_backward
from .drawing import INSTALL_HINT, SUPPORTED_FORMATS, draw_graph
from .engine import Tensor
from .graph import GraphDescription, GraphEdge, GraphNode, describe_graph
from .player import Player, animate

__all__ = [
    "BackwardStep",
    "BackwardTable",
    "GraphDescription",
    "GraphEdge",
    "GraphNode",
    "GraphvizNotFoundError",  # noqa: F822  (made on first use, by __getattr__)
    "INSTALL_HINT",
    "Player",
    "SUPPORTED_FORMATS",
    "animate",
    "describe_graph",
    "draw_graph",
    "explain",
    "save_graph",
    "trace_backward",
]


def __getattr__(name: str) -> Any:
    if name == "GraphvizNotFoundError":  # made on first use: it subclasses graphviz.ExecutableNotFound
        return drawing.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def save_graph(root: Tensor, path: str | Path, format: str | None = None, **options: Any) -> Path:
    """Write the graph of ``root`` to ``path`` in the format its suffix names; returns the path.

    ``.svg``, ``.png``, ``.pdf`` and ``.dot`` are the picture of `draw_graph`; ``.html`` is
    the step-through player of `animate` (one self-contained page). ``format`` overrides the
    suffix; missing directories are created; ``options`` go to `draw_graph` (``show_values``,
    ``show_grads``, ``rankdir``, ``max_nodes``, ``collapse_scopes``) or to `animate`.
    Pictures need Graphviz's ``dot`` program: without it the DOT source is written next to
    ``path`` with the suffix ``.dot`` and `GraphvizNotFoundError` says how to install Graphviz:

    ```python
    cost.backward()
    tl.save_graph(cost, "cost_graph.svg")   # PosixPath('cost_graph.svg')
    tl.save_graph(cost, "cost.html")        # the player: open it in a browser
    ```
    """
    path = Path(path)
    if format is None:
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_FORMATS:
            raise ValueError(
                f"save_graph cannot tell the format of {str(path)!r} from its suffix {suffix!r}: "
                f"the supported suffixes are {', '.join(SUPPORTED_FORMATS)} (or pass format=)"
            )
        format = SUPPORTED_FORMATS[suffix]
    elif format not in SUPPORTED_FORMATS.values():
        formats = ", ".join(SUPPORTED_FORMATS.values())
        raise ValueError(f"save_graph: unsupported format {format!r}; the supported formats are {formats}")
    if format == "html":
        return animate(root, **options).save(path)
    return drawing.save_picture(root, path, format, **options)
