"""Pictures of the graph model: DOT source, ``graphviz.Digraph`` objects and picture files.

- `dot_source` writes a `GraphDescription` as DOT text (no Graphviz needed for that);
- `draw_graph` wraps that text in a ``graphviz.Digraph`` (displays inline in Jupyter);
- `save_picture` writes ``.svg``, ``.png``, ``.pdf`` or ``.dot`` (`tl.save_graph` calls it);
- `render_svg` lays DOT text out as SVG (for the step-through player).

The ``graphviz`` Python package is imported here only, and only when a Digraph or a
picture is asked for, so ``import tinygrad_lite`` and the whole engine work without it.

Every piece of text that comes from the user (names, scopes, values) goes into the DOT
source through `_text`, which escapes it for Graphviz's HTML-like labels, so no name can
break the file or add attributes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .engine import Tensor
from .graph import GraphDescription, GraphNode, describe_graph, shape_text, summary

__all__ = [
    "INSTALL_HINT",
    "SUPPORTED_FORMATS",
    "GraphvizNotFoundError",  # noqa: F822  (made on first use, by __getattr__)
    "dot_source",
    "draw_graph",
    "cluster_names",
    "render_svg",
    "save_picture",
]

SUPPORTED_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".html": "html"}
"""File suffix → output format, for `save_graph` (``html`` is the step-through player)."""

INSTALL_HINT = (
    "install Graphviz, which provides `dot`: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz` (conda)"
)
PACKAGE_HINT = "pip install graphviz"

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
GRAD_COLOR = "#b03a2e"
"""The colour of gradient lines in labels (the player finds them by it)."""
VALUE_COLOR = "#333333"
"""The colour of value lines in labels."""
# ordering="in": each op's inputs are placed left to right in the order it takes them (a - b)
_GRAPH_ATTRIBUTES = {"ordering": "in", "nodesep": "0.3", "ranksep": "0.4", "fontname": "Helvetica", "fontsize": "12"}
_NODE_ATTRIBUTES = {"fontname": "Helvetica", "fontsize": "12", "margin": "0.12,0.05"}
_EDGE_ATTRIBUTES = {"fontname": "Helvetica", "fontsize": "10", "color": "#566573", "fontcolor": "#566573"}


# ----- the graphviz package, imported when needed ------------------------------------------------


def _graphviz() -> Any:
    """The ``graphviz`` package; a clear ImportError saying how to install it when it is missing."""
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(
            "drawing graphs needs the `graphviz` Python package, which is not installed: "
            f"`{PACKAGE_HINT}` (it comes with `pip install tinygrad-lite`); to render pictures you "
            f"also need Graphviz's `dot` program: {INSTALL_HINT}"
        ) from error
    return graphviz


_not_found_class: type[Exception] | None = None


def _error_class() -> type[Exception]:
    """`GraphvizNotFoundError`, made on first use as a subclass of ``graphviz.ExecutableNotFound``."""
    global _not_found_class
    if _not_found_class is None:
        graphviz = _graphviz()

        class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc,name-defined]
            """Graphviz's ``dot`` program is missing, so no picture could be made; the DOT source was saved.

            A subclass of ``graphviz.ExecutableNotFound`` (a RuntimeError); ``dot_path`` is the ``.dot``
            file written instead of ``target`` (None when nothing was written).
            """

            def __init__(self, target: Path, dot_path: Path | None, format: str) -> None:
                saved = (
                    f" The graph's DOT source was written to {dot_path} instead. To render pictures, "
                    f"{INSTALL_HINT}; then `dot -T{format} {dot_path} -o {target}` makes the picture."
                    if dot_path is not None
                    else f" To render it, {INSTALL_HINT}."
                )
                RuntimeError.__init__(
                    self, f"cannot write {target}: Graphviz's `dot` program was not found on PATH.{saved}"
                )
                self.target = target
                self.dot_path = dot_path

        GraphvizNotFoundError.__module__ = __name__
        _not_found_class = GraphvizNotFoundError
    return _not_found_class


def __getattr__(name: str) -> Any:
    if name == "GraphvizNotFoundError":  # made lazily: it subclasses a class of the graphviz package
        return _error_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        op = tensor.op
        subtitle = [op] if op is not None and node.title != op and not node.title.startswith(f"{op}_") else []
        if node.formula is not None:
            subtitle.append(node.formula)
        if subtitle:
            lines.append(f"<I>{_text(': '.join(subtitle))}</I>")
        small = '<FONT POINT-SIZE="10" COLOR="{}">{}</FONT>'
        if show_values and not is_scalar_constant:
            lines.append(small.format(VALUE_COLOR, "value " + _text(summary(tensor.data), 80)))
        elif not show_values and tensor.ndim:
            lines.append(small.format(VALUE_COLOR, _text(shape_text(tensor.shape))))
        if show_grads and node.grad is not None:
            lines.append(small.format(GRAD_COLOR, "grad " + _text(summary(node.grad), 80)))
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


def cluster_names(graph: GraphDescription) -> dict[str, str]:
    """Scope → the name of its cluster in the DOT source and SVG (``"cluster_1"``)."""
    members, _ = _cluster_tree(graph.nodes)
    return {scope: f"cluster_{number}" for number, scope in enumerate(members) if scope}


def _body(graph: GraphDescription, show_values: bool, show_grads: bool, rankdir: str) -> list[str]:
    """The DOT statements (nodes in nested clusters, then edges) of ``graph``, one per line."""
    members, children = _cluster_tree(graph.nodes)
    cluster_number = {scope: number for number, scope in enumerate(members)}  # must match cluster_names
    lines: list[str] = []
    if graph.left_out:
        lines.append(f"\tlabel=<the {len(graph.nodes) - 1:,} nodes nearest the root; {graph.left_out:,} left out>\n")

    def add_nodes(scope: str, depth: int, indent: str) -> None:
        for node in members[scope]:
            attributes = _ROOT_ATTRIBUTES[node.kind] if node.is_root else _ATTRIBUTES[node.kind]
            lines.append(f"{indent}{node.id} [label={_label(node, show_values, show_grads)} {attributes}]\n")
        for child in children[scope]:
            title = graph.cluster_titles.get(child, child.rpartition("/")[2])
            fill = _CLUSTER_FILLS[min(depth, len(_CLUSTER_FILLS) - 1)]
            lines.append(f"{indent}subgraph cluster_{cluster_number[child]} {{\n")
            lines.append(
                f"{indent}\tlabel=<{_bold(title)}> labeljust=l labelloc={'b' if rankdir == 'BT' else 't'} "
                f'style="rounded,filled" fillcolor="{fill}" color="#95a5a6"\n'
            )
            add_nodes(child, depth + 1, indent + "\t")
            lines.append(f"{indent}}}\n")

    add_nodes("", 0, "\t")
    for edge in graph.edges:
        if edge.tail == "omitted":
            lines.append(f'\t{edge.tail} -> {edge.head} [style=dashed color="#95a5a6"]\n')
            continue
        text = f"{edge.operand}: {edge.label}" if edge.operand and edge.label else edge.operand or edge.label
        if text:
            lines.append(f'\t{edge.tail} -> {edge.head} [label=" {text} "]\n')
        else:
            lines.append(f"\t{edge.tail} -> {edge.head}\n")
    return lines


def _check_rankdir(rankdir: str) -> None:
    if rankdir not in ("BT", "TB", "LR", "RL"):
        raise ValueError(f"rankdir must be one of 'BT', 'TB', 'LR', 'RL', got {rankdir!r}")


def dot_source(
    graph: GraphDescription, show_values: bool = True, show_grads: bool = True, rankdir: str = "BT"
) -> str:
    """The DOT text of a `GraphDescription` (what ``draw_graph(...).source`` holds); needs no Graphviz."""
    _check_rankdir(rankdir)
    head = [
        "digraph tinygrad_lite {\n",
        f"\tgraph [{_attribute_text({'rankdir': rankdir, **_GRAPH_ATTRIBUTES})}]\n",
        f"\tnode [{_attribute_text(_NODE_ATTRIBUTES)}]\n",
        f"\tedge [{_attribute_text(_EDGE_ATTRIBUTES)}]\n",
    ]
    return "".join(head + _body(graph, show_values, show_grads, rankdir) + ["}\n"])


def draw_graph(
    root: Tensor,
    show_values: bool = True,
    show_grads: bool = True,
    rankdir: str = "BT",
    max_nodes: int | None = None,
    collapse_scopes: bool | Iterable[str] = False,
) -> Any:
    """Draw everything ``root`` depends on as a ``graphviz.Digraph``, TensorFlow cost-graph style.

    Variables (leaves that require grad) are blue rounded boxes labelled by name (a model's
    parameters by their place in it, ``fc1.weight``, inside their module's box), constants
    grey boxes showing their value, ops yellow ellipses labelled by what they do (``pow``,
    ``matmul`` ...); the root, the cost, is red. Edges of non-scalar tensors carry their
    shape (``500×10``), and where the order of an op's inputs matters (``a − b``, ``a / b``,
    ``a ** b``, ``a @ b``) the edges say which is ``a`` and which ``b``; each name scope is a
    cluster. ``show_values`` / ``show_grads`` put each tensor's value / gradient (after
    ``backward()``) in its node; arrays show their shape and a summary. ``rankdir="BT"`` puts
    the inputs at the bottom. For big graphs, ``max_nodes`` keeps the nodes nearest the root
    and ``collapse_scopes`` draws scopes as single nodes (see `describe_graph`).

    The result displays inline in Jupyter and renders with ``.render()`` like any Digraph:

    ```python
    w = tl.tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10*w + 25
    cost.backward()
    tl.draw_graph(cost)                          # in a notebook: the picture
    tl.draw_graph(cost).render("cost", format="svg")
    ```
    """
    _check_rankdir(rankdir)
    graph = describe_graph(root, max_nodes=max_nodes, collapse_scopes=collapse_scopes)
    digraph = _graphviz().Digraph(
        name="tinygrad_lite",
        graph_attr={"rankdir": rankdir, **_GRAPH_ATTRIBUTES},
        node_attr=_NODE_ATTRIBUTES,
        edge_attr=_EDGE_ATTRIBUTES,
    )
    # The statements go straight into the Digraph's body (its documented list of source
    # lines) rather than through .node()/.edge(): 10,000 nodes take a third of the time. Safe,
    # because the ids and attribute values are ours and every label goes through _text.
    digraph.body.extend(_body(graph, show_values, show_grads, rankdir))
    return digraph


def render_svg(source: str, target: Path | str = "graph.svg") -> str:
    """Lay out DOT ``source`` with Graphviz's ``dot`` and return the SVG text.

    Raises `GraphvizNotFoundError` (saying how to install Graphviz) when ``dot`` is missing.
    """
    graphviz = _graphviz()
    try:
        svg: bytes = graphviz.pipe("dot", "svg", source.encode("utf-8"))
    except graphviz.ExecutableNotFound:
        raise _error_class()(Path(target), None, "svg") from None
    return svg.decode("utf-8")


# ----- files --------------------------------------------------------------------------------------


PICTURE_FORMATS = {suffix: format for suffix, format in SUPPORTED_FORMATS.items() if format != "html"}


def save_picture(root: Tensor, path: Path, format: str, **options: Any) -> Path:
    """Write the picture of ``root`` in ``format`` (``svg``, ``png``, ``pdf`` or ``dot``) to ``path``.

    `tl.save_graph` checks the arguments and calls this for every format but ``html``.
    Without Graphviz's ``dot`` the DOT source is written next to ``path`` with the suffix
    ``.dot`` and `GraphvizNotFoundError` says how to install Graphviz:

    ```python
    save_picture(cost, Path("cost.svg"), "svg")
    ```
    """
    source = draw_graph(root, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "dot":
        path.write_text(source.source, encoding="utf-8")
        return path
    graphviz = _graphviz()
    try:
        picture = source.pipe(format=format)
    except graphviz.ExecutableNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(source.source, encoding="utf-8")
        raise _error_class()(path, dot_path, format) from None
    path.write_bytes(picture)
    return path
