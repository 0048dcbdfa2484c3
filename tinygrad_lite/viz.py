"""Pictures of the computation graph, and the backward pass written out as a table.

- `draw_graph` turns everything a tensor depends on into a ``graphviz.Digraph`` drawn like
  TensorFlow's cost graph: data flows from the inputs at the bottom to the cost at the top,
  variables, constants and ops are three kinds of node, edges carry the tensor shapes and
  name scopes become clusters.
- `save_graph` writes that picture to ``.svg``, ``.png``, ``.pdf`` or ``.dot``.
- `explain` prints the chain rule of the last backward pass, one edge per row.
- `describe_graph` is what `draw_graph` draws, as plain data (nodes, kinds, edges).

Every piece of text that comes from the user (names, scopes, values) goes into the DOT
source through `_text`, which escapes it for Graphviz's HTML-like labels, so no name can
break the file or add attributes.
"""

from __future__ import annotations

import html
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from .engine import Tensor, topological_order
from .shapes import sum_to_shape

__all__ = [
    "BackwardStep",
    "BackwardTable",
    "GraphDescription",
    "GraphEdge",
    "GraphNode",
    "GraphvizNotFoundError",
    "SUPPORTED_FORMATS",
    "describe_graph",
    "draw_graph",
    "explain",
    "save_graph",
]

SUPPORTED_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}
"""File suffix → Graphviz output format, for `save_graph`."""

INSTALL_HINT = (
    "install Graphviz, which provides `dot`: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz` (conda)"
)

_MAX_LABEL_CHARS = 40  # longer names are cut with "…" in the picture

# The look: TensorBoard's ops are ellipses; variables and constants are boxes of their own
# colour; the cost is red. Scope clusters get darker the deeper they are nested.
_STYLE: dict[str, dict[str, str]] = {
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff4cc", "color": "#b8860b"},
    "variable": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#d6eaf8",
        "color": "#1f618d",
        "penwidth": "1.6",
    },
    "constant": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "color": "#999999", "fontsize": "11"},
    "scope": {"shape": "box3d", "style": "filled", "fillcolor": "#e8f6f3", "color": "#117864"},
    "omitted": {"shape": "note", "style": "dashed", "color": "#7f8c8d", "fontcolor": "#555555"},
}
_ROOT_STYLE = {"fillcolor": "#fadbd8", "color": "#c0392b", "penwidth": "2.5"}


def _attribute_text(attributes: dict[str, str]) -> str:
    return " ".join(f'{key}="{value}"' for key, value in attributes.items())


_ATTRIBUTES = {kind: _attribute_text(style) for kind, style in _STYLE.items()}
_ROOT_ATTRIBUTES = {kind: _attribute_text({**style, **_ROOT_STYLE}) for kind, style in _STYLE.items()}
_CLUSTER_FILLS = ("#f7f9f9", "#eef2f3", "#e4eaec", "#dae2e5")
_GRAD_COLOR = "#b03a2e"
_VALUE_COLOR = "#333333"


# ----- what the graph contains ----------------------------------------------------------------


@dataclass(frozen=True)
class GraphNode:
    """One node of the picture.

    ``kind`` is ``"variable"`` (a leaf that requires grad), ``"constant"`` (any other leaf),
    ``"op"`` (a tensor made by an op), ``"scope"`` (a collapsed name scope) or ``"omitted"``
    (stands for the nodes left out by ``max_nodes``). ``title`` is the readable name used in
    the picture and by `explain`: the tensor's ``name``, else the op (``"mul"``, ``"mul_1"``
    ...), ``"variable"``, or a constant's value; the root is called ``"cost"`` unless named.
    """

    id: str
    kind: str
    title: str
    tensor: Tensor | None = field(default=None, repr=False, compare=False)
    scope: str = ""
    is_root: bool = False
    count: int = 1
    """How many tensors the node stands for (1 unless it is a ``scope`` or ``omitted`` node)."""


@dataclass(frozen=True)
class GraphEdge:
    """Data flowing from ``tail`` (an input) to ``head`` (the op using it); ``label`` is its shape."""

    tail: str
    head: str
    label: str = ""


@dataclass
class GraphDescription:
    """The nodes and edges `draw_graph` draws, inputs before outputs."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    left_out: int = 0
    """How many tensors ``max_nodes`` left out of the picture."""

    def node(self, title: str) -> GraphNode:
        """The node with this title (``"w"``, ``"pow"``, ``"25"`` ...); KeyError if there is none."""
        for node in self.nodes:
            if node.title == title:
                return node
        raise KeyError(f"no node titled {title!r}; the titles are {[n.title for n in self.nodes]}")

    def titled_edges(self) -> list[tuple[str, str, str]]:
        """The edges as ``(input title, op title, shape)``, easier to read than node ids."""
        titles = {node.id: node.title for node in self.nodes}
        return [(titles[e.tail], titles[e.head], e.label) for e in self.edges]


def _nearest(root: Tensor, max_nodes: int) -> set[int]:
    """Ids of the ``max_nodes`` tensors nearest ``root``, found breadth first."""
    kept = {id(root)}
    queue = deque([root])
    while queue and len(kept) < max_nodes:
        for parent in queue.popleft().parents:
            if id(parent) not in kept and len(kept) < max_nodes:
                kept.add(id(parent))
                queue.append(parent)
    return kept


def _kind(tensor: Tensor) -> str:
    if tensor._ctx is not None:
        return "op"
    return "variable" if tensor.requires_grad else "constant"


def _titles(order: list[Tensor], root: Tensor) -> dict[int, str]:
    """A readable title per tensor, unique for ops and variables (TensorFlow style: mul, mul_1)."""
    used: dict[str, int] = {}
    titles: dict[int, str] = {}
    for tensor in order:
        kind = _kind(tensor)
        if tensor.name:  # an empty name reads as no name
            base = str(tensor.name)
        elif tensor is root and kind == "op":
            base = "cost"
        elif kind == "op":
            base = str(tensor.op)
        elif kind == "variable":
            base = "variable"
        elif tensor.data.size == 1 and tensor.data.ndim == 0:
            titles[id(tensor)] = _number(tensor.data.item())  # a constant is its value
            continue
        else:
            base = "constant"
        count = used.get(base, 0)
        used[base] = count + 1
        titles[id(tensor)] = base if count == 0 else f"{base}_{count}"
    return titles


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _collapsed_scope(scope: str, collapse: list[str]) -> str | None:
    for name in collapse:
        if scope == name or scope.startswith(name + "/"):
            return name
    return None


def describe_graph(
    root: Tensor, max_nodes: int | None = None, collapse_scopes: bool | Iterable[str] = False
) -> GraphDescription:
    """The nodes (with their kinds and titles) and edges that `draw_graph` would draw.

    ``max_nodes`` keeps only the tensors nearest the root (breadth first) and adds one
    ``"omitted"`` node feeding the kept tensors whose inputs were left out.
    ``collapse_scopes`` draws a name scope as one ``"scope"`` node: ``True`` for every
    top-level scope, or a list of scopes such as ``["net/layer1"]``::

        w = tl.tensor(0.0, requires_grad=True, name="w")
        graph = describe_graph(w**2 - 10*w + 25)
        graph.node("w").kind          # 'variable'
        graph.titled_edges()[0]       # ('w', 'pow', '')
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"describe_graph needs a Tensor, got {type(root).__name__}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    order = topological_order(root, grad_only=False)
    titles = _titles(order, root)  # from the whole graph, so a node keeps its title when others are left out
    left_out = 0
    if max_nodes is not None and len(order) > max_nodes:
        kept = _nearest(root, max_nodes)
        left_out = len(order) - len(kept)
        order = [tensor for tensor in order if id(tensor) in kept]

    scopes_present = {t.scope for t in order if t.scope}
    if collapse_scopes is True:
        collapse = sorted({s.split("/")[0] for s in scopes_present})
    elif collapse_scopes is False or collapse_scopes is None:
        collapse = []
    else:
        collapse = [collapse_scopes] if isinstance(collapse_scopes, str) else list(collapse_scopes)
        prefixes = {"/".join(s.split("/")[: i + 1]) for s in scopes_present for i in range(s.count("/") + 1)}
        unknown = [s for s in collapse if s not in prefixes]
        if unknown:
            raise ValueError(
                f"collapse_scopes names scopes not in the graph: {unknown}; its scopes are {sorted(prefixes)}"
            )

    nodes: list[GraphNode] = []
    node_of: dict[int, str] = {}  # id(tensor) -> DOT node id
    scope_nodes: dict[str, int] = {}  # collapsed scope -> index into nodes
    for index, tensor in enumerate(order):
        group = _collapsed_scope(tensor.scope, collapse) if collapse else None
        if group is None:
            node_of[id(tensor)] = f"n{index}"
            nodes.append(
                GraphNode(f"n{index}", _kind(tensor), titles[id(tensor)], tensor, tensor.scope, tensor is root)
            )
            continue
        if group not in scope_nodes:
            scope_nodes[group] = len(nodes)
            outer, _, last = group.rpartition("/")
            nodes.append(GraphNode(f"s{len(scope_nodes) - 1}", "scope", last, None, outer, False, 0))
        position = scope_nodes[group]
        grouped = nodes[position]
        is_root = grouped.is_root or tensor is root
        nodes[position] = GraphNode(grouped.id, "scope", grouped.title, None, grouped.scope, is_root, grouped.count + 1)
        node_of[id(tensor)] = grouped.id

    scope_ids = {nodes[position].id for position in scope_nodes.values()}
    edges: list[GraphEdge] = []
    seen_edges: set[tuple[str, str, str]] = set()
    fed_by_omitted: dict[str, None] = {}  # an ordered set
    for tensor in order:
        head = node_of[id(tensor)]
        missing_input = False
        for parent in tensor.parents:
            tail = node_of.get(id(parent))
            if tail is None:
                missing_input = True
                continue
            label = _shape_text(parent.shape) if parent.ndim else ""
            if tail == head:
                continue  # inside a collapsed scope
            if head in scope_ids or tail in scope_ids:  # a collapsed scope: one edge per kind of flow
                if (tail, head, label) in seen_edges:
                    continue
                seen_edges.add((tail, head, label))
            edges.append(GraphEdge(tail, head, label))
        if missing_input:
            fed_by_omitted[head] = None
    if left_out:
        nodes.insert(0, GraphNode("omitted", "omitted", f"{left_out:,} more nodes", None, "", False, left_out))
        edges.extend(GraphEdge("omitted", head) for head in fed_by_omitted)
    return GraphDescription(nodes, edges, left_out)


# ----- text that is safe inside the DOT source -------------------------------------------------


def _text(value: object, limit: int = _MAX_LABEL_CHARS) -> str:
    """``value`` as text for an HTML-like Graphviz label: escaped, one line, at most ``limit`` characters.

    Characters that are not printable (newlines, tabs, control and format characters,
    unassigned code points) are shown as Python escapes (``\\n``, ``\\x00``), which also keeps
    them out of the XML that Graphviz parses labels with.
    """
    text = str(value)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False).replace('"', "&quot;")


def _bold(value: object) -> str:
    # Graphviz rejects an empty <B></B>, and a scope path like "a//b" has an empty part
    return f"<B>{_text(value) or '(no name)'}</B>"


def _number(x: Any, digits: int = 6) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return f"{complex(x):.{digits}g}"
    value = float(x)
    return "0" if value == 0 else f"{value:.{digits}g}"


def _summary(array: np.ndarray) -> str:
    """A scalar's value; for an array its shape and a few numbers, never thousands."""
    if array.ndim == 0:
        return _number(array.item())
    shape = _shape_text(array.shape)
    if array.size == 0:
        return f"{shape} (empty)"
    if array.size <= 4:
        return f"{shape} [{', '.join(_number(v, 4) for v in array.ravel().tolist())}]"
    numeric = array.astype(np.float64) if array.dtype.kind in "bui" else array
    # the ufuncs' reduce directly: ndarray.mean's Python wrapper is slow on many small arrays
    mean = np.add.reduce(numeric, axis=None) / numeric.size
    low, high = np.minimum.reduce(numeric, axis=None), np.maximum.reduce(numeric, axis=None)
    return f"{shape}, mean {_number(mean, 3)} in [{_number(low, 3)}, {_number(high, 3)}]"


# ----- the picture ------------------------------------------------------------------------------


def _label(node: GraphNode, show_values: bool, show_grads: bool) -> str:
    lines: list[str] = []
    tensor = node.tensor
    if node.kind == "scope":
        lines.append(_bold(node.title))
        lines.append(f'<FONT POINT-SIZE="10">{node.count} tensor{"" if node.count == 1 else "s"}</FONT>')
    elif node.kind == "omitted":
        lines.append(f"{_text(node.title)}<BR/>left out (max_nodes)")
    elif tensor is not None:
        is_scalar_constant = node.kind == "constant" and tensor.ndim == 0 and not tensor.name
        lines.append(_text(node.title) if is_scalar_constant else _bold(node.title))
        if node.kind == "op" and node.title != tensor.op and not node.title.startswith(f"{tensor.op}_"):
            lines.append(f"<I>{_text(tensor.op)}</I>")
        small = '<FONT POINT-SIZE="10" COLOR="{}">{}</FONT>'
        if show_values and not is_scalar_constant:
            lines.append(small.format(_VALUE_COLOR, "value " + _text(_summary(tensor.data), 80)))
        elif not show_values and tensor.ndim:
            lines.append(small.format(_VALUE_COLOR, _text(_shape_text(tensor.shape))))
        if show_grads and tensor.grad is not None:
            lines.append(small.format(_GRAD_COLOR, "grad " + _text(_summary(tensor.grad), 80)))
    return "<" + "<BR/>".join(lines) + ">"


def _cluster_tree(nodes: list[GraphNode]) -> tuple[dict[str, list[GraphNode]], dict[str, list[str]]]:
    """Nodes per scope, and the child scopes of each scope ("" is the top level)."""
    members: dict[str, list[GraphNode]] = {"": []}
    children: dict[str, list[str]] = {"": []}
    for node in nodes:
        scope = node.scope
        if scope not in members:
            parts = scope.split("/")
            for depth in range(len(parts)):
                path = "/".join(parts[: depth + 1])
                if path not in members:
                    members[path] = []
                    children[path] = []
                    children["/".join(parts[:depth])].append(path)
        members[scope].append(node)
    return members, children


def draw_graph(
    root: Tensor,
    show_values: bool = True,
    show_grads: bool = True,
    rankdir: str = "BT",
    max_nodes: int | None = None,
    collapse_scopes: bool | Iterable[str] = False,
) -> graphviz.Digraph:
    """Draw everything ``root`` depends on as a ``graphviz.Digraph``, TensorFlow cost-graph style.

    Variables (leaves that require grad) are blue rounded boxes labelled by name, constants
    grey boxes showing their value, ops yellow ellipses labelled by what they do (``pow``,
    ``matmul`` ...); the root, the cost, is red. Edges of non-scalar tensors carry their
    shape (``500×10``); each name scope is a cluster. ``show_values`` / ``show_grads`` put
    each tensor's value / gradient (after ``backward()``) in its node; arrays show their
    shape and a summary. ``rankdir="BT"`` puts the inputs at the bottom. For big graphs,
    ``max_nodes`` keeps the nodes nearest the root and ``collapse_scopes`` draws scopes as
    single nodes (see `describe_graph`).

    The result displays inline in Jupyter and renders with ``.render()`` like any Digraph::

        w = tl.tensor(0.0, requires_grad=True, name="w")
        cost = w**2 - 10*w + 25
        cost.backward()
        tl.draw_graph(cost)                          # in a notebook: the picture
        tl.draw_graph(cost).render("cost", format="svg")
    """
    if rankdir not in ("BT", "TB", "LR", "RL"):
        raise ValueError(f"rankdir must be one of 'BT', 'TB', 'LR', 'RL', got {rankdir!r}")
    graph = describe_graph(root, max_nodes=max_nodes, collapse_scopes=collapse_scopes)
    dot = graphviz.Digraph(
        name="tinygrad_lite",
        graph_attr={
            "rankdir": rankdir,
            "nodesep": "0.3",
            "ranksep": "0.4",
            "fontname": "Helvetica",
            "fontsize": "12",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "12", "margin": "0.12,0.05"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "color": "#566573", "fontcolor": "#566573"},
    )
    if graph.left_out:
        dot.attr(label=f"<the {len(graph.nodes) - 1:,} nodes nearest the root; {graph.left_out:,} left out>")
    members, children = _cluster_tree(graph.nodes)
    cluster_number = {scope: number for number, scope in enumerate(members)}

    # Node and edge lines are written straight into the Digraph's body (its documented list
    # of source lines) rather than through .node()/.edge(): 10,000 nodes take a third of the
    # time. Safe, because the ids and attribute values are ours and every label goes through
    # _text; only the labels are user text.
    def add_nodes(container: graphviz.Digraph, scope: str, depth: int) -> None:
        for node in members[scope]:
            attributes = _ROOT_ATTRIBUTES[node.kind] if node.is_root else _ATTRIBUTES[node.kind]
            container.body.append(f"\t{node.id} [label={_label(node, show_values, show_grads)} {attributes}]\n")
        for child in children[scope]:
            with container.subgraph(name=f"cluster_{cluster_number[child]}") as cluster:
                cluster.attr(
                    label=f"<{_bold(child.rpartition('/')[2])}>",
                    labeljust="l",
                    labelloc="b" if rankdir == "BT" else "t",  # the scope's name at the top of its box
                    style="rounded,filled",
                    fillcolor=_CLUSTER_FILLS[min(depth, len(_CLUSTER_FILLS) - 1)],
                    color="#95a5a6",
                )
                add_nodes(cluster, child, depth + 1)

    add_nodes(dot, "", 0)
    for edge in graph.edges:
        if edge.tail == "omitted":
            dot.body.append(f'\t{edge.tail} -> {edge.head} [style=dashed color="#95a5a6"]\n')
        elif edge.label:
            dot.body.append(f'\t{edge.tail} -> {edge.head} [label=" {edge.label} "]\n')
        else:
            dot.body.append(f"\t{edge.tail} -> {edge.head}\n")
    return dot


# ----- files --------------------------------------------------------------------------------------


class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz ships no types
    """Graphviz's ``dot`` program is missing, so no picture could be made; the DOT source was saved.

    A subclass of ``graphviz.ExecutableNotFound`` (a RuntimeError); ``dot_path`` is the ``.dot``
    file written instead of ``target``.
    """

    def __init__(self, target: Path, dot_path: Path, format: str) -> None:
        RuntimeError.__init__(
            self,
            f"cannot write {target}: Graphviz's `dot` program was not found on PATH. The graph's DOT "
            f"source was written to {dot_path} instead. To render pictures, {INSTALL_HINT}; then "
            f"`dot -T{format} {dot_path} -o {target}` makes the picture.",
        )
        self.target = target
        self.dot_path = dot_path


def save_graph(root: Tensor, path: str | Path, format: str | None = None, **options: Any) -> Path:
    """Write the graph of ``root`` (as `draw_graph` draws it) to ``path``; returns the path.

    The format comes from the suffix (``.svg``, ``.png``, ``.pdf``, ``.dot``) unless ``format``
    names it; missing directories are created. ``options`` go to `draw_graph`
    (``show_values``, ``show_grads``, ``rankdir``, ``max_nodes``, ``collapse_scopes``).
    Pictures need Graphviz's ``dot`` program: without it the DOT source is written next to
    ``path`` with the suffix ``.dot`` and `GraphvizNotFoundError` says how to install Graphviz::

        cost.backward()
        tl.save_graph(cost, "cost_graph.svg")   # PosixPath('cost_graph.svg')
    """
    path = Path(path)
    supported = ", ".join(SUPPORTED_FORMATS)
    if format is None:
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_FORMATS:
            raise ValueError(
                f"save_graph cannot tell the format of {str(path)!r} from its suffix {suffix!r}: "
                f"the supported suffixes are {supported} (or pass format=)"
            )
        format = SUPPORTED_FORMATS[suffix]
    elif format not in SUPPORTED_FORMATS.values():
        formats = ", ".join(SUPPORTED_FORMATS.values())
        raise ValueError(f"save_graph: unsupported format {format!r}; the supported formats are {formats}")
    source = draw_graph(root, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "dot":
        path.write_text(source.source, encoding="utf-8")
        return path
    try:
        picture = source.pipe(format=format)
    except graphviz.ExecutableNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(source.source, encoding="utf-8")
        raise GraphvizNotFoundError(path, dot_path, format) from None
    path.write_bytes(picture)
    return path


# ----- the chain rule, written out ---------------------------------------------------------------


@dataclass(frozen=True)
class BackwardStep:
    """One edge of the backward pass: ``contribution`` is what ``node``'s backward sent to ``input``.

    ``upstream`` is d root / d node (the node's ``.grad``), ``local`` is d node / d input (for
    arrays: d sum(node) / d input, the backward of a gradient of ones), and for scalars
    ``contribution = upstream * local``.
    """

    node: str
    input: str
    upstream: np.ndarray
    local: np.ndarray
    contribution: np.ndarray


class BackwardTable(str):
    """The text of `explain`'s table (a ``str``) with the numbers behind it in ``.rows``."""

    rows: list[BackwardStep]

    def __new__(cls, text: str, rows: list[BackwardStep]) -> BackwardTable:
        table = super().__new__(cls, text)
        table.rows = rows
        return table

    def __repr__(self) -> str:  # shown as the table, not as one long quoted line
        return str(self)


def _input_gradients(node: Tensor, grad: np.ndarray) -> Iterator[tuple[Tensor, np.ndarray]]:
    """Run ``node``'s backward on ``grad`` and yield (input, gradient) as `run_backward` would add them."""
    ctx = node._ctx
    assert ctx is not None
    grads = ctx.backward(ctx, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(ctx.parents):
        raise RuntimeError(f"{ctx.name}.backward returned {len(grads)} gradients for {len(ctx.parents)} inputs")
    for parent, parent_grad, needed in zip(ctx.parents, grads, ctx.needs_input_grad):
        if not needed or parent_grad is None:
            continue
        parent_grad = np.asarray(parent_grad)
        if parent_grad.shape != parent.data.shape:
            parent_grad = sum_to_shape(parent_grad, parent.data.shape)
        yield parent, parent_grad.astype(parent.data.dtype, copy=False)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.rjust(width) if i in (0, 3, 4, 5) else cell.ljust(width)  # numbers to the right
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def explain(root: Tensor, quiet: bool = False) -> BackwardTable:
    """The chain rule of the backward pass from ``root``, one row per edge, in the order it ran.

    For each op (latest first) and each input that gets a gradient: the upstream gradient
    d root / d node (the node's ``.grad``), the local derivative d node / d input and their
    product, the contribution that flows into the input; then each variable's gradient as the
    sum of its contributions. Printed unless ``quiet``; returned as a `BackwardTable` (a ``str``
    whose ``.rows`` hold the arrays). The numbers are recomputed from the ``.grad`` fields, so
    after several ``backward()`` calls on one graph they show the accumulated gradients; call
    it before updating parameters in place. Arrays are shown as shape and summary::

        w = tl.tensor(0.0, requires_grad=True, name="w")
        cost = w**2 - 10*w + 25
        cost.backward()
        tl.explain(cost)    # ... mul -> w: upstream -1, local 10, contribution -10 ...
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"explain needs a Tensor, got {type(root).__name__}")
    if root.grad is None:
        raise RuntimeError(
            "explain() writes out a backward pass, but none has run from this tensor (its .grad is None): "
            "call .backward() on it first"
        )
    titles = _titles(topological_order(root, grad_only=False), root)

    def called(tensor: Tensor) -> str:
        title = titles[id(tensor)]
        op = tensor.op
        if op is None or title == op or title.startswith(f"{op}_"):
            return title
        return f"{title} ({op})"

    steps: list[BackwardStep] = []
    received: dict[int, list[int]] = {}  # id(input) -> the steps that sent it a gradient
    variables: list[Tensor] = []
    for node in reversed(topological_order(root)):
        if node._ctx is None:
            if node.grad is not None:
                variables.append(node)
            continue
        if node.grad is None:  # no gradient reached this op
            continue
        local = {id(p): g for p, g in _input_gradients(node, np.ones_like(node.grad))}
        for parent, contribution in _input_gradients(node, node.grad):
            upstream = np.asarray(node.grad)
            steps.append(BackwardStep(called(node), called(parent), upstream, local[id(parent)], contribution))
            received.setdefault(id(parent), []).append(len(steps))

    root_title = titles[id(root)]
    lines = [
        f"backward pass from {called(root)}, in the order it ran "
        f"(d{root_title}/d{root_title} = {_summary(root.grad)}):",
        "  upstream = d root / d node (the node's .grad), local = d node / d input "
        "(for arrays: d sum(node) / d input),",
        "  contribution = what the node sends to the input (= upstream × local for scalars)",
        "",
    ]
    if steps:
        header = ["step", "node", "-> input", "upstream", "local", "contribution"]
        cells = [
            [str(i), s.node, s.input, _summary(s.upstream), _summary(s.local), _summary(s.contribution)]
            for i, s in enumerate(steps, 1)
        ]
        lines += _table(header, cells)
    else:
        lines.append("(no op lies between the root and a variable)")
    if variables:
        lines += ["", "each variable's gradient is the sum of what it received:"]
        for variable in variables:
            numbers = received.get(id(variable), [])
            parts = [steps[n - 1].contribution for n in numbers]
            grad = variable.grad
            assert grad is not None
            sources = " + ".join(f"step {n}" for n in numbers) or "nothing"
            if grad.ndim == 0 and parts:
                values = " + ".join(f"({_number(p.item())})" if p.item() < 0 else _number(p.item()) for p in parts)
                line = f"  {called(variable)}.grad = {sources} = {values}"
                if len(parts) > 1:
                    line += f" = {_summary(grad)}"
            else:
                line = f"  {called(variable)}.grad = {sources} = {_summary(grad)}"
            total = sum(parts[1:], parts[0]) if parts else np.zeros_like(grad)
            if not np.allclose(total, grad, equal_nan=True):
                line += "   (its .grad also holds gradients from other backward passes)"
            lines.append(line)
    table = BackwardTable("\n".join(lines), steps)
    if not quiet:
        print(table, file=sys.stdout)
    return table
