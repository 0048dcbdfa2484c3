"""Watch backprop happen: a step-through player of the forward and backward pass.

`animate` lays out the same picture as `draw_graph` (the graph model of
`tinygrad_lite.graph`, drawn by Graphviz) and writes one HTML page around it that plays the
computation step by step: first the forward pass, one op per step in the order the ops ran;
then the backward pass in the order ``backward()`` runs it, one edge per step, with the
rows of `explain` (upstream × local = contribution) and each tensor's gradient as the
running sum of what it has received. The page is self-contained: the SVG, the script and
the styles are inline and it makes no network request, so it works from ``file://`` and in
a notebook.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from .chainrule import called_by, trace_backward
from .drawing import GRAD_COLOR, VALUE_COLOR, cluster_names, dot_source, render_svg
from .engine import Tensor, topological_order
from .graph import GraphDescription, describe_graph, shape_text, summary

__all__ = ["COLLAPSE_ABOVE", "Player", "animate"]

COLLAPSE_ABOVE = 300
"""Graphs with more nodes than this open with every name-scope cluster collapsed."""


class Player:
    """The step-through page of one root: ``.html`` is the page, ``.save(path)`` writes it.

    Displays inline in Jupyter (`_repr_html_`, the page in an ``<iframe>``). ``.steps`` is the
    number of steps after step 0: the forward ops, then the backward edges. Made by `animate`.
    """

    def __init__(self, html_text: str, steps: int, title: str) -> None:
        self.html = html_text
        self.steps = steps
        self.title = title

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8, one file, works offline); returns the path.

        ``tl.animate(cost).save("cost.html")`` then open ``cost.html`` in a browser.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """The page inside an ``<iframe srcdoc=...>``, so its script and styles stay its own."""
        height = 640
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
            f'style="width: 100%; height: {height}px; border: 1px solid #ddd; border-radius: 4px"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<tinygrad_lite player of {self.title!r}: {self.steps} steps; .save(path) writes the page>"


def _svg_body(svg: str) -> str:
    """The ``<svg>`` element of Graphviz's output, without the XML prolog, doctype and comments."""
    start = svg.index("<svg")
    return re.sub(r"<!--.*?-->\n?", "", svg[start:], flags=re.S)


def _names_in(graph: GraphDescription) -> dict[str, list[str]]:
    """Cluster name → the ids of every node drawn inside it (nested clusters included)."""
    names = cluster_names(graph)
    members: dict[str, list[str]] = {name: [] for name in names.values()}
    for node in graph.nodes:
        parts = node.scope.split("/") if node.scope else []
        for depth in range(len(parts)):
            members[names["/".join(parts[: depth + 1])]].append(node.id)
    return members


def animate(
    root: Tensor,
    rankdir: str = "BT",
    collapse_scopes: bool | None = None,
) -> Player:
    """A step-through player of ``root``'s forward and backward pass, as a `Player`.

    Step 0 shows the graph with only the leaves' values; each forward step computes one op
    (its value appears); each backward step follows one edge of the backward pass in the
    order ``backward()`` runs it: node → input, upstream × local = contribution, and the
    input's gradient so far. The gradients are computed on the side (a seed of ones at
    ``root``), so it works whether or not ``backward()`` has run and changes no ``.grad``.
    Buttons, a slider, the arrow keys (Home/End for first/last, space to play) step through
    it; hovering or clicking a node shows its value and gradient; clicking a name-scope
    cluster collapses or expands it. ``collapse_scopes`` starts with the clusters collapsed
    (default: when the graph has more than `COLLAPSE_ABOVE` nodes). Needs Graphviz's ``dot``:

    ```python
    w = tl.tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10*w + 25
    tl.animate(cost)                  # in Jupyter: the player, inline
    tl.animate(cost).save("cost.html")
    ```
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"animate needs a Tensor, got {type(root).__name__}")
    edges, gradients = trace_backward(root)
    graph = describe_graph(root, gradients=gradients)
    order = topological_order(root, grad_only=False)
    name_of = called_by(order, root)
    node_id = {id(node.tensor): node.id for node in graph.nodes if node.tensor is not None}

    # the steps, and for each node when its value appears and how its gradient grows
    computed: dict[str, int] = {}
    grads: dict[str, list[tuple[int, str]]] = {node.id: [] for node in graph.nodes}
    steps: list[dict[str, Any]] = []
    for tensor in order:
        if tensor._ctx is None:
            continue
        inputs = ", ".join(name_of[id(parent)] for parent in tensor.parents)
        steps.append(
            {
                "k": "f",
                "n": node_id[id(tensor)],
                "t": f"{name_of[id(tensor)]} = {tensor.op}({inputs})",
                "v": summary(tensor.data),
            }
        )
        computed[node_id[id(tensor)]] = len(steps)
    forward_steps = len(steps)
    if edges:
        grads[node_id[id(root)]].append((forward_steps + 1, summary(np.ones_like(root.data))))
    for edge in edges:
        steps.append(
            {
                "k": "b",
                "n": node_id[id(edge.node)],
                "i": node_id[id(edge.input)],
                "t": f"{name_of[id(edge.node)]} → {name_of[id(edge.input)]}",
                "u": summary(edge.upstream),
                "l": summary(edge.local),
                "c": summary(edge.contribution),
                "g": summary(edge.total),
                "ig": name_of[id(edge.input)],
            }
        )
        grads[node_id[id(edge.input)]].append((len(steps), summary(edge.total)))

    nodes = {
        node.id: {
            "name": name_of[id(node.tensor)] if node.tensor is not None else node.title,
            "kind": node.kind,
            "shape": shape_text(node.tensor.shape) if node.tensor is not None else "",
            "value": summary(node.tensor.data) if node.tensor is not None else "",
            "c": computed.get(node.id, 0),
            "g": grads[node.id],
            "var": node.kind == "variable",
        }
        for node in graph.nodes
    }
    clusters = _names_in(graph)
    names = cluster_names(graph)
    titles = {names[scope]: graph.cluster_titles.get(scope, scope.rpartition("/")[2]) for scope in names}
    parents = {names[scope]: names.get(scope.rpartition("/")[0]) for scope in names}
    if collapse_scopes is None:
        collapse_scopes = len(graph.nodes) > COLLAPSE_ABOVE
    svg = _svg_body(render_svg(dot_source(graph, rankdir=rankdir), target="player.html"))
    title = name_of[id(root)]
    data = {
        "title": title,
        "root": next(node.title for node in graph.nodes if node.is_root),
        "forward": forward_steps,
        "steps": steps,
        "nodes": nodes,
        "clusters": {
            name: {"title": titles[name], "members": members, "parent": parents[name]}
            for name, members in clusters.items()
        },
        "collapsed": bool(collapse_scopes),
        "valueColor": VALUE_COLOR,
        "gradColor": GRAD_COLOR,
    }
    return Player(_page(title, svg, data), len(steps), title)


def _page(title: str, svg: str, data: dict[str, Any]) -> str:
    # "</" cannot end the script early once written as "<\/"; JSON reads it back as "</"
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return _TEMPLATE.format(
        title=html.escape(title), svg=svg, data=payload, style=_STYLE, script=_SCRIPT, policy=_POLICY
    )


# The page may load nothing: no script, style, image, font or connection from anywhere.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>backprop of {title} · tinygrad_lite</title>
<style>{style}</style>
</head>
<body>
<div id="player" tabindex="0">
<div id="bar">
<button id="first" title="first step (Home)">« first</button>
<button id="prev" title="previous step (←)">‹ prev</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="next" title="next step (→)">next ›</button>
<button id="last" title="last step (End)">last »</button>
<input id="slider" type="range" min="0" value="0" aria-label="step">
<span id="counter"></span>
</div>
<div id="main">
<div id="picture">{svg}</div>
<div id="side">
<div id="step"></div>
<div id="inspect"><i>Hover over or click a node to see its value and gradient.</i></div>
<div id="grads"></div>
</div>
</div>
</div>
<script type="application/json" id="data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_ASSETS = Path(__file__).resolve().parent
_STYLE = (_ASSETS / "player.css").read_text(encoding="utf-8")  # inlined into every page
_SCRIPT = (_ASSETS / "player.js").read_text(encoding="utf-8")
