"""The chain rule of a backward pass, written out edge by edge.

- `explain` prints the last backward pass from a root as a table: for each edge the node,
  its upstream gradient, the local derivative and the contribution.
- `trace_backward` runs the same pass again on the side, without touching any ``.grad``,
  and records every edge in order with each input's running sum; the player shows it.

Both get an op's input gradients from the engine's own per-edge step, so what they show is
what ``backward()`` computes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from .engine import Tensor, input_gradients, topological_order
from .function import Function
from .graph import number, summary, titles

__all__ = ["BackwardStep", "BackwardTable", "TracedEdge", "explain", "trace_backward"]


def _input_gradients(ctx: Function, grad: np.ndarray) -> list[tuple[Tensor, np.ndarray | None]]:
    """(input, gradient or None) per input of ``ctx``: the engine's own per-edge step, as backward runs it."""
    return list(zip(ctx.parents, input_gradients(ctx, grad)))


# ----- the pass, replayed on the side ----------------------------------------------------------


@dataclass(frozen=True)
class TracedEdge:
    """One edge of a replayed backward pass: ``node`` sent ``contribution`` to ``input``.

    ``upstream`` is d root / d node (complete when the node's backward runs), ``local`` the
    backward of a gradient of ones (d sum(node) / d input) and ``total`` the input's gradient
    so far: the sum of every contribution it has received up to this edge.
    """

    node: Tensor
    input: Tensor
    upstream: np.ndarray
    local: np.ndarray
    contribution: np.ndarray
    total: np.ndarray


def trace_backward(root: Tensor) -> tuple[list[TracedEdge], dict[int, np.ndarray]]:
    """Replay ``root.backward()`` edge by edge without changing any ``.grad``.

    The seed is a gradient of ones (d sum(root) / d root; 1 for a scalar cost). Nodes are
    visited in the order `run_backward` visits them (reverse topological order), and each
    op's inputs in order. Returns the edges and each tensor's final gradient by ``id``:

    ```python
    w = tl.tensor(0.0, requires_grad=True, name="w")
    edges, grads = trace_backward(w**2 - 10*w + 25)
    grads[id(w)]      # array(-10.)
    w.grad is None    # True: nothing was changed
    ```
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"trace_backward needs a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        return [], {}
    pending: dict[int, np.ndarray] = {id(root): np.ones_like(root.data)}
    done: dict[int, np.ndarray] = {}
    edges: list[TracedEdge] = []
    for node in reversed(topological_order(root)):
        grad = pending.pop(id(node), None)
        if grad is None:  # no path carried a gradient here
            continue
        done[id(node)] = grad
        ctx = node._ctx
        if ctx is None:
            continue
        locals_ = _input_gradients(ctx, np.ones_like(grad))
        for (parent, contribution), (_, local) in zip(_input_gradients(ctx, grad), locals_):
            if contribution is None or local is None:
                continue
            previous = pending.get(id(parent))
            total = contribution if previous is None else previous + contribution
            pending[id(parent)] = np.asarray(total)
            edges.append(TracedEdge(node, parent, grad, local, contribution, pending[id(parent)]))
    return edges, done


# ----- explain ------------------------------------------------------------------------------------


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


def called_by(order: list[Tensor], root: Tensor) -> dict[int, str]:
    """What `explain` and the player call each tensor: its title, with the op when the title hides it
    (``"cost (add)"``)."""
    title_of = titles(order, root)
    result: dict[int, str] = {}
    for tensor in order:
        title = title_of[id(tensor)]
        op = tensor.op
        result[id(tensor)] = title if op is None or title == op or title.startswith(f"{op}_") else f"{title} ({op})"
    return result


def explain(root: Tensor, quiet: bool = False) -> BackwardTable:
    """The chain rule of the backward pass from ``root``, one row per edge, in the order it ran.

    For each op (latest first) and each input that gets a gradient: the upstream gradient
    d root / d node (the node's ``.grad``), the local derivative d node / d input and their
    product, the contribution that flows into the input; then each variable's gradient as the
    sum of its contributions. Printed unless ``quiet``; returned as a `BackwardTable` (a ``str``
    whose ``.rows`` hold the arrays). The numbers are recomputed from the ``.grad`` fields, so
    after several ``backward()`` calls on one graph they show the accumulated gradients; call
    it before updating parameters in place. Arrays are shown as shape and summary:

    ```python
    w = tl.tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10*w + 25
    cost.backward()
    tl.explain(cost)    # ... mul -> w: upstream -1, local 10, contribution -10 ...
    ```
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"explain needs a Tensor, got {type(root).__name__}")
    if root.grad is None:
        raise RuntimeError(
            "explain() writes out a backward pass, but none has run from this tensor (its .grad is None): "
            "call .backward() on it first"
        )
    order = topological_order(root, grad_only=False)
    title_of = titles(order, root)
    name_of = called_by(order, root)

    steps: list[BackwardStep] = []
    received: dict[int, list[int]] = {}  # id(input) -> the steps that sent it a gradient
    variables: list[Tensor] = []
    for node in reversed(topological_order(root)):
        ctx = node._ctx
        if ctx is None:
            if node.grad is not None:
                variables.append(node)
            continue
        if node.grad is None:  # no gradient reached this op
            continue
        upstream = np.asarray(node.grad)
        local = _input_gradients(ctx, np.ones_like(upstream))
        for (parent, contribution), (_, local_grad) in zip(_input_gradients(ctx, upstream), local):
            if contribution is None or local_grad is None:
                continue
            steps.append(BackwardStep(name_of[id(node)], name_of[id(parent)], upstream, local_grad, contribution))
            received.setdefault(id(parent), []).append(len(steps))

    root_title = title_of[id(root)]
    lines = [
        f"backward pass from {name_of[id(root)]}, in the order it ran "
        f"(d{root_title}/d{root_title} = {summary(root.grad)}):",
        "  upstream = d root / d node (the node's .grad), local = d node / d input "
        "(for arrays: d sum(node) / d input),",
        "  contribution = what the node sends to the input (= upstream × local for scalars)",
        "",
    ]
    if steps:
        header = ["step", "node", "-> input", "upstream", "local", "contribution"]
        cells = [
            [str(i), s.node, s.input, summary(s.upstream), summary(s.local), summary(s.contribution)]
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
                values = " + ".join(f"({number(p.item())})" if p.item() < 0 else number(p.item()) for p in parts)
                line = f"  {name_of[id(variable)]}.grad = {sources} = {values}"
                if len(parts) > 1:
                    line += f" = {summary(grad)}"
            else:
                line = f"  {name_of[id(variable)]}.grad = {sources} = {summary(grad)}"
            total = sum(parts[1:], parts[0]) if parts else np.zeros_like(grad)
            if not np.allclose(total, grad, equal_nan=True):
                line += "   (its .grad also holds gradients from other backward passes)"
            lines.append(line)
    table = BackwardTable("\n".join(lines), steps)
    if not quiet:
        print(table, file=sys.stdout)
    return table
