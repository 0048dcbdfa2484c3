"""Losses and activations: ``from tinygrad_lite import functional as F``.

The two classification losses of the lecture are fused ops, one graph node each with the
analytic gradient a student would write by hand (the vectorized CS231n versions):

- ``F.cross_entropy``: softmax cross-entropy, gradient ``(softmax - onehot) / N``;
- ``F.hinge_loss``: the multiclass SVM loss, gradient from the mask of violated margins.

Everything else here is composed from Tensor ops, so its gradient comes for free.
Scores may be Tensors or NumPy arrays (an array is a constant); labels are integer class
indices, checked so that a wrong label raises an error instead of being silently clipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .engine import Tensor
from .function import Function
from .shapes import axis_argument, keepdims_argument

REDUCTIONS = ("mean", "sum", "none")


# ----- activations -----------------------------------------------------------------------------


def softmax(x: Tensor | np.ndarray, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """``p_k = exp(x_k) / sum_j exp(x_j)`` along ``axis`` (or ``dim=``), computed stably (the max is subtracted first)::

        F.softmax(np.array([0.0, np.log(3.0)]))   # Tensor([0.25, 0.75])
    """
    return _as_tensor(x).softmax(axis_argument(axis, dim, -1))


def log_softmax(x: Tensor | np.ndarray, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """``log p_k = (x_k - m) - log(sum_j exp(x_j - m))`` with ``m = max_j x_j``, along ``axis`` (or ``dim=``).

    More accurate than ``F.softmax(x).log()``, which gives ``-inf`` once a probability underflows::

        F.log_softmax(np.array([0.0, 1e4]))       # Tensor([-10000., 0.])
    """
    return _as_tensor(x).log_softmax(axis_argument(axis, dim, -1))


def logsumexp(
    x: Tensor | np.ndarray,
    axis: int | tuple[int, ...] | None = -1,
    keepdims: bool = False,
    *,
    dim: int | tuple[int, ...] | None = None,
    keepdim: bool | None = None,
) -> Tensor:
    """``log(sum_j exp(x_j)) = m + log(sum_j exp(x_j - m))`` along ``axis`` (None: all), with ``m = max_j x_j``.

    PyTorch's ``dim=``/``keepdim=`` are accepted for ``axis=``/``keepdims=``.

    A smooth maximum, finite for any finite input::

        F.logsumexp(np.array([1e4, 1e4]))          # Tensor(10000.6931)
    """
    return _as_tensor(x).logsumexp(axis=axis_argument(axis, dim, -1), keepdims=keepdims_argument(keepdims, keepdim))


# ----- classification losses (fused: one node, analytic gradient) ------------------------------


def cross_entropy(logits: Tensor | np.ndarray, labels: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy: ``L_i = -log softmax(s_i)[y_i] = logsumexp(s_i) - s_i[y_i]``.

    ``logits`` are raw scores of shape ``(N, C)``, ``labels`` N integer class indices in
    ``[0, C)``. ``reduction="mean"`` averages ``L_i`` over the samples, ``"sum"`` adds them up,
    ``"none"`` returns the N losses. The gradient w.r.t. the logits is
    ``(softmax(s) - onehot(y)) / N`` for ``"mean"``. With scores near 0 the loss is
    about ``log C`` (a good first sanity check)::

        logits = tl.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
        loss = F.cross_entropy(logits, [0])       # -log(0.659) = 0.417
        loss.backward()                           # logits.grad = [[-0.341, 0.242, 0.099]]
    """
    _check_reduction(reduction)
    scores = _as_tensor(logits)
    y = _class_labels(labels, scores.shape, "cross_entropy")
    return CrossEntropy.apply(scores, labels=y, reduction=reduction)


def hinge_loss(
    scores: Tensor | np.ndarray,
    labels: Any,
    margin: float = 1.0,
    squared: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """Multiclass SVM loss: ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)``.

    Each term is squared when ``squared=True``. ``scores`` have shape ``(N, C)``, ``labels``
    are N integer class indices in ``[0, C)``; ``reduction`` is ``"mean"`` (over the N samples),
    ``"sum"`` or ``"none"``. The gradient of a term is 1 (``2 max(0, .)`` squared) where the
    margin is violated, for ``s_j``, and minus that for ``s_{y_i}``; at exactly 0 it is 0.
    The CS231n worked example::

        F.hinge_loss(np.array([[13.0, -7.0, 11.0]]), [0], margin=10)   # Tensor(8.)
    """
    _check_reduction(reduction)
    s = _as_tensor(scores)
    y = _class_labels(labels, s.shape, "hinge_loss")
    return HingeLoss.apply(s, labels=y, margin=float(margin), squared=bool(squared), reduction=reduction)


class CrossEntropy(Function):
    fresh_gradients = True
    name = "cross_entropy"

    @staticmethod
    def forward(ctx: Any, logits: np.ndarray, labels: np.ndarray, reduction: str) -> np.ndarray:
        rows = np.arange(len(labels))
        shifted = logits - logits.max(axis=1, keepdims=True)
        label_scores = shifted[rows, labels]  # read before the exp below overwrites `shifted`
        exp = np.exp(shifted, out=shifted)
        sums = exp.sum(axis=1)
        # -log p_y = -((s_y - m) - log(sum exp(s - m))), the stable log-softmax at the label only
        per_sample = np.log(sums) - label_scores
        # softmax = exp / sums; dividing only in backward keeps forward free of gradient work
        ctx.save_for_backward(exp, sums, rows)
        return _reduce(per_sample, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray | None:
        if not ctx.needs_input_grad[0]:
            return None
        exp, sums, rows = ctx.saved_tensors
        weight = _sample_weights(grad, ctx.options["reduction"], len(rows))
        # (softmax - onehot) * weight, with the normalization and the weight in one pass and
        # the one-hot as N subtractions: the saved arrays stay intact for a second backward
        dlogits: np.ndarray = exp * (weight / sums)[:, None]
        dlogits[rows, ctx.options["labels"]] -= weight
        return dlogits


class HingeLoss(Function):
    fresh_gradients = True
    name = "hinge_loss"

    @staticmethod
    def forward(
        ctx: Any, scores: np.ndarray, labels: np.ndarray, margin: float, squared: bool, reduction: str
    ) -> np.ndarray:
        rows = np.arange(len(labels))
        # s_j - (s_y - margin): the margin goes into the N true scores, not into all N*C entries
        margins = scores - (scores[rows, labels] - margin)[:, None]
        np.maximum(margins, 0, out=margins)
        margins[rows, labels] = 0  # the true class is not in the sum (it would add `margin`)
        ctx.save_for_backward(margins, rows)
        if not squared and reduction != "none":
            # one sum over the whole matrix: N row sums are much slower when C is small
            return _reduce_total(margins.sum(), reduction, len(rows))
        # einsum: the row sums of squares without an N x C temporary
        per_sample = np.einsum("ij,ij->i", margins, margins) if squared else margins.sum(axis=1)
        return _reduce(per_sample, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray | None:
        if not ctx.needs_input_grad[0]:
            return None
        margins, rows = ctx.saved_tensors
        weight = _sample_weights(grad, ctx.options["reduction"], len(rows))[..., None]
        # d max(0, m)^2 / dm = 2 max(0, m); d max(0, m) / dm = [m > 0], so 0 at exactly m = 0
        dscores: np.ndarray = margins * (2 * weight) if ctx.options["squared"] else np.multiply(margins > 0, weight)
        # s_y enters every term of its row with a minus sign; its own entry is still 0 here
        dscores[rows, ctx.options["labels"]] = -dscores.sum(axis=1)
        return dscores


# ----- regression loss and regularization (composed from Tensor ops) ---------------------------


def mse_loss(pred: Tensor | np.ndarray, target: Tensor | np.ndarray, reduction: str = "mean") -> Tensor:
    """Squared error ``(pred - target)**2``, averaged (``"mean"``), summed (``"sum"``) or elementwise (``"none"``).

    ``pred`` and ``target`` must have the same shape: broadcasting an ``(N, 1)`` prediction
    against ``(N,)`` targets would silently compare every prediction with every target::

        F.mse_loss(tl.tensor([1.0, 2.0]), np.array([1.0, 4.0]))   # Tensor(2.)
    """
    _check_reduction(reduction)
    p, t = _as_tensor(pred), _as_tensor(target)
    if p.shape != t.shape:
        raise ValueError(
            f"mse_loss: pred has shape {p.shape} but target has shape {t.shape}; they must match "
            "(reshape one of them, e.g. pred.reshape(-1) for an (N, 1) prediction)"
        )
    diff = p - t
    squares = diff * diff
    if reduction == "none":
        return squares
    return squares.sum() if reduction == "sum" else squares.mean()


def l2_penalty(params: Tensor | Iterable[Tensor], lam: float) -> Tensor:
    """L2 regularization ``lam * sum(w**2)`` over one Tensor or all Tensors of an iterable.

    It keeps all weights small and spread out; add it to the data loss::

        loss = F.cross_entropy(X @ W, y) + F.l2_penalty(W, 1e-3)
        F.l2_penalty([tl.tensor([1.0, 2.0]), tl.tensor(3.0)], 0.5)   # Tensor(7.)

    One graph node (``l2_penalty``) for all the tensors, with gradient ``2 lam w`` for each:
    the same as ``lam * sum((w * w).sum())`` composed from ops, without its temporaries.
    """
    return L2Penalty.apply(*_penalty_tensors(params, "l2_penalty"), lam=_penalty_weight(lam, "l2_penalty"))


def l1_penalty(params: Tensor | Iterable[Tensor], lam: float) -> Tensor:
    """L1 regularization ``lam * sum(|w|)`` over one Tensor or all Tensors of an iterable.

    It drives some weights to exactly zero (``|w|`` has gradient ``sign(w)``, 0 at 0)::

        F.l1_penalty([tl.tensor([1.0, -2.0]), tl.tensor(3.0)], 0.5)  # Tensor(3.)

    One graph node (``l1_penalty``), equal to ``lam * sum(w.abs().sum())`` composed from ops.
    """
    return L1Penalty.apply(*_penalty_tensors(params, "l1_penalty"), lam=_penalty_weight(lam, "l1_penalty"))


class L2Penalty(Function):
    fresh_gradients = True
    name = "l2_penalty"

    @staticmethod
    def forward(ctx: Any, *weights: np.ndarray, lam: float) -> np.ndarray:
        ctx.save_for_backward(*weights)
        # vdot(w, w) = sum(w**2) in one BLAS call, without a w**2 temporary
        return np.asarray(lam * sum(np.vdot(w, w) for w in weights))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        scale = 2 * ctx.options["lam"] * grad
        pairs = zip(ctx.saved_tensors, ctx.needs_input_grad)
        return tuple(scale * w if needed else None for w, needed in pairs)


class L1Penalty(Function):
    fresh_gradients = True
    name = "l1_penalty"

    @staticmethod
    def forward(ctx: Any, *weights: np.ndarray, lam: float) -> np.ndarray:
        ctx.save_for_backward(*weights)
        return np.asarray(lam * sum(np.abs(w).sum() for w in weights))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        scale = ctx.options["lam"] * grad
        pairs = zip(ctx.saved_tensors, ctx.needs_input_grad)
        return tuple(scale * np.sign(w) if needed else None for w, needed in pairs)


# ----- helpers ---------------------------------------------------------------------------------


def _class_labels(labels: Any, scores_shape: tuple[int, ...], loss: str) -> np.ndarray:
    """Check integer class labels against scores of shape ``(N, C)``; return them as a 1-D array.

    Raises ``TypeError`` for a non-integer dtype and ``ValueError`` for a wrong shape or a
    label outside ``[0, C)``, each saying what is wrong and how to fix it.
    """
    if len(scores_shape) != 2:
        hint = " (one sample's scores s become a batch of one with s.reshape(1, -1))" if len(scores_shape) == 1 else ""
        raise ValueError(
            f"{loss} needs scores of shape (N, C), one row of C class scores per sample, "
            f"but got shape {scores_shape}{hint}"
        )
    n, num_classes = scores_shape
    if num_classes == 0:
        raise ValueError(f"{loss}: scores of shape {scores_shape} have no classes (C = 0)")
    if isinstance(labels, Tensor):
        y = labels.data
    elif isinstance(labels, np.ndarray):
        y = labels
    else:
        y = np.asarray(labels)
        if y.size == 0 and y.dtype == np.float64:  # np.asarray([]) is float64, but holds no float label
            y = y.astype(np.int64)
    if not np.issubdtype(y.dtype, np.integer):  # bool is not an integer dtype to NumPy either
        hint = (
            " (a Tensor made from a list is float64 unless dtype= says otherwise: tl.tensor(y, dtype=np.int64))"
            if isinstance(labels, Tensor)
            else ""
        )
        if y.ndim == 2 and y.dtype.kind == "f":  # the PyTorch habit of one-hot float labels
            hint += (
                f". These look like one-hot rows (shape {y.shape}): labels.argmax(1) gives the class indices; "
                f"class-probability targets must have the scores' shape {scores_shape}"
            )
        raise TypeError(
            f"{loss} needs integer class labels (indices in [0, {num_classes})), but the labels have dtype "
            f"{y.dtype}; nothing is rounded for you: convert them with y.astype(np.int64){hint}"
        )
    if y.ndim != 1:
        hint = " (use y.reshape(-1))" if y.size == n else ""
        raise ValueError(f"{loss} needs 1-D labels, one class index per sample, but they have shape {y.shape}{hint}")
    if len(y) != n:
        raise ValueError(
            f"{loss}: {len(y)} labels for {n} samples: scores have shape {scores_shape} "
            f"and labels shape {y.shape}; the labels need shape ({n},)"
        )
    if n and (y.min() < 0 or y.max() >= num_classes):
        bad = np.flatnonzero((y < 0) | (y >= num_classes))
        i = int(bad[0])
        more = f" ({len(bad)} labels are out of range)" if len(bad) > 1 else ""
        raise ValueError(
            f"{loss}: label {y[i]} at index {i} is out of range: with scores of shape {scores_shape} "
            f"there are {num_classes} classes, so labels must be in [0, {num_classes}){more}"
        )
    return y


def _as_tensor(x: Any) -> Tensor:
    """A Tensor as it is; anything else (an array, a list) as a float constant."""
    if isinstance(x, Tensor) and x.dtype.kind == "f":
        return x
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    if data.dtype.kind != "f":  # integer scores: exp and gradients need floats
        data = data.astype(np.float64)
    return Tensor._make(data, None, False)


def _check_reduction(reduction: str) -> None:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(per_sample: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return per_sample
    return _reduce_total(per_sample.sum(), reduction, len(per_sample))


def _reduce_total(total: Any, reduction: str, n: int) -> np.ndarray:
    """The sum of the per-sample losses, or their mean over ``n`` samples."""
    if reduction == "sum":
        return np.asarray(total)
    if n == 0:  # the mean of no samples is nan, as in NumPy, without its warning
        return np.full((), np.nan, dtype=total.dtype)
    return np.asarray(total / n)


def _sample_weights(grad: np.ndarray, reduction: str, n: int) -> np.ndarray:
    """``d loss / d L_i`` times the upstream gradient: one number, or one per sample for "none"."""
    if reduction == "mean":
        return grad / max(n, 1)  # an empty batch has an empty gradient; no 1/0 warning
    return grad


def _penalty_tensors(params: Any, name: str) -> list[Tensor]:
    tensors = [params] if isinstance(params, (Tensor, np.ndarray)) else list(params)
    if not tensors:
        raise ValueError(
            f"{name} got no tensors: pass one Tensor or a non-empty list of them "
            "(a generator is empty once it has been iterated)"
        )
    return [_as_tensor(w) for w in tensors]


def _penalty_weight(lam: Any, name: str) -> float:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}: lam must be a number, got {type(lam).__name__} {lam!r}")
    return float(lam)
