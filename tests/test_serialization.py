"""tinygrad_lite.save / load: .npz round trips and every refusal."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tl
from tinygrad_lite import nn


def test_round_trip_keeps_names_values_dtypes_and_shapes(tmp_path):
    state = {
        "fc1.weight": np.arange(6, dtype=np.float64).reshape(2, 3),
        "fc1.bias": np.array([1.5, -2.5], dtype=np.float32),
        "steps": np.array(7, dtype=np.int64),
        "mask": np.array([True, False]),
        "empty": np.zeros((0, 4)),
        "file": np.ones(1),  # names np.savez would take for its own arguments
        "allow_pickle": np.ones(2),
    }
    path = tmp_path / "state.npz"
    tl.save(state, path)
    loaded = tl.load(path)
    assert list(loaded) == list(state)
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        np.testing.assert_array_equal(loaded[name], array)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.text(st.characters(codec="ascii", exclude_characters="/\\\x00"), min_size=1, max_size=8),
        hnp.arrays(
            st.sampled_from([np.float64, np.float32, np.int32, np.bool_, np.complex128]),
            hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
        ),
        max_size=4,
    )
)
def test_any_numeric_state_round_trips(tmp_path, state):
    path = tmp_path / "any.npz"
    tl.save(state, path)
    loaded = tl.load(path)
    assert loaded.keys() == state.keys()
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype
        np.testing.assert_array_equal(loaded[name], array)


def test_writes_exactly_the_path_given(tmp_path):
    path = tmp_path / "weights.bin"
    tl.save({"w": np.ones(2)}, str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]  # np.savez would add ".npz"
    np.testing.assert_array_equal(tl.load(str(path))["w"], np.ones(2))


def test_model_round_trip_and_tensor_values(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    tl.save(model.state_dict(), tmp_path / "model.npz")
    copy = nn.Sequential(nn.Linear(3, 4, rng=5), nn.ReLU(), nn.Linear(4, 2, rng=6))
    copy.load_state_dict(tl.load(tmp_path / "model.npz"))
    x = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(copy(x).data, model(x).data)

    tl.save({"w": tl.tensor([1.0, 2.0], requires_grad=True), "n": 3}, tmp_path / "mixed.npz")
    loaded = tl.load(tmp_path / "mixed.npz")
    np.testing.assert_array_equal(loaded["w"], [1.0, 2.0])
    assert loaded["n"] == 3


def test_empty_state_and_numpy_savez_files(tmp_path):
    tl.save({}, tmp_path / "empty.npz")
    assert tl.load(tmp_path / "empty.npz") == {}
    np.savez_compressed(tmp_path / "compressed.npz", a=np.arange(3))
    np.testing.assert_array_equal(tl.load(tmp_path / "compressed.npz")["a"], np.arange(3))


# ----- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"w": np.array([{"a": 1}], dtype=object)}, "'w' has dtype object; only numeric and boolean"),
        ({"names": np.array(["a", "b"])}, "'names' has dtype <U1"),
        ({3: np.ones(1)}, "names must be str, got int 3"),
    ],
)
def test_save_refuses_what_is_not_a_numeric_array(tmp_path, state, message):
    with pytest.raises(TypeError, match=message):
        tl.save(state, tmp_path / "bad.npz")


def test_save_of_a_model_hints_at_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"for a model, save model.state_dict\(\)"):
        tl.save(nn.Linear(2, 2), tmp_path / "model.npz")


def test_load_refuses_an_object_array(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, w=np.array([{"code": "would run"}], dtype=object))  # np.savez pickles object arrays
    with pytest.raises(ValueError, match=f"cannot read '{path}'.*pickled data is never loaded"):
        tl.load(path)


def test_load_refuses_every_truncation(tmp_path):
    good = tmp_path / "good.npz"
    tl.save({"weight": np.arange(12.0).reshape(3, 4), "bias": np.ones(3)}, good)
    raw = good.read_bytes()
    bad = tmp_path / "truncated.npz"
    for size in range(0, len(raw), 7):
        bad.write_bytes(raw[:size])
        with pytest.raises(ValueError, match=str(bad)):
            tl.load(bad)


def test_load_refuses_files_that_are_not_npz(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("just some text\n")
    with pytest.raises(ValueError, match=f"'{text}' is not an .npz archive of named arrays: it is not a zip archive"):
        tl.load(text)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="it is a single .npy array"):
        tl.load(single)


def test_load_of_a_missing_file_names_it(tmp_path):
    missing = tmp_path / "nowhere.npz"
    with pytest.raises(FileNotFoundError, match=f"no such file: '{missing}'"):
        tl.load(missing)


# ----- checkpoints: nested dicts and numbers -----------------------------------------------------


def test_nested_checkpoint_round_trip(tmp_path):
    model = nn.Linear(3, 2, rng=0)
    ckpt = {
        "model": model.state_dict(),
        "optim": {"state": {}, "param_groups": {"0": {"lr": 0.1, "nesterov": False, "params": np.arange(2)}}},
        "epoch": 3,
        "best": 0.25,
        "finished": True,
        "phase": 1 + 2j,
        "zero_d": np.array(7, dtype=np.int32),
        "scalar": np.float32(1.5),
        "tensor": tl.tensor([1.0, 2.0], requires_grad=True),
        "empty": {},
    }
    tl.save(ckpt, tmp_path / "ckpt.npz")
    loaded = tl.load(tmp_path / "ckpt.npz")
    assert list(loaded) == list(ckpt)
    assert loaded["epoch"] == 3 and type(loaded["epoch"]) is int
    assert loaded["best"] == 0.25 and type(loaded["best"]) is float
    assert loaded["finished"] is True and loaded["phase"] == 1 + 2j
    assert loaded["optim"]["param_groups"]["0"]["nesterov"] is False
    assert loaded["optim"]["state"] == {} and loaded["empty"] == {}
    # arrays and NumPy scalars come back as arrays, keeping their dtype
    assert isinstance(loaded["zero_d"], np.ndarray) and loaded["zero_d"].dtype == np.int32 and loaded["zero_d"] == 7
    assert isinstance(loaded["scalar"], np.ndarray) and loaded["scalar"].dtype == np.float32
    np.testing.assert_array_equal(loaded["tensor"], [1.0, 2.0])
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][name], array)
    np.testing.assert_array_equal(loaded["optim"]["param_groups"]["0"]["params"], [0, 1])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1),
            st.floats(allow_nan=False),
            st.booleans(),
            hnp.arrays(st.sampled_from([np.float64, np.int16, np.bool_]), hnp.array_shapes(min_dims=0, max_dims=2)),
        ),
        lambda children: st.dictionaries(st.text("abc.", min_size=1, max_size=3), children, max_size=3),
        max_leaves=8,
    ).filter(lambda tree: isinstance(tree, dict))
)
def test_any_nested_checkpoint_round_trips(tmp_path, tree):
    path = tmp_path / "tree.npz"
    tl.save(tree, path)

    def same(saved, loaded):
        if isinstance(saved, dict):
            assert isinstance(loaded, dict) and list(loaded) == list(saved)
            for key in saved:
                same(saved[key], loaded[key])
        elif isinstance(saved, np.ndarray):
            assert loaded.dtype == saved.dtype
            np.testing.assert_array_equal(loaded, saved)
        else:
            assert type(loaded) is type(saved) and loaded == saved

    same(tree, tl.load(path))


def test_a_flat_dict_of_arrays_is_a_plain_npz_file(tmp_path):
    # the format of model.state_dict() files is unchanged: np.load sees exactly the names
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    tl.save(model.state_dict(), tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert archive.files == list(model.state_dict())


def test_files_of_the_earlier_format_load_the_same(tmp_path):
    # what tl.save wrote before nesting existed: one .npy member per name, numbers as 0-d arrays
    old = tmp_path / "old.npz"
    np.savez(old, **{"0.weight": np.eye(2), "0.bias": np.ones(2), "n": np.array(3), "a/b": np.zeros(1)})
    loaded = tl.load(old)
    assert list(loaded) == ["0.weight", "0.bias", "n", "a/b"]
    assert isinstance(loaded["n"], np.ndarray) and loaded["n"] == 3
    np.testing.assert_array_equal(loaded["0.weight"], np.eye(2))


def test_a_numpy_savez_file_is_readable_as_well_as_ours(tmp_path):
    tl.save({"model": {"w": np.ones(2)}, "epoch": 3}, tmp_path / "ckpt.npz")
    with np.load(tmp_path / "ckpt.npz", allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["model/w"], np.ones(2))
        assert archive["epoch"] == 3


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        ({"a": {"b/c": np.ones(1)}}, ValueError, r"the name 'a/b/c' contains '/'"),
        ({"__tinygrad_lite_layout__": 1}, ValueError, "is reserved"),
        ({"model": {1: np.ones(1)}}, TypeError, r"names must be str, got int 1 \(at 'model/1'\)"),
        ({"epoch": None}, TypeError, r"'epoch' has dtype object; .*\(got a NoneType"),
        ({"big": 2**70}, TypeError, "'big'"),
        ({"optim": {"notes": "text"}}, TypeError, "'optim/notes' has dtype <U4"),
    ],
)
def test_save_refuses_what_cannot_be_stored(tmp_path, state, error, message):
    with pytest.raises(error, match=message):
        tl.save(state, tmp_path / "bad.npz")


def test_load_refuses_a_zip_of_other_things(tmp_path):
    import zipfile

    path = tmp_path / "archive.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=f"'{path}' holds a member 'readme.txt' that is not a .npy array"):
        tl.load(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weights.npy", "not an array at all")
    with pytest.raises(ValueError, match=f"'{path}' holds a member 'weights.npy' that is not a .npy array"):
        tl.load(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("folder/", "")
    with pytest.raises(ValueError, match="member 'folder/' that is not a .npy array"):
        tl.load(path)


def test_load_refuses_a_damaged_layout(tmp_path):
    path = tmp_path / "ckpt.npz"
    np.savez(path, **{"__tinygrad_lite_layout__": np.array('{"version": 1, "tree": {"w": "array"}}'), "x": np.ones(1)})
    with pytest.raises(ValueError, match="does not match its layout at 'w'"):
        tl.load(path)
    np.savez(path, **{"__tinygrad_lite_layout__": np.array("{not json")})
    with pytest.raises(ValueError, match="has a damaged '__tinygrad_lite_layout__' member"):
        tl.load(path)
