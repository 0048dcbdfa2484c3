"""Command line: ``python -m tinygrad_lite demo [--lr 0.01] [--steps 1000] [--out cost_graph.svg] [--html PATH]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import drawing
from .demo import cost_and_gradient, cost_of, gradient_descent_step, update
from .engine import Tensor
from .viz import INSTALL_HINT, SUPPORTED_FORMATS, animate, explain, save_graph


def write_graph(cost: Tensor, out: Path) -> str:
    """Save the graph of ``cost`` to ``out`` and say where; without ``dot``, save its DOT source."""
    try:
        path = save_graph(cost, out)
    except drawing.GraphvizNotFoundError as error:  # the name is looked up only when an error is raised
        return (
            f"Graphviz's dot program was not found, so the cost graph was written as DOT source to "
            f"{error.dot_path.resolve()}\nhint: to get pictures, {INSTALL_HINT}; then run "
            f"dot -T{out.suffix.lstrip('.').lower()} {error.dot_path} -o {out}"
        )
    return f"cost graph after the first backward pass (values and gradients): {path.resolve()}"


def write_player(cost: Tensor, page: Path) -> str:
    """Save the step-through player of ``cost`` to ``page`` and say where (or why it could not)."""
    try:
        path = animate(cost).save(page)
    except drawing.GraphvizNotFoundError:
        return f"error: the player page needs Graphviz's dot program to lay out the graph: {INSTALL_HINT}"
    except OSError as error:
        return f"error: could not write the player page to {page}: {error}"
    return f"step-through player of the forward and backward pass (open it in a browser): {path.resolve()}"


def run_demo(lr: float, steps: int, out: Path, show_backward: bool = False, page: Path | None = None) -> int:
    w = Tensor(0.0, requires_grad=True, name="w")
    print(f"minimizing cost = w**2 - 10*w + 25 from w = 0 by gradient descent, learning rate {lr}")
    cost = cost_and_gradient(w)
    # Drawn before the update, which changes w in place: the picture shows w = 0 and dcost/dw = -10.
    try:
        graph_message = write_graph(cost, out)
    except OSError as error:
        graph_message = f"error: could not write the cost graph to {out}: {error}"
    messages = [graph_message]
    if page is not None:
        messages.append(write_player(cost, page))
    if show_backward:
        explain(cost)
    update(w, lr)
    print(f"after {1:>5} step : w = {w.item():.8f}   cost = {cost_of(w).item():.8f}")
    for _ in range(steps):
        gradient_descent_step(w, lr)
    print(f"after {steps + 1:>5} steps: w = {w.item():.8f}   cost = {cost_of(w).item():.8g}")
    print("\n".join(messages))
    return 1 if any(message.startswith("error:") for message in messages) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinygrad-lite", description="tinygrad_lite demos")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="minimize w**2 - 10*w + 25 with gradient descent")
    demo.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    demo.add_argument("--steps", type=int, default=1000, help="steps after the first one (default 1000)")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("cost_graph.svg"),
        help="where to draw the cost graph after the first backward pass: .svg, .png, .pdf or .dot "
        "(default cost_graph.svg in the current directory)",
    )
    demo.add_argument(
        "--html",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the step-through player of the first forward and backward pass to PATH (.html)",
    )
    demo.add_argument("--explain", action="store_true", help="also print the chain rule of the first backward pass")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps must be >= 0, got {args.steps}")
    if args.out.suffix.lower() not in SUPPORTED_FORMATS:
        parser.error(f"--out must end in one of {', '.join(SUPPORTED_FORMATS)}, got {str(args.out)!r}")
    if args.html is not None and args.html.suffix.lower() != ".html":
        parser.error(f"--html must end in .html, got {str(args.html)!r}")
    return run_demo(args.lr, args.steps, args.out, args.explain, args.html)


if __name__ == "__main__":
    sys.exit(main())
