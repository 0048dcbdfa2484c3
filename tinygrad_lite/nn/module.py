"""`Module` and `Parameter`: a model finds its parameters, buffers and sub-modules from its attributes.

A parameter is an `nn.Parameter`, or any other leaf Tensor attribute with
``requires_grad=True``; a sub-module is any `Module` attribute. Lists, tuples and dicts of them
count too, nested to any depth (named ``"layers.0"``, ``"blocks.0.1.weight"``,
``"heads.left.bias"``). There is nothing to register:

```python
class TwoLayerNet(nn.Module):
    def __init__(self):
        self.fc1 = nn.Linear(2, 100, rng=0)
        self.fc2 = nn.Linear(100, 3, rng=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())

net = TwoLayerNet()
[name for name, _ in net.named_parameters()]
# ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
```

Calling a sub-module opens a `tl.name_scope` named by where it sits in its parent (``"fc1"``;
inside a `Sequential`, its position ``"0"``, ``"1"``, ...), so that the graph pictures group
each layer's ops. The module called from outside any other module (the root) opens no scope,
and labels every parameter and buffer with its place below the root (``"fc1.weight"``), which
the pictures show when the tensor has no ``name`` of its own.
"""

from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from reprlib import recursive_repr
from typing import Any, NamedTuple, TypeVar

import numpy as np

from ..engine import Tensor
from ..state import name_scope

__all__ = ["IncompatibleKeys", "Module", "Parameter"]

M = TypeVar("M", bound="Module")


class Parameter(Tensor):
    """A leaf Tensor that a `Module` always counts as a parameter (``requires_grad=True`` by default).

    Unlike a plain tensor attribute, a Parameter stays a parameter after
    ``requires_grad_(False)`` (freezing), so it stays in ``parameters()`` and ``state_dict()``.
    It shares the data of a Tensor it is made from, but is always a leaf, which makes it the fix
    for a weight built by an op:

    ```python
    self.W = nn.Parameter(tl.randn(2, 3) * 0.01)   # a leaf; `tl.randn(...) * 0.01` alone is not
    nn.Parameter(np.zeros(3)).requires_grad          # True
    ```
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None, name: str | None = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `Module.load_state_dict` returns: ``(missing_keys, unexpected_keys)``, both lists of names."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class _CallStack(threading.local):
    """The modules whose ``__call__`` is running in this thread, outermost first."""

    def __init__(self) -> None:
        self.modules: list[Module] = []


_calls = _CallStack()

# Bumped whenever a module's tree may have changed (a module, leaf tensor or container assigned
# to or deleted from a module): the cached scope names and model paths are then recomputed.
_generation = 0
# The root whose tensors carry model paths now, and the generation they were computed at.
_labelled: tuple[weakref.ref[Module], int] | None = None

# Plain (non-Parameter) tensors frozen by Module.requires_grad_(False): they stay parameters.
# Keyed by id with a weak reference (a WeakSet would compare Tensors with ==, which is elementwise).
_frozen: dict[int, weakref.ref[Tensor]] = {}

# Attributes holding a module's own bookkeeping, never searched for tensors or modules.
_INTERNAL = frozenset({"_buffer_names", "_nn_scopes", "training"})


def _tree_changed() -> None:
    global _generation
    _generation += 1


def _remember_frozen(tensor: Tensor) -> None:
    key = id(tensor)
    _frozen[key] = weakref.ref(tensor, lambda _ref, key=key: _frozen.pop(key, None))  # type: ignore[misc]


def _was_frozen(tensor: Tensor) -> bool:
    ref = _frozen.get(id(tensor))
    return ref is not None and ref() is tensor


def _is_parameter(value: object) -> bool:
    """A Parameter, or a leaf tensor that requires grad (or that Module.requires_grad_ froze).

    A non-leaf tensor stored on a module (a cached activation, say) is a result, not a weight.
    """
    if isinstance(value, Parameter):
        return True
    return isinstance(value, Tensor) and value.is_leaf and (value.requires_grad or _was_frozen(value))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _walk(name: str, value: Any, seen: set[int]) -> Iterator[tuple[str, Any]]:
    """``(dotted name, item)`` for ``value``, opening lists, tuples and dicts to any depth."""
    if isinstance(value, (list, tuple, dict)):
        if id(value) in seen:  # a container that holds itself
            return
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _walk(f"{name}.{key}", item, seen)
    else:
        yield name, value


def _is_structural(value: Any) -> bool:
    """Whether assigning ``value`` may change the module tree (not an activation or a number)."""
    return isinstance(value, (Module, list, tuple, dict)) or (isinstance(value, Tensor) and value.is_leaf)


def _non_leaf_inside(name: str, value: Any) -> tuple[str, Tensor] | None:
    """The first tensor in ``value`` that requires grad but is not a leaf, with its dotted name."""
    for path, item in _walk(name, value, set()):
        if isinstance(item, Tensor) and item.requires_grad and not item.is_leaf:
            return path, item
    return None


class Module:
    """Base class of models and layers: subclass it, set attributes, write ``forward``.

    ``module(x)`` calls ``module.forward(x)``. Parameters (`Parameter` objects and leaf
    Tensors with ``requires_grad=True``) and sub-modules are found from the instance's
    attributes (and lists, tuples and dicts in them), in the order they were assigned;
    calling ``super().__init__()`` is allowed but not needed:

    ```python
    class Affine(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([[2.0]])
            self.b = tl.tensor([0.5], requires_grad=True)   # a plain leaf counts too

        def forward(self, x):
            return x @ self.w + self.b

    Affine().state_dict()   # {'w': array([[2.]]), 'b': array([0.5])}
    ```

    A module is in training mode (``.training`` is True) until ``eval()``; layers such as
    `Dropout` and `BatchNorm1d` behave differently in the two modes.
    """

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; ``module(x)`` calls it (inside the module's name scope)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stack = _calls.modules
        if stack:
            scope: str | None = stack[-1]._scope_name_of(self)
        else:
            scope = None
            _label_model_paths(self)
        stack.append(self)
        try:
            if scope is None:
                return self.forward(*args, **kwargs)
            with name_scope(scope):
                return self.forward(*args, **kwargs)
        finally:
            stack.pop()

    def __setattr__(self, name: str, value: Any) -> None:
        if not _calls.modules:  # inside a forward call, keeping activations is fine
            found = _non_leaf_inside(name, value)
            if found is not None:
                path, tensor = found
                warnings.warn(
                    f"{type(self).__name__}.{path} is set to a tensor that requires grad but is not a leaf "
                    f"(it was made by the op {tensor.op!r}), so it is not a parameter: an optimizer would never "
                    f"update it. Create the leaf first (W = tl.randn(2, 3) * 0.01; W.requires_grad_()) or wrap "
                    f"it: self.{name} = nn.Parameter(tl.randn(2, 3) * 0.01)",
                    stacklevel=2,
                )
        if name in self._buffers_registered() and isinstance(value, np.ndarray):
            value = Tensor(value)
        if _is_structural(value) or _is_structural(self.__dict__.get(name)):
            _tree_changed()
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if _is_structural(self.__dict__.get(name)):
            _tree_changed()
        object.__delattr__(self, name)
        names = self.__dict__.get("_buffer_names")
        if names is not None and name in names:
            names.remove(name)

    # ----- what the module holds ------------------------------------------------------------

    def _buffers_registered(self) -> list[str]:
        names: list[str] | None = self.__dict__.get("_buffer_names")
        return [] if names is None else names

    def _members(self) -> Iterator[tuple[str, Any]]:
        """Each attribute as (name, value), with lists, tuples and dicts opened to any depth."""
        seen: set[int] = set()
        for name, value in list(vars(self).items()):
            if name not in _INTERNAL:
                yield from _walk(name, value, seen)

    def _scope_name_of(self, child: Module) -> str:
        """The name_scope a sub-module opens when this module calls it: where it sits in this one."""
        cached = self.__dict__.get("_nn_scopes")
        if cached is None or cached[0] != _generation:
            names: dict[int, str] = {}
            for name, value in self._members():
                if isinstance(value, Module):
                    names.setdefault(id(value), name.replace("/", "_"))
            cached = (_generation, names)
            object.__setattr__(self, "_nn_scopes", cached)
        found: str | None = cached[1].get(id(child))
        return found if found is not None else type(child).__name__.lower()  # not an attribute: its kind

    def register_buffer(self, name: str, tensor: Any) -> None:
        """Keep non-trainable state (an array or Tensor, or None) as attribute ``name``.

        Buffers are not parameters (no optimizer updates them) but `state_dict` and
        `load_state_dict` include them, e.g. `BatchNorm1d`'s running statistics:

        ```python
        self.register_buffer("running_mean", np.zeros(3))
        self.running_mean        # Tensor([0., 0., 0.])
        ```
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"register_buffer: the name must be a valid attribute name, got {name!r}")
        if name in self.__dict__ and name not in self._buffers_registered():
            raise KeyError(f"register_buffer: {type(self).__name__} already has an attribute {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            array = np.asarray(tensor)
            if array.dtype.kind not in "biuf":
                raise TypeError(f"register_buffer: {name!r} must be numeric, got dtype {array.dtype}")
            tensor = Tensor(array)
        if "_buffer_names" not in self.__dict__:
            object.__setattr__(self, "_buffer_names", [])
        if name not in self.__dict__["_buffer_names"]:
            self.__dict__["_buffer_names"].append(name)
        setattr(self, name, tensor)

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """Every buffer as (dotted name, Tensor), module by module: ``("bn.running_mean", ...)``."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            for name in module._buffers_registered():
                value = module.__dict__.get(name)
                if isinstance(value, Tensor) and id(value) not in seen:
                    seen.add(id(value))
                    yield _join(module_name, name), value

    def buffers(self) -> Iterator[Tensor]:
        """Every buffer (see `named_buffers`)."""
        for _, tensor in self.named_buffers():
            yield tensor

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
        under the first name found. Frozen parameters (``requires_grad_(False)``) are listed too.
        """
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            yield from module._own_parameters(module_name, seen)

    def _own_parameters(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Tensor]]:
        buffers = self._buffers_registered()
        for name, value in self._members():
            if _is_parameter(value) and id(value) not in seen and name not in buffers:
                seen.add(id(value))
                yield _join(prefix, name), value

    def parameters(self) -> Iterator[Tensor]:
        """Every parameter, for an optimizer: ``optim.SGD(model.parameters(), lr=0.1)``."""
        for _, tensor in self.named_parameters():
            yield tensor

    def _named_tensors(self) -> Iterator[tuple[str, Tensor]]:
        """Parameters then buffers, module by module (PyTorch's `state_dict` order), each once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            yield from module._own_parameters(module_name, seen)
            for name in module._buffers_registered():
                value = module.__dict__.get(name)
                if isinstance(value, Tensor) and id(value) not in seen:
                    seen.add(id(value))
                    yield _join(module_name, name), value

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to None (gradients otherwise accumulate)."""
        for tensor in self.parameters():
            tensor.grad = None

    # ----- modes and bulk changes ------------------------------------------------------------

    def train(self: M, mode: bool = True) -> M:
        """Set training mode (``.training = mode``) on this module and every sub-module; returns self.

        `Dropout` drops only in training mode and `BatchNorm1d` uses batch statistics only then:

        ```python
        model.train()     # before a training loop
        model.eval()      # before measuring validation accuracy
        ```
        """
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"train(mode): mode must be True or False, got {type(mode).__name__} {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self: M) -> M:
        """Evaluation mode: ``train(False)``; returns self."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Freeze (``False``) or unfreeze every parameter; returns self.

        Frozen parameters get no gradient, but stay in ``parameters()`` and ``state_dict()``:

        ```python
        model.fc1.requires_grad_(False)   # fine-tune only the rest
        ```
        """
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_: expected True or False, got {type(requires_grad).__name__}")
        for tensor in list(self.parameters()):
            tensor.requires_grad_(bool(requires_grad))
            if not isinstance(tensor, Parameter):
                if requires_grad:
                    _frozen.pop(id(tensor), None)
                else:
                    _remember_frozen(tensor)
        return self

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call ``fn(module)`` on every sub-module (children first) and on this module; returns self.

        The usual use is custom initialization:

        ```python
        def init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        model.apply(init_weights)
        ```
        """
        for child in list(self.children()):
            child.apply(fn)
        fn(self)
        return self

    # ----- saving and loading -----------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's and buffer's values, by dotted name: ``{"fc1.weight": array, ...}``.

        Save it with ``tl.save(model.state_dict(), "model.npz")``.
        """
        return {name: tensor.data.copy() for name, tensor in self._named_tensors()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers of the same names (each keeps its dtype).

        Returns ``(missing_keys, unexpected_keys)``. With ``strict=True`` every name must
        match; with ``strict=False`` missing and unexpected names are only reported. Every
        shape must fit either way: otherwise a ``ValueError`` names all missing, unexpected,
        mis-shaped and non-numeric entries, and nothing is changed. Values are written into
        the existing tensors in place:

        ```python
        model.load_state_dict(tl.load("model.npz"))
        missing, unexpected = model.load_state_dict({"fc1.weight": w}, strict=False)
        ```
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict takes a mapping of name -> array (such as tl.load(path)), "
                f"got {type(state_dict).__name__}"
            )
        targets = dict(self._named_tensors())
        missing = [name for name in targets if name not in state_dict]
        unexpected = [name for name in state_dict if name not in targets]
        problems = []
        if strict and missing:
            problems.append("missing: " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            problems.append("unexpected: " + ", ".join(map(repr, unexpected)))
        new_values: dict[str, np.ndarray] = {}
        for name, tensor in targets.items():
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
                new_values[name] = array
        if problems:
            raise ValueError(
                f"load_state_dict: the state dict does not fit this {type(self).__name__} "
                f"(nothing was loaded): " + "; ".join(problems)
            )
        # Everything was checked above, so this loop cannot stop half way. The tensors keep their
        # identity (an optimizer holding them sees the new values) and their dtype.
        for name, array in new_values.items():
            tensor = targets[name]
            tensor.data[...] = array
            tensor._bump_version()
        return IncompatibleKeys(missing, unexpected)

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


def _label_model_paths(root: Module) -> None:
    """Set ``_model_path`` of every parameter and buffer of ``root`` to its dotted name below it.

    Done when ``root`` is called from outside any module; skipped when the same root was
    labelled last and no module's attributes changed since.
    """
    global _labelled
    if _labelled is not None and _labelled[0]() is root and _labelled[1] == _generation:
        return
    for name, tensor in root._named_tensors():
        tensor._model_path = name
    _labelled = (weakref.ref(root), _generation)


def _parameters_of(params: Tensor | Iterable[Tensor], owner: str) -> list[Tensor]:
    """``params`` (one Tensor or an iterable of them) as a list, each checked to be a Tensor."""
    items = [params] if isinstance(params, Tensor) else list(params)
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: parameters[{i}] is a {type(p).__name__}, not a Tensor")
    return items
