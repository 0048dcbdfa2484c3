"""Weight initialization, as ``torch.nn.init``: each function fills a Tensor in place and returns it.

For our ``(in_features, out_features)`` weights (``y = x @ W``), ``fan_in = shape[0]`` and
``fan_out = shape[1]`` (times ``prod(shape[2:])`` for more dimensions). The schemes keep the
variance of the activations (Xavier/Glorot) or of the ReLU activations (He/Kaiming) the same
from layer to layer:

- ``xavier_uniform_``/``xavier_normal_``: ``Var(w) = gain**2 * 2 / (fan_in + fan_out)``;
- ``kaiming_uniform_``/``kaiming_normal_``: ``Var(w) = gain**2 / fan`` (``fan_in`` by default),
  with ``gain = sqrt(2)`` for ReLU: ``Var(w) = 2 / fan_in``.

A uniform distribution on ``[-b, b]`` has variance ``b**2 / 3``, hence the bounds
``b = sqrt(3) * std``. Every function takes ``rng=`` (None: the global generator of
``tl.manual_seed``):

```python
layer = nn.Linear(256, 128)
nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")   # std sqrt(2 / 256)
nn.init.zeros_(layer.bias)
```
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..engine import Tensor
from ..randomness import generator

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

Rng = np.random.Generator | int | None

_LINEAR_GAIN = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance through ``nonlinearity``, as PyTorch.

    ``linear``/``identity``/``conv*``/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu``: ``sqrt(2 / (1 + slope**2))`` with ``slope = param`` (default 0.01);
    ``selu``: 3/4. Any other name raises ``ValueError``:

    ```python
    nn.init.calculate_gain("relu")     # 1.4142135623730951
    ```
    """
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, numbers.Real):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose one of linear, identity, conv1d, "
        "conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid, tanh, relu, leaky_relu, selu"
    )


def _fill(tensor: Tensor, values: Any, owner: str) -> Tensor:
    """Write ``values`` into ``tensor.data`` in place (same array, same dtype) and count the change."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{owner} fills a Tensor in place, got {type(tensor).__name__}")
    tensor.data[...] = values
    tensor._bump_version()
    return tensor


def _random_target(tensor: Any, owner: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{owner} fills a Tensor in place, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"nn.init.{owner} needs a floating-point tensor, got dtype {tensor.dtype}")


def _fans(tensor: Tensor, owner: str) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight in our ``(in_features, out_features, ...)`` layout."""
    if tensor.ndim < 2:
        raise ValueError(
            f"nn.init.{owner}: fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions (shape {tensor.shape})"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[0] * receptive, tensor.shape[1] * receptive


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: Rng = None) -> Tensor:
    """Fill with samples from the uniform distribution on ``[a, b)``; returns the tensor."""
    _random_target(tensor, "uniform_")
    return _fill(tensor, generator(rng).uniform(a, b, size=tensor.shape), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: Rng = None) -> Tensor:
    """Fill with samples from the normal distribution ``N(mean, std**2)``; returns the tensor."""
    _random_target(tensor, "normal_")
    return _fill(tensor, generator(rng).normal(mean, std, size=tensor.shape), "normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``; returns the tensor."""
    return _fill(tensor, val, "constant_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros; returns the tensor (the usual start for biases)."""
    return _fill(tensor, 0, "zeros_")


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones; returns the tensor."""
    return _fill(tensor, 1, "ones_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: Rng = None) -> Tensor:
    """Xavier/Glorot uniform: ``U(-b, b)`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``.

    Then ``Var(w) = gain**2 * 2 / (fan_in + fan_out)``; use ``gain=calculate_gain("tanh")``
    before a tanh:

    ```python
    nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("tanh"))
    ```
    """
    _random_target(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, generator(rng).uniform(-bound, bound, size=tensor.shape), "xavier_uniform_")


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: Rng = None) -> Tensor:
    """Xavier/Glorot normal: ``N(0, std**2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _random_target(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, generator(rng).normal(0.0, std, size=tensor.shape), "xavier_normal_")


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str, owner: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init.{owner}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, owner)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng: Rng = None
) -> Tensor:
    """He/Kaiming uniform: ``U(-b, b)`` with ``b = gain * sqrt(3 / fan)``, ``gain = calculate_gain(nonlinearity, a)``.

    PyTorch's defaults (``a=0``, ``mode="fan_in"``, ``nonlinearity="leaky_relu"``, so a slope of
    0 and ``gain = sqrt(2)``) give ``Var(w) = 2 / fan_in``, right for ReLU layers.
    """
    _random_target(tensor, "kaiming_uniform_")
    if 0 in tensor.shape:  # PyTorch: a no-op on an empty tensor
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(tensor, generator(rng).uniform(-bound, bound, size=tensor.shape), "kaiming_uniform_")


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng: Rng = None
) -> Tensor:
    """He/Kaiming normal: ``N(0, std**2)`` with ``std = gain / sqrt(fan)``, ``gain = calculate_gain(nonlinearity, a)``.

    ``nonlinearity="relu"`` gives the He et al. variance ``2 / fan_in``:

    ```python
    nn.init.kaiming_normal_(tl.zeros(256, 128), nonlinearity="relu").data.std()   # about 0.088
    ```
    """
    _random_target(tensor, "kaiming_normal_")
    if 0 in tensor.shape:
        return tensor
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(tensor, generator(rng).normal(0.0, std, size=tensor.shape), "kaiming_normal_")
