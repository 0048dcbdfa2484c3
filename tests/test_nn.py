"""tinygrad_lite.nn: parameter discovery, Linear, activations, Sequential, state dicts, name scopes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import Tensor, nn, testing
from tinygrad_lite import functional as F


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
            self.note = "text"
            self.numbers = [1, 2]

    model = Model()
    with pytest.warns(UserWarning, match="last_output"):
        model.last_output = model.w * 2  # a result of an op: not a parameter
    assert [name for name, _ in model.named_parameters()] == ["w"]


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
    assert isinstance(layer.weight, nn.Parameter) and isinstance(layer.bias, nn.Parameter)
    assert layer.weight.name is None and layer.bias.name is None  # pictures show the model path instead
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


def test_sequential_children_are_scoped_by_position():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    out = net(np.ones((2, 2)))
    assert scopes_by_op(out) == {"add": {"0", "2"}, "matmul": {"0", "2"}, "relu": {"1"}}


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
        "tanh": {"body/1"},
        "add": {"body/0"},
        "matmul": {"body/0"},
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


# ===== release 0.2: Parameter, containers, warnings (section T) ===============================


def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_data():
    base = tl.tensor([1.0, 2.0])
    p = nn.Parameter(base)
    assert isinstance(p, Tensor) and p.is_leaf and p.requires_grad
    assert p.data is base.data  # as torch.nn.Parameter(t): the same storage
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad
    made = nn.Parameter(tl.randn(2, 3, rng=0, requires_grad=True) * 0.01)  # the fix for a non-leaf weight
    assert made.is_leaf and made.op is None
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\nTensor([1.]")
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter(np.array([1, 2]))
    out = p * 2  # ops on a Parameter give ordinary tensors
    assert type(out) is Tensor and out.op == "mul"


def test_frozen_parameters_stay_in_parameters_and_state_dict():
    net = TwoLayerNet()
    net.fc1.weight.requires_grad_(False)  # a Parameter: still a parameter
    names = [name for name, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(net.state_dict()) == names
    TwoLayerNet().load_state_dict(net.state_dict())  # a fine-tuning checkpoint loads


def test_module_requires_grad_freezes_plain_tensor_attributes_without_dropping_them():
    class Affine(nn.Module):
        def __init__(self):
            self.w = tl.tensor([[2.0]], requires_grad=True)
            self.fc = nn.Linear(1, 1, rng=0)

    model = Affine()
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    assert [name for name, _ in model.named_parameters()] == ["w", "fc.weight", "fc.bias"]
    model.requires_grad_(True)
    assert all(p.requires_grad for p in model.parameters())
    model.w.requires_grad_(False)  # a plain tensor frozen by hand is a constant again (use nn.Parameter)
    assert [name for name, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]


def test_parameters_in_containers_nested_to_any_depth():
    class Model(nn.Module):
        def __init__(self):
            self.blocks = [[nn.Linear(2, 2, bias=False, rng=0), nn.Linear(2, 2, bias=False, rng=1)]]
            self.deep = {"a": [(nn.Parameter(np.ones(1)),)], "b": {"c": [tl.tensor(1.0, requires_grad=True)]}}

        def forward(self, x):
            return self.blocks[0][1](self.blocks[0][0](x))

    model = Model()
    assert [name for name, _ in model.named_parameters()] == [
        "deep.a.0.0",
        "deep.b.c.0",
        "blocks.0.0.weight",
        "blocks.0.1.weight",
    ]
    assert [name for name, _ in model.named_modules()] == ["", "blocks.0.0", "blocks.0.1"]
    out = model(np.ones((1, 2)))
    assert out.scope == "blocks.0.1" and out.parents[0].scope == "blocks.0.0"
    model.loop = []
    model.loop.append(model.loop)  # a list holding itself does not hang the search
    assert len(list(model.parameters())) == 4


def test_non_leaf_attribute_set_outside_forward_warns_naming_it_and_the_fix():
    class Bad(nn.Module):
        def __init__(self):
            self.W = tl.randn(2, 3, rng=0, requires_grad=True) * 0.01

    with pytest.warns(UserWarning) as caught:
        model = Bad()
    message = str(caught[0].message)
    assert "Bad.W" in message and "not a leaf" in message and "nn.Parameter" in message
    assert caught[0].filename == __file__  # points at the user's assignment
    assert list(model.parameters()) == []
    with pytest.warns(UserWarning, match=r"Model\.Ws\.1"):  # inside a list too

        class Model(nn.Module):
            def __init__(self):
                self.Ws = [tl.tensor(1.0, requires_grad=True), tl.tensor(1.0, requires_grad=True) * 2]

        Model()
    net = TwoLayerNet()
    with pytest.warns(UserWarning, match="TwoLayerNet.extra"):  # from outside the module
        net.extra = net.fc1.weight + 1


def test_activations_kept_inside_forward_are_silent(recwarn):
    class Keeps(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2, rng=0)
            self.plain = tl.tensor([1.0], requires_grad=True) + 0 if False else None  # nothing to warn about

        def forward(self, x):
            self.hidden = self.fc(x).relu()
            self.fc.last = self.hidden * 2  # a child's attribute set during the parent's forward
            return self.hidden.sum()

    model = Keeps()
    model(np.ones((1, 2))).backward()
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    assert [name for name, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]


# ===== modes, buffers, traversal (section C) ===================================================


class WithBatchNorm(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(3, 4, rng=0)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5, rng=0)

    def forward(self, x):
        return self.drop(self.bn(self.fc(x)))


def test_train_and_eval_set_training_on_every_module_and_return_it():
    model = WithBatchNorm()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert [m.training for m in model.modules()] == [False] * 4
    assert model.train() is model and all(m.training for m in model.modules())
    model.train(False)
    assert not model.bn.training
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train("no")


def test_register_buffer_is_in_state_dict_but_not_in_parameters():
    class Counter(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))
            self.register_buffer("count", np.zeros(2))

    m = Counter()
    assert isinstance(m.count, Tensor) and not m.count.requires_grad
    assert [name for name, _ in m.named_parameters()] == ["w"]
    assert [name for name, _ in m.named_buffers()] == ["count"]
    assert list(m.state_dict()) == ["w", "count"]
    m.load_state_dict({"w": np.array([3.0, 4.0]), "count": np.array([5.0, 6.0])})
    np.testing.assert_array_equal(m.count.data, [5.0, 6.0])
    with pytest.raises(KeyError, match="already has an attribute 'w'"):
        m.register_buffer("w", np.zeros(2))
    with pytest.raises(TypeError, match="numeric"):
        m.register_buffer("text", np.array(["a"]))


def test_batchnorm_state_dict_has_pytorchs_keys():
    model = WithBatchNorm()
    assert list(model.state_dict()) == [
        "fc.weight",
        "fc.bias",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert [name for name, _ in model.named_parameters()] == ["fc.weight", "fc.bias", "bn.weight", "bn.bias"]


def test_modules_children_apply_and_requires_grad_():
    model = WithBatchNorm()
    assert [name for name, _ in model.named_modules()] == ["", "fc", "bn", "drop"]
    assert list(model.children()) == [model.fc, model.bn, model.drop]
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "BatchNorm1d", "Dropout", "WithBatchNorm"]  # children first, as PyTorch

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    model.apply(init)
    assert not model.fc.weight.data.any()


def test_load_state_dict_strict_false_reports_missing_and_unexpected():
    net = TwoLayerNet()
    state = {name: value + 1.0 for name, value in net.state_dict().items()}
    del state["fc2.bias"]
    state["extra"] = np.zeros(3)
    before = net.fc2.bias.data.copy()
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == ["fc2.bias"] and unexpected == ["extra"]
    np.testing.assert_array_equal(net.fc1.weight.data, state["fc1.weight"])
    np.testing.assert_array_equal(net.fc2.bias.data, before)
    result = net.load_state_dict(net.state_dict())
    assert result == ([], []) and result.missing_keys == [] and result.unexpected_keys == []
    bad = net.state_dict()
    bad["fc1.bias"] = np.zeros(7)
    with pytest.raises(ValueError, match=r"nothing was loaded.*'fc1.bias' has shape \(7,\)"):
        net.load_state_dict(bad, strict=False)


def test_load_state_dict_writes_in_place_keeping_the_tensor_objects():
    net = TwoLayerNet()
    weight, array = net.fc1.weight, net.fc1.weight.data
    net.load_state_dict({name: np.zeros_like(v) for name, v in net.state_dict().items()})
    assert net.fc1.weight is weight and net.fc1.weight.data is array and not array.any()


def test_manual_seed_makes_linear_and_dropout_reproducible():
    tl.manual_seed(3)
    a, mask_a = nn.Linear(3, 2).weight.data.copy(), nn.Dropout(0.5)(np.ones(20)).data
    tl.manual_seed(3)
    b, mask_b = nn.Linear(3, 2).weight.data.copy(), nn.Dropout(0.5)(np.ones(20)).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(mask_a, mask_b)
    assert not np.array_equal(nn.Linear(3, 2).weight.data, a)  # the global generator moves on


# ===== layers ====================================================================================


def test_dropout_in_training_and_eval():
    drop = nn.Dropout(0.25, rng=0)
    x = np.ones((200, 500))
    out = drop(x).data
    kept = out != 0
    assert set(np.unique(out)) == {0.0, 1 / 0.75}  # survivors scaled by 1 / (1 - p)
    assert kept.mean() == pytest.approx(0.75, abs=0.005)  # 100,000 draws: std of the mean 0.0014
    assert out.mean() == pytest.approx(1.0, abs=0.007)  # inverted: the expectation is kept
    assert not np.array_equal(drop(x).data, out)  # a new mask per call
    drop.eval()
    t = tl.tensor(x)
    assert drop(t) is t
    assert repr(drop) == "Dropout(p=0.25)"


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p)


def test_leaky_relu_identity_flatten():
    np.testing.assert_array_equal(nn.LeakyReLU(0.2)(np.array([-2.0, 0.0, 3.0])).data, [-0.4, 0.0, 3.0])
    np.testing.assert_array_equal(nn.LeakyReLU()(np.array([-100.0])).data, [-1.0])
    x = tl.tensor([1.0])
    assert nn.Identity(54, unused=1)(x) is x
    flat = nn.Flatten()(np.arange(24.0).reshape(2, 3, 4))
    assert flat.shape == (2, 12)
    np.testing.assert_array_equal(flat.data, np.arange(24.0).reshape(2, 12))
    assert nn.Flatten(0, 1)(np.zeros((2, 3, 4))).shape == (6, 4)
    assert nn.Flatten()(np.zeros((0, 3, 4))).shape == (0, 12)
    with pytest.raises(ValueError, match=r"does not fit an input of shape \(2,\)"):
        nn.Flatten(start_dim=2)(np.zeros(2))


def test_loss_modules_equal_the_functions():
    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    assert nn.CrossEntropyLoss()(scores, labels).item() == F.cross_entropy(scores, labels).item()
    np.testing.assert_array_equal(
        nn.CrossEntropyLoss(reduction="none")(scores, labels).data, F.cross_entropy(scores, labels, "none").data
    )
    assert nn.HingeLoss(margin=10)(np.array([[13.0, -7.0, 11.0]]), [0]).item() == 8.0
    assert nn.HingeLoss(squared=True)(scores, labels).item() == F.hinge_loss(scores, labels, squared=True).item()
    assert nn.MSELoss()(np.array([1.0, 2.0]), np.array([1.0, 4.0])).item() == 2.0
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


# ----- BatchNorm1d -----------------------------------------------------------------------------


def batchnorm_reference(x, gamma, beta, eps=1e-5):
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_batchnorm_matches_pytorchs_formulas_in_training_and_eval():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3)
    bn.weight.data[...] = [1.0, 2.0, 0.5]
    bn.bias.data[...] = [0.0, -1.0, 3.0]
    running_mean, running_var = np.zeros(3), np.ones(3)
    for _ in range(3):
        x = rng.normal(5.0, 2.0, size=(6, 3))
        out = bn(x)
        np.testing.assert_allclose(out.data, batchnorm_reference(x, bn.weight.data, bn.bias.data), rtol=1e-12)
        running_mean = 0.9 * running_mean + 0.1 * x.mean(axis=0)
        running_var = 0.9 * running_var + 0.1 * x.var(axis=0, ddof=1)  # unbiased in the update
        np.testing.assert_allclose(bn.running_mean.data, running_mean, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.data, running_var, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3
    bn.eval()
    x = rng.standard_normal((4, 3))
    want = bn.weight.data * (x - running_mean) / np.sqrt(running_var + 1e-5) + bn.bias.data
    np.testing.assert_allclose(bn(x).data, want, rtol=1e-12)
    np.testing.assert_allclose(bn(x[:1]).data, want[:1], rtol=1e-12)  # a batch of one is fine in eval
    np.testing.assert_allclose(bn.running_mean.data, running_mean)  # eval does not update
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_momentum_none_is_a_cumulative_average_and_affine_false_has_no_parameters():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None, affine=False)
    assert list(bn.parameters()) == [] and bn.weight is None
    batches = [rng.standard_normal((5, 2)) for _ in range(4)]
    for x in batches:
        np.testing.assert_allclose(bn(x).data, batchnorm_reference(x, 1.0, 0.0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(axis=0) for x in batches], axis=0))
    np.testing.assert_allclose(bn.running_var.data, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0))


def test_batchnorm_on_n_c_l_inputs_normalizes_over_n_and_l():
    x = np.random.default_rng(2).standard_normal((4, 3, 5))
    bn = nn.BatchNorm1d(3)
    out = bn(x).data
    np.testing.assert_allclose(out.mean(axis=(0, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2)), x.var(axis=(0, 2)) / (x.var(axis=(0, 2)) + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * x.var(axis=(0, 2), ddof=1), rtol=1e-12)


def composed_batchnorm(x, gamma, beta, eps=1e-5):
    """The same forward composed from Tensor ops, so its gradient comes from the chain rule."""
    mean = x.mean(axis=0, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=0, keepdims=True)
    return centered / (var + eps) ** 0.5 * gamma + beta


@given(testing.arrays(st.tuples(st.integers(2, 6), st.integers(1, 4)), lo=-3, hi=3))
def test_batchnorm_gradients_match_finite_differences_and_the_composition(x):
    channels = x.shape[1]
    rng = np.random.default_rng(0)
    gamma, beta = rng.uniform(0.5, 2.0, channels), rng.standard_normal(channels)
    x = x + np.linspace(0, 1, x.size).reshape(x.shape)  # no constant column: variance > 0
    bn = nn.BatchNorm1d(channels, eps=1e-3)

    def fused(x, gamma, beta):
        bn.weight, bn.bias = gamma, beta
        out = bn(x)
        return (out * np.arange(1.0, x.size + 1).reshape(x.shape)).tanh()

    testing.check_gradients(fused, x, gamma, beta)
    assert bn(tl.tensor(x, requires_grad=True)).op == "batch_norm"  # one fused node
    upstream = np.random.default_rng(1).standard_normal(x.shape)
    grads = []
    for forward in (fused, lambda x, g, b: (composed_batchnorm(x, g, b, 1e-3) * np.arange(1.0, x.size + 1).reshape(
            x.shape)).tanh()):
        inputs = [tl.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
        forward(*inputs).backward(upstream)
        grads.append([t.grad for t in inputs])
    for fused_grad, composed_grad in zip(*grads):
        np.testing.assert_allclose(fused_grad, composed_grad, rtol=1e-9, atol=1e-12)


def test_batchnorm_refuses_wrong_features_and_a_batch_of_one_in_training():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3\).*got shape \(4, 2\)"):
        bn(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"more than 1 value per feature.*shape \(1, 3\)"):
        bn(np.ones((1, 3)))
    np.testing.assert_array_equal(bn.running_mean.data, np.zeros(3))  # nothing changed
    with pytest.raises(ValueError, match="num_features must be at least 1"):
        nn.BatchNorm1d(0)


def test_batchnorm_lets_a_deep_net_train_at_a_high_learning_rate():
    from tinygrad_lite import optim

    X, y = tl.data.spiral(n_per_class=50, seed=0)
    tl.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 50), nn.BatchNorm1d(50), nn.ReLU(), nn.Linear(50, 3))
    opt = optim.SGD(net.parameters(), lr=0.5)
    for _ in range(200):
        opt.zero_grad()
        loss = F.cross_entropy(net(X), y)
        loss.backward()
        opt.step()
    net.eval()
    with tl.no_grad():
        assert (net(X).argmax(axis=1) == y).mean() > 0.8


# ===== nn.init ====================================================================================


def test_fan_in_and_fan_out_follow_our_in_out_layout():
    w = tl.zeros(400, 100)
    nn.init.xavier_uniform_(w, rng=0)
    bound = math.sqrt(6 / 500)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    nn.init.kaiming_normal_(w, nonlinearity="relu", rng=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)  # fan_in = shape[0]
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", rng=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 100), rel=0.02)  # fan_out = shape[1]
    nn.init.xavier_normal_(w, gain=2.0, rng=0)
    assert w.data.std() == pytest.approx(2 * math.sqrt(2 / 500), rel=0.02)


def test_kaiming_defaults_are_pytorchs():
    w = tl.zeros(300, 200)
    nn.init.kaiming_uniform_(w, rng=1)  # a=0, fan_in, leaky_relu: gain sqrt(2 / (1 + 0)) = sqrt 2
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    assert w.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5), rng=1)  # PyTorch's Linear: bound 1 / sqrt(fan_in)
    assert np.abs(w.data).max() <= 1 / math.sqrt(300) + 1e-15


@pytest.mark.parametrize(
    ("name", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("conv2d", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param, gain):
    assert nn.init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


def test_init_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        nn.init.kaiming_normal_(tl.zeros(2, 2), nonlinearity="gelu")
    for fn in (nn.init.xavier_uniform_, nn.init.xavier_normal_, nn.init.kaiming_uniform_, nn.init.kaiming_normal_):
        with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(shape \(5,\)\)"):
            fn(tl.zeros(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_uniform_(tl.zeros(2, 2), mode="fan_avg")
    with pytest.raises(TypeError, match="floating-point"):
        nn.init.normal_(tl.tensor(np.array([1, 2])))


def test_init_fills_in_place_returns_the_tensor_and_takes_rng():
    layer = nn.Linear(4, 3, rng=0)
    weight, array = layer.weight, layer.weight.data
    assert nn.init.normal_(weight, mean=1.0, std=0.0) is weight
    assert weight.data is array and np.all(array == 1.0)
    assert weight.requires_grad and weight.is_leaf
    assert nn.init.zeros_(layer.bias) is layer.bias and not layer.bias.data.any()
    np.testing.assert_array_equal(nn.init.ones_(tl.zeros(2)).data, [1.0, 1.0])
    np.testing.assert_array_equal(nn.init.constant_(tl.zeros(2), 0.5).data, [0.5, 0.5])
    a = nn.init.uniform_(tl.zeros(1000), -2.0, 2.0, rng=7).data
    assert a.min() >= -2 and a.max() < 2 and a.min() < -1.9 and a.max() > 1.9
    np.testing.assert_array_equal(nn.init.uniform_(tl.zeros(1000), -2.0, 2.0, rng=np.random.default_rng(7)).data, a)
    f32 = nn.init.xavier_normal_(tl.zeros(3, 3, dtype=np.float32), rng=0)
    assert f32.dtype == np.float32
    tl.manual_seed(5)
    b = nn.init.normal_(tl.zeros(4)).data.copy()
    tl.manual_seed(5)
    np.testing.assert_array_equal(nn.init.normal_(tl.zeros(4)).data, b)


# ===== nn.utils: gradient clipping ==================================================================


def params_with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g)))
        p.grad = np.array(g, dtype=np.float64)
        params.append(p)
    return params


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_norm_before():
    a, b = params_with_grads([3.0, 0.0], [[4.0]])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0, rel=1e-15)
    coefficient = 1.0 / (5.0 + 1e-6)  # PyTorch's max_norm / (total + 1e-6)
    np.testing.assert_allclose(a.grad, [3 * coefficient, 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad, [[4 * coefficient]], rtol=1e-15)
    c, d = params_with_grads([0.3], [0.4])
    assert nn.utils.clip_grad_norm_([c, d], max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(c.grad, [0.3])  # below max_norm: unchanged


def test_clip_grad_norm_other_norms_skips_missing_grads_and_takes_one_tensor():
    a, b = params_with_grads([3.0, -4.0], [1.0])
    none = nn.Parameter(np.zeros(2))
    assert nn.utils.clip_grad_norm_([a, none, b], 100.0, norm_type=1) == pytest.approx(8.0)
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type=float("inf")) == pytest.approx(4.0)
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type="inf") == pytest.approx(4.0)
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type=3) == pytest.approx((27 + 64 + 1) ** (1 / 3))
    nn.utils.clip_grad_norm_([a, b], 2.0, norm_type="inf")
    np.testing.assert_allclose(a.grad, [1.5, -2.0], rtol=1e-6)
    (single,) = params_with_grads([0.0, 10.0])
    assert nn.utils.clip_grad_norm_(single, 1.0) == 10.0
    np.testing.assert_allclose(single.grad, [0.0, 1.0], rtol=1e-6)
    assert nn.utils.clip_grad_norm_([none], 1.0) == 0.0
    with pytest.raises(RuntimeError, match="total norm"):
        nn.utils.clip_grad_norm_(params_with_grads([np.inf]), 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_in_place():
    (a,) = params_with_grads([-3.0, 0.2, 5.0])
    array = a.grad
    assert nn.utils.clip_grad_value_([a], 1.0) is None
    assert a.grad is array
    np.testing.assert_array_equal(a.grad, [-1.0, 0.2, 1.0])


def test_clipping_works_in_a_training_step():
    net = TwoLayerNet()
    F.cross_entropy(net(np.ones((4, 2)) * 100), [0, 1, 2, 0]).backward()
    before = math.sqrt(sum(float((p.grad**2).sum()) for p in net.parameters()))
    assert nn.utils.clip_grad_norm_(net.parameters(), 0.1) == pytest.approx(before)
    after = math.sqrt(sum(float((p.grad**2).sum()) for p in net.parameters()))
    assert after == pytest.approx(0.1, rel=1e-4)


# ===== model paths for the pictures (section V) =====================================================

def test_parameters_carry_their_path_below_the_root_called():
    net = TwoLayerNet()
    net(np.ones((1, 2)))
    assert [p._model_path for p in net.parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    net.fc1(np.ones((1, 2)))  # fc1 called directly is the root now
    assert net.fc1.weight._model_path == "weight"
    seq = nn.Sequential(nn.Linear(2, 2, rng=0), nn.BatchNorm1d(2))
    seq(np.ones((3, 2)))
    assert seq[0].bias._model_path == "0.bias" and seq[1].running_var._model_path == "1.running_var"
    net.fc2 = nn.Linear(4, 3, rng=5)  # the tree changed: recomputed on the next call
    net(np.ones((1, 2)))
    assert net.fc2.weight._model_path == "fc2.weight" and net.fc1.weight._model_path == "fc1.weight"
