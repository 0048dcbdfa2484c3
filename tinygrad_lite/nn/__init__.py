"""Models as in PyTorch: ``from tinygrad_lite import nn``.

- `Module` (find parameters, buffers and sub-modules from attributes; ``train()``/``eval()``;
  ``state_dict``/``load_state_dict``) and `Parameter`;
- layers: `Linear`, `ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU`, `Identity`, `Flatten`, `Dropout`,
  `BatchNorm1d`, `Sequential`; losses `CrossEntropyLoss`, `MSELoss`, `HingeLoss`;
- ``nn.init``: Xavier and He initialization; ``nn.utils``: gradient clipping.

```python
net = nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))
[name for name, _ in net.named_parameters()]    # ['0.weight', '0.bias', '2.weight', '2.bias']
```
"""

from . import init, utils
from .layers import (
    BatchNorm1d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    HingeLoss,
    Identity,
    LeakyReLU,
    Linear,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HingeLoss",
    "Identity",
    "IncompatibleKeys",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "init",
    "utils",
]
