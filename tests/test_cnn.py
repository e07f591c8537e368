"""CNN models, training on the digits and MNIST, the `nnlab cnn` command, and parity with PyTorch."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnlab import Tensor
from nnlab import functional as F
from nnlab.data import load_digits, load_mnist, train_test_split
from nnlab.io import load_model, save_model
from nnlab.models.cnn import feature_maps, first_conv, lecture_cnn, lenet
from nnlab.nn import summary
from nnlab.optim import SGD, Adam, ExponentialLR
from nnlab.train import fit, predict

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
needs_mnist = pytest.mark.skipif(not (MNIST / "train-images-idx3-ubyte.gz").exists() and
                                 not (MNIST / "train-images-idx3-ubyte").exists(),
                                 reason=f"MNIST IDX files not found in {MNIST}")

def accuracy(model, X, y) -> float:
    return float(np.mean(predict(model, X, batch_size=1000).argmax(axis=1) == y))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_images=True)
    return train_test_split(X / 16.0, y, test_size=0.2, seed=0)


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------
def test_lenet_architecture():
    model = lenet(rng=0)
    assert model.n_parameters() == 61706  # LeNet-5: 156 + 2416 + 48120 + 10164 + 850
    text = summary(model, (1, 28, 28))
    for shape in ["(None, 6, 28, 28)", "(None, 6, 14, 14)", "(None, 16, 10, 10)", "(None, 16, 5, 5)", "(None, 400)"]:
        assert shape in text
    assert lenet(rng=0)(Tensor(np.zeros((3, 1, 28, 28), np.float32))).shape == (3, 10)
    assert lenet(flat_input=True, rng=0)(Tensor(np.zeros((3, 784), np.float32))).shape == (3, 10)


def test_lecture_cnn_architecture_and_seed():
    model = lecture_cnn(rng=0)
    assert model.n_parameters() == 100 + 160 * 50 + 50 + 510  # conv 10x3x3 + bias, dense 160-50, dense 50-10
    assert first_conv(model).weight.shape == (10, 1, 3, 3)
    np.testing.assert_array_equal(first_conv(lecture_cnn(rng=0)).weight.numpy(), first_conv(model).weight.numpy())
    flat = lecture_cnn(flat_input=True, rng=0)
    x = np.random.default_rng(0).random((4, 64), dtype=np.float32)
    np.testing.assert_allclose(flat(Tensor(x)).numpy(), model(Tensor(x.reshape(4, 1, 8, 8))).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="input_shape"):
        lecture_cnn(input_shape=(8, 8))


def test_feature_maps_of_one_image():
    model = lenet(rng=0)
    maps = feature_maps(model, np.zeros((1, 28, 28), np.float32))
    assert [(name, m.shape) for name, m in maps] == [("0: Conv2D", (6, 28, 28)), ("1: MaxPool2D", (6, 14, 14)),
                                                      ("2: Conv2D", (16, 10, 10)), ("3: MaxPool2D", (16, 5, 5))]
    assert model.training  # restored


def test_saved_cnn_loads_with_identical_outputs(tmp_path, rng):
    model = lenet(rng=1)
    save_model(model, tmp_path / "lenet.npz")
    loaded = load_model(tmp_path / "lenet.npz")
    x = rng.random((5, 1, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(loaded(Tensor(x)).numpy(), model(Tensor(x)).numpy())


def test_lecture_cnn_matches_torch_forward_and_gradients(rng):
    """The whole network (conv, ReLU, pool, flatten, dense) against the same PyTorch network."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = lecture_cnn(dtype=np.float64, rng=0)
    ref = nn.Sequential(nn.Conv2d(1, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(160, 50), nn.ReLU(), nn.Linear(50, 10)).double()
    conv, dense1, dense2 = model.layers[0], model.layers[3], model.layers[4]
    with torch.no_grad():
        for ours, theirs, transpose in [(conv, ref[0], False), (dense1, ref[4], True), (dense2, ref[6], True)]:
            w = ours.weight.numpy()
            theirs.weight.copy_(torch.tensor(w.T if transpose else w))
            b = rng.standard_normal(ours.bias.shape)
            ours.bias.data = b.copy()
            theirs.bias.copy_(torch.tensor(b))
    x, y = rng.random((6, 1, 8, 8)), rng.integers(0, 10, 6)
    loss = F.cross_entropy(model(Tensor(x)), y)
    loss.backward()
    ref_loss = nn.functional.cross_entropy(ref(torch.tensor(x)), torch.tensor(y))
    ref_loss.backward()
    assert np.isclose(loss.item(), ref_loss.item(), rtol=1e-12)
    for ours, theirs, transpose in [(conv, ref[0], False), (dense1, ref[4], True), (dense2, ref[6], True)]:
        g = theirs.weight.grad.numpy()
        np.testing.assert_allclose(ours.weight.grad, g.T if transpose else g, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------
def test_lecture_cnn_on_digits_reaches_97_percent(digits):
    """The lecture's setting: plain SGD, eta = 0.1, batch 100, 100 epochs, 80/20 split."""
    X_train, X_test, y_train, y_test = digits
    model = lecture_cnn(rng=0)
    fit(model, X_train, y_train, optimizer=SGD(model.parameters(), lr=0.1), epochs=100, batch_size=100,
        metrics=(), seed=0)
    assert accuracy(model, X_test, y_test) >= 0.97


@needs_mnist
def test_lenet_learns_mnist_subset():
    """Short version of the slow test: 4000 images, 2 epochs."""
    X, y = load_mnist(MNIST, "train")
    X_test, y_test = load_mnist(MNIST, "test")
    model = lenet(rng=0)
    fit(model, X[:4000], y[:4000], optimizer=Adam(model.parameters(), lr=2e-3), epochs=2, batch_size=64,
        metrics=(), seed=0)
    assert accuracy(model, X_test[:1000], y_test[:1000]) >= 0.9


@pytest.mark.slow
@needs_mnist
def test_lenet_on_mnist_reaches_98_5_percent():
    """LeNet-5, Adam (eta = 0.002, decayed by 0.6 an epoch), batch 128, 4 epochs; about 2 minutes."""
    X, y = load_mnist(MNIST, "train")
    X_test, y_test = load_mnist(MNIST, "test")
    model = lenet(rng=0)
    optimizer = Adam(model.parameters(), lr=2e-3)
    fit(model, X, y, optimizer=optimizer, schedule=ExponentialLR(optimizer, gamma=0.6), epochs=4, batch_size=128,
        metrics=(), seed=0)
    assert accuracy(model, X_test, y_test) >= 0.985  # 0.9878 when written (0.9867 after 3 epochs)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def _headline(captured: str) -> float:
    lines = [line for line in captured.splitlines() if line.startswith("test accuracy:")]
    assert len(lines) == 1, captured
    match = re.fullmatch(r"test accuracy: (0\.\d{4}|1\.0000)", lines[0])
    assert match, lines[0]
    return float(match.group(1))


def test_command_on_digits(tmp_path, capsys):
    from nnlab.cli import main

    assert main(["cnn", "--quick", "--output-dir", str(tmp_path)]) == 0
    assert _headline(capsys.readouterr().out) >= 0.95
    for name in ["learning_curves.png", "filters.png", "feature_maps.png"]:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["n_test"] == 360 and metrics["epochs"] == 30
    assert load_model(tmp_path / "model.npz").n_parameters() == lecture_cnn().n_parameters()


@needs_mnist
def test_command_on_mnist_subset(tmp_path, capsys):
    from nnlab.cli import main

    args = ["cnn", "--dataset", "mnist", "--data-dir", str(MNIST), "--epochs", "1", "--train-size", "256",
            "--test-size", "128", "--output-dir", str(tmp_path)]
    assert main(args) == 0
    _headline(capsys.readouterr().out)
    assert (tmp_path / "feature_maps.png").exists()


def test_command_reports_missing_mnist(tmp_path, capsys):
    from nnlab.cli import main

    assert main(["cnn", "--dataset", "mnist", "--data-dir", str(tmp_path / "nowhere"),
                 "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte" in err and "nowhere" in err
    assert main(["cnn", "--epochs", "0", "--output-dir", str(tmp_path / "out")]) == 2
    assert "--epochs" in capsys.readouterr().err
