"""Gradient checking as in CS231n: compare the analytic gradient (backward) with the numerical one.

The numerical gradient perturbs one parameter entry at a time and takes the centered
difference ``(L(w + h) - L(w - h)) / 2h`` (h = 1e-5, float64). The two are compared by the
relative error ``max |a - n| / max(1e-8, |a| + |n|)`` over the entries of each parameter.
The lecture's rule of thumb:

    > 1e-2          the gradient is probably wrong
    1e-4 ... 1e-2   uncomfortable
    < 1e-4          fine for a loss with kinks (ReLU, hinge): a kink between w - h and w + h
                    spoils the numerical gradient there
    < 1e-7          the goal for a smooth loss (softmax cross-entropy)

A large relative error with a tiny absolute difference (below 1e-9) sits on an entry whose
gradient is about 0: there the roundoff of the centered difference (about 1e-16 |L| / h)
is all there is to measure, so it says nothing about the gradient.

Checked here: a linear classifier with the softmax and the hinge loss, and a 2-layer ReLU net,
each with L2 regularization. Few samples mean few kinks; a small regularization strength
keeps the penalty's gradient from hiding a wrong data gradient. The script exits with status
1 if a gradient fails its check.

    python examples/gradient_check.py           # 10 samples, 20 features, 10 classes, 30 hidden units
    python examples/gradient_check.py --quick   # 5 samples, 4 features, 3 classes, 10 hidden units
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import Tensor
from tinygrad_lite import functional as F

REG = 1e-2
SMOOTH_GOAL, KINKS_GOAL = 1e-7, 1e-4
ROUNDOFF = 1e-9  # absolute differences below this are float64 noise, not a wrong gradient

Params = dict[str, np.ndarray]
LossFn = Callable[[dict[str, Tensor]], Tensor]


def linear_softmax(X: np.ndarray, y: np.ndarray) -> LossFn:
    return lambda p: F.cross_entropy(X @ p["W"] + p["b"], y) + F.l2_penalty(p["W"], REG)


def linear_hinge(X: np.ndarray, y: np.ndarray) -> LossFn:
    return lambda p: F.hinge_loss(X @ p["W"] + p["b"], y) + F.l2_penalty(p["W"], REG)


def two_layer_net(X: np.ndarray, y: np.ndarray) -> LossFn:
    def loss(p: dict[str, Tensor]) -> Tensor:
        hidden = (X @ p["W1"] + p["b1"]).relu()
        scores = hidden @ p["W2"] + p["b2"]
        return F.cross_entropy(scores, y) + F.l2_penalty([p["W1"], p["W2"]], REG)

    return loss


def analytic_gradients(loss_fn: LossFn, params: Params) -> Params:
    leaves = {name: Tensor(value, requires_grad=True, name=name) for name, value in params.items()}
    loss_fn(leaves).backward()
    return {name: leaf.grad for name, leaf in leaves.items() if leaf.grad is not None}


def numerical_gradient_of(loss_fn: LossFn, params: Params, name: str) -> np.ndarray:
    """The loss as a function of one parameter array, the others held fixed, differentiated numerically."""

    def loss_of(value: np.ndarray) -> float:
        with tl.no_grad():
            return loss_fn({**{k: Tensor(v) for k, v in params.items()}, name: Tensor(value)}).item()

    return tl.numerical_gradient(loss_of, params[name], h=1e-5)


def verdict(error: float, difference: float, smooth: bool) -> tuple[bool, str]:
    """Whether a relative error (and the largest absolute difference) passes the lecture's rule, and why."""
    if error < SMOOTH_GOAL:
        return True, "good"
    if error < KINKS_GOAL and not smooth:
        return True, "fine for a loss with kinks"
    if difference < ROUNDOFF:
        return True, "fine: roundoff where the gradient is about 0"
    if error < KINKS_GOAL:
        return False, "too large for a smooth loss"
    return False, "uncomfortable" if error < 1e-2 else "probably wrong"


def check(title: str, loss_fn: LossFn, params: Params, smooth: bool) -> bool:
    """Print the relative error of every parameter's gradient; also run tl.gradcheck. True if all pass."""
    analytic = analytic_gradients(loss_fn, params)
    ok = True
    for i, name in enumerate(params):
        numeric = numerical_gradient_of(loss_fn, params, name)
        error = tl.rel_error(analytic[name], numeric)
        difference = float(np.max(np.abs(analytic[name] - numeric)))
        passed, word = verdict(error, difference, smooth)
        ok &= passed
        print(f"{title if i == 0 else '':36s} {'d' + name:<5s} {error:>10.1e}  {difference:>11.1e}   {word}")
    names = list(params)
    inputs = [Tensor(params[name], requires_grad=True) for name in names]
    passed = tl.gradcheck(lambda *ts: loss_fn(dict(zip(names, ts))), inputs, raise_exception=False)
    print(f"{'':36s} tl.gradcheck: {'passed' if passed else 'FAILED'}")
    return ok and passed


def planted_bug(X: np.ndarray, y: np.ndarray, params: Params) -> None:
    """What a wrong gradient looks like: the one of the summed loss, as if the 1/N of the mean were forgotten."""
    def data_loss(reduction: str) -> LossFn:
        return lambda p: F.cross_entropy(X @ p["W"] + p["b"], y, reduction=reduction)

    summed = analytic_gradients(data_loss("sum"), params)["W"]
    numeric = numerical_gradient_of(data_loss("mean"), params, "W")
    error = tl.rel_error(summed, numeric)
    _, word = verdict(error, float(np.max(np.abs(summed - numeric))), smooth=True)
    print(f"{'a planted bug: dW without the 1/N':36s} {'dW':<5s} {error:>10.1e}  {'':>11s}   {word}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n, d, hidden, c = (5, 4, 10, 3) if args.quick else (10, 20, 30, 10)
    rng = np.random.default_rng(args.seed)
    X, y = rng.standard_normal((n, d)), rng.integers(0, c, n)

    print(f"gradient check in float64: {n} samples, {d} features, {c} classes, {hidden} hidden units, L2 {REG}")
    print("rule of thumb: relative error < 1e-7 good for smooth losses; < 1e-4 acceptable near kinks "
          "(ReLU, hinge); > 1e-2 probably wrong")
    small = 0.0001 * rng.standard_normal((d, c))
    with tl.no_grad():
        softmax0 = F.cross_entropy(X @ small, y).item()
        hinge0 = F.hinge_loss(X @ small, y).item()
    print(f"sanity check with W = 0.0001 * randn: softmax loss {softmax0:.4f} (log C = {np.log(c):.4f}), "
          f"hinge loss {hinge0:.4f} (C - 1 = {c - 1})\n")
    print(f"{'':36s} {'grad':<5s} {'rel. error':>10s}  {'max |a - n|':>11s}   verdict")

    linear = {"W": rng.standard_normal((d, c)) / np.sqrt(d), "b": 0.1 * rng.standard_normal(c)}
    net = {
        "W1": rng.standard_normal((d, hidden)) / np.sqrt(d),
        "b1": 0.1 * rng.standard_normal(hidden),
        "W2": rng.standard_normal((hidden, c)) / np.sqrt(hidden),
        "b2": 0.1 * rng.standard_normal(c),
    }
    results = [
        check("linear + softmax cross-entropy + L2", linear_softmax(X, y), linear, smooth=True),
        check("linear + hinge (SVM) + L2", linear_hinge(X, y), linear, smooth=False),
        check("2-layer ReLU net + softmax + L2", two_layer_net(X, y), net, smooth=False),
    ]
    planted_bug(X, y, linear)
    print("\nall gradients agree" if all(results) else "\nSOME GRADIENTS DISAGREE")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
