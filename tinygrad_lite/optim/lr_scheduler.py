"""Learning-rate schedules: the same rates, step by step, as ``torch.optim.lr_scheduler``.

A schedule changes ``lr`` in each of the optimizer's ``param_groups``. Call ``step()`` once per
epoch, after that epoch's ``opt.step()`` calls:

```python
opt = optim.SGD(model.parameters(), lr=0.1)
schedule = optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
for epoch in range(100):
    train_one_epoch(model, opt)
    schedule.step()
```

Construction counts as epoch 0 (``last_epoch == 0``) and sets the epoch-0 rate. The rules
update the current rate (``lr * gamma``), as PyTorch's do, so the floating-point values are
PyTorch's too; the docstrings give the closed forms. ``base_lrs`` are the groups' rates when
the schedule is made.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import validation
from .optimizer import Optimizer, check_number, scalar

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "MultiStepLR", "StepLR"]


def _check_int(owner: str, what: str, value: Any, lo: int) -> int:
    value = scalar(value)
    if lo == 1:
        return validation.positive_int(owner, what, value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {what} must be an int, got {type(value).__name__} {value!r}")
    if value < lo:
        raise ValueError(f"{owner}: {what} must be at least {lo}, got {value}")
    return int(value)


def _float_list(owner: str, what: str, value: Any, count: int) -> list[float]:
    array = np.asarray(value)
    if array.dtype.kind not in "fiu" or array.shape != (count,):
        raise ValueError(f"{owner}: {what} must hold {count} number(s), one per parameter group, got {value!r}")
    return [float(x) for x in array]


class LRScheduler:
    """Base class of the schedules (PyTorch's ``torch.optim.lr_scheduler.LRScheduler``).

    A subclass defines ``get_lr()``: the rates of every group for the epoch ``last_epoch``,
    which ``step()`` has just advanced. ``get_last_lr()`` returns the rates set last (valid
    right after construction). Example, a schedule that halves the rate every epoch:

    ```python
    class Halve(LRScheduler):
        def get_lr(self):
            if self.last_epoch == 0:
                return [group["lr"] for group in self.optimizer.param_groups]
            return [group["lr"] / 2 for group in self.optimizer.param_groups]
    ```
    """

    #: hyperparameters kept in ``state_dict()`` besides the epoch count and rates
    _saved: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer) -> None:
        owner = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            hint = ""
            if hasattr(optimizer, "parameters"):
                hint = " (pass the optimizer, e.g. optim.SGD(model.parameters(), lr=0.1), not the model)"
            raise TypeError(
                f"{owner}: the first argument must be a tinygrad_lite optimizer (optim.SGD, optim.Adam, ...), "
                f"got {type(optimizer).__name__}{hint}"
            )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [float(group["lr"]) for group in optimizer.param_groups]
        self.last_epoch = -1
        self._step_count = 0
        self._last_lr: list[float] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at epoch ``last_epoch`` (called by ``step()``)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr`` to the schedule's rate for it."""
        owner = f"{type(self).__name__}.step"
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"{owner}: the optimizer has {len(groups)} parameter groups, the schedule was made for "
                f"{len(self.base_lrs)}"
            )
        self._step_count += 1
        self.last_epoch += 1
        rates = [check_number(owner, f"the learning rate for epoch {self.last_epoch}", lr) for lr in self.get_lr()]
        for group, lr in zip(groups, rates):
            group["lr"] = lr
        self._last_lr = rates

    def get_last_lr(self) -> list[float]:
        """The rates the last ``step()`` (or the construction) set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position and settings, with string keys and number or array leaves
        (savable with ``tl.save``):

        ```python
        {"last_epoch": 3, "_step_count": 4, "base_lrs": array([0.1]),
         "_last_lr": array([0.001]), "step_size": 2, "gamma": 0.1}
        ```
        """
        state: dict[str, Any] = {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "base_lrs": np.array(self.base_lrs, dtype=np.float64),
            "_last_lr": np.array(self._last_lr, dtype=np.float64),
        }
        for name in self._saved:
            value = getattr(self, name)
            state[name] = np.array(sorted(value.elements()), dtype=np.int64) if isinstance(value, Counter) else value
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned; the next ``step()`` continues the sequence.
        (The optimizer's own rates come from the optimizer's ``load_state_dict``.) Everything
        is checked first: on an error nothing changes."""
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        expected = {"last_epoch", "_step_count", "base_lrs", "_last_lr", *self._saved}
        if set(state_dict) != expected:
            missing, unexpected = sorted(expected - set(state_dict)), sorted(map(str, set(state_dict) - expected))
            raise ValueError(
                f"{owner}: the state dict has the wrong keys (missing {missing}, unexpected {unexpected}): "
                "is it from another kind of schedule?"
            )
        count = len(self.optimizer.param_groups)
        checked = {
            "last_epoch": _check_int(owner, "last_epoch", state_dict["last_epoch"], 0),
            "_step_count": _check_int(owner, "_step_count", state_dict["_step_count"], 1),
            "base_lrs": _float_list(owner, "base_lrs", state_dict["base_lrs"], count),
            "_last_lr": _float_list(owner, "_last_lr", state_dict["_last_lr"], count),
        }
        for name in self._saved:
            checked[name] = self._check_setting(name, state_dict[name], owner)
        for name, value in checked.items():
            setattr(self, name, value)

    def _check_setting(self, name: str, value: Any, owner: str) -> Any:
        """Check one of the hyperparameters in ``_saved``."""
        raise NotImplementedError(f"{type(self).__name__} must define _check_setting()")

    def __repr__(self) -> str:
        settings = "".join(f", {name}={getattr(self, name)!r}" for name in self._saved)
        return f"{type(self).__name__}(last_epoch={self.last_epoch}{settings}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs (step decay):

    ```python
    lr(epoch) = base_lr * gamma ** (epoch // step_size)
    ```

    Example:

    ```python
    schedule = StepLR(opt, step_size=2, gamma=0.5)   # opt made with lr=1.0
    # get_last_lr() at epochs 0, 1, 2, 3, 4: [1.0], [1.0], [0.5], [0.5], [0.25]
    ```
    """

    _saved = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = self._check_setting("step_size", step_size, "StepLR")
        self.gamma = self._check_setting("gamma", gamma, "StepLR")
        super().__init__(optimizer)

    def _check_setting(self, name: str, value: Any, owner: str) -> Any:
        return _check_int(owner, name, value, 1) if name == "step_size" else check_number(owner, name, value)

    def get_lr(self) -> list[float]:
        """``lr * gamma`` at the epochs that are multiples of ``step_size`` (but 0), else ``lr``."""
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch in ``milestones``:

    ```python
    lr(epoch) = base_lr * gamma ** (number of milestones <= epoch)
    ```

    (a milestone given twice counts twice, as in PyTorch). Example:

    ```python
    schedule = MultiStepLR(opt, milestones=[2, 4], gamma=0.1)   # opt made with lr=1.0
    # epochs 0..4: [1.0], [1.0], [0.1], [0.1], [0.01] (up to rounding)
    ```
    """

    _saved = ("milestones", "gamma")
    milestones: Counter[int]

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1) -> None:
        self.milestones = self._check_setting("milestones", milestones, "MultiStepLR")
        self.gamma = self._check_setting("gamma", gamma, "MultiStepLR")
        super().__init__(optimizer)

    def _check_setting(self, name: str, value: Any, owner: str) -> Any:
        if name == "gamma":
            return check_number(owner, name, value)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise TypeError(f"{owner}: milestones must be a list of epochs (ints), got {type(value).__name__}")
        return Counter(_check_int(owner, "each milestone", epoch, 0) for epoch in value)

    def get_lr(self) -> list[float]:
        """``lr * gamma ** k`` at an epoch given ``k`` times in ``milestones``, else ``lr``."""
        groups = self.optimizer.param_groups
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in groups]
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in groups]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch:

    ```python
    lr(epoch) = base_lr * gamma ** epoch
    ```

    Example:

    ```python
    schedule = ExponentialLR(opt, gamma=0.5)   # opt made with lr=1.0
    schedule.step(); schedule.get_last_lr()   # [0.5]
    ```
    """

    _saved = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = self._check_setting("gamma", gamma, "ExponentialLR")
        super().__init__(optimizer)

    def _check_setting(self, name: str, value: Any, owner: str) -> Any:
        return check_number(owner, name, value)

    def get_lr(self) -> list[float]:
        """``lr * gamma`` (the rate unchanged at construction)."""
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class LambdaLR(LRScheduler):
    """The rate is the initial one times a function of the epoch:

    ```python
    lr(epoch) = base_lr * lr_lambda(epoch)
    ```

    ``lr_lambda`` is one function, or a list with one per parameter group. The course's
    decay ``1 / (1 + decay_rate * epoch)`` is:

    ```python
    schedule = LambdaLR(opt, lambda epoch: 1 / (1 + 0.5 * epoch))   # opt made with lr=0.1
    schedule.step(); schedule.get_last_lr()   # [0.0666...] = 0.1 / 1.5
    ```

    The functions are not part of ``state_dict()`` (as in PyTorch): make the schedule with the
    same ones before ``load_state_dict``.
    """

    def __init__(
        self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]
    ) -> None:
        owner = "LambdaLR"
        count = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != count:
                raise ValueError(f"{owner}: got {len(lr_lambda)} lr_lambda functions for {count} parameter groups")
            functions = list(lr_lambda)
        else:
            functions = [lr_lambda] * count
        for function in functions:
            if not callable(function):
                raise TypeError(
                    f"{owner}: lr_lambda must be a function of the epoch (e.g. lambda epoch: 0.95 ** epoch), "
                    f"got {type(function).__name__}"
                )
        self.lr_lambdas: list[Callable[[int], float]] = functions
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        """``base_lr * lr_lambda(last_epoch)`` for each group."""
        rates: list[float] = []
        for function, base_lr in zip(self.lr_lambdas, self.base_lrs):
            factor = function(self.last_epoch)
            if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
                raise TypeError(
                    f"LambdaLR: lr_lambda({self.last_epoch}) returned {type(factor).__name__} {factor!r}, not a number"
                )
            rates.append(base_lr * factor)
        return rates


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial rate down to ``eta_min`` over ``T_max`` epochs:

    ```python
    lr(epoch) = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
    ```

    After ``T_max`` the rate climbs back up along the same cosine (period ``2 * T_max``), as in
    PyTorch. Like PyTorch, each step updates the current rate by the ratio of two consecutive
    cosine terms (and adds the epoch's increment right after a minimum), so a rate changed by
    hand is carried along. Example:

    ```python
    schedule = CosineAnnealingLR(opt, T_max=4)   # opt made with lr=1.0
    # epochs 0..4: [1.0], [0.853...], [0.5], [0.146...], [0.0]
    ```
    """

    _saved = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (PyTorch's name)
        self.T_max = self._check_setting("T_max", T_max, "CosineAnnealingLR")
        self.eta_min = self._check_setting("eta_min", eta_min, "CosineAnnealingLR")
        super().__init__(optimizer)

    def _check_setting(self, name: str, value: Any, owner: str) -> Any:
        return _check_int(owner, name, value, 1) if name == "T_max" else check_number(owner, name, value)

    def get_lr(self) -> list[float]:
        """PyTorch's recursive form of the cosine (see the class docstring for the closed form)."""
        groups, epoch, period, eta_min = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if epoch == 0:
            return [group["lr"] for group in groups]
        if (epoch - 1 - period) % (2 * period) == 0:  # just past a minimum: the ratio below would be 0/0
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / period)) / 2
                for base_lr, group in zip(self.base_lrs, groups)
            ]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]
