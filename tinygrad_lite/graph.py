"""The graph model: what a picture of ``root``'s computation contains, as plain data.

`describe_graph` is the one place that turns a root into nodes (with their kinds, titles,
values and gradients), edges (with shapes and operand positions), scopes and cluster
titles. The DOT writer (`tinygrad_lite.drawing`), the step-through player
(`tinygrad_lite.player`) and the tests all read this model; none of it needs Graphviz.

It also holds the one rule for showing numbers (`summary`): a scalar is its value, a tiny
array its entries in nested brackets, a larger array its shape, mean and range.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import Tensor, topological_order

__all__ = [
    "COMMUTATIVE_OPS",
    "GraphDescription",
    "GraphEdge",
    "GraphNode",
    "describe_graph",
    "display_name",
    "number",
    "shape_text",
    "summary",
]

SMALL_ARRAY = 4
"""Arrays with at most this many entries are shown whole; larger ones as shape, mean and range."""

COMMUTATIVE_OPS = frozenset({"add", "mul", "maximum", "minimum"})
"""Ops whose inputs may be swapped; every other op with two or more inputs labels its operands."""

OPERAND_NAMES = "abcdefghijklmnopqrstuvwxyz"
"""Operand labels: the first input of ``sub``/``div``/``pow``/``matmul`` is ``a``, the second ``b``."""

_FORMULAS = {"sub": "a − b", "div": "a / b", "pow": "a ** b", "matmul": "a @ b"}


# ----- numbers --------------------------------------------------------------------------------------


def number(x: Any, digits: int = 6) -> str:
    """One number as short text: ``number(0.1 + 0.2)`` is ``'0.3'``, ``number(-0.0)`` is ``'0'``."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return f"{complex(x):.{digits}g}"
    value = float(x)
    return "0" if value == 0 else f"{value:.{digits}g}"


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as ``500×10`` (``()`` for a scalar)."""
    return "×".join(str(n) for n in shape) if shape else "()"


def _nested(values: Any, digits: int) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v, digits) for v in values) + "]"
    return number(values, digits)


def summary(array: np.ndarray) -> str:
    """How a value or gradient is shown everywhere (labels, `explain`, the player).

    A scalar is its number; an array of at most `SMALL_ARRAY` entries is written out with
    NumPy's brackets, so its shape reads off unambiguously; a larger one shows its shape,
    mean and range, never thousands of numbers:

    ```python
    summary(np.array(2.5))                # '2.5'
    summary(np.array([1.0, 2.0]))         # '[1, 2]'
    summary(np.array([[1.0], [2.0]]))     # '[[1], [2]]'
    summary(np.zeros((300, 100)))         # '300×100, mean 0 in [0, 0]'
    ```
    """
    if array.ndim == 0:
        return number(array.item())
    shape = shape_text(array.shape)
    if array.size == 0:
        return f"{shape} (empty)"
    if array.size <= SMALL_ARRAY:
        return _nested(array.tolist(), 4)
    numeric = array.astype(np.float64) if array.dtype.kind in "bui" else array
    # the ufuncs' reduce directly: ndarray.mean's Python wrapper is slow on many small arrays
    mean = np.add.reduce(numeric, axis=None) / numeric.size
    low, high = np.minimum.reduce(numeric, axis=None), np.maximum.reduce(numeric, axis=None)
    return f"{shape}, mean {number(mean, 3)} in [{number(low, 3)}, {number(high, 3)}]"


# ----- what the graph contains ----------------------------------------------------------------


@dataclass(frozen=True)
class GraphNode:
    """One node of the picture.

    ``kind`` is ``"variable"`` (a leaf that requires grad), ``"constant"`` (any other leaf),
    ``"op"`` (a tensor made by an op), ``"scope"`` (a collapsed name scope) or ``"omitted"``
    (stands for the nodes left out by ``max_nodes``). ``title`` is the readable name used in
    the picture, by `explain` and by the player (see `display_name`). ``scope`` is the cluster
    it is drawn in: the tensor's name scope, or for a parameter the cluster of its module.
    ``grad`` is the gradient shown (the tensor's ``.grad`` unless `describe_graph` was given
    ``gradients``).
    """

    id: str
    kind: str
    title: str
    tensor: Tensor | None = field(default=None, repr=False, compare=False)
    scope: str = ""
    is_root: bool = False
    count: int = 1
    """How many tensors the node stands for (1 unless it is a ``scope`` or ``omitted`` node)."""
    grad: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def formula(self) -> str | None:
        """How the op combines its operands when their order matters (``"a − b"``), else None."""
        if self.tensor is None or self.tensor.op is None or len(self.tensor.parents) < 2:
            return None
        return _FORMULAS.get(self.tensor.op)


@dataclass(frozen=True)
class GraphEdge:
    """Data flowing from ``tail`` (an input) to ``head`` (the op using it).

    ``label`` is the shape of a non-scalar tensor; ``operand`` names the input's position
    (``"a"``, ``"b"`` ...) when the op's input order matters (``sub``, ``div``, ``pow``,
    ``matmul``, ``where`` ...), else ``""``.
    """

    tail: str
    head: str
    label: str = ""
    operand: str = ""


@dataclass
class GraphDescription:
    """The nodes and edges `draw_graph` draws, inputs before outputs, and each cluster's title."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    left_out: int = 0
    """How many tensors ``max_nodes`` left out of the picture."""
    cluster_titles: dict[str, str] = field(default_factory=dict)
    """Scope path (``"net/layer1"``) → the title of its cluster: the module path (``"fc1"``,
    ``"encoder.0"``) for a module's scope, else the scope's last part (``"layer1"``)."""

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


def kind(tensor: Tensor) -> str:
    """``"op"``, ``"variable"`` (a leaf that requires grad) or ``"constant"``."""
    if tensor._ctx is not None:
        return "op"
    return "variable" if tensor.requires_grad else "constant"


def display_name(tensor: Tensor) -> str | None:
    """The name a tensor is shown by: its ``name`` if the user gave one, else its place in a
    model (``"fc1.weight"``, set by `nn.Module`), else None."""
    if tensor.name:  # an empty name reads as no name
        return str(tensor.name)
    path = getattr(tensor, "_model_path", None)
    return str(path) if path else None


def titles(order: list[Tensor], root: Tensor) -> dict[int, str]:
    """A readable title per tensor, unique for ops and variables (TensorFlow style: mul, mul_1).

    A named tensor is titled by its name (`display_name`); an unnamed root is ``"cost"``,
    other ops by what they do, variables ``"variable"``, a scalar constant by its value.
    """
    used: dict[str, int] = {}
    result: dict[int, str] = {}
    for tensor in order:
        what = kind(tensor)
        name = display_name(tensor)
        if name is not None:
            base = name
        elif tensor is root and what == "op":
            base = "cost"
        elif what == "op":
            base = str(tensor.op)
        elif what == "variable":
            base = "variable"
        elif tensor.data.size == 1 and tensor.data.ndim == 0:
            result[id(tensor)] = number(tensor.data.item())  # a constant is its value
            continue
        else:
            base = "constant"
        count = used.get(base, 0)
        used[base] = count + 1
        result[id(tensor)] = base if count == 0 else f"{base}_{count}"
    return result


def _collapsed_scope(scope: str, collapse: list[str]) -> str | None:
    for name in collapse:
        if scope == name or scope.startswith(name + "/"):
            return name
    return None


def _module_scope(tensor: Tensor, consumer_scopes: list[str]) -> tuple[str, str] | None:
    """(scope, module path) of the cluster a model parameter is drawn in, or None.

    A parameter ``"fc1.weight"`` belongs to module ``"fc1"``. Its cluster is the scope of the
    ops that use it when that scope ends with the module path (so a model called inside
    ``name_scope("net")`` keeps its weights in ``"net/fc1"``), else the module path itself
    with ``/`` between levels.
    """
    path = getattr(tensor, "_model_path", None)
    if tensor._ctx is not None or not path or "." not in str(path):
        return None
    module = str(path).rpartition(".")[0]
    wanted = module.replace("/", ".").split(".")
    for scope in consumer_scopes:
        parts = scope.split("/")
        flat = [piece for part in parts for piece in part.split(".")]
        if flat[-len(wanted) :] == wanted and len(flat) >= len(wanted):
            return scope, module
    return module.replace(".", "/"), module


def describe_graph(
    root: Tensor,
    max_nodes: int | None = None,
    collapse_scopes: bool | Iterable[str] = False,
    gradients: Mapping[int, np.ndarray] | None = None,
) -> GraphDescription:
    """The nodes (with their kinds and titles) and edges that `draw_graph` would draw.

    ``max_nodes`` keeps only the tensors nearest the root (breadth first) and adds one
    ``"omitted"`` node feeding the kept tensors whose inputs were left out.
    ``collapse_scopes`` draws a name scope as one ``"scope"`` node: ``True`` for every
    top-level scope, or a list of scopes such as ``["net/layer1"]``. ``gradients`` maps
    ``id(tensor)`` to the gradient to show instead of the tensors' ``.grad`` (the player
    passes the gradients it computed):

    ```python
    w = tl.tensor(0.0, requires_grad=True, name="w")
    graph = describe_graph(w**2 - 10*w + 25)
    graph.node("w").kind          # 'variable'
    graph.titled_edges()[0]       # ('w', 'pow', '')
    ```
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"describe_graph needs a Tensor, got {type(root).__name__}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    order = topological_order(root, grad_only=False)
    title_of = titles(order, root)  # from the whole graph, so a node keeps its title when others are left out
    left_out = 0
    if max_nodes is not None and len(order) > max_nodes:
        kept = _nearest(root, max_nodes)
        left_out = len(order) - len(kept)
        order = [tensor for tensor in order if id(tensor) in kept]

    # where each tensor is drawn: its scope, or for a model parameter its module's cluster
    consumer_scopes: dict[int, list[str]] = {}
    for tensor in order:
        for parent in tensor.parents:
            consumer_scopes.setdefault(id(parent), []).append(tensor.scope)
    scope_of: dict[int, str] = {}
    cluster_titles: dict[str, str] = {}
    for tensor in order:
        placed = _module_scope(tensor, consumer_scopes.get(id(tensor), []))
        if placed is None:
            scope_of[id(tensor)] = tensor.scope
        else:
            scope_of[id(tensor)] = placed[0]
            cluster_titles[placed[0]] = placed[1]

    scopes_present = {s for s in scope_of.values() if s}
    prefixes = {"/".join(s.split("/")[: i + 1]) for s in scopes_present for i in range(s.count("/") + 1)}
    for scope in prefixes:
        cluster_titles.setdefault(scope, scope.rpartition("/")[2])
    if collapse_scopes is True:
        collapse = sorted({s.split("/")[0] for s in scopes_present})
    elif collapse_scopes is False or collapse_scopes is None:
        collapse = []
    else:
        collapse = [collapse_scopes] if isinstance(collapse_scopes, str) else list(collapse_scopes)
        unknown = [s for s in collapse if s not in prefixes]
        if unknown:
            raise ValueError(
                f"collapse_scopes names scopes not in the graph: {unknown}; its scopes are {sorted(prefixes)}"
            )

    nodes: list[GraphNode] = []
    node_of: dict[int, str] = {}  # id(tensor) -> DOT node id
    scope_nodes: dict[str, int] = {}  # collapsed scope -> index into nodes
    for index, tensor in enumerate(order):
        scope = scope_of[id(tensor)]
        group = _collapsed_scope(scope, collapse) if collapse else None
        if group is None:
            node_of[id(tensor)] = f"n{index}"
            grad = tensor.grad if gradients is None else gradients.get(id(tensor))
            nodes.append(
                GraphNode(f"n{index}", kind(tensor), title_of[id(tensor)], tensor, scope, tensor is root, 1, grad)
            )
            continue
        if group not in scope_nodes:
            scope_nodes[group] = len(nodes)
            outer = group.rpartition("/")[0]
            nodes.append(GraphNode(f"s{len(scope_nodes) - 1}", "scope", cluster_titles[group], None, outer, False, 0))
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
        parents = tensor.parents
        ordered = len(parents) >= 2 and tensor.op not in COMMUTATIVE_OPS
        for position, parent in enumerate(parents):
            tail = node_of.get(id(parent))
            if tail is None:
                missing_input = True
                continue
            label = shape_text(parent.shape) if parent.ndim else ""
            if tail == head:
                continue  # inside a collapsed scope
            if head in scope_ids or tail in scope_ids:  # a collapsed scope: one edge per kind of flow
                if (tail, head, label) in seen_edges:
                    continue
                seen_edges.add((tail, head, label))
                edges.append(GraphEdge(tail, head, label))
                continue
            operand = OPERAND_NAMES[position] if ordered and position < len(OPERAND_NAMES) else ""
            edges.append(GraphEdge(tail, head, label, operand))
        if missing_input:
            fed_by_omitted[head] = None
    if left_out:
        nodes.insert(0, GraphNode("omitted", "omitted", f"{left_out:,} more nodes", None, "", False, left_out))
        edges.extend(GraphEdge("omitted", head) for head in fed_by_omitted)
    used_clusters = {
        "/".join(n.scope.split("/")[: i + 1]) for n in nodes if n.scope for i in range(n.scope.count("/") + 1)
    }
    return GraphDescription(
        nodes, edges, left_out, {s: t for s, t in cluster_titles.items() if s in used_clusters}
    )
