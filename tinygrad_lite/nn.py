"""Models as in PyTorch: a `Module` finds its parameters and sub-modules from its attributes.

A parameter is any Tensor attribute that is a leaf with ``requires_grad=True``; a sub-module
is any `Module` attribute. Lists, tuples and dicts of them count too (named ``"layers.0"``,
``"blocks.encoder"``). There is nothing to register::

    class TwoLayerNet(nn.Module):
        def __init__(self):
            self.fc1 = nn.Linear(2, 100, rng=0)
            self.fc2 = nn.Linear(100, 3, rng=1)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    net = TwoLayerNet()
    [name for name, _ in net.named_parameters()]
    # ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']

Calling a sub-module opens a `tl.name_scope` named after the attribute that holds it
(``"fc1"``; inside a `Sequential`, the layer kind and position: ``"linear0"``, ``"relu1"``),
so that `draw_graph` groups each layer's ops. The module called from outside any other
module (the root) opens no scope.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from reprlib import recursive_repr
from typing import Any, overload

import numpy as np

from .engine import Tensor
from .function import name_scope

__all__ = ["Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh"]


class _CallStack(threading.local):
    """The modules whose ``__call__`` is running in this thread, outermost first."""

    def __init__(self) -> None:
        self.modules: list[Module] = []


_calls = _CallStack()


def _is_parameter(value: object) -> bool:
    # A non-leaf tensor stored on a module (a cached activation, say) is a result, not a weight.
    return isinstance(value, Tensor) and value.requires_grad and value.is_leaf


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Module:
    """Base class of models and layers: subclass it, set attributes, write ``forward``.

    ``module(x)`` calls ``module.forward(x)``. Parameters (leaf Tensors with
    ``requires_grad=True``) and sub-modules are found from the instance's attributes, in the
    order they were assigned; calling ``super().__init__()`` is allowed but not needed::

        class Affine(nn.Module):
            def __init__(self):
                self.w = tl.tensor([[2.0]], requires_grad=True, name="w")
                self.b = tl.tensor([0.5], requires_grad=True, name="b")

            def forward(self, x):
                return x @ self.w + self.b

        Affine().state_dict()   # {'w': array([[2.]]), 'b': array([0.5])}
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stack = _calls.modules
        scope = stack[-1]._scope_name_of(self) if stack else None
        stack.append(self)
        try:
            if scope is None:
                return self.forward(*args, **kwargs)
            with name_scope(scope):
                return self.forward(*args, **kwargs)
        finally:
            stack.pop()

    # ----- what the module holds ------------------------------------------------------------

    def _members(self) -> Iterator[tuple[str, Any]]:
        """Each attribute as (name, value), with lists, tuples and dicts opened one level."""
        for name, value in vars(self).items():
            if isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    yield f"{name}.{i}", item
            elif isinstance(value, dict):
                for key, item in value.items():
                    yield f"{name}.{key}", item
            else:
                yield name, value

    def _scope_name_of(self, child: Module) -> str:
        """The name_scope a sub-module opens when this module calls it: where it sits in this one."""
        for name, value in self._members():
            if value is child:
                return name.replace("/", "_")
        return type(child).__name__.lower()  # called without being an attribute: name it by kind

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules as (name, module), each once."""
        seen: set[int] = set()
        for name, value in self._members():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every module inside it, depth first, each once."""
        yield from self._named_modules(prefix, set())

    def _named_modules(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Module]]:
        # `seen` also stops cycles (a child that keeps a reference to its parent)
        seen.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            if id(child) not in seen:
                yield from child._named_modules(_join(prefix, name), seen)

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Tensor]]:
        """Every parameter as (dotted name, Tensor): ``("fc1.weight", ...)``, ``("0.bias", ...)``.

        As in PyTorch, a module's own tensors come first, then each sub-module's, in the order
        the attributes were assigned. A tensor shared by several modules is listed once,
        under the first name found.
        """
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            for name, value in module._members():
                if _is_parameter(value) and id(value) not in seen:
                    seen.add(id(value))
                    yield _join(module_name, name), value

    def parameters(self) -> Iterator[Tensor]:
        """Every parameter, for an optimizer: ``optim.SGD(model.parameters(), lr=0.1)``."""
        for _, tensor in self.named_parameters():
            yield tensor

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to None (gradients otherwise accumulate)."""
        for tensor in self.parameters():
            tensor.grad = None

    # ----- saving and loading -----------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by dotted name: ``{"fc1.weight": array, ...}``.

        Save it with ``tl.save(model.state_dict(), "model.npz")``.
        """
        return {name: tensor.data.copy() for name, tensor in self.named_parameters()}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Copy values into the parameters of the same names (each keeps its dtype).

        Every name must match and every shape must fit: otherwise a ``ValueError`` names all
        missing, unexpected, mis-shaped and non-numeric entries, and no parameter is changed::

            model.load_state_dict(tl.load("model.npz"))
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict takes a mapping of name -> array (such as tl.load(path)), "
                f"got {type(state_dict).__name__}"
            )
        params = dict(self.named_parameters())
        missing = [repr(name) for name in params if name not in state_dict]
        unexpected = [repr(name) for name in state_dict if name not in params]
        problems = []
        if missing:
            problems.append("missing: " + ", ".join(missing))
        if unexpected:
            problems.append("unexpected: " + ", ".join(unexpected))
        new_values: dict[str, np.ndarray] = {}
        for name, tensor in params.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            try:
                array = np.asarray(value.data if isinstance(value, Tensor) else value)
            except ValueError:  # a ragged nested list
                problems.append(f"{name!r} is not an array: {type(value).__name__} {value!r:.60}")
                continue
            if array.dtype.kind not in "biuf":
                problems.append(f"{name!r} has non-numeric dtype {array.dtype}")
            elif array.shape != tensor.shape:
                problems.append(f"{name!r} has shape {array.shape} in the state dict but {tensor.shape} in the model")
            else:
                new_values[name] = array.astype(tensor.dtype, copy=True)
        if problems:
            raise ValueError(
                f"load_state_dict: the state dict does not fit this {type(self).__name__} "
                f"(nothing was loaded): " + "; ".join(problems)
            )
        # Everything was checked above, so this loop cannot stop half way.
        for name, array in new_values.items():
            params[name].data = array

    # ----- printing ---------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of the repr, e.g. ``in_features=2``."""
        return ""

    @recursive_repr()
    def __repr__(self) -> str:
        extra = self.extra_repr()
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [extra] if extra else []
        lines += [f"({name}): {repr(child)}" for name, child in children]
        body = "\n".join(lines).replace("\n", "\n  ")
        return f"{type(self).__name__}(\n  {body}\n)"


class Linear(Module):
    """A fully connected layer, ``y = x @ weight + bias`` (the CS231n layout, no transpose).

    ``weight`` has shape ``(in_features, out_features)`` and ``bias`` ``(out_features,)``;
    both start uniform in ``[-1/sqrt(in_features), 1/sqrt(in_features)]``, as in PyTorch.
    ``rng`` is a ``np.random.Generator`` or an int seed (None: a fresh generator)::

        layer = nn.Linear(2, 3, rng=0)
        layer(np.ones((5, 2))).shape   # (5, 3)
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
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(f"Linear: {what} must be an int, got {type(n).__name__} {n!r}")
            if n < 1:
                raise ValueError(f"Linear: {what} must be at least 1, got {n}")
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise TypeError(f"Linear: dtype must be a floating type (float32 or float64), got {np.dtype(dtype)}")
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        bound = 1.0 / math.sqrt(self.in_features)
        weight = generator.uniform(-bound, bound, size=(self.in_features, self.out_features))
        self.weight = Tensor(weight.astype(dtype), requires_grad=True, name="weight")
        self.bias = None
        if bias:
            values = generator.uniform(-bound, bound, size=(self.out_features,))
            self.bias = Tensor(values.astype(dtype), requires_grad=True, name="bias")

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
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
        return _as_tensor(x).relu()


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Parameters are named by position (``"0.weight"``); indexing and ``len`` work as on a
    tuple (a slice gives a new Sequential of the same layers)::

        net = nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))
        net(X).shape     # (N, 3)
        net[0]           # Linear(in_features=2, out_features=100, bias=True)
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
        self._scope_names: dict[int, str] = {}
        for i, module in enumerate(modules):
            self._scope_names.setdefault(id(module), f"{type(module).__name__.lower()}{i}")

    def _members(self) -> Iterator[tuple[str, Any]]:
        for i, module in enumerate(self._layers):
            yield str(i), module

    def _scope_name_of(self, child: Module) -> str:
        return self._scope_names.get(id(child), type(child).__name__.lower())

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
