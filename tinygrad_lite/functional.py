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

from .engine import Tensor, constant
from .function import Function
from .randomness import generator
from .shapes import axis_argument, keepdims_argument

REDUCTIONS = ("mean", "sum", "none")


# ----- activations -----------------------------------------------------------------------------


def softmax(x: Tensor | np.ndarray, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """``p_k = exp(x_k) / sum_j exp(x_j)`` along ``axis`` (or ``dim=``), computed stably (the max is subtracted first):

    ```python
    F.softmax(np.array([0.0, np.log(3.0)]))   # Tensor([0.25, 0.75])
    ```
    """
    return _as_tensor(x).softmax(axis_argument(axis, dim, -1))


def log_softmax(x: Tensor | np.ndarray, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """``log p_k = (x_k - m) - log(sum_j exp(x_j - m))`` with ``m = max_j x_j``, along ``axis`` (or ``dim=``).

    More accurate than ``F.softmax(x).log()``, which gives ``-inf`` once a probability underflows:

    ```python
    F.log_softmax(np.array([0.0, 1e4]))       # Tensor([-10000., 0.])
    ```
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

    A smooth maximum, finite for any finite input:

    ```python
    F.logsumexp(np.array([1e4, 1e4]))          # Tensor(10000.6931)
    ```
    """
    return _as_tensor(x).logsumexp(axis=axis_argument(axis, dim, -1), keepdims=keepdims_argument(keepdims, keepdim))


# ----- classification losses (fused: one node, analytic gradient) ------------------------------


def cross_entropy(logits: Tensor | np.ndarray, labels: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy: ``L_i = -log softmax(s_i)[y_i] = logsumexp(s_i) - s_i[y_i]``.

    ``logits`` are raw scores of shape ``(N, C)``, ``labels`` N integer class indices in
    ``[0, C)``. ``reduction="mean"`` averages ``L_i`` over the samples, ``"sum"`` adds them up,
    ``"none"`` returns the N losses. The gradient w.r.t. the logits is
    ``(softmax(s) - onehot(y)) / N`` for ``"mean"``. With scores near 0 the loss is
    about ``log C`` (a good first sanity check).

    ``labels`` may instead be class probabilities: float targets ``t`` of the logits' shape
    ``(N, C)`` give ``L_i = -sum_k t_ik log softmax(s_i)_k`` (soft labels; one-hot rows give the
    same as integer labels). Float labels of shape ``(N,)`` are refused (``TypeError``):

    ```python
    logits = tl.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
    loss = F.cross_entropy(logits, [0])       # -log(0.659) = 0.417
    loss.backward()                           # logits.grad = [[-0.341, 0.242, 0.099]]
    ```
    """
    _check_reduction(reduction)
    scores = _as_tensor(logits)
    targets = _probability_targets(labels, scores.shape)
    if targets is not None:
        per_sample = -(targets * scores.log_softmax(axis=1)).sum(axis=1)
        return _reduce_tensor(per_sample, reduction)
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
    The CS231n worked example:

    ```python
    F.hinge_loss(np.array([[13.0, -7.0, 11.0]]), [0], margin=10)   # Tensor(8.)
    ```
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
    against ``(N,)`` targets would silently compare every prediction with every target:

    ```python
    F.mse_loss(tl.tensor([1.0, 2.0]), np.array([1.0, 4.0]))   # Tensor(2.)
    ```
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

    It keeps all weights small and spread out; add it to the data loss:

    ```python
    loss = F.cross_entropy(X @ W, y) + F.l2_penalty(W, 1e-3)
    F.l2_penalty([tl.tensor([1.0, 2.0]), tl.tensor(3.0)], 0.5)   # Tensor(7.)
    ```

    One graph node (``l2_penalty``) for all the tensors, with gradient ``2 lam w`` for each:
    the same as ``lam * sum((w * w).sum())`` composed from ops, without its temporaries.
    """
    return L2Penalty.apply(*_penalty_tensors(params, "l2_penalty"), lam=_penalty_weight(lam, "l2_penalty"))


def l1_penalty(params: Tensor | Iterable[Tensor], lam: float) -> Tensor:
    """L1 regularization ``lam * sum(|w|)`` over one Tensor or all Tensors of an iterable.

    It drives some weights to exactly zero (``|w|`` has gradient ``sign(w)``, 0 at 0):

    ```python
    F.l1_penalty([tl.tensor([1.0, -2.0]), tl.tensor(3.0)], 0.5)  # Tensor(3.)
    ```

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


# ----- activations as functions ------------------------------------------------------------------


def relu(x: Tensor | np.ndarray) -> Tensor:
    """``max(0, x)`` elementwise (gradient 0 at 0):

    ```python
    F.relu(np.array([-1.0, 2.0]))     # Tensor([0., 2.])
    ```
    """
    return _as_tensor(x).relu()


def sigmoid(x: Tensor | np.ndarray) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise:

    ```python
    F.sigmoid(np.array([0.0]))        # Tensor([0.5])
    ```
    """
    return _as_tensor(x).sigmoid()


def tanh(x: Tensor | np.ndarray) -> Tensor:
    """``tanh(x)`` elementwise:

    ```python
    F.tanh(np.array([0.0]))           # Tensor([0.])
    ```
    """
    return _as_tensor(x).tanh()


def leaky_relu(x: Tensor | np.ndarray, negative_slope: float = 0.01) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``; the gradient is 1 or ``negative_slope``
    (``negative_slope`` at exactly 0, as PyTorch):

    ```python
    F.leaky_relu(np.array([-2.0, 3.0]), 0.1)   # Tensor([-0.2, 3.])
    ```
    """
    slope = _real_number(negative_slope, "leaky_relu", "negative_slope")
    return LeakyReLU.apply(_as_tensor(x), negative_slope=slope)


class LeakyReLU(Function):
    fresh_gradients = True
    name = "leaky_relu"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, negative_slope: float) -> np.ndarray:
        positive = x > 0
        ctx.save_for_backward(positive)
        return np.where(positive, x, x * np.asarray(negative_slope, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (positive,) = ctx.saved_tensors
        return np.where(positive, grad, grad * np.asarray(ctx.options["negative_slope"], dtype=grad.dtype))


# ----- dropout -------------------------------------------------------------------------------------


def dropout(
    x: Tensor | np.ndarray,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Tensor:
    """Inverted dropout: in training each element is zeroed with probability ``p`` and the
    survivors are scaled by ``1 / (1 - p)``, so the expected value of each output equals its input
    (``E[y] = (1 - p) * x / (1 - p) = x``) and nothing needs rescaling at test time. With
    ``training=False`` (or ``p = 0``) it returns ``x`` unchanged. ``rng`` draws the mask
    (None: the global generator of ``tl.manual_seed``). The gradient is the same mask times
    the upstream gradient:

    ```python
    F.dropout(np.ones(6), p=0.5, rng=0)        # Tensor([2., 0., 2., 2., 0., 0.]), say
    F.dropout(np.ones(6), training=False)      # Tensor([1., 1., 1., 1., 1., 1.])
    ```
    """
    probability = _dropout_probability(p)
    t = _as_tensor(x)
    if not training or probability == 0.0:
        return t
    gen = generator(rng)
    if probability == 1.0:
        mask = np.zeros(t.shape, dtype=t.dtype)
    else:
        keep = gen.random(t.shape) >= probability  # P(keep) = 1 - p
        mask = keep.astype(t.dtype) * np.asarray(1.0 / (1.0 - probability), dtype=t.dtype)
    return Dropout.apply(t, mask=mask)


class Dropout(Function):
    fresh_gradients = True
    name = "dropout"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out: np.ndarray = x * mask
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        out: np.ndarray = grad * ctx.options["mask"]
        return out


def _dropout_probability(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"dropout probability p must be a number in [0, 1], got {type(p).__name__} {p!r}")
    if not 0.0 <= float(p) <= 1.0:  # also refuses nan
        raise ValueError(f"dropout probability p must be between 0 and 1, got {p}")
    return float(p)


# ----- batch normalization -------------------------------------------------------------------------


def batch_norm(
    x: Tensor | np.ndarray,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
    num_batches_tracked: Tensor | None = None,
) -> Tensor:
    """Batch normalization of ``(N, C)`` (or ``(N, C, L)``) inputs, per feature (channel) ``c``.

    In training (or without running statistics) the batch's mean ``mu`` and biased variance
    ``var`` (divided by the count ``m = N`` or ``N * L``) normalize:
    ``y = weight * (x - mu) / sqrt(var + eps) + bias``, and the running statistics are updated
    in place with the unbiased variance: ``running = (1 - momentum) * running + momentum * stat``
    with ``stat = mu`` and ``var * m / (m - 1)`` (``momentum=None``: the plain average over the
    ``num_batches_tracked`` batches). Otherwise the running statistics normalize. As PyTorch's
    ``torch.nn.functional.batch_norm``.

    In training it is one op whose backward is the analytic one, with ``xhat = (x - mu) / sigma``
    and ``g = dy * weight``:

    ```python
    dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma
    dweight = sum(dy * xhat),  dbias = sum(dy)
    ```
    """
    t = _as_tensor(x)
    if t.ndim not in (2, 3):
        raise ValueError(f"batch_norm expects input of shape (N, C) or (N, C, L), got shape {t.shape}")
    channels = t.shape[1]
    for what, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        if tensor is not None and tensor.shape != (channels,):
            raise ValueError(
                f"batch_norm: the input has {channels} features (shape {t.shape}) but {what} has shape "
                f"{tensor.shape}; it needs shape ({channels},)"
            )
    axes = (0,) if t.ndim == 2 else (0, 2)
    count = t.shape[0] * (1 if t.ndim == 2 else t.shape[2])
    affine = [p for p in (weight, bias) if p is not None]
    if (weight is None) != (bias is None):
        raise ValueError("batch_norm: give both weight and bias, or neither")
    if not training and running_mean is not None and running_var is not None:
        shape = (1, channels) + (1,) * (t.ndim - 2)
        scale = 1.0 / np.sqrt(running_var.data + eps)
        out = (t - running_mean.data.reshape(shape)) * scale.astype(t.dtype).reshape(shape)
        if weight is not None and bias is not None:
            out = out * weight.reshape(shape) + bias.reshape(shape)
        return out
    if count <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per feature in training, got input of shape {t.shape}: "
            "the variance of one sample is undefined (use a larger batch, or call model.eval())"
        )
    out = BatchNorm.apply(t, *affine, axes=axes, eps=float(eps))
    if training and running_mean is not None and running_var is not None:
        ctx: Any = out._ctx
        mean, var = BatchNorm.statistics(t.data, axes) if ctx is None else (ctx.batch_mean, ctx.batch_var)
        if num_batches_tracked is not None:
            num_batches_tracked.data[...] += 1
            _changed(num_batches_tracked)
        factor = (1.0 / float(num_batches_tracked.data) if num_batches_tracked is not None else 0.0) \
            if momentum is None else float(momentum)
        unbiased = var * (count / (count - 1))
        running_mean.data[...] = (1 - factor) * running_mean.data + factor * mean
        running_var.data[...] = (1 - factor) * running_var.data + factor * unbiased
        _changed(running_mean)
        _changed(running_var)
    return out


def _changed(t: Tensor) -> None:
    t._bump_version()  # an in-place change of the running statistics, for the version check


class BatchNorm(Function):
    fresh_gradients = True
    name = "batch_norm"

    @staticmethod
    def statistics(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The batch mean and biased variance per feature, each of shape ``(C,)``."""
        mean = x.mean(axis=axes)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        centered = x - mean.reshape(shape)
        return mean, (centered * centered).mean(axis=axes)

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, *affine: np.ndarray, axes: tuple[int, ...], eps: float
    ) -> np.ndarray:
        shape = (1, -1) + (1,) * (x.ndim - 2)
        mean = x.mean(axis=axes)
        centered = x - mean.reshape(shape)
        var = (centered * centered).mean(axis=axes)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = centered * inv_std.reshape(shape)
        ctx.batch_mean, ctx.batch_var = mean, var
        ctx.save_for_backward(xhat, inv_std, *affine)
        if not affine:
            return np.asarray(xhat)
        weight, bias = affine
        out: np.ndarray = xhat * weight.reshape(shape) + bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        xhat, inv_std, *affine = ctx.saved_tensors
        axes = ctx.options["axes"]
        shape = (1, -1) + (1,) * (xhat.ndim - 2)
        g = grad * affine[0].reshape(shape) if affine else grad
        dx = None
        if ctx.needs_input_grad[0]:
            mean_g = g.mean(axis=axes, keepdims=True)
            mean_gx = (g * xhat).mean(axis=axes, keepdims=True)
            dx = (g - mean_g - xhat * mean_gx) * inv_std.reshape(shape)
        if not affine:
            return (dx,)
        dweight = (grad * xhat).sum(axis=axes) if ctx.needs_input_grad[1] else None
        dbias = grad.sum(axis=axes) if ctx.needs_input_grad[2] else None
        return dx, dweight, dbias


# ----- more losses -----------------------------------------------------------------------------------


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """Integer labels of any shape as one-hot rows: shape ``labels.shape + (num_classes,)``, dtype int64.

    ``num_classes=-1`` takes one more than the largest label. Not differentiable:

    ```python
    F.one_hot([0, 2], 3)       # Tensor([[1, 0, 0], [0, 0, 1]], dtype=int64)
    ```
    """
    y = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if y.size == 0 and y.dtype == np.float64 and not isinstance(labels, (Tensor, np.ndarray)):
        y = y.astype(np.int64)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"one_hot needs integer class labels, but they have dtype {y.dtype} (use y.astype(np.int64))")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {type(num_classes).__name__} {num_classes!r}")
    if num_classes == -1:
        if y.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from no labels; pass num_classes")
        num_classes = int(y.max()) + 1
    if num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be at least 1 (or -1 to infer it), got {num_classes}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = np.argwhere((y < 0) | (y >= num_classes))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(
            f"one_hot: label {y[index]} at index {index if len(index) != 1 else index[0]} is out of range "
            f"[0, {num_classes})"
        )
    out = np.zeros(y.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, y[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out)


def nll_loss(log_probs: Tensor | np.ndarray, labels: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``L_i = -log_probs[i, y_i]`` from log-probabilities ``(N, C)``.

    ``F.nll_loss(F.log_softmax(s), y)`` equals ``F.cross_entropy(s, y)``; ``reduction`` as there:

    ```python
    F.nll_loss(np.log([[0.5, 0.5], [0.9, 0.1]]), [0, 0])   # Tensor(0.3993)
    ```
    """
    _check_reduction(reduction)
    lp = _as_tensor(log_probs)
    y = _class_labels(labels, lp.shape, "nll_loss")
    return _reduce_tensor(-lp[np.arange(len(y)), y], reduction)


def binary_cross_entropy(probs: Tensor | np.ndarray, targets: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: ``L = -(t log p + (1 - t) log(1 - p))`` elementwise.

    ``probs`` must lie in ``[0, 1]`` (the output of a sigmoid) and ``targets`` (in ``[0, 1]``)
    have the same shape. As PyTorch, each log is clamped at -100, so ``p = 0`` or ``1`` gives a
    finite loss, and the gradient is ``(p - t) / max(p (1 - p), 1e-12)``. Prefer
    `binary_cross_entropy_with_logits` on raw scores: it is stable for any logit:

    ```python
    F.binary_cross_entropy(np.array([0.8, 0.2]), np.array([1.0, 0.0]))   # Tensor(0.2231)
    ```
    """
    _check_reduction(reduction)
    p, t = _as_tensor(probs), _as_tensor(targets)
    _same_shape(p, t, "binary_cross_entropy", "probs")
    data = p.data
    outside = ~((data >= 0) & (data <= 1))
    if outside.any():
        index = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"binary_cross_entropy: probs must be in [0, 1], got {data[index]} at index {index}; "
            "for raw scores (logits) use F.binary_cross_entropy_with_logits"
        )
    return BinaryCrossEntropy.apply(p, t, reduction=reduction)


class BinaryCrossEntropy(Function):
    fresh_gradients = True
    name = "binary_cross_entropy"

    @staticmethod
    def forward(ctx: Any, p: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log(1 - p), -100)
        ctx.save_for_backward(p, t, log_p, log_q)
        return _reduce_elements(-(t * log_p + (1 - t) * log_q), reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        p, t, log_p, log_q = ctx.saved_tensors
        weight = _element_weights(grad, ctx.options["reduction"], p.size)
        dp = weight * (p - t) / np.maximum(p * (1 - p), 1e-12) if ctx.needs_input_grad[0] else None
        dt = weight * (log_q - log_p) if ctx.needs_input_grad[1] else None
        return _full(dp, p), _full(dt, t)


def binary_cross_entropy_with_logits(logits: Tensor | np.ndarray, targets: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(x)`` from raw scores ``x``, computed stably.

    ``L = (1 - t) x + log(1 + exp(-x)) = (1 - t) x + max(-x, 0) + log(1 + exp(-|x|))``, which
    never overflows (logits of +-1e4 give finite losses and gradients); the gradient is
    ``sigmoid(x) - t``. ``targets`` must have the logits' shape:

    ```python
    F.binary_cross_entropy_with_logits(np.array([0.0]), np.array([1.0]))   # Tensor(0.6931)
    ```
    """
    _check_reduction(reduction)
    x, t = _as_tensor(logits), _as_tensor(targets)
    _same_shape(x, t, "binary_cross_entropy_with_logits", "logits")
    return BinaryCrossEntropyWithLogits.apply(x, t, reduction=reduction)


class BinaryCrossEntropyWithLogits(Function):
    fresh_gradients = True
    name = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
        ctx.save_for_backward(x, t)
        loss = (1 - t) * x + np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        return _reduce_elements(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, t = ctx.saved_tensors
        weight = _element_weights(grad, ctx.options["reduction"], x.size)
        dx = dt = None
        if ctx.needs_input_grad[0]:
            e = np.exp(-np.abs(x))  # sigmoid(x) without overflow on either side
            sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            dx = weight * (sig - t)
        if ctx.needs_input_grad[1]:
            dt = weight * -x
        return _full(dx, x), _full(dt, t)


def _same_shape(a: Tensor, b: Tensor, loss: str, what: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{loss}: {what} have shape {a.shape} but targets have shape {b.shape}; they must be the same "
            "(reshape one of them)"
        )


def _reduce_elements(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Elementwise losses as they are (``"none"``), summed, or averaged over every element."""
    if reduction == "none":
        return loss
    return _reduce_total(loss.sum(), reduction, loss.size)


def _element_weights(grad: np.ndarray, reduction: str, size: int) -> np.ndarray:
    if reduction == "mean":
        return grad / max(size, 1)
    return grad


def _full(gradient: np.ndarray | None, like: np.ndarray) -> np.ndarray | None:
    """A gradient of ``like``'s shape and dtype (a scalar upstream gradient times a scalar broadcasts)."""
    if gradient is None:
        return None
    out = np.asarray(gradient, dtype=like.dtype)
    return out if out.shape == like.shape else np.broadcast_to(out, like.shape).copy()


def _reduce_tensor(per_sample: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return per_sample
    return per_sample.sum() if reduction == "sum" else per_sample.mean()


def _probability_targets(labels: Any, scores_shape: tuple[int, ...]) -> Tensor | None:
    """Float targets of shape (N, C) as a Tensor (class probabilities); None for class labels."""
    if isinstance(labels, Tensor):
        data = labels.data
    else:
        try:
            data = np.asarray(labels)
        except ValueError:
            return None
    if data.dtype.kind != "f" or data.ndim != 2:
        return None
    if data.shape != scores_shape:
        message = (
            f"cross_entropy: class-probability targets must have the logits' shape {scores_shape}, "
            f"got shape {data.shape}"
        )
        if np.isin(data, (0, 1)).all() and (data.sum(axis=1) == 1).all():  # a label mistake, not a shape one
            raise TypeError(message + ": these look like one-hot rows; labels.argmax(1) gives the class indices")
        raise ValueError(message)
    return labels if isinstance(labels, Tensor) else Tensor(data)


def _real_number(value: Any, owner: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {what} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


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
    data = x.data if isinstance(x, Tensor) else constant(x).data  # refuses strings, None, objects
    if data.dtype.kind != "f":  # integer scores: exp and gradients need floats
        if data.dtype.kind == "c":
            raise TypeError("losses and penalties need real scores, got complex values")
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
    if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{name} takes a Tensor or an iterable of Tensors, got {type(params).__name__}")
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
