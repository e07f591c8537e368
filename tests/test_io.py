"""nnlab.io: models and checkpoints as .npz + JSON, exact round trips, clear errors, never pickle."""
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from nnlab import io
from nnlab import nn
from nnlab.tensor import Tensor


def _model(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Flatten(),
        nn.Dense(12, 16, activation="sigmoid", weight_init="normal", bias_init=0.01, dtype=dtype, rng=rng),
        nn.LeakyReLU(0.05),
        nn.Dense(16, 16, activation="tanh", dtype=dtype, rng=rng),
        nn.ELU(0.7),
        nn.Dropout(0.3, rng=rng),
        nn.Dense(16, 8, activation="relu", weight_init="he_normal", dtype=dtype, rng=rng),
        nn.Activation("softplus"), nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.Identity(), nn.Softplus(),
        nn.Dense(8, 5, bias=False, dtype=dtype, rng=rng),
        nn.Softmax(axis=-1),
    )


def _predict(model, x):
    return model(Tensor(x)).numpy()


def _state_copy(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _assert_same_state(model, state):
    now = model.state_dict()
    assert sorted(now) == sorted(state)
    for k in state:
        assert now[k].dtype == state[k].dtype
        np.testing.assert_array_equal(now[k], state[k])


def _rewrite(path, out, change):
    """Copy an nnlab file with its arrays and JSON header passed through ``change(arrays, meta)``."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(arrays.pop("__nnlab__").tobytes())
    change(arrays, meta)
    arrays["__nnlab__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(out, **arrays)
    return out


# ----------------------------------------------------------------------------------------------------------
# round trips
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_reproduces_predictions_exactly(tmp_path, rng, dtype):
    model = _model(dtype).eval()
    x = rng.standard_normal((9, 3, 4)).astype(dtype)
    path = io.save_model(model, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz" and zipfile.is_zipfile(path)
    loaded = io.load_model(path)
    assert type(loaded) is nn.Sequential and len(loaded) == len(model)
    assert [type(layer) for layer in loaded] == [type(layer) for layer in model]
    assert io.serialize_model(loaded) == io.serialize_model(model)
    assert loaded.training is False
    _assert_same_state(loaded, model.state_dict())
    out = _predict(loaded, x)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, _predict(model, x))


def test_round_trip_keeps_layer_settings_and_mode(tmp_path):
    model = _model(np.float32)  # training mode
    loaded = io.load_model(io.save_model(model, tmp_path / "m"))  # suffix appended
    assert (tmp_path / "m.npz").is_file()
    assert loaded.training is True and loaded[5].training is True
    assert loaded[2].alpha == 0.05 and loaded[4].alpha == 0.7 and loaded[5].rate == 0.3
    assert loaded[13].bias is None and loaded[14].axis == -1
    assert loaded[1].config()["weight_init"] == "normal" and loaded[1].config()["bias_init"] == 0.01
    assert io.load_model(tmp_path / "m").config() == model.config()  # the .npz suffix may be left out


def test_single_layer_round_trip(tmp_path, rng):
    layer = nn.Dense(3, 2, activation="leaky_relu", dtype=np.float64, rng=1)
    loaded = io.load_model(io.save_model(layer, tmp_path / "dense.npz"))
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(_predict(loaded, x), _predict(layer, x))


def test_save_replaces_an_existing_file_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "model.npz"
    io.save_model(_model(np.float32, seed=0), path)
    second = _model(np.float32, seed=1)
    io.save_model(second, path)
    _assert_same_state(io.load_model(path), second.state_dict())
    assert os.listdir(tmp_path) == ["model.npz"]


# ----------------------------------------------------------------------------------------------------------
# registry and architecture
# ----------------------------------------------------------------------------------------------------------
class Scale(nn.Module):
    """y = s * x with one trainable scalar per feature (a user-defined layer)."""

    def __init__(self, n: int, init: float = 1.0):
        self.n, self.init = n, init
        self.s = nn.Parameter(np.full(n, init))

    def forward(self, x):
        return x * self.s

    def config(self):
        return {"n": self.n, "init": self.init}


def test_user_layer_registers_and_round_trips(tmp_path, monkeypatch, rng):
    monkeypatch.setattr(io, "LAYERS", dict(io.LAYERS))
    model = nn.Sequential(nn.Dense(3, 4, dtype=np.float64, rng=0), Scale(4, 2.0))
    with pytest.raises(ValueError, match="register_layer"):
        io.save_model(model, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    assert io.register_layer(Scale) is Scale
    model[1].s.data[:] = [1.0, -2.0, 3.0, 0.5]
    loaded = io.load_model(io.save_model(model, tmp_path / "m.npz"))
    x = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(_predict(loaded, x), _predict(model, x))

    class Other(nn.Module):
        pass

    Other.__name__ = "Scale"
    with pytest.raises(ValueError, match="already registered"):
        io.register_layer(Other)


def test_unsaveable_models_are_refused_before_writing(tmp_path):
    custom = nn.Dense(2, 2, activation=lambda z: z * 2)
    with pytest.raises(ValueError, match="ACTIVATIONS"):
        io.save_model(custom, tmp_path / "a.npz")

    class NoConfig(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(ValueError, match="config"):
        io.save_model(nn.Sequential(NoConfig()), tmp_path / "b.npz")
    assert os.listdir(tmp_path) == []


def test_layers_exported_by_nnlab_nn_are_found_by_name(monkeypatch):
    monkeypatch.setattr(io, "LAYERS", {})
    assert io.get_layer_class("Dense") is nn.Dense and io.LAYERS == {"Dense": nn.Dense}
    with pytest.raises(ValueError, match="unknown layer type 'as_generator'"):
        io.get_layer_class("as_generator")


def test_unknown_layer_type_in_file(tmp_path):
    path = io.save_model(_model(np.float32), tmp_path / "m.npz")

    def rename(arrays, meta):
        meta["architecture"]["config"]["layers"][1]["class_name"] = "Conv9D"

    bad = _rewrite(path, tmp_path / "bad.npz", rename)
    with pytest.raises(ValueError, match=r"bad\.npz.*unknown layer type 'Conv9D'.*Dense"):
        io.load_model(bad)


# ----------------------------------------------------------------------------------------------------------
# bad files
# ----------------------------------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        io.load_model(tmp_path / "nothing.npz")
    with pytest.raises(ValueError, match="nothing.npz"):  # also a ValueError
        io.load_model(tmp_path / "nothing.npz")


def test_truncated_and_corrupt_files(tmp_path):
    path = io.save_model(_model(np.float64), tmp_path / "m.npz")
    raw = path.read_bytes()
    cases = {
        "empty.npz": b"",
        "cut_header.npz": raw[:20],
        "half.npz": raw[: len(raw) // 2],
        "cut_end.npz": raw[:-30],
        "garbage.npz": bytes(range(256)) * 8,
        "text.npz": b"not a model at all\n" * 10,
    }
    flipped = bytearray(raw)
    with zipfile.ZipFile(path) as z:  # corrupt the data of the first weight array (its CRC no longer matches)
        info = next(i for i in z.infolist() if i.filename.startswith("weights/"))
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    flipped[start:start + 16] = bytes(16)
    cases["flipped.npz"] = bytes(flipped)
    for name, payload in cases.items():
        bad = tmp_path / name
        bad.write_bytes(payload)
        with pytest.raises(ValueError) as info:
            io.load_model(bad)
        assert name in str(info.value), str(info.value)
        assert "corrupt" in str(info.value) or "not an" in str(info.value)


def test_mismatched_weights(tmp_path):
    model = _model(np.float32)
    path = io.save_model(model, tmp_path / "m.npz")

    def reshape(arrays, meta):
        arrays["weights/layers.3.weight"] = np.zeros((16, 15), np.float32)

    def drop(arrays, meta):
        del arrays["weights/layers.3.bias"]
        meta["weights"].remove("layers.3.bias")

    def unlisted(arrays, meta):
        del arrays["weights/layers.3.bias"]

    def ints(arrays, meta):
        arrays["weights/layers.3.bias"] = np.zeros(16, np.int64)

    for change, message in [(reshape, r"'layers.3.weight' has shape \(16, 15\)"),
                            (drop, r"missing \['layers.3.bias'\]"),
                            (unlisted, "corrupt"),
                            (ints, "expected floats")]:
        bad = _rewrite(path, tmp_path / f"{change.__name__}.npz", change)
        with pytest.raises(ValueError, match=message) as info:
            io.load_model(bad)
        assert bad.name in str(info.value)


def test_wrong_kind_of_file(tmp_path):
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz"):
        io.load_model(tmp_path / "array.npy")
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not an nnlab model file"):
        io.load_model(tmp_path / "plain.npz")
    path = io.save_model(nn.Dense(2, 2), tmp_path / "m.npz")
    future = _rewrite(path, tmp_path / "future.npz", lambda a, meta: meta.update(version=99))
    with pytest.raises(ValueError, match="version 99"):
        io.load_model(future)
    ckpt = io.save_checkpoint(tmp_path / "c.npz", nn.Dense(2, 2))
    with pytest.raises(ValueError, match="load_checkpoint"):
        io.load_model(ckpt)


def test_loading_never_unpickles(tmp_path, monkeypatch):
    path = io.save_model(_model(np.float32), tmp_path / "m.npz")
    # an otherwise valid file with an extra object array (np.savez pickles it) is refused
    evil = _rewrite(path, tmp_path / "evil.npz", lambda arrays, meta: arrays.update(x=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(ValueError, match="pickled object array.*refused"):
        io.load_model(evil)
    with pytest.raises(ValueError, match="pickle"):
        io.load_weights(_model(np.float32), evil)
    # a bare pickle file is refused too
    (tmp_path / "p.npz").write_bytes(pickle.dumps({"weights": np.zeros(3)}))
    with pytest.raises(ValueError, match="not an .npz archive.*never loads"):
        io.load_model(tmp_path / "p.npz")

    # and a normal load does not touch pickle at all
    def fail(*args, **kwargs):
        raise AssertionError("pickle used while loading")

    monkeypatch.setattr(pickle, "load", fail)
    monkeypatch.setattr(pickle, "loads", fail)
    monkeypatch.setattr(pickle, "Unpickler", fail)
    io.load_model(path)


def test_saving_object_arrays_is_refused(tmp_path):
    with pytest.raises(ValueError, match="pickle"):
        io.save_checkpoint(tmp_path / "c.npz", nn.Dense(2, 2), {"x": np.array([None, 1], dtype=object)})
    assert os.listdir(tmp_path) == []


# ----------------------------------------------------------------------------------------------------------
# failures leave things as they were
# ----------------------------------------------------------------------------------------------------------
def test_failed_load_weights_leaves_the_model_unchanged(tmp_path):
    target = _model(np.float32, seed=1)
    before = _state_copy(target)
    path = io.save_model(_model(np.float32, seed=2), tmp_path / "m.npz")

    def last_wrong(arrays, meta):  # every entry but the last fits: a naive loader would half-update
        arrays["weights/layers.13.weight"] = np.zeros((8, 4), np.float32)

    bad = _rewrite(path, tmp_path / "bad.npz", last_wrong)
    with pytest.raises(ValueError, match="bad.npz"):
        io.load_weights(target, bad)
    _assert_same_state(target, before)
    half = tmp_path / "half.npz"
    half.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="half.npz"):
        io.load_weights(target, half)
    _assert_same_state(target, before)
    other = io.save_model(nn.Sequential(nn.Dense(12, 3)), tmp_path / "other.npz")
    with pytest.raises(ValueError, match="do not match the model"):
        io.load_weights(target, other)
    _assert_same_state(target, before)
    # and a good file does load
    io.load_weights(target, path)
    _assert_same_state(target, _model(np.float32, seed=2).state_dict())


def test_failed_save_leaves_the_existing_file_untouched(tmp_path, monkeypatch):
    path = io.save_model(_model(np.float32, seed=0), tmp_path / "model.npz")
    original = path.read_bytes()

    def broken_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 partial data")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        io.save_model(_model(np.float32, seed=1), path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file is gone
    monkeypatch.undo()
    _assert_same_state(io.load_model(path), _model(np.float32, seed=0).state_dict())


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        io.save_model(nn.Dense(2, 2), tmp_path / "no" / "m.npz")


# ----------------------------------------------------------------------------------------------------------
# checkpoints
# ----------------------------------------------------------------------------------------------------------
def test_checkpoint_round_trip(tmp_path, rng):
    model = _model(np.float64).eval()
    gen = np.random.default_rng(3)
    gen.random(5)
    optimizer_state = {
        "lr": 0.01, "betas": (0.9, 0.999), "t": np.int64(7), "eps": np.float32(1e-8), "nesterov": False,
        "state": {0: {"m": rng.standard_normal((12, 16)), "v": rng.random(16).astype(np.float32)},
                  1: {"m": np.zeros(0)}},
        "names": ["a", "b"], "none": None, "__odd__": 1,
    }
    extra = {"epoch": 4, "best": float("inf"), "history": {"loss": [1.5, float("nan")]},
             "rng": gen.bit_generator.state}
    path = io.save_checkpoint(tmp_path / "ckpt", model, optimizer_state, extra)
    assert path.name == "ckpt.npz"
    ckpt = io.load_checkpoint(path)
    x = rng.standard_normal((3, 12))
    np.testing.assert_array_equal(_predict(ckpt.model, x), _predict(model, x))
    _assert_same_state(ckpt.model, model.state_dict())
    assert sorted(ckpt.model_state) == sorted(model.state_dict())
    o = ckpt.optimizer_state
    assert o["lr"] == 0.01 and o["betas"] == (0.9, 0.999) and o["nesterov"] is False and o["none"] is None
    assert type(o["t"]) is np.int64 and o["t"] == 7 and type(o["eps"]) is np.float32 and o["eps"] == np.float32(1e-8)
    assert sorted(o["state"]) == [0, 1] and o["__odd__"] == 1 and o["names"] == ["a", "b"]
    np.testing.assert_array_equal(o["state"][0]["m"], optimizer_state["state"][0]["m"])
    assert o["state"][0]["v"].dtype == np.float32 and o["state"][1]["m"].shape == (0,)
    e = ckpt.extra
    assert e["epoch"] == 4 and e["best"] == float("inf") and np.isnan(e["history"]["loss"][1])
    resumed = np.random.default_rng()
    resumed.bit_generator.state = e["rng"]
    np.testing.assert_array_equal(resumed.random(4), gen.random(4))
    # weights of a checkpoint load into an existing model
    target = _model(np.float64, seed=9)
    io.load_weights(target, path)
    _assert_same_state(target, model.state_dict())


def test_checkpoint_of_an_undescribable_model_keeps_its_weights(tmp_path):
    class Plain(nn.Module):  # no config(), not registered
        def __init__(self):
            self.w = nn.Parameter(np.arange(3.0))

        def forward(self, x):
            return x * self.w

    path = io.save_checkpoint(tmp_path / "c.npz", Plain(), None, {"epoch": 1})
    ckpt = io.load_checkpoint(path)
    assert ckpt.model is None and ckpt.optimizer_state is None and ckpt.extra == {"epoch": 1}
    np.testing.assert_array_equal(ckpt.model_state["w"], np.arange(3.0))
    fresh = Plain()
    fresh.w.data[:] = 0
    io.load_weights(fresh, path)
    np.testing.assert_array_equal(fresh.w.data, np.arange(3.0))


def test_checkpoint_rejects_unstorable_values(tmp_path):
    with pytest.raises(ValueError, match="set"):
        io.save_checkpoint(tmp_path / "c.npz", nn.Dense(2, 2), {"x": {1, 2}})
    assert os.listdir(tmp_path) == []


# ----------------------------------------------------------------------------------------------------------
# the description is checked against the stored arrays before anything is built
# ----------------------------------------------------------------------------------------------------------
def _huge_description(tmp_path, keep_header_list=False):
    """A model file whose architecture claims a 30000 x 30000 Dense layer but holds no weights for it."""
    path = io.save_model(nn.Sequential(nn.Dense(3, 2, rng=0)), tmp_path / "small.npz")

    def claim_huge(arrays, meta):
        meta["architecture"]["config"]["layers"][0]["config"].update(in_features=30000, out_features=30000)
        for key in [k for k in arrays if k.startswith("weights/")]:
            del arrays[key]
        meta["weights"] = meta["weights"] if keep_header_list else []

    return _rewrite(path, tmp_path / "huge.npz", claim_huge)


@pytest.mark.parametrize("keep_header_list", [False, True])
def test_load_model_refuses_a_huge_description_without_weights_before_allocating(tmp_path, keep_header_list):
    import tracemalloc

    path = _huge_description(tmp_path, keep_header_list)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as excinfo:
            io.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"load_model allocated {peak / 2**20:.0f} MiB before refusing the file"
    message = str(excinfo.value)
    assert str(path) in message
    assert "layers.0.weight" in message or "corrupt" in message


def test_load_checkpoint_refuses_a_huge_description_before_allocating(tmp_path):
    import tracemalloc

    path = io.save_checkpoint(tmp_path / "ck.npz", nn.Sequential(nn.Dense(3, 2, rng=0)))
    path = _rewrite(path, tmp_path / "huge.npz", lambda arrays, meta: (
        meta["architecture"]["config"]["layers"][0]["config"].update(in_features=30000, out_features=30000)))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="the architecture describes"):
            io.load_checkpoint(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


@pytest.mark.parametrize("make", [
    lambda: nn.Sequential(nn.Conv2D(1, 3, 3, rng=0), nn.MaxPool2D(2), nn.Flatten(), nn.Dense(12, 2, rng=0)),
    lambda: nn.Sequential(nn.LSTM(2, 3, rng=0), nn.RNN(3, 2, return_sequences=False, rng=0)),
    lambda: nn.RBFNetwork.build(np.random.default_rng(0).normal(size=(20, 2)), 5, rng=0),
])
def test_the_described_shapes_match_what_the_layers_build(tmp_path, make):
    model = make()
    described, complete = io._described_parameters(io.serialize_model(model))
    assert complete
    assert described == {k: tuple(p.shape) for k, p in model.named_parameters()}
    _assert_same_state(io.load_model(io.save_model(model, tmp_path / "m.npz")), _state_copy(model))


def test_layers_are_built_in_the_dtype_of_their_stored_weights(tmp_path):
    path = io.save_model(nn.Sequential(nn.Dense(3, 2, dtype=np.float64, rng=0)), tmp_path / "m.npz")

    def say_float32(arrays, meta):  # a header that disagrees with its arrays: the arrays win
        meta["architecture"]["config"]["layers"][0]["config"]["dtype"] = "float32"

    model = io.load_model(_rewrite(path, tmp_path / "m32.npz", say_float32))
    assert model.layers[0].weight.dtype == np.float64
    with np.load(path) as f:
        np.testing.assert_array_equal(model.layers[0].weight.numpy(), f["weights/layers.0.weight"])
