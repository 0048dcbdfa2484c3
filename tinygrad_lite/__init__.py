"""tinygrad_lite: a small, readable reverse-mode autodiff framework on NumPy.

    import tinygrad_lite as tl
    w = tl.tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10*w + 25
    cost.backward()        # w.grad == -10

The modules, bottom-up (each imports only modules listed before it): errors, state, shapes,
validation, randomness, anomaly, engine (Tensor, backward), function (Function.apply), ops,
creation, interop, functional, nn, optim, gradcheck, testing, serialization, data, viz.
"""

from . import (
    data,
    functional,
    interop,  # noqa: F401  (NumPy functions on Tensors: registers itself into the engine)
    nn,
    optim,
)
from .anomaly import detect_anomaly
from .creation import (
    arange,
    cat,
    concatenate,
    eye,
    full,
    full_like,
    linspace,
    maximum,
    minimum,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from .engine import Tensor
from .errors import GradcheckError, GradientShapeError, IndexingError, InPlaceModificationError
from .function import Function
from .gradcheck import gradcheck, numerical_gradient, rel_error
from .randomness import manual_seed
from .serialization import load, save
from .state import enable_grad, is_grad_enabled, name_scope, no_grad, set_grad_enabled
from .viz import animate, draw_graph, explain, save_graph

__version__ = "0.1.0"

__all__ = [
    "Function",
    "GradcheckError",
    "GradientShapeError",
    "InPlaceModificationError",
    "IndexingError",
    "Tensor",
    "animate",
    "arange",
    "cat",
    "concatenate",
    "data",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "eye",
    "full",
    "full_like",
    "functional",
    "gradcheck",
    "is_grad_enabled",
    "linspace",
    "load",
    "manual_seed",
    "maximum",
    "minimum",
    "name_scope",
    "nn",
    "no_grad",
    "numerical_gradient",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "randint",
    "randn",
    "rel_error",
    "save",
    "save_graph",
    "set_grad_enabled",
    "stack",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
]
