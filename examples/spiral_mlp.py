"""The CS231n neural-network case study: a linear softmax classifier vs a 2-layer net on spirals.

300 points in 2-D on 3 interleaved spiral arms. No straight lines separate them, so a linear
classifier stays near 50% training accuracy (the lecture: about 49%), while a net with one
hidden layer of 100 ReLU units bends its boundaries around the arms (about 98%). Both are
trained as in the case study: weights 0.01 * randn, biases 0, full-batch gradient descent with
step size 1, L2 regularization 0.5 * reg * sum(W²) with reg = 1e-3.

    python examples/spiral_mlp.py           # the case study's 200 and 10,000 steps
    python examples/spiral_mlp.py --quick   # 200 and 2,000 steps: a few seconds
    python examples/spiral_mlp.py --plot docs/images/spiral_decision_regions.png

``--plot PATH`` saves both models' decision regions and loss curves (needs matplotlib); with
tqdm installed, a terminal shows a progress bar while training.
"""

from __future__ import annotations

import argparse

import numpy as np
from _progress import progress

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F

STEP_SIZE = 1.0
REG = 1e-3


def case_study_init(layers: list[nn.Linear], rng: np.random.Generator) -> None:
    """The case study's start: small random weights (0.01 * randn) and zero biases."""
    with tl.no_grad():
        for layer in layers:
            layer.weight.copy_(0.01 * rng.standard_normal(layer.weight.shape))
            if layer.bias is not None:
                layer.bias.zero_()


def train(model: nn.Module, weights: list[tl.Tensor], X: np.ndarray, y: np.ndarray, steps: int) -> list[float]:
    """Full-batch gradient descent on softmax cross-entropy + 0.5 * REG * sum(W²); the loss of each step."""
    opt = optim.SGD(model.parameters(), lr=STEP_SIZE)
    losses = []
    for _ in progress(range(steps), desc="training"):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y) + F.l2_penalty(weights, 0.5 * REG)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with tl.no_grad():
        return float((model(X).argmax(axis=1) == y).mean())


def save_plot(
    models: dict[str, nn.Module], curves: dict[str, list[float]], X: np.ndarray, y: np.ndarray, path: str
) -> None:
    """Each model's decision regions on a grid over the data, and the training loss curves."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # write a file, never open a window
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
    except ImportError:
        print("matplotlib is not installed, so the plot is skipped: pip install matplotlib")
        return
    step = 0.02
    xs = np.arange(X[:, 0].min() - 0.2, X[:, 0].max() + 0.2, step)
    ys = np.arange(X[:, 1].min() - 0.2, X[:, 1].max() + 0.2, step)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    n_classes = int(y.max()) + 1
    colors = ListedColormap(["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"][:n_classes])
    fig, axes = plt.subplots(1, len(models) + 1, figsize=(4.3 * (len(models) + 1), 4.5), dpi=110, layout="constrained")
    for ax, (label, model) in zip(axes, models.items()):
        with tl.no_grad():
            regions = model(grid).argmax(axis=1).reshape(xx.shape)
            train_accuracy = float((model(X).argmax(axis=1) == y).mean())
        ax.contourf(xx, yy, regions, levels=np.arange(n_classes + 1) - 0.5, cmap=colors, alpha=0.3)
        ax.scatter(
            X[:, 0], X[:, 1], c=y, cmap=colors, vmin=0, vmax=n_classes - 1, s=14, edgecolors="black", linewidths=0.4
        )
        ax.set_title(f"{label}\ntraining accuracy {100 * train_accuracy:.1f}%")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    loss_ax = axes[-1]
    for label, losses in curves.items():
        loss_ax.plot(np.arange(1, len(losses) + 1), losses, label=label, linewidth=1.6)
    loss_ax.set_xscale("log")  # 200 steps vs thousands: a log axis shows both
    loss_ax.set_xlabel("step (full batch)")
    loss_ax.set_ylabel("loss (cross-entropy + L2)")
    loss_ax.set_title("training loss")
    loss_ax.grid(True, which="both", alpha=0.3)
    loss_ax.legend()
    fig.savefig(path)
    plt.close(fig)
    print(f"decision regions and loss curves saved to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="train the 2-layer net for 2,000 steps instead of 10,000")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and of the initial weights")
    parser.add_argument("--plot", metavar="PATH", help="save the decision regions and loss curves here (.png, .svg)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    X, y = data.spiral(n_per_class=100, n_classes=3, seed=args.seed)
    print(f"spiral data: {len(X)} points in 2-D, {y.max() + 1} classes")

    linear = nn.Linear(2, 3)
    case_study_init([linear], rng)
    linear_steps = 200
    linear_losses = train(linear, [linear.weight], X, y, linear_steps)
    print(
        f"linear softmax classifier, {linear_steps} steps: loss {linear_losses[-1]:.3f}, "
        f"training accuracy {100 * accuracy(linear, X, y):.1f}% (lecture: about 49%)"
    )

    hidden, output = nn.Linear(2, 100), nn.Linear(100, 3)
    net = nn.Sequential(hidden, nn.ReLU(), output)
    case_study_init([hidden, output], rng)
    net_steps = 2_000 if args.quick else 10_000
    net_losses = train(net, [hidden.weight, output.weight], X, y, net_steps)
    print(
        f"2-layer net, 100 ReLU hidden units, {net_steps} steps: loss {net_losses[-1]:.3f}, "
        f"training accuracy {100 * accuracy(net, X, y):.1f}% (lecture: about 98%)"
    )
    if args.plot:
        models = {"linear softmax classifier": linear, "2-layer net, 100 ReLU units": net}
        curves = {"linear softmax classifier": linear_losses, "2-layer net": net_losses}
        save_plot(models, curves, X, y, args.plot)


if __name__ == "__main__":
    main()
