"""Optimizers with exactly PyTorch's update rules (``torch.optim``), so the same run gives the
same trajectory: same defaults, same place for ``eps`` and for weight decay; and the
learning-rate schedules of ``torch.optim.lr_scheduler`` in `optim.lr_scheduler`.

The training loop is PyTorch's:

```python
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for X_batch, y_batch in data.minibatches(X, y, 64):
    opt.zero_grad()
    F.cross_entropy(model(X_batch), y_batch).backward()
    opt.step()
```

Each ``step()`` updates ``p.data`` in place, and only after checking every gradient (so a bad
one changes nothing). Parameters whose ``.grad`` is None are skipped (their state, such as
Adam's step count, does not advance); frozen parameters (``requires_grad=False``) are
accepted. ``p.grad`` is never written to.
"""

from . import lr_scheduler
from .adaptive import Adam, AdamW, RMSprop
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
