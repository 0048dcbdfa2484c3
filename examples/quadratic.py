"""The deeplearning.ai "introduction to frameworks" example, step by step.

Minimize the cost J(w) = w**2 - 10*w + 25 = (w - 5)**2 from w = 0 with gradient descent at
learning rate 0.01. You write only the forward pass (the cost); the framework records it as a
graph and derives the backward pass. Each step is w <- w - 0.01 * (2w - 10) = 0.98 w + 0.1,
so w is 0.1 after one step and 4.99999999 after 1001.

    python examples/quadratic.py                   # draws quadratic_graph.svg, then 1 + 1000 steps
    python examples/quadratic.py --quick           # 1 + 10 steps
    python examples/quadratic.py --out graph.png   # .svg, .png, .pdf or .dot
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_lite as tl
from tinygrad_lite.viz import GraphvizNotFoundError

LEARNING_RATE = 0.01


def cost_function(w: tl.Tensor) -> tl.Tensor:
    return w**2 - 10 * w + 25


def train_step(w: tl.Tensor) -> None:
    """One step of gradient descent: forward, backward, update (not recorded in the graph)."""
    w.zero_grad()
    cost = cost_function(w)
    cost.backward()
    with tl.no_grad():  # an in-place update of a leaf: allowed only where nothing is recorded
        w -= LEARNING_RATE * w.grad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 steps after the first instead of 1000")
    parser.add_argument("--out", type=Path, default=Path("quadratic_graph.svg"), help="where to draw the graph")
    args = parser.parse_args()

    # 1. The parameter: a tensor that requires grad, named so that the graph can show it.
    w = tl.tensor(0.0, requires_grad=True, name="w")

    # 2. The forward pass: just the formula. The framework records pow, mul, sub and add.
    cost = cost_function(w)
    print(f"w = {w.item()}, cost = {cost.item()}")

    # 3. The backward pass: d cost / dw = 2w - 10 = -10 at w = 0. The table shows each
    #    chain-rule step: the pow path brings 2w = 0, the mul path brings -10.
    cost.backward()
    print(f"dcost/dw = {w.grad}")
    tl.explain(cost)

    # 4. The picture of the graph, with every value and gradient (drawn before w changes).
    try:
        print(f"graph written to {tl.save_graph(cost, args.out)}")
    except GraphvizNotFoundError as error:
        print(error)

    # 5. One gradient-descent step, as the course does it, then print w.
    with tl.no_grad():
        w -= LEARNING_RATE * w.grad
    print(f"after 1 step: w = {w.item():.8f}")

    # 6. Many more steps, each building a fresh graph.
    steps = 10 if args.quick else 1000
    for _ in range(steps):
        train_step(w)
    print(f"after {steps + 1} steps: w = {w.item():.8f}   (the minimum is w = 5)")


if __name__ == "__main__":
    main()
