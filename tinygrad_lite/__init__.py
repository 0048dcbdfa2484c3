"""tinygrad_lite: a small, readable reverse-mode autodiff framework on NumPy.

    import tinygrad_lite as tl
    w = tl.tensor(0.0, requires_grad=True, name="w")
    cost = w**2 - 10*w + 25
    cost.backward()        # w.grad == -10
"""

from . import data, functional, nn, optim
from .anomaly import detect_anomaly
from .creation import arange, concatenate, maximum, minimum, ones, randn, stack, tensor, where, zeros
from .engine import GradientShapeError, Tensor
from .function import Function, enable_grad, is_grad_enabled, name_scope, no_grad
from .gradcheck import GradcheckError, gradcheck, numerical_gradient, rel_error
from .ops import IndexingError
from .serialization import load, save
from .viz import draw_graph, explain, save_graph

__version__ = "0.1.0"

__all__ = [
    "Function",
    "GradcheckError",
    "GradientShapeError",
    "IndexingError",
    "Tensor",
    "arange",
    "concatenate",
    "data",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "functional",
    "gradcheck",
    "is_grad_enabled",
    "load",
    "maximum",
    "minimum",
    "name_scope",
    "nn",
    "no_grad",
    "numerical_gradient",
    "ones",
    "optim",
    "randn",
    "rel_error",
    "save",
    "save_graph",
    "stack",
    "tensor",
    "where",
    "zeros",
]
