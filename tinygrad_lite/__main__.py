"""Command line: ``python -m tinygrad_lite demo [--lr 0.01] [--steps 1000] [--out cost_graph.svg]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .demo import cost_and_gradient, cost_of, gradient_descent_step, update
from .engine import Tensor
from .viz import INSTALL_HINT, SUPPORTED_FORMATS, GraphvizNotFoundError, explain, save_graph


def write_graph(cost: Tensor, out: Path) -> str:
    """Save the graph of ``cost`` to ``out`` and say where; without ``dot``, save its DOT source."""
    try:
        path = save_graph(cost, out)
    except GraphvizNotFoundError as error:
        return (
            f"Graphviz's dot program was not found, so the cost graph was written as DOT source to "
            f"{error.dot_path.resolve()}\nhint: to get pictures, {INSTALL_HINT}; then run "
            f"dot -T{out.suffix.lstrip('.').lower()} {error.dot_path} -o {out}"
        )
    return f"cost graph after the first backward pass (values and gradients): {path.resolve()}"


def run_demo(lr: float, steps: int, out: Path, show_backward: bool = False) -> int:
    w = Tensor(0.0, requires_grad=True, name="w")
    print(f"minimizing cost = w**2 - 10*w + 25 from w = 0 by gradient descent, learning rate {lr}")
    cost = cost_and_gradient(w)
    # Drawn before the update, which changes w in place: the picture shows w = 0 and dcost/dw = -10.
    try:
        graph_message = write_graph(cost, out)
    except OSError as error:
        graph_message = f"error: could not write the cost graph to {out}: {error}"
    if show_backward:
        explain(cost)
    update(w, lr)
    print(f"after {1:>5} step : w = {w.item():.8f}   cost = {cost_of(w).item():.8f}")
    for _ in range(steps):
        gradient_descent_step(w, lr)
    print(f"after {steps + 1:>5} steps: w = {w.item():.8f}   cost = {cost_of(w).item():.8g}")
    print(graph_message)
    return 1 if graph_message.startswith("error:") else 0


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
    demo.add_argument("--explain", action="store_true", help="also print the chain rule of the first backward pass")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps must be >= 0, got {args.steps}")
    if args.out.suffix.lower() not in SUPPORTED_FORMATS:
        parser.error(f"--out must end in one of {', '.join(SUPPORTED_FORMATS)}, got {str(args.out)!r}")
    return run_demo(args.lr, args.steps, args.out, args.explain)


if __name__ == "__main__":
    sys.exit(main())
