"""nnlab.export: PyTorch and ONNX agree with nnlab's own forward pass; round trips are exact."""
from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import nnlab.nn as nn
from nnlab.export import UnsupportedLayerError, from_torch, save_torch, to_onnx, to_torch
from nnlab.export._plan import input_shape
from nnlab.nn.conv import AvgPool2D, Conv2D, MaxPool2D, NHWCToNCHW, Reshape
from nnlab.tensor import Tensor, no_grad


def predict(model, x: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(Tensor(x)).numpy()


# Every layer type and activation nnlab can export, in a few small models: (builder(dtype), input shape).
def mlp(dtype):
    return nn.Sequential(
        nn.Dense(6, 8, "relu", dtype=dtype, rng=0), nn.Dense(8, 8, "leaky_relu", dtype=dtype, rng=1),
        nn.LeakyReLU(0.2), nn.Dense(8, 8, "elu", dtype=dtype, rng=2), nn.ELU(0.5), nn.Dropout(0.3, rng=0),
        nn.Dense(8, 7, "softplus", dtype=dtype, rng=3), nn.Tanh(), nn.Dense(7, 6, "sigmoid", dtype=dtype, rng=4),
        nn.Activation("logistic"), nn.Dense(6, 5, "tanh", bias=False, dtype=dtype, rng=5), nn.Softplus(),
        nn.Dense(5, 5, "step", dtype=dtype, rng=6, bias_init=0.1), nn.Step(), nn.Identity(), nn.ReLU(),
        nn.Dense(5, 4, "identity", dtype=dtype, rng=7), nn.Sequential(nn.Dense(4, 3, "softmax", dtype=dtype, rng=8)),
        nn.Softmax(axis=0), nn.Sigmoid(),
    )


def cnn(dtype):
    return nn.Sequential(
        Reshape((1, 8, 8)), Conv2D(1, 3, 3, activation="relu", dtype=dtype, rng=0), MaxPool2D(2),
        Conv2D(3, 4, (2, 3), stride=2, padding="same", dtype=dtype, rng=1), nn.Tanh(),           # size-dependent pads
        Conv2D(4, 4, 2, padding="same", activation="elu", dtype=dtype, rng=2),                   # even kernel: 0/1 pads
        Conv2D(4, 2, 3, padding=1, dtype=dtype, rng=3), AvgPool2D(3, stride=1, padding=1),
        Conv2D(2, 2, 2, padding=[0, 1, 1, 0], bias=False, dtype=dtype, rng=4),                   # asymmetric pads
        Conv2D(2, 2, 1, padding="valid", activation="sigmoid", dtype=dtype, rng=5), MaxPool2D(2, stride=1, padding=1),
        nn.Flatten(), nn.Dense(18, 5, "softmax", dtype=dtype, rng=6),
    )


def cnn_channels_last(dtype):
    return nn.Sequential(NHWCToNCHW(), Conv2D(3, 2, 3, stride=2, padding="same", dtype=dtype, rng=0),
                         AvgPool2D(2), nn.Flatten())


def normalized(dtype):
    """Batch and layer normalisation with non-trivial scales, shifts and running statistics."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        Reshape((2, 4, 4)), Conv2D(2, 3, 3, dtype=dtype, rng=0), nn.BatchNorm2D(3, momentum=0.3, dtype=dtype),
        nn.ReLU(), nn.LayerNorm((3, 4, 4), dtype=dtype), nn.Flatten(), nn.Dense(48, 5, dtype=dtype, rng=1),
        nn.BatchNorm1D(5, eps=1e-3, dtype=dtype), nn.LayerNorm(5, dtype=dtype),
    )
    for layer in model.layers:
        for p in layer.parameters() if not isinstance(layer, (Conv2D, nn.Dense)) else ():
            p.data = (p.data + 0.3 * rng.standard_normal(p.shape)).astype(dtype)
    for _ in range(2):  # moves the running statistics in training mode
        model(rng.normal(1.0, 2.0, (8, 32)).astype(dtype))
    return model


MODELS = {"mlp": (mlp, (6,)), "cnn": (cnn, (64,)), "cnn_nhwc": (cnn_channels_last, (9, 9, 3)),
          "normalized": (normalized, (32,))}


def make(name: str, dtype, rng: np.random.Generator, batch: int = 5):
    build, shape = MODELS[name]
    model = build(dtype).eval()
    x = rng.normal(scale=2.0, size=(batch, *shape)).astype(dtype)
    return model, x


# --------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MODELS))
def test_to_torch_agrees_to_float32_rounding(name, rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    model, x = make(name, np.float32, rng)
    module = to_torch(model)
    assert not module.training
    with torch.no_grad():
        out = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, predict(model, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_round_trip_through_torch_is_exact_in_float64(name, rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    model, x = make(name, np.float64, rng)
    module = to_torch(model)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    back = from_torch(module)
    assert np.array_equal(predict(back, x), predict(model, x))
    assert [p.dtype for p in back.parameters()] == [np.float64] * len(model.parameters())
    # Same parameters in the same order (Dense weights transposed twice).
    for a, b in zip(model.parameters(), back.parameters()):
        assert np.array_equal(a.numpy(), b.numpy())
    # And torch computes the same as nnlab to float64 rounding.
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(x)).numpy(), predict(model, x), rtol=1e-12, atol=1e-14)


def test_to_torch_copies_weights_and_mode(rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    model = nn.Sequential(nn.Dense(3, 2, "relu", rng=0), nn.Dropout(0.5))
    module = to_torch(model)
    assert module.training and isinstance(module[0], torch.nn.Linear) and isinstance(module[1], torch.nn.ReLU)
    assert module[2].p == 0.5
    np.testing.assert_array_equal(module[0].weight.detach().numpy(), model.layers[0].weight.numpy().T)
    with torch.no_grad():
        module[0].weight.add_(1.0)  # a copy: nnlab's weights stay
    assert not np.array_equal(module[0].weight.detach().numpy(), model.layers[0].weight.numpy().T)


def test_from_torch_reads_a_native_torch_model(rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    torch.manual_seed(0)
    tnn = torch.nn
    module = tnn.Sequential(
        tnn.Conv2d(1, 4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(4, 3, 3, stride=2, padding="valid"),
        tnn.AvgPool2d(2, stride=1, padding=1), tnn.Flatten(),
        tnn.Sequential(tnn.Linear(27, 16), tnn.LeakyReLU(0.01), tnn.Linear(16, 10), tnn.ELU(0.3)),
        tnn.Dropout(0.2), tnn.Linear(10, 4, bias=False), tnn.Softmax(dim=1),
    ).eval()
    model = from_torch(module, rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Conv2D", "MaxPool2D", "Conv2D", "AvgPool2D", "Flatten", "Dense", "Dense", "ELU", "Dropout",
                     "Dense", "Softmax"]
    assert model.layers[5].extra_repr().endswith("activation=leaky_relu")  # fused: ops' default alpha 0.01
    x = rng.normal(size=(3, 1, 12, 12)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(predict(model, x), expected, rtol=1e-5, atol=1e-6)
    unfused = from_torch(module, fuse_activations=False)
    assert len(unfused.layers) == len(module[:6]) + 4 + 3
    np.testing.assert_allclose(predict(unfused, x), expected, rtol=1e-5, atol=1e-6)


def test_from_torch_single_module_and_float64(rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    linear = torch.nn.Linear(4, 2).double()
    model = from_torch(linear)
    assert model.layers[0].weight.dtype == np.float64
    x = rng.normal(size=(3, 4))
    with torch.no_grad():
        np.testing.assert_allclose(predict(model, x), linear(torch.from_numpy(x)).numpy(), rtol=1e-12)


def test_saved_torch_program_takes_any_batch_and_image_size(rng, tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    model = cnn_channels_last(np.float32).eval()  # strided 'same': the padding is computed per image size
    path = save_torch(model, tmp_path / "conv.pt2", input_shape=(9, 9, 3))
    loaded = torch.export.load(str(path)).module()
    for shape in ((1, 9, 9, 3), (3, 14, 11, 3)):
        x = rng.normal(size=shape).astype(np.float32)
        with torch.no_grad():
            out = loaded(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(out, predict(model, x), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------------
# ONNX
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MODELS))
def test_onnxruntime_matches_nnlab(name, rng, tmp_path):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra (pip install nnlab[onnx])")
    model, x = make(name, np.float32, rng, batch=7)
    path = to_onnx(model, tmp_path / "model.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (7, 1):  # the batch axis is symbolic
        out = session.run(None, {"input": x[:batch]})[0]
        np.testing.assert_allclose(out, predict(model, x[:batch]), rtol=1e-5, atol=1e-5)
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


@pytest.mark.parametrize("name", ["lecture_mlp", "lecture_cnn", "lenet"])
def test_shipped_models_export(name, rng, tmp_path):
    """The models `nnlab digits` and `nnlab cnn` train: ONNX to 1e-5, torch round trip exact."""
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra (pip install nnlab[onnx])")
    from nnlab import models
    from nnlab.models import cnn as cnn_models

    model, shape = {
        "lecture_mlp": lambda: (models.lecture_mlp(rng=0), (64,)),  # float64, N(0, 1) weights as the lecture's
        "lecture_cnn": lambda: (cnn_models.lecture_cnn(flat_input=True, rng=0), (64,)),
        "lenet": lambda: (cnn_models.lenet(rng=0), (1, 28, 28)),
    }[name]()
    model.eval()
    x = rng.uniform(0, 16 if name != "lenet" else 1, size=(4, *shape))  # pixel ranges of digits and MNIST
    expected = predict(model, x.astype(model.parameters()[0].dtype))
    if name == "lenet":
        assert input_shape(model, concrete=True) == (1, 28, 28)
    session = ort.InferenceSession(str(to_onnx(model, tmp_path / "m.onnx")), providers=["CPUExecutionProvider"])
    out = session.run(None, {"input": x.astype(np.float32)})[0]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    if importlib.util.find_spec("torch") is not None:
        back = from_torch(to_torch(model))
        assert np.array_equal(predict(back, x.astype(model.parameters()[0].dtype)), expected)


def test_onnx_float64_graph_and_symbolic_image_size(rng, tmp_path):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra (pip install nnlab[onnx])")
    # onnxruntime runs these operators in float64 (not Conv, pooling, Elu, Softplus).
    model = nn.Sequential(nn.Dense(5, 8, "relu", dtype=np.float64, rng=0), nn.LeakyReLU(0.1),
                          nn.Dense(8, 8, "tanh", dtype=np.float64, rng=1), nn.Dropout(0.5), nn.Sigmoid(),
                          nn.Dense(8, 6, "step", dtype=np.float64, rng=2), nn.Dense(6, 3, "softmax", dtype=np.float64, rng=3)).eval()
    x = rng.normal(size=(4, 5))
    path = to_onnx(model, tmp_path / "mlp64.onnx", dtype=None)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": x})[0], predict(model, x), rtol=1e-12, atol=1e-14)
    # A fully convolutional float64 model, written as float32 by default, accepts any image size:
    # 'height' and 'width' stay symbolic.
    conv = nn.Sequential(Conv2D(2, 3, 3, stride=2, padding="same", activation="relu", dtype=np.float64, rng=0),
                         MaxPool2D(2))
    session = ort.InferenceSession(str(to_onnx(conv, tmp_path / "conv.onnx")),
                                   providers=["CPUExecutionProvider"])
    for size in ((9, 9), (16, 13)):
        image = rng.normal(size=(2, 2, *size))
        out = session.run(None, {"input": image.astype(np.float32)})[0]
        np.testing.assert_allclose(out, predict(conv, image), rtol=1e-5, atol=1e-5)


def test_onnx_write_is_atomic(rng, tmp_path, monkeypatch):
    onnx = pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    path = tmp_path / "model.onnx"
    path.write_bytes(b"previous export")

    def broken_save(proto, f, *args, **kwargs):
        with open(f, "wb") as handle:
            handle.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "save_model", broken_save)
    with pytest.raises(OSError, match="disk full"):
        to_onnx(nn.Sequential(nn.Dense(2, 2, rng=0)), path)
    assert path.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_onnx_needs_an_input_shape_when_the_model_does_not_tell(tmp_path):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    model = nn.Sequential(nn.Flatten(), nn.Dense(4, 2, rng=0))
    with pytest.raises(ValueError, match="input_shape"):
        to_onnx(model, tmp_path / "m.onnx")
    to_onnx(model, tmp_path / "m.onnx", input_shape=(2, 2))
    with pytest.raises(ValueError, match="opset"):
        to_onnx(model, tmp_path / "m.onnx", input_shape=(2, 2), opset=11)


def test_input_shape_of_a_cnn_is_the_square_that_fits_its_dense():
    model = nn.Sequential(Conv2D(1, 4, 3, padding="valid", rng=0), MaxPool2D(2), nn.Flatten(),
                          nn.Dense(4 * 13 * 13, 10, rng=0))
    assert input_shape(model) == (1, "height", "width")
    assert input_shape(model, concrete=True) == (1, 28, 28)
    assert input_shape(nn.Sequential(nn.Dropout(0.1), nn.Dense(3, 1, rng=0))) == (3,)


# --------------------------------------------------------------------------------------------
# What cannot be exported, and missing extras
# --------------------------------------------------------------------------------------------
class Custom(nn.Module):
    def forward(self, x):
        return x


def cube(z):
    return z ** 3


def unsupported_models():
    yield "Custom", nn.Sequential(nn.Dense(2, 2, rng=0), Custom())
    yield "cube", nn.Sequential(nn.Dense(2, 2, activation=cube, rng=0))
    try:
        from nnlab.nn.recurrent import RNN
    except ImportError:
        return
    try:
        yield "RNN", nn.Sequential(RNN(2, 3, rng=0))
    except TypeError:  # a different constructor: the layer is still unsupported, tested by Custom
        return


@pytest.mark.parametrize("target", ["torch", "onnx"])
def test_unsupported_layers_are_named(target, tmp_path):
    pytest.importorskip(target, reason=f"optional extra (pip install nnlab[{target}])")
    for layer_name, model in unsupported_models():
        with pytest.raises(UnsupportedLayerError, match=layer_name) as info:
            to_torch(model) if target == "torch" else to_onnx(model, tmp_path / "m.onnx", input_shape=(2,))
        assert "layers." in str(info.value) and "Supported: Dense, Conv2D" in str(info.value)
    assert not (tmp_path / "m.onnx").exists()


def test_unsupported_torch_modules_are_named():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    for module, name in [(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2, momentum=None)),
                          "BatchNorm1d"),
                         (torch.nn.LSTM(2, 3), "LSTM"), (torch.nn.Softplus(beta=2.0), "Softplus"),
                         (torch.nn.Conv2d(1, 1, 3, dilation=2), "Conv2d")]:
        with pytest.raises(UnsupportedLayerError, match=name):
            from_torch(module)


@pytest.mark.parametrize("package, function", [("torch", "to_torch"), ("onnx", "to_onnx")])
def test_missing_extra_says_how_to_install_it(package, function, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, package, None)  # makes `import <package>` raise ImportError
    import nnlab.export as export

    with pytest.raises(ImportError, match=rf"pip install nnlab\[{package}\]"):
        if function == "to_torch":
            export.to_torch(nn.Dense(2, 2, rng=0))
        else:
            export.to_onnx(nn.Dense(2, 2, rng=0), tmp_path / "m.onnx")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def _trained_mlp(rng):
    """A small classifier after a few real SGD steps, so its weights are not just the initial ones."""
    from nnlab.functional import cross_entropy

    model = nn.Sequential(nn.Dense(4, 8, "tanh", rng=0), nn.Dropout(0.1, rng=1), nn.Dense(8, 3, rng=2))
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    for _ in range(20):
        model.zero_grad()
        cross_entropy(model(Tensor(x)), y).backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    return model.eval(), x


def test_command_exports_a_saved_model_to_onnx(rng, tmp_path, capsys):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra (pip install nnlab[onnx])")
    from nnlab.cli import main
    from nnlab.io import save_model

    model, x = _trained_mlp(rng)
    save_model(model, tmp_path / "digits.npz")
    assert main(["export", str(tmp_path / "digits.npz"), "--to", "onnx"]) == 0
    written = tmp_path / "digits.onnx"
    assert capsys.readouterr().out.strip() == f"wrote onnx model: {written}"
    out = ort.InferenceSession(str(written), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    np.testing.assert_allclose(out, predict(model, x), rtol=1e-5, atol=1e-5)


def test_command_exports_a_saved_cnn_to_onnx(rng, tmp_path):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra (pip install nnlab[onnx])")
    from nnlab.cli import main
    from nnlab.io import get_layer_class, save_model

    for cls in (Conv2D, MaxPool2D, Reshape):
        try:
            get_layer_class(cls.__name__)
        except ValueError:
            pytest.skip(f"nnlab.io cannot load {cls.__name__} yet (neither in nnlab.nn nor registered)")
    model = nn.Sequential(Reshape((1, 8, 8)), Conv2D(1, 4, 3, activation="relu", rng=0), MaxPool2D(2), nn.Flatten(),
                          nn.Dense(64, 10, rng=1)).eval()
    save_model(model, tmp_path / "cnn.npz")
    assert main(["export", str(tmp_path / "cnn.npz"), "--to", "onnx", "--output-dir", str(tmp_path / "out")]) == 0
    x = rng.normal(size=(5, 64)).astype(np.float32)
    session = ort.InferenceSession(str(tmp_path / "out" / "cnn.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": x})[0], predict(model, x), rtol=1e-5, atol=1e-5)


def test_command_exports_a_saved_model_to_torch(rng, tmp_path, capsys):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    from nnlab.cli import main
    from nnlab.io import save_model

    model, x = _trained_mlp(rng)
    save_model(model, tmp_path / "mlp.npz")
    target = tmp_path / "exported" / "mlp.pt2"
    assert main(["export", str(tmp_path / "mlp.npz"), "--to", "torch", "--output", str(target)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote torch model: {target}"
    loaded = torch.export.load(str(target)).module()  # plain torch: no nnlab class needed
    for batch in (len(x), 1):
        with torch.no_grad():
            out = loaded(torch.from_numpy(x[:batch])).numpy()
        np.testing.assert_allclose(out, predict(model, x[:batch]), rtol=1e-5, atol=1e-6)


def test_command_reports_errors_without_a_traceback(rng, tmp_path, capsys):
    from nnlab.cli import main
    from nnlab.io import save_model

    assert main(["export", str(tmp_path / "missing.npz"), "--to", "onnx"]) == 2
    assert "missing.npz" in capsys.readouterr().err
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    save_model(nn.Sequential(nn.Flatten(), nn.Dense(4, 2, rng=0)), tmp_path / "flat.npz")
    assert main(["export", str(tmp_path / "flat.npz"), "--to", "onnx"]) == 2  # input shape unknown
    assert "input_shape" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "flat.npz"), "--to", "onnx", "--input-shape", "2,2"]) == 0
    assert (tmp_path / "flat.onnx").is_file()


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batch_norm_exports_with_its_running_statistics_and_mode(mode, rng):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install nnlab[torch])")
    model = normalized(np.float64).train(mode == "train")
    module = to_torch(model)
    assert module.training == (mode == "train")
    bn, torch_bn = model.layers[2], next(m for m in module if isinstance(m, torch.nn.BatchNorm2d))
    np.testing.assert_array_equal(torch_bn.running_var.numpy(), bn.running_var.numpy())
    x = rng.normal(size=(6, 32))
    out = module(torch.from_numpy(x)).detach().numpy()  # in training mode both update their statistics
    np.testing.assert_allclose(out, model(Tensor(x)).numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(torch_bn.running_mean.numpy(), bn.running_mean.numpy(), rtol=0, atol=1e-12)
    back = from_torch(module)
    assert back.training == (mode == "train")
    ours, theirs = list(model.state_dict().values()), list(back.state_dict().values())  # same order, other names
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):  # the running statistics each updated by their own library
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)


def test_layer_norm_needs_opset_17(tmp_path):
    pytest.importorskip("onnx", reason="ONNX export is an optional extra (pip install nnlab[onnx])")
    with pytest.raises(ValueError, match="opset=17"):
        to_onnx(nn.Sequential(nn.Dense(3, 3, rng=0), nn.LayerNorm(3)), tmp_path / "m.onnx", opset=13)
