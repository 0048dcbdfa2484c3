"""tinygrad_lite.nn: parameter discovery, Linear, activations, Sequential, state dicts, name scopes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import Tensor, nn, testing


class TwoLayerNet(nn.Module):
    def __init__(self, hidden=4):
        self.fc1 = nn.Linear(2, hidden, rng=0)
        self.fc2 = nn.Linear(hidden, 3, rng=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def parameter_values(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


# ----- finding parameters and sub-modules ---------------------------------------------------


def test_named_parameters_of_nested_modules_in_assignment_order():
    class Outer(nn.Module):
        def __init__(self):
            self.scale = tl.tensor(1.0, requires_grad=True)
            self.net = TwoLayerNet()
            self.head = nn.Sequential(nn.Linear(3, 3, rng=2), nn.Tanh(), nn.Linear(3, 1, bias=False, rng=3))

    names = [name for name, _ in Outer().named_parameters()]
    assert names == [
        "scale",
        "net.fc1.weight",
        "net.fc1.bias",
        "net.fc2.weight",
        "net.fc2.bias",
        "head.0.weight",
        "head.0.bias",
        "head.2.weight",
    ]


def test_parameters_are_the_tensors_themselves():
    net = TwoLayerNet()
    expected = [net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias]
    assert [id(p) for p in net.parameters()] == [id(p) for p in expected]


def test_sequential_names_parameters_by_position():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 4, rng=1))
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.shape for p in net.parameters()] == [(2, 3), (3,), (3, 4), (4,)]


def test_lists_tuples_and_dicts_of_modules_and_tensors_are_searched():
    class Model(nn.Module):
        def __init__(self):
            self.layers = [nn.Linear(2, 2, rng=i) for i in range(2)]
            self.pair = (nn.Linear(2, 1, bias=False, rng=5),)
            self.heads = {"left": nn.Linear(2, 1, bias=False, rng=6)}
            self.extra = [tl.tensor([1.0], requires_grad=True)]

    names = [name for name, _ in Model().named_parameters()]
    assert names == [  # a module's own tensors come before those of its sub-modules, as in PyTorch
        "extra.0",
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "pair.0.weight",
        "heads.left.weight",
    ]


def test_only_leaf_tensors_that_require_grad_are_parameters():
    class Model(nn.Module):
        def __init__(self):
            self.w = tl.tensor([1.0, 2.0], requires_grad=True)
            self.frozen = tl.tensor([3.0])  # requires_grad=False: a constant
            self.last_output = self.w * 2  # a result of an op: not a parameter
            self.note = "text"
            self.numbers = [1, 2]

    assert [name for name, _ in Model().named_parameters()] == ["w"]


def test_shared_tensors_and_modules_are_listed_once():
    shared = nn.Linear(2, 2, rng=0)

    class Model(nn.Module):
        def __init__(self):
            self.a = shared
            self.b = shared
            self.tied = shared.weight

    model = Model()
    assert [name for name, _ in model.named_parameters()] == ["tied", "a.bias"]
    assert [name for name, _ in model.named_modules()] == ["", "a"]


def test_a_reference_cycle_between_modules_does_not_hang():
    parent = TwoLayerNet()
    parent.fc1.owner = parent  # a child that points back at its parent
    assert len(list(parent.parameters())) == 4
    assert "fc1" in repr(parent)


def test_super_init_is_optional():
    class WithSuper(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1, rng=0)

    assert len(list(WithSuper().parameters())) == 2


def test_children_and_modules():
    net = TwoLayerNet()
    assert list(net.children()) == [net.fc1, net.fc2]
    assert list(net.modules()) == [net, net.fc1, net.fc2]
    assert [name for name, _ in net.named_children()] == ["fc1", "fc2"]


def test_zero_grad_clears_every_parameter():
    net = TwoLayerNet()
    net(np.ones((3, 2))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_forward_must_be_defined():
    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(1.0)


# ----- Linear ------------------------------------------------------------------------------


def test_linear_shapes_names_dtype_and_init_range():
    layer = nn.Linear(16, 5, rng=0)
    assert layer.weight.shape == (16, 5) and layer.bias.shape == (5,)
    assert layer.weight.name == "weight" and layer.bias.name == "bias"
    assert layer.weight.dtype == np.float64 and layer.weight.requires_grad and layer.bias.requires_grad
    bound = 1 / math.sqrt(16)
    for p in (layer.weight, layer.bias):
        assert np.all(np.abs(p.data) <= bound)
    big = nn.Linear(400, 300, rng=1).weight.data
    # uniform on [-b, b]: the extremes come close to b and the mean is near 0
    assert np.abs(big).max() > 0.99 / 20 and abs(big.mean()) < 0.002
    assert big.std() == pytest.approx((1 / 20) / math.sqrt(3), rel=0.02)


def test_linear_rng_seed_and_generator_are_reproducible():
    a = nn.Linear(3, 2, rng=7)
    b = nn.Linear(3, 2, rng=np.random.default_rng(7))
    c = nn.Linear(3, 2, rng=8)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    assert not np.array_equal(nn.Linear(3, 2).weight.data, nn.Linear(3, 2).weight.data)


def test_linear_forward_is_x_at_weight_plus_bias():
    layer = nn.Linear(3, 4, rng=0)
    x = np.random.default_rng(1).standard_normal((5, 3))
    out = layer(x)
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, x @ layer.weight.data + layer.bias.data, rtol=1e-15)
    np.testing.assert_allclose(layer(Tensor(x[0])).data, x[0] @ layer.weight.data + layer.bias.data, rtol=1e-15)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False, rng=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((1, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data)


def test_linear_float32_stays_float32():
    layer = nn.Linear(3, 2, rng=0, dtype=np.float32)
    out = layer(np.ones((4, 3), dtype=np.float32))
    out.sum().backward()
    assert out.dtype == np.float32 and layer.weight.grad.dtype == np.float32


@given(testing.arrays(st.tuples(st.integers(1, 4), st.just(3))), st.booleans())
def test_linear_gradients_match_finite_differences(x, bias):
    layer = nn.Linear(3, 2, bias=bias, rng=0)
    arrays = [x, layer.weight.data] + ([layer.bias.data] if bias else [])

    def forward(x, weight, *maybe_bias):
        layer.weight, layer.bias = weight, (maybe_bias[0] if maybe_bias else None)
        return layer(x).tanh()

    testing.check_gradients(forward, *arrays)


def test_linear_rejects_a_wrong_input_width():
    layer = nn.Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"shape \(5, 4\).*in_features = 3"):
        layer(np.ones((5, 4)))


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 2), ValueError, "in_features must be at least 1, got 0"),
        ((2, -1), ValueError, "out_features must be at least 1, got -1"),
        ((2.0, 2), TypeError, "in_features must be an int, got float"),
        ((True, 2), TypeError, "in_features must be an int, got bool"),
    ],
)
def test_linear_rejects_bad_sizes(args, error, message):
    with pytest.raises(error, match=message):
        nn.Linear(*args)


def test_linear_rejects_an_integer_dtype():
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(2, 2, dtype=np.int64)


# ----- activations and Sequential --------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "reference"),
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Tanh(), np.tanh),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    ],
)
def test_activations_match_numpy_and_have_no_parameters(module, reference):
    x = np.linspace(-3, 3, 13).reshape(1, 13)
    np.testing.assert_allclose(module(x).data, reference(x), rtol=1e-12)
    np.testing.assert_allclose(module(Tensor(x)).data, reference(x), rtol=1e-12)
    assert list(module.parameters()) == []


def test_sequential_applies_modules_in_order():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    x = np.random.default_rng(2).standard_normal((4, 2))
    hidden = np.maximum(x @ net[0].weight.data + net[0].bias.data, 0)
    np.testing.assert_allclose(net(x).data, hidden @ net[2].weight.data + net[2].bias.data, rtol=1e-14)


def test_sequential_indexing_len_iter_and_slices():
    layers = [nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 2, rng=1)]
    net = nn.Sequential(*layers)
    assert len(net) == 3 and list(net) == layers
    assert net[0] is layers[0] and net[-1] is layers[2]
    head = net[1:]
    assert isinstance(head, nn.Sequential) and list(head) == layers[1:]
    with pytest.raises(IndexError, match="index 3 is out of range for a Sequential of 3"):
        net[3]
    assert len(nn.Sequential()) == 0
    np.testing.assert_array_equal(nn.Sequential()(np.ones(2)), np.ones(2))


def test_sequential_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="argument 1 is a function, not an nn.Module"):
        nn.Sequential(nn.Linear(2, 2), lambda x: x)


def test_repr_is_readable():
    net = nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, bias=False, rng=1))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=100, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=100, out_features=3, bias=False)\n"
        ")"
    )

    class Wrapper(nn.Module):
        def __init__(self):
            self.body = nn.Sequential(nn.Tanh())

    assert repr(Wrapper()) == "Wrapper(\n  (body): Sequential(\n    (0): Tanh()\n  )\n)"


# ----- name scopes ------------------------------------------------------------------------


def scopes_by_op(out):
    """{op name: set of scopes} over the graph behind ``out``."""
    found, stack, seen = {}, [out], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.op is not None:
            found.setdefault(t.op, set()).add(t.scope)
        stack.extend(t.parents)
    return found


def test_sub_modules_open_a_scope_named_after_their_attribute():
    out = TwoLayerNet()(np.ones((2, 2)))
    assert out.scope == "fc2" and out.parents[0].scope == "fc2"
    assert scopes_by_op(out) == {"add": {"fc1", "fc2"}, "matmul": {"fc1", "fc2"}, "relu": {""}}


def test_sequential_children_are_scoped_by_kind_and_position():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    out = net(np.ones((2, 2)))
    assert scopes_by_op(out) == {"add": {"linear0", "linear2"}, "matmul": {"linear0", "linear2"}, "relu": {"relu1"}}


def test_scopes_nest_and_the_root_opens_none():
    class Model(nn.Module):
        def __init__(self):
            self.body = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
            self.blocks = [nn.Sigmoid()]

        def forward(self, x):
            return self.blocks[0](self.body(x)) * 2

    out = Model()(np.ones((1, 2)))
    assert out.scope == ""  # the root's own op
    assert scopes_by_op(out) == {
        "mul": {""},
        "sigmoid": {"blocks.0"},
        "tanh": {"body/tanh1"},
        "add": {"body/linear0"},
        "matmul": {"body/linear0"},
    }
    with tl.name_scope("net"):
        assert Model()(np.ones((1, 2))).parents[0].scope == "net/blocks.0"


def test_a_module_called_directly_is_a_root_again():
    net = TwoLayerNet()
    assert net.fc1(np.ones((1, 2))).scope == ""


def test_a_failing_forward_does_not_leave_a_scope_behind():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2, rng=0)

        def forward(self, x):
            return self.fc(np.ones((1, 5)))

    with pytest.raises(ValueError):
        Broken()(None)
    assert nn.Linear(2, 2, rng=0)(np.ones((1, 2))).scope == ""


# ----- state dicts ------------------------------------------------------------------------


def test_state_dict_copies_every_parameter():
    net = TwoLayerNet()
    state = net.state_dict()
    assert list(state) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    np.testing.assert_array_equal(state["fc1.weight"], net.fc1.weight.data)
    state["fc1.weight"][...] = 123.0
    assert not np.any(net.fc1.weight.data == 123.0)


def test_load_state_dict_round_trip_gives_the_same_model():
    source, target = TwoLayerNet(), TwoLayerNet()
    for p in target.parameters():
        p.data = p.data + 1.0
    x = np.random.default_rng(0).standard_normal((5, 2))
    assert not np.allclose(source(x).data, target(x).data)
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(source(x).data, target(x).data)
    source.fc1.weight.data[...] = 0.0  # the loaded values are copies
    assert np.any(target.fc1.weight.data != 0.0)


def test_load_state_dict_accepts_tensors_and_keeps_the_parameter_dtype():
    layer = nn.Linear(2, 2, rng=0, dtype=np.float32)
    layer.load_state_dict({"weight": Tensor(np.eye(2)), "bias": np.array([1, 2])})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    np.testing.assert_array_equal(layer.bias.data, [1.0, 2.0])


@pytest.mark.parametrize(
    ("change", "messages"),
    [
        (lambda s: s.pop("fc2.bias"), ["missing: 'fc2.bias'"]),
        (lambda s: s.update({"fc3.weight": np.zeros(2)}), ["unexpected: 'fc3.weight'"]),
        (
            lambda s: s.update({"fc1.weight": np.zeros((4, 2))}),
            ["'fc1.weight' has shape (4, 2) in the state dict but (2, 4) in the model"],
        ),
        (lambda s: s.update({"fc1.bias": np.array(["a"] * 4)}), ["'fc1.bias' has non-numeric dtype <U1"]),
        (lambda s: s.update({"fc2.bias": [[1.0], [2.0, 3.0]]}), ["'fc2.bias' is not an array: list"]),
        (
            lambda s: (
                s.pop("fc1.weight"),
                s.pop("fc2.weight"),
                s.update({"extra": np.zeros(1), "fc2.bias": np.zeros(4)}),
            ),
            [
                "missing: 'fc1.weight', 'fc2.weight'",
                "unexpected: 'extra'",
                "'fc2.bias' has shape (4,) in the state dict but (3,) in the model",
            ],
        ),
    ],
)
def test_load_state_dict_names_every_problem_and_changes_nothing(change, messages):
    net = TwoLayerNet()
    before = parameter_values(net)
    state = {name: value + 5.0 for name, value in net.state_dict().items()}
    change(state)
    with pytest.raises(ValueError) as caught:
        net.load_state_dict(state)
    for message in messages:
        assert message in str(caught.value)
    assert "nothing was loaded" in str(caught.value)
    after = parameter_values(net)
    assert list(after) == list(before)
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="mapping of name -> array"):
        TwoLayerNet().load_state_dict([("fc1.weight", np.zeros((2, 4)))])


# ----- training end to end --------------------------------------------------------------------


def test_two_layer_net_fits_the_spiral():
    from tinygrad_lite import data, optim
    from tinygrad_lite import functional as F

    X, y = data.spiral(seed=0)
    net = nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))
    opt = optim.Adam(net.parameters(), lr=0.02)
    for _ in range(500):  # full-batch
        opt.zero_grad()
        F.cross_entropy(net(X), y).backward()
        opt.step()
    with tl.no_grad():
        accuracy = (net(X).argmax(axis=1) == y).mean()
    assert accuracy >= 0.95  # a linear classifier stays near 50% on this set
