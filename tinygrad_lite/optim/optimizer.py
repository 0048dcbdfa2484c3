"""The optimizer base class: parameter groups, per-parameter state, an all-or-nothing ``step()``
and ``state_dict()`` / ``load_state_dict()``.

A subclass names its options (``defaults``), checks them (``_check_option``), names its
per-parameter state (``state_keys``) and writes the update of one parameter (``_update``).
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from .. import validation
from ..engine import Tensor

ParamsArgument = Iterable[Tensor] | Iterable[Mapping[str, Any]]


def scalar(value: Any) -> Any:
    """A 0-d array (a number read back from a file written by ``np.savez``) as a Python number."""
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def check_number(owner: str, what: str, value: Any, lo: float = 0.0, below: float | None = None) -> float:
    """The shared check of `validation.check_number`, also taking a 0-d array."""
    return validation.check_number(owner, what, scalar(value), lo, below)


def check_flag(owner: str, what: str, value: Any) -> bool:
    """``value`` as a bool (Python's or NumPy's, or a 0-d boolean array), else a ``TypeError``."""
    value = scalar(value)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {what} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def describe(p: Tensor, position: int) -> str:
    """``params[3] ('fc1.weight')``: how errors name a parameter (its name, else its place in a model)."""
    name = p.name or p._model_path
    return f"params[{position}]" + (f" ({name!r})" if name else "")


def _to_leaf(value: Any) -> Any:
    """An option as a ``state_dict`` leaf: a number, a bool or an array (a tuple such as
    Adam's ``betas`` becomes a float array)."""
    return np.array(value, dtype=np.float64) if isinstance(value, tuple) else value


class Optimizer:
    """Base class of the optimizers: parameter groups, state, ``zero_grad``, ``step``,
    ``state_dict`` and ``load_state_dict``, as ``torch.optim.Optimizer``.

    ``params`` is an iterable of Tensors, or of dicts ``{"params": [...], "lr": ..., ...}``
    giving each group its own options (an option a group leaves out takes the constructor's
    value):

    ```python
    opt = optim.SGD([{"params": model[0].parameters(), "lr": 0.01},
                     {"params": model[2].parameters()}], lr=0.1, momentum=0.9)
    opt.param_groups[1]["lr"]   # 0.1
    ```

    ``opt.lr`` reads and sets the first group's learning rate. Parameters that do not require
    grad (frozen) are accepted; ``step()`` skips every parameter whose ``.grad`` is None.
    ``opt.state[i]`` is the state (a dict such as ``{"momentum_buffer": array}``) of the
    ``i``-th parameter of ``opt.params``, empty until its first step.
    """

    defaults: dict[str, Any]
    param_groups: list[dict[str, Any]]
    state: list[dict[str, Any]]
    #: The names of the state a parameter gets at its first step (``"exp_avg"`` ...).
    state_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: ParamsArgument, defaults: dict[str, Any]) -> None:
        owner = type(self).__name__
        self.defaults = {name: self._check_option(name, value, owner) for name, value in defaults.items()}
        self.param_groups = []
        self.state = []
        self._checked_options: dict[int, tuple[Any, ...]] = {}  # group index -> options known to be valid
        if isinstance(params, Tensor):
            raise TypeError(f"{owner}: params must be an iterable of Tensors, got a single Tensor; pass [tensor]")
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{owner}: params must be an iterable of Tensors (e.g. model.parameters()) or of dicts "
                f"with a 'params' entry, got {type(params).__name__}"
            ) from None
        if not items:
            raise ValueError(
                f"{owner}: got no parameters to optimize (an empty list, or a model.parameters() "
                "generator that was already used up?)"
            )
        groups = [item for item in items if isinstance(item, Mapping)]
        if len(groups) == len(items):
            for group in groups:
                self.add_param_group(group)
        elif groups:
            raise TypeError(f"{owner}: params mixes dicts (parameter groups) and Tensors; give one kind")
        else:
            self.add_param_group({"params": items})
        if not self.state:
            raise ValueError(f"{owner}: the parameter groups hold no parameters to optimize")

    # ----- what a subclass provides ------------------------------------------------------

    def _check_option(self, name: str, value: Any, owner: str) -> Any:
        """Check one option (``lr``, ``momentum`` ...) and return it in its canonical form."""
        raise NotImplementedError(f"{type(self).__name__} must define _check_option()")

    def _check_group(self, group: dict[str, Any], owner: str) -> None:
        """Checks that involve several options of a group (e.g. nesterov needs momentum)."""

    def _update(self, group: dict[str, Any], state: dict[str, Any], p: Tensor, grad: np.ndarray) -> None:
        """Update ``p.data`` in place from ``grad`` (already checked; never write into it)."""
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    # ----- parameters and groups ------------------------------------------------------------

    @property
    def params(self) -> list[Tensor]:
        """Every parameter, group after group (the positions ``state_dict()`` uses)."""
        return [p for group in self.param_groups for p in group["params"]]

    @property
    def lr(self) -> float:
        """The learning rate of the first parameter group (the only one, usually)."""
        return float(self.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        self.param_groups[0]["lr"] = self._check_option("lr", value, type(self).__name__)

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group ``{"params": [...], option: value, ...}``; options it leaves out take
        the constructor's values (``opt.defaults``):

        ```python
        opt.add_param_group({"params": [new_layer.weight], "lr": 0.01})
        ```
        """
        owner = f"{type(self).__name__}: param_groups[{len(self.param_groups)}]"
        if not isinstance(param_group, Mapping):
            raise TypeError(f"{owner} must be a dict with a 'params' entry, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{owner} has no 'params' entry (the Tensors of the group)")
        unknown = [key for key in param_group if key != "params" and key not in self.defaults]
        if unknown:
            raise ValueError(
                f"{owner} has unknown option(s) {', '.join(map(repr, unknown))}; "
                f"the options of {type(self).__name__} are {', '.join(self.defaults)}"
            )
        group = {"params": self._checked_params(param_group["params"], owner)}
        for name, default in self.defaults.items():
            group[name] = self._check_option(name, param_group[name], owner) if name in param_group else default
        self._check_group(group, owner)
        self.param_groups.append(group)
        self.state.extend({} for _ in group["params"])

    def _checked_params(self, params: Any, owner: str) -> list[Tensor]:
        if isinstance(params, Tensor):
            params = [params]
        try:
            params = list(params)
        except TypeError:
            raise TypeError(
                f"{owner}: params must be an iterable of Tensors (e.g. model.parameters()), got {type(params).__name__}"
            ) from None
        seen = {id(p): i for i, p in enumerate(self.params)}
        start = len(seen)
        for offset, p in enumerate(params):
            i = start + offset
            if not isinstance(p, Tensor):
                raise TypeError(f"{owner}: params[{i}] is a {type(p).__name__}, not a Tensor")
            label = describe(p, i)
            if not p.is_leaf:
                raise ValueError(
                    f"{owner}: {label} is the result of an op ({p.op!r}), not a leaf: only leaves "
                    "(weights made directly) can be optimized"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(
                    f"{owner}: {label} has dtype {p.data.dtype}; only floating-point tensors can be optimized"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{owner}: {label} is the same tensor as params[{seen[id(p)]}]; it would be updated twice"
                )
            seen[id(p)] = i
        return list(params)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set ``.grad`` of every parameter to None, before the next ``backward()`` (or, with
        ``set_to_none=False``, to a new array of zeros, as PyTorch's option)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if set_to_none else np.zeros_like(p.data)

    # ----- the step -----------------------------------------------------------------------

    def step(self) -> None:
        """Update every parameter that has a gradient (``.grad`` not None) by one step.

        All or nothing: every gradient (a real floating-point or integer array of its
        parameter's shape) and every option is checked before the first parameter changes.
        """
        owner = f"{type(self).__name__}.step"
        work: list[tuple[dict[str, Any], dict[str, Any], Tensor, np.ndarray]] = []
        position = 0
        for g, group in enumerate(self.param_groups):
            self._recheck_options(g, group, owner)
            for p in group["params"]:
                state = self.state[position]
                grad = p.grad
                if grad is not None:
                    work.append((group, state, p, self._checked_gradient(p, grad, position, state, owner)))
                position += 1
        for group, state, p, grad in work:
            self._update(group, state, p, grad)  # changes p.data in place
            p._bump_version()  # so a backward through a graph that used the old p refuses to run

    def _recheck_options(self, g: int, group: dict[str, Any], owner: str) -> None:
        """Check a group's options again when one was replaced (through ``param_groups``)
        since the last check: the same objects need no second look."""
        values = tuple(group[name] for name in self.defaults)
        checked = self._checked_options.get(g)
        if checked is not None and all(map(operator.is_, values, checked)):
            return
        for name in self.defaults:
            group[name] = self._check_option(name, group[name], f"{owner}: param_groups[{g}]")
        self._checked_options[g] = tuple(group[name] for name in self.defaults)

    def _checked_gradient(self, p: Tensor, grad: Any, position: int, state: dict[str, Any], owner: str) -> np.ndarray:
        data = p.data
        if (  # the usual case, quickly: what backward() leaves in .grad
            type(grad) is np.ndarray
            and grad.dtype is data.dtype
            and grad.shape == data.shape
            and data.dtype.kind == "f"
            and data.flags.writeable
            and (not state or state[self.state_keys[-1]].shape == data.shape)
        ):
            return grad
        problem: tuple[type[Exception], str] | None = None
        if not isinstance(grad, np.ndarray):
            hint = " (use .data for a Tensor's array)" if isinstance(grad, Tensor) else ""
            problem = TypeError, f"has a gradient that is a {type(grad).__name__}, not a NumPy array{hint}"
        elif grad.dtype.kind not in "fiu":
            kind = "complex" if grad.dtype.kind == "c" else "not a real number type"
            problem = (
                TypeError,
                (
                    f"has a gradient of dtype {grad.dtype} ({kind}); a gradient must be a real floating-point "
                    "or integer array"
                ),
            )
        elif grad.shape != p.data.shape:
            problem = ValueError, f"has a gradient of shape {grad.shape}"
        elif p.data.dtype.kind != "f" or not p.data.flags.writeable:
            problem = TypeError, f"has data (dtype {p.data.dtype}) that is not a writable float array"
        elif state and state[self.state_keys[-1]].shape != p.data.shape:  # every state array has p's shape
            problem = ValueError, "changed shape since its last step: it no longer fits the optimizer's state"
        if problem is not None:
            error, text = problem
            raise error(f"{owner}: {describe(p, position)} of shape {p.data.shape} {text}; no parameter was changed")
        array: np.ndarray = grad if grad.dtype == p.data.dtype else grad.astype(p.data.dtype)
        return array

    # ----- saving and restoring -------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as nested dicts with string keys and array or number leaves,
        which ``tl.save`` can store:

        ```python
        {"state": {"0": {"momentum_buffer": array}, ...},        # by parameter position
         "param_groups": {"0": {"lr": 0.1, "momentum": 0.9, ..., "params": array([0, 1])}}}
        ```

        Only parameters that have taken a step have state. Arrays are copies.
        """
        state = {
            str(i): {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in entry.items()}
            for i, entry in enumerate(self.state)
            if entry
        }
        groups: dict[str, Any] = {}
        start = 0
        for g, group in enumerate(self.param_groups):
            count = len(group["params"])
            groups[str(g)] = {name: _to_leaf(group[name]) for name in self.defaults}
            groups[str(g)]["params"] = np.arange(start, start + count, dtype=np.int64)
            start += count
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (from this process or from a file written with
        ``tl.save``): the options of every group and each parameter's state, so that training
        continues exactly as if it had never stopped:

        ```python
        opt.load_state_dict(tl.load("ckpt.npz")["optim"])
        ```

        Everything is checked first (same number of groups and of parameters per group, the
        same kind of optimizer, state arrays of the parameters' shapes); on an error nothing
        changes.
        """
        owner = f"{type(self).__name__}.load_state_dict"
        state_dict = self._mapping(state_dict, "the state dict", owner)
        _expect_keys(state_dict, {"state", "param_groups"}, "the state dict", owner)
        saved_groups = state_dict["param_groups"]
        if isinstance(saved_groups, (list, tuple)):
            saved_groups = {str(g): group for g, group in enumerate(saved_groups)}
        saved_groups = self._mapping(saved_groups, "param_groups", owner)
        if len(saved_groups) != len(self.param_groups) or set(saved_groups) != {
            str(g) for g in range(len(self.param_groups))
        }:
            raise ValueError(
                f"{owner}: the state dict has {len(saved_groups)} parameter group(s) (keys "
                f"{sorted(saved_groups)}), this optimizer has {len(self.param_groups)}"
            )
        new_groups = []
        start = 0
        for g, group in enumerate(self.param_groups):
            where = f"param_groups['{g}']"
            saved = self._mapping(saved_groups[str(g)], where, owner)
            _expect_keys(saved, {*self.defaults, "params"}, where, owner)
            positions = np.asarray(saved["params"])
            count = len(group["params"])
            if positions.ndim != 1 or len(positions) != count:
                raise ValueError(
                    f"{owner}: {where} of the state dict has {positions.size} parameter(s), "
                    f"this optimizer's group {g} has {count}"
                )
            if not np.array_equal(positions, np.arange(start, start + count)):
                raise ValueError(
                    f"{owner}: {where}['params'] must be the positions {start}..{start + count - 1}, got {positions}"
                )
            new_group = {"params": group["params"]}
            for name in self.defaults:
                new_group[name] = self._check_option(name, saved[name], f"{owner}: {where}")
            self._check_group(new_group, f"{owner}: {where}")
            new_groups.append(new_group)
            start += count
        params = self.params
        saved_state = self._mapping(state_dict["state"], "state", owner)
        new_state: list[dict[str, Any]] = [{} for _ in params]
        for key, entry in saved_state.items():
            if not (isinstance(key, str) and key.isdigit() and int(key) < len(params)):
                raise ValueError(
                    f"{owner}: state has an entry {key!r}; its keys must be parameter positions "
                    f"'0'..'{len(params) - 1}'"
                )
            new_state[int(key)] = self._checked_state(entry, params[int(key)], int(key), owner)
        self.param_groups = new_groups
        self.state = new_state

    def _checked_state(self, entry: Any, p: Tensor, position: int, owner: str) -> dict[str, Any]:
        where = f"state['{position}']"
        entry = self._mapping(entry, where, owner)
        _expect_keys(entry, set(self.state_keys), where, owner)
        checked: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "step":
                step = scalar(value)
                if isinstance(step, (bool, np.bool_)) or not isinstance(step, numbers.Integral) or step < 1:
                    raise ValueError(f"{owner}: {where}['step'] must be an int >= 1, got {value!r}")
                checked[key] = int(step)
                continue
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "fiu" or array.shape != p.data.shape:
                raise ValueError(
                    f"{owner}: {where}[{key!r}] must be a real array of the shape of {describe(p, position)}, "
                    f"{p.data.shape}; got dtype {array.dtype}, shape {array.shape}"
                )
            checked[key] = array.astype(p.data.dtype, copy=True)
        return checked

    @staticmethod
    def _mapping(value: Any, what: str, owner: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise TypeError(f"{owner}: {what} must be a dict, got {type(value).__name__}")
        return value

    def __repr__(self) -> str:
        groups = [", ".join(f"{name}={group[name]!r}" for name in self.defaults) for group in self.param_groups]
        count = sum(len(group["params"]) for group in self.param_groups)
        if len(groups) == 1:
            return f"{type(self).__name__}({count} parameters, {groups[0]})"
        listed = "; ".join(
            f"group {g}: {len(group['params'])} parameters, {text}"
            for g, (group, text) in enumerate(zip(self.param_groups, groups))
        )
        return f"{type(self).__name__}({listed})"


def _expect_keys(mapping: Mapping[str, Any], expected: set[str], what: str, owner: str) -> None:
    """A clear error when ``mapping`` misses keys or has extra ones (another optimizer's dict)."""
    missing = sorted(expected - set(mapping))
    unexpected = sorted(map(str, set(mapping) - expected))
    if missing or unexpected:
        parts = ([f"missing {', '.join(map(repr, missing))}"] if missing else []) + (
            [f"unexpected {', '.join(map(repr, unexpected))}"] if unexpected else []
        )
        raise ValueError(
            f"{owner}: {what} has the wrong keys ({'; '.join(parts)}): is it from another kind of optimizer?"
        )
