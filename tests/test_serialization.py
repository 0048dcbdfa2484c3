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
