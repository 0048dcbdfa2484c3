"""The built-in layers: `Linear`, activations, `Dropout`, `BatchNorm1d`, `Flatten`, `Sequential`, losses."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, overload

import numpy as np

from .. import functional as F
from ..engine import Tensor, as_tensor
from ..randomness import generator
from ..validation import positive_int
from .module import Module, Parameter

__all__ = [
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HingeLoss",
    "Identity",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
]


def _float_dtype(owner: str, dtype: Any) -> np.dtype[Any]:
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise TypeError(f"{owner}: dtype must be a floating type (float32 or float64), got {np.dtype(dtype)}")
    result: np.dtype[Any] = np.dtype(dtype)
    return result


class Linear(Module):
    """A fully connected layer, ``y = x @ weight + bias`` (the CS231n layout, no transpose).

    ``weight`` has shape ``(in_features, out_features)`` and ``bias`` ``(out_features,)``, both
    `Parameter` objects; both start uniform in ``[-1/sqrt(in_features), 1/sqrt(in_features)]``,
    as in PyTorch. ``rng`` is a ``np.random.Generator`` or an int seed (None: the global
    generator of ``tl.manual_seed``):

    ```python
    layer = nn.Linear(2, 3, rng=0)
    layer(np.ones((5, 2))).shape   # (5, 3)
    ```
    """

    weight: Tensor
    bias: Tensor | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
        dtype: Any = np.float64,
    ) -> None:
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        dtype = _float_dtype("Linear", dtype)
        gen = generator(rng)
        bound = 1.0 / math.sqrt(self.in_features)
        weight = gen.uniform(-bound, bound, size=(self.in_features, self.out_features))
        self.weight = Parameter(weight.astype(dtype))
        self.bias = None
        if bias:
            self.bias = Parameter(gen.uniform(-bound, bound, size=(self.out_features,)).astype(dtype))

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r} got an input of shape {x.shape}: its last dimension must be in_features = {self.in_features}"
            )
        out: Tensor = x @ self.weight
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """``max(0, x)`` elementwise (gradient 0 at 0)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x).relu()


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x).tanh()


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x).sigmoid()


class LeakyReLU(Module):
    """``x`` where positive, else ``negative_slope * x`` (see `functional.leaky_relu`):

    ```python
    nn.LeakyReLU(0.1)(np.array([-1.0, 2.0]))   # Tensor([-0.1, 2.])
    ```
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = F._real_number(negative_slope, "LeakyReLU", "negative_slope")

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch a layer off); arguments are ignored:

    ```python
    nn.Identity()(x) is x      # True
    ```
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one: ``(N, 8, 8)`` becomes ``(N, 64)`` by default:

    ```python
    nn.Flatten()(np.zeros((5, 8, 8))).shape    # (5, 64)
    ```
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        for what, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
                raise TypeError(f"Flatten: {what} must be an int, got {type(dim).__name__} {dim!r}")
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def forward(self, x: Any) -> Tensor:
        t = as_tensor(x)
        ndim = max(t.ndim, 1)
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not (0 <= start < ndim and 0 <= end < ndim) or start > end:
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit an input of shape "
                f"{t.shape} ({t.ndim} dimensions)"
            )
        shape = t.shape if t.ndim else (1,)
        merged = math.prod(shape[start : end + 1])
        return t.reshape(*shape[:start], merged, *shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout (see `functional.dropout`): in training mode each element is zeroed with
    probability ``p`` and the survivors are scaled by ``1 / (1 - p)``; in eval mode it is the identity.

    ``rng`` draws the masks (an int seed makes one generator for this layer, so successive calls
    still differ; None: the global generator of ``tl.manual_seed``):

    ```python
    drop = nn.Dropout(0.5)
    drop(np.ones(4))           # e.g. Tensor([2., 0., 0., 2.])
    drop.eval()(np.ones(4))    # Tensor([1., 1., 1., 1.])
    ```
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        self.p = F._dropout_probability(p)
        self._rng = None if rng is None else generator(rng)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, training=self.training, rng=self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Module):
    """Batch normalization over a mini-batch of ``(N, C)`` (or ``(N, C, L)``) inputs, exactly as PyTorch.

    Training mode: ``y = weight * (x - mu) / sqrt(var + eps) + bias`` with the batch's mean
    ``mu`` and biased variance ``var`` per feature, and the buffers ``running_mean`` and
    ``running_var`` move towards the batch's mean and *unbiased* variance:
    ``running = (1 - momentum) * running + momentum * batch`` (``momentum=None``: a plain
    average over the batches seen, counted in the buffer ``num_batches_tracked``).
    Eval mode: the running statistics take the place of ``mu`` and ``var``. ``weight`` (gamma,
    ones) and ``bias`` (beta, zeros) are `Parameter` objects when ``affine``. The gradient
    flows through the batch statistics (see `functional.batch_norm`):

    ```python
    bn = nn.BatchNorm1d(3)
    y = bn(np.random.default_rng(0).standard_normal((8, 3)))   # each column: mean 0, std ~1
    bn.eval()                                                   # now uses running statistics
    ```
    """

    weight: Tensor | None
    bias: Tensor | None
    running_mean: Tensor
    running_var: Tensor
    num_batches_tracked: Tensor

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        dtype: Any = np.float64,
    ) -> None:
        self.num_features = positive_int("BatchNorm1d", "num_features", num_features)
        dtype = _float_dtype("BatchNorm1d", dtype)
        self.eps = F._real_number(eps, "BatchNorm1d", "eps")
        if self.eps <= 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps}")
        if momentum is not None:
            momentum = F._real_number(momentum, "BatchNorm1d", "momentum")
            if not 0.0 <= momentum <= 1.0:
                raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] (or None), got {momentum}")
        self.momentum = momentum
        self.affine = bool(affine)
        self.weight = Parameter(np.ones(self.num_features, dtype=dtype)) if self.affine else None
        self.bias = Parameter(np.zeros(self.num_features, dtype=dtype)) if self.affine else None
        self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))

    def forward(self, x: Any) -> Tensor:
        t = as_tensor(x)
        if t.ndim not in (2, 3) or t.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r} expects input of shape (N, {self.num_features}) or (N, {self.num_features}, L), "
                f"got shape {t.shape}"
            )
        return F.batch_norm(
            t,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=self.training,
            momentum=self.momentum,
            eps=self.eps,
            num_batches_tracked=self.num_batches_tracked if self.training else None,
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class CrossEntropyLoss(Module):
    """``loss(logits, labels)`` = `functional.cross_entropy` (labels, or class probabilities):

    ```python
    criterion = nn.CrossEntropyLoss()
    criterion(np.zeros((2, 4)), [0, 3])     # Tensor(1.3863) = log 4
    ```
    """

    def __init__(self, reduction: str = "mean") -> None:
        F._check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits: Any, labels: Any) -> Tensor:
        return F.cross_entropy(logits, labels, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(Module):
    """``loss(pred, target)`` = `functional.mse_loss`, the mean of ``(pred - target)**2``:

    ```python
    nn.MSELoss()(np.array([1.0, 2.0]), np.array([1.0, 4.0]))   # Tensor(2.)
    ```
    """

    def __init__(self, reduction: str = "mean") -> None:
        F._check_reduction(reduction)
        self.reduction = reduction

    def forward(self, pred: Any, target: Any) -> Tensor:
        return F.mse_loss(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class HingeLoss(Module):
    """``loss(scores, labels)`` = `functional.hinge_loss`, the multiclass SVM loss:

    ```python
    nn.HingeLoss(margin=10)(np.array([[13.0, -7.0, 11.0]]), [0])   # Tensor(8.)
    ```
    """

    def __init__(self, margin: float = 1.0, squared: bool = False, reduction: str = "mean") -> None:
        F._check_reduction(reduction)
        self.margin = F._real_number(margin, "HingeLoss", "margin")
        self.squared = bool(squared)
        self.reduction = reduction

    def forward(self, scores: Any, labels: Any) -> Tensor:
        return F.hinge_loss(scores, labels, margin=self.margin, squared=self.squared, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, squared={self.squared}, reduction={self.reduction!r}"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Parameters are named by position (``"0.weight"``), and each layer's ops are drawn in a
    scope named by its position (``"0"``, ``"1"``, ...); indexing and ``len`` work as on a
    tuple (a slice gives a new Sequential of the same layers):

    ```python
    net = nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))
    net(X).shape     # (N, 3)
    net[0]           # Linear(in_features=2, out_features=100, bias=True)
    ```
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if isinstance(module, type) and issubclass(module, Module):
                name = module.__name__  # the class, not an instance
                raise TypeError(f"Sequential: argument {i} is the class nn.{name}: did you mean nn.{name}()?")
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {i} is a {type(module).__name__}, not an nn.Module "
                    f"(to use a function, wrap it in a Module with a forward method)"
                )
        self._layers: tuple[Module, ...] = tuple(modules)

    def _members(self) -> Iterator[tuple[str, Any]]:
        for i, module in enumerate(self._layers):
            yield str(i), module
        for name, value in super()._members():  # anything else a subclass keeps
            if name.split(".")[0] != "_layers":
                yield name, value

    def forward(self, x: Any) -> Any:
        for module in self._layers:
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"Sequential indices must be ints or slices, got {type(index).__name__}")
        if not -len(self._layers) <= index < len(self._layers):
            raise IndexError(f"index {index} is out of range for a Sequential of {len(self._layers)} modules")
        return self._layers[index]
