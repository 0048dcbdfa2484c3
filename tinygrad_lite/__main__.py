"""Command line: ``python -m tinygrad_lite demo [--lr 0.01] [--steps 1000]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .demo import cost_of, gradient_descent_step
from .engine import Tensor


def run_demo(lr: float, steps: int) -> None:
    w = Tensor(0.0, requires_grad=True, name="w")
    print(f"minimizing cost = w**2 - 10*w + 25 from w = 0 by gradient descent, learning rate {lr}")
    gradient_descent_step(w, lr)
    print(f"after {1:>5} step : w = {w.item():.8f}   cost = {cost_of(w).item():.8f}")
    for _ in range(steps):
        gradient_descent_step(w, lr)
    print(f"after {steps + 1:>5} steps: w = {w.item():.8f}   cost = {cost_of(w).item():.8g}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinygrad-lite", description="tinygrad_lite demos")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="minimize w**2 - 10*w + 25 with gradient descent")
    demo.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    demo.add_argument("--steps", type=int, default=1000, help="steps after the first one (default 1000)")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps must be >= 0, got {args.steps}")
    run_demo(args.lr, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
