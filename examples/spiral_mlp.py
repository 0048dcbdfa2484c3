"""The CS231n neural-network case study: a linear softmax classifier vs a 2-layer net on spirals.

300 points in 2-D on 3 interleaved spiral arms. No straight lines separate them, so a linear
classifier stays near 50% training accuracy (the lecture: about 49%), while a net with one
hidden layer of 100 ReLU units bends its boundaries around the arms (about 98%). Both are
trained as in the case study: weights 0.01 * randn, biases 0, full-batch gradient descent with
step size 1, L2 regularization 0.5 * reg * sum(W²) with reg = 1e-3.

    python examples/spiral_mlp.py           # the case study's 200 and 10,000 steps
    python examples/spiral_mlp.py --quick   # 200 and 2,000 steps: a few seconds
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F

STEP_SIZE = 1.0
REG = 1e-3


def case_study_init(layers: list[nn.Linear], rng: np.random.Generator) -> None:
    """The case study's start: small random weights (0.01 * randn) and zero biases."""
    for layer in layers:
        layer.weight.data = 0.01 * rng.standard_normal(layer.weight.shape)
        if layer.bias is not None:
            layer.bias.data = np.zeros(layer.bias.shape)


def train(model: nn.Module, weights: list[tl.Tensor], X: np.ndarray, y: np.ndarray, steps: int) -> float:
    """Full-batch gradient descent on softmax cross-entropy + 0.5 * REG * sum(W²); the last loss."""
    opt = optim.SGD(model.parameters(), lr=STEP_SIZE)
    loss = None
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y) + F.l2_penalty(weights, 0.5 * REG)
        loss.backward()
        opt.step()
    assert loss is not None
    return loss.item()


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with tl.no_grad():
        return float((model(X).argmax(axis=1) == y).mean())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="train the 2-layer net for 2,000 steps instead of 10,000")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and of the initial weights")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    X, y = data.spiral(n_per_class=100, n_classes=3, seed=args.seed)
    print(f"spiral data: {len(X)} points in 2-D, {y.max() + 1} classes")

    linear = nn.Linear(2, 3)
    case_study_init([linear], rng)
    linear_steps = 200
    loss = train(linear, [linear.weight], X, y, linear_steps)
    print(
        f"linear softmax classifier, {linear_steps} steps: loss {loss:.3f}, "
        f"training accuracy {100 * accuracy(linear, X, y):.1f}% (lecture: about 49%)"
    )

    hidden, output = nn.Linear(2, 100), nn.Linear(100, 3)
    net = nn.Sequential(hidden, nn.ReLU(), output)
    case_study_init([hidden, output], rng)
    net_steps = 2_000 if args.quick else 10_000
    loss = train(net, [hidden.weight, output.weight], X, y, net_steps)
    print(
        f"2-layer net, 100 ReLU hidden units, {net_steps} steps: loss {loss:.3f}, "
        f"training accuracy {100 * accuracy(net, X, y):.1f}% (lecture: about 98%)"
    )


if __name__ == "__main__":
    main()
