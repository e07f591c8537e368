"""Bad input to the public API gives a clear error: the right type, and a message naming the problem.

Each case is (callable, expected exception, regular expression the message must match). The
callables are cheap (tiny models, a few rows), so the whole file runs in a few seconds. The
command-line cases run ``nnlab.cli.main`` in-process and check for one line on stderr, no
traceback and a non-zero exit status.
"""
from __future__ import annotations

import os
import re

import numpy as np
import pytest

import nnlab.data as data
import nnlab.de as de
import nnlab.nn as nn
import nnlab.optim as optim
from nnlab import Tensor, io
from nnlab.cli import main
from nnlab.estimators import MLPClassifier
from nnlab.models import Perceptron, mlp
from nnlab.train import evaluate, fit, predict

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 4))
Y = RNG.integers(0, 3, 20)
X_NAN = X.copy()
X_NAN[3, 1] = np.nan
X_INF = X.copy()
X_INF[0, 0] = np.inf


def _model(seed: int = 0):
    return mlp(4, [5], 3, rng=seed)


def _fit(X_=X, y=Y, **kw):
    return fit(_model(), X_, y, **{"epochs": 1, "seed": 0, **kw})


def _predict(X_=X, **kw):
    return predict(_model(), X_, **kw)


def _evaluate(X_=X, y=Y, **kw):
    return evaluate(_model(), X_, y, **kw)


def _cases(*rows):
    return [pytest.param(fn, exc, match, id=name) for name, fn, exc, match in rows]


# ------------------------------------------------------------------------------------------------
# nnlab.train: fit / predict / evaluate
# ------------------------------------------------------------------------------------------------
TRAIN = _cases(
    ("fit-nan-X", lambda: _fit(X_NAN), ValueError, r"X contains NaN or inf: 1 NaN and 0 infinite value\(s\), first at index \(3, 1\)"),
    ("fit-inf-X", lambda: _fit(X_INF), ValueError, r"X contains NaN or inf"),
    ("fit-nan-y", lambda: _fit(y=np.where(np.arange(20) == 2, np.nan, Y)), ValueError, r"y contains NaN or inf"),
    ("fit-1d-X", lambda: _fit(X[:, 0]), ValueError, r"X must have shape \(n_samples, n_features\).*reshape\(-1, 1\)"),
    ("fit-3d-X", lambda: _fit(X[:, :, None]), ValueError, r"cannot take inputs of shape \(None, 4, 1\)"),
    ("fit-wrong-features", lambda: _fit(X[:, :3]), ValueError, r"X has 3 features .* expects 4; build the model"),
    ("fit-length-mismatch", lambda: _fit(y=Y[:-1]), ValueError, r"X has 20 samples but y has 19"),
    ("fit-string-X", lambda: _fit(X.astype(str)),
     TypeError, r"X must be a real numeric array, got an array of dtype <U"),
    ("fit-object-X", lambda: _fit(X.astype(object)), TypeError, r"X must be a real numeric array, got an object array"),
    ("fit-complex-X", lambda: _fit(X + 1j), TypeError, r"X must be a real numeric array.*complex128"),
    ("fit-string-labels", lambda: _fit(y=np.array(list("abcd" * 5))),
     TypeError, r"y must be .*np\.unique\(y, return_inverse"),
    ("fit-empty", lambda: _fit(X[:0], Y[:0]), ValueError, r"X has no samples \(shape \(0, 4\)\)"),
    ("fit-labels-out-of-range", lambda: _fit(y=Y + 5), ValueError, r"labels from 5 to 7 .* must lie in \[0, 2\]"),
    ("fit-non-integer-labels", lambda: _fit(y=Y + 0.5), ValueError, r"integer class labels"),
    ("fit-model-none", lambda: fit(None, X, Y), TypeError, r"model must be an nnlab Module"),
    ("fit-epochs-0", lambda: _fit(epochs=0), ValueError, r"epochs must be a positive integer, got 0"),
    ("fit-epochs-float", lambda: _fit(epochs=2.5), TypeError, r"epochs must be a positive integer, got 2\.5"),
    ("fit-epochs-before-initial", lambda: _fit(epochs=2, initial_epoch=5),
     ValueError, r"must be >= initial_epoch=5; pass epochs=7"),
    ("fit-batch-size-0", lambda: _fit(batch_size=0), ValueError, r"batch_size must be a positive integer, got 0"),
    ("fit-batch-size-float", lambda: _fit(batch_size=2.5), TypeError, r"batch_size must be a positive integer, got 2\.5 of type float"),
    ("fit-negative-seed", lambda: _fit(seed=-1), ValueError, r"seed must be an integer >= 0, got -1"),
    ("fit-negative-lr", lambda: _fit(lr=-1.0), ValueError, r"lr must lie in \[0\.0, inf\), got -1"),
    ("fit-nan-lr", lambda: _fit(lr=float("nan")), ValueError, r"lr must lie in"),
    ("fit-inf-lr", lambda: _fit(lr=float("inf")), ValueError, r"lr must lie in \[0\.0, inf\)"),
    ("fit-unknown-loss", lambda: _fit(loss="hinge"), ValueError, r"unknown loss 'hinge'; choose one of \["),
    ("fit-unknown-optimizer", lambda: _fit(optimizer="adamax"),
     ValueError, r"unknown optimizer 'adamax'; choose one of"),
    ("fit-unknown-metric", lambda: _fit(metrics=("f1",)), ValueError, r"unknown metric 'f1'; choose one of"),
    ("fit-unknown-schedule", lambda: _fit(schedule="warmup"), ValueError, r"unknown learning-rate schedule 'warmup'"),
    ("fit-validation-split-1", lambda: _fit(validation_split=1.0),
     ValueError, r"validation_split must lie in \(0, 1\)"),
    ("fit-bad-validation-data", lambda: _fit(validation_data=X), ValueError, r"validation_data must be a pair"),
    ("fit-negative-sample-weight", lambda: _fit(sample_weight=-np.ones(20)),
     ValueError, r"sample_weight must be non-negative"),
    ("fit-callbacks-not-a-list", lambda: _fit(callbacks=3), TypeError, r"callbacks must be a list .*\[callback\]"),
    ("fit-penalty-not-callable", lambda: _fit(penalty=3), TypeError, r"penalty must be a callable"),
    ("predict-nan", lambda: _predict(X_NAN), ValueError, r"X contains NaN or inf"),
    ("predict-wrong-features", lambda: _predict(X[:, :3]), ValueError, r"X has 3 features .* expects 4"),
    ("predict-strings", lambda: _predict(X.astype(str)), TypeError, r"X must be a real numeric array"),
    ("predict-batch-size-0", lambda: _predict(batch_size=0), ValueError, r"batch_size must be a positive integer, got 0"),
    ("evaluate-empty", lambda: _evaluate(X[:0], Y[:0]), ValueError, r"X has no samples"),
    ("evaluate-length-mismatch", lambda: _evaluate(y=Y[:3]), ValueError, r"X has 20 samples but y has 3"),
)


@pytest.mark.parametrize("fn, exc, match", TRAIN)
def test_train_rejects_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


def test_predict_of_zero_rows_is_empty():
    assert _predict(X[:0]).shape == (0, 3)


# ------------------------------------------------------------------------------------------------
# nnlab.nn layers
# ------------------------------------------------------------------------------------------------
NN = _cases(
    ("dense-zero-size", lambda: nn.Dense(0, 3), ValueError, r"Dense in_features must be a positive integer, got 0"),
    ("dense-float-size", lambda: nn.Dense(2.5, 3),
     TypeError, r"Dense in_features must be a positive integer, got 2\.5"),
    ("dense-string-size", lambda: nn.Dense("3", 3), TypeError, r"Dense in_features must be a positive integer"),
    ("dense-unknown-activation", lambda: nn.Dense(3, 3, activation="swish"), ValueError,
     r"unknown activation 'swish'; choose one of \[.*'relu'"),
    ("dense-unknown-init", lambda: nn.Dense(3, 3, weight_init="kaiming"), ValueError,
     r"unknown initialiser 'kaiming'; choose one of \[.*'he_normal'"),
    ("dense-nan-bias", lambda: nn.Dense(3, 3, bias_init=np.nan), ValueError, r"bias_init must be a finite number"),
    ("dense-int-dtype", lambda: nn.Dense(3, 3, dtype=np.int32), TypeError, r"only floating-point tensors"),
    ("dense-negative-seed", lambda: nn.Dense(3, 3, rng=-1), ValueError, r"an int seed must be >= 0, got -1"),
    ("dense-bad-rng", lambda: nn.Dense(3, 3, rng="x"), TypeError, r"rng must be a numpy\.random\.Generator"),
    ("dense-forward-wrong-features", lambda: nn.Dense(4, 3)(np.ones((2, 5))), ValueError,
     r"the input has 5 features but the weight expects 4"),
    ("conv-zero-kernel", lambda: nn.Conv2D(1, 2, 0), ValueError, r"kernel_size must be positive, got 0"),
    ("conv-zero-channels", lambda: nn.Conv2D(0, 2, 3), ValueError, r"Conv2D in_channels must be a positive integer"),
    ("conv-bad-padding", lambda: nn.Conv2D(1, 2, 3, padding="full"), ValueError, r"padding must be 'same', 'valid'"),
    ("conv-kernel-larger-than-image", lambda: nn.Conv2D(1, 2, 5, padding="valid")(np.ones((1, 1, 3, 3))),
     ValueError, r"window \(5, 5\) does not fit the input of size \(3, 3\).*smaller kernel"),
    ("conv-flat-rows", lambda: nn.Conv2D(1, 2, 3)(np.ones((4, 64))), ValueError, r"Reshape\(\(1, 8, 8\)\)"),
    ("conv-channels-last", lambda: nn.Conv2D(1, 2, 3)(np.ones((1, 8, 8, 1))),
     ValueError, r"channels-last.*nhwc_to_nchw"),
    ("conv-wrong-channels", lambda: nn.Conv2D(1, 2, 3)(np.ones((1, 3, 8, 8))), ValueError,
     r"the input has 3 channels .* expects 1"),
    ("pool-kernel-larger-than-image", lambda: nn.MaxPool2D(4)(np.ones((1, 1, 3, 3))), ValueError,
     r"window \(4, 4\) does not fit"),
    ("pool-bad-padding", lambda: nn.MaxPool2D(2, padding=5), ValueError, r"pooling padding must be an int in"),
    ("pool-3d-input", lambda: nn.MaxPool2D(2)(np.ones((1, 8, 8))), ValueError, r"x\[None\]"),
    ("rnn-zero-hidden", lambda: nn.RNN(2, 0), ValueError, r"RNN hidden_size must be a positive integer, got 0"),
    ("rnn-float-size", lambda: nn.LSTM(2.5, 3), TypeError, r"LSTM input_size must be a positive integer"),
    ("rnn-unknown-nonlinearity", lambda: nn.RNN(2, 3, nonlinearity="gelu"), ValueError, r"unknown nonlinearity 'gelu'"),
    ("lstm-2d-input", lambda: nn.LSTM(2, 3)(np.ones((4, 2))), ValueError, r"expects input of shape \(batch, time, 2\)"),
    ("lstm-nan-input", lambda: nn.LSTM(2, 3)(np.full((1, 4, 2), np.nan)),
     ValueError, r"LSTM input contains NaN or inf"),
    ("lstm-string-input", lambda: nn.LSTM(2, 3)(np.full((1, 4, 2), "a")),
     TypeError, r"LSTM input must be a real numeric"),
    ("lstm-empty-sequence", lambda: nn.LSTM(2, 3)(np.ones((1, 0, 2))), ValueError, r"sequence of length 0"),
    ("rbf-zero-centers", lambda: nn.RBF(2, 0), ValueError, r"RBF n_centers must be a positive integer, got 0"),
    ("rbf-zero-width", lambda: nn.RBF(2, 3, widths=np.zeros(3)), ValueError, r"widths non-zero"),
    ("rbf-from-nan-data", lambda: nn.RBF.from_data(np.full((5, 2), np.nan), 2), ValueError, r"X contains NaN or inf"),
    ("rbf-more-centers-than-rows", lambda: nn.RBF.from_data(np.ones((5, 2)), 10), ValueError,
     r"n_centers must lie in \[1, n_samples = 5\], got 10"),
    ("rbf-forward-wrong-features", lambda: nn.RBF(2, 3)(np.ones((4, 3))),
     ValueError, r"RBF expects input of shape \(n, 2\)"),
    ("dropout-rate-1", lambda: nn.Dropout(1.0), ValueError, r"dropout rate must lie in \[0, 1\).*got 1\.0"),
    ("dropout-rate-negative", lambda: nn.Dropout(-0.1), ValueError, r"dropout rate must lie in \[0, 1\)"),
    ("dropout-rate-string", lambda: nn.Dropout("half"), TypeError, r"dropout rate must be a number"),
    ("sequential-non-module", lambda: nn.Sequential(nn.Dense(2, 2), 3), TypeError, r"Sequential layer 1 is a int"),
    ("sequential-layer-class", lambda: nn.Sequential(nn.Dense), TypeError, r"is a type, not a Module"),
    ("leaky-relu-nan-alpha", lambda: nn.LeakyReLU(np.nan), ValueError, r"LeakyReLU alpha must be a finite number"),
    ("l2-negative-lambda", lambda: nn.L2(-1.0), ValueError, r"lam must be a finite number >= 0, got -1"),
    ("l1-string-lambda", lambda: nn.L1("a"), TypeError, r"lam must be a finite number >= 0, got 'a'"),
    ("unknown-loss", lambda: nn.get_loss("hinge"), ValueError, r"unknown loss 'hinge'; choose one of"),
    ("loss-bad-reduction", lambda: nn.MSELoss("avg"), ValueError, r"reduction must be one of"),
    ("cross-entropy-length-mismatch", lambda: nn.CrossEntropyLoss()(Tensor(np.ones((3, 4))), np.array([0, 1])),
     ValueError, r"3 rows of logits but 2 labels"),
    ("mse-shape-mismatch", lambda: nn.MSELoss()(Tensor(np.ones((3, 1))), np.ones((4, 1))), ValueError,
     r"prediction has shape \(3, 1\) but target has shape \(4, 1\)"),
)


@pytest.mark.parametrize("fn, exc, match", NN)
def test_layers_reject_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# ------------------------------------------------------------------------------------------------
# nnlab.optim
# ------------------------------------------------------------------------------------------------
def _params():
    return nn.Dense(3, 2, rng=0).parameters()


OPTIM = _cases(
    ("unknown-optimizer", lambda: optim.get_optimizer("adamax", _params()), ValueError,
     r"unknown optimizer 'adamax'; choose one of \['adagrad', 'adam'"),
    ("empty-params", lambda: optim.get_optimizer("sgd", []), ValueError, r"empty parameter list"),
    ("arrays-as-params", lambda: optim.SGD([np.ones(3)]), TypeError, r"params\[0\] is a ndarray"),
    ("unknown-keyword", lambda: optim.get_optimizer("sgd", _params(), bogus=1), TypeError, r"bogus"),
    *[(f"{name}-negative-lr", lambda name=name: getattr(optim, name)(_params(), lr=-1.0), ValueError,
       r"lr must lie in \[0\.0, inf\), got -1") for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW")],
    ("adam-string-lr", lambda: optim.Adam(_params(), lr="fast"), TypeError, r"lr must be a number, got 'fast'"),
    ("sgd-momentum-1", lambda: optim.SGD(_params(), momentum=1.5), ValueError, r"momentum must lie in \[0\.0, 1\.0\)"),
    ("sgd-nesterov-without-momentum", lambda: optim.SGD(_params(), nesterov=True), ValueError, r"momentum=0\.9"),
    ("adam-beta-1", lambda: optim.Adam(_params(), betas=(1.0, 0.9)), ValueError, r"betas\[0\] must lie in"),
    ("adam-eps-0", lambda: optim.Adam(_params(), eps=0), ValueError, r"eps must lie in \(0\.0, inf\]"),
    ("unknown-schedule", lambda: optim.get_schedule("warmup", optim.SGD(_params())), ValueError,
     r"unknown learning-rate schedule 'warmup'; choose one of"),
    ("step-lr-step-size-0", lambda: optim.StepLR(optim.SGD(_params()), step_size=0), ValueError,
     r"step_size must be a positive integer"),
    ("clip-negative-norm", lambda: optim.clip_grad_norm(_params(), -1), ValueError, r"max_norm must lie in"),
)


@pytest.mark.parametrize("fn, exc, match", OPTIM)
def test_optim_rejects_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# ------------------------------------------------------------------------------------------------
# nnlab.data
# ------------------------------------------------------------------------------------------------
def _scaler_cases(name):
    """nnlab.data's scalers are scikit-learn's (nnlab adds the NaN check): the messages name the problem and the fix."""
    S = getattr(data, name)
    return [
        (f"{name}-nan", lambda: S().fit(X_NAN), ValueError, r"X contains NaN or inf: 1 NaN and 0 infinite value\(s\)"),
        (f"{name}-1d", lambda: S().fit(X[:, 0]), ValueError, r"(?s)Expected 2D array, got 1D array.*reshape\(-1, 1\)"),
        (f"{name}-empty", lambda: S().fit(X[:0]), ValueError, rf"0 sample\(s\).*minimum of 1 is required by {name}"),
        (f"{name}-strings", lambda: S().fit(np.full((3, 2), "a")), ValueError, r"could not convert string to float"),
        (f"{name}-complex", lambda: S().fit(X + 1j), ValueError, r"Complex data not supported"),
        (f"{name}-unfitted", lambda: S().transform(X), ValueError, r"not fitted yet\. Call 'fit'"),
        (f"{name}-wrong-features", lambda: S().fit(X).transform(X[:, :2]),
     ValueError, r"X has 2 features, but .* is expecting 4 features"),
    ]


DATA = _cases(
    ("split-length-mismatch", lambda: data.train_test_split(X, Y[:5]),
     ValueError, r"same number of rows, got 20 and 5"),
    ("split-test-size-0", lambda: data.train_test_split(X, Y, test_size=0),
     ValueError, r"both sets need at least one row"),
    ("split-test-size-1.0", lambda: data.train_test_split(X, Y, test_size=1.0), ValueError, r"fraction in \(0, 1\)"),
    ("split-empty", lambda: data.train_test_split(X[:0], Y[:0]), ValueError, r"0 training rows out of 0"),
    ("split-negative-seed", lambda: data.train_test_split(X, Y, seed=-1), ValueError, r"an int seed must be >= 0"),
    ("split-stratify-one-hot", lambda: data.train_test_split(X, np.eye(3)[Y], stratify=True), ValueError,
     r"stratify=True needs 1-D class labels"),
    *_scaler_cases("StandardScaler"),
    *_scaler_cases("MinMaxScaler"),
    ("minmax-reversed-range", lambda: data.MinMaxScaler((1, 0)).fit(X), ValueError,
     r"Minimum of desired feature range must be smaller than maximum"),
    ("minmax-scalar-range", lambda: data.MinMaxScaler(3).fit(X), ValueError, r"'feature_range' parameter of MinMaxScaler must be an instance of 'tuple'"),
    ("one-hot-float-labels", lambda: data.one_hot([0.5, 1.0]), ValueError, r"one_hot expects integer labels"),
    ("one-hot-too-few-classes", lambda: data.one_hot([3, 0], 2), ValueError, r"labels must lie in \[0, 1\]"),
    ("minibatches-size-0", lambda: list(data.iterate_minibatches(X, Y, 0, 0)),
     ValueError, r"batch_size must be a positive"),
    ("franke-0-samples", lambda: data.make_franke(0), ValueError, r"n_samples must be a positive integer, got 0"),
    ("mnist-missing-directory", lambda: data.load_mnist("/nonexistent-nnlab-dir"), FileNotFoundError,
     r"no train-images-idx3-ubyte file in directory /nonexistent-nnlab-dir \(which does not exist\).*Download"),
    ("mnist-unknown-kind", lambda: data.load_mnist("/nonexistent-nnlab-dir", kind="validation"), ValueError,
     r"kind must be 'train' or 'test'"),
)


@pytest.mark.parametrize("fn, exc, match", DATA)
def test_data_rejects_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


def test_mnist_reader_names_the_file_problem(tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(FileNotFoundError, match="which is a file, not a directory"):
        data.load_mnist(tmp_path / "a_file")
    with pytest.raises(FileNotFoundError, match=r"no IDX file at .* \(a directory\)"):
        data.read_idx(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no IDX file at .* \(missing\)"):
        data.read_idx(tmp_path / "missing.idx")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01")
    with pytest.raises(ValueError, match="truncated or corrupt IDX header"):
        data.load_mnist(tmp_path)
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8bxxxx")
    with pytest.raises(ValueError, match="truncated or corrupt gzip file"):
        data.read_idx(tmp_path / "bad.gz")


# ------------------------------------------------------------------------------------------------
# nnlab.io
# ------------------------------------------------------------------------------------------------
def test_save_model_refuses_bad_destinations_and_keeps_the_old_file(tmp_path, monkeypatch):
    model = _model()
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_dir.npz").mkdir()
    with pytest.raises(FileNotFoundError, match="directory .*missing does not exist; create it first"):
        io.save_model(model, tmp_path / "missing" / "m.npz")
    with pytest.raises(NotADirectoryError, match="a_file is a file, not a directory"):
        io.save_model(model, tmp_path / "a_file" / "m.npz")
    with pytest.raises(IsADirectoryError, match="it is a directory; give a file name such as"):
        io.save_model(model, tmp_path / "a_dir.npz")
    with pytest.raises(TypeError, match=r"save_model\(model, path\) expects an nnlab Module.*order of the arguments"):
        io.save_model(tmp_path / "m.npz", model)

    path = io.save_model(model, tmp_path / "m.npz")
    before = path.read_bytes()

    def read_only(*args, **kwargs):  # the tests may run as root, where chmod does not stop writes
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(PermissionError, match="cannot create a file in .*Permission denied.*writable directory"):
        io.save_model(_model(seed=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before  # the failed save left the model the user had


IO = _cases(
    ("load-missing", lambda p: io.load_model(p / "missing.npz"), FileNotFoundError,
     r"^no model file at .*missing\.npz \(check the path"),
    ("load-directory", lambda p: io.load_model(p), FileNotFoundError, r"^no model file at"),
    ("load-garbage", lambda p: io.load_model(_write(p / "g.npz", os.urandom(200))), ValueError,
     r"g\.npz is not an \.npz archive"),
    ("load-empty-file", lambda p: io.load_model(_write(p / "e.npz", b"")), ValueError,
     r"e\.npz is truncated or corrupt"),
    ("load-plain-npz", lambda p: io.load_model(_savez(p / "plain.npz")), ValueError,
     r"plain\.npz is not an nnlab model file: it has no '__nnlab__' entry"),
    ("load-path-not-a-path", lambda p: io.load_model(3), TypeError, r"path must be a str or os\.PathLike"),
    ("load-weights-into-none", lambda p: io.load_weights(None, p / "m.npz"), TypeError,
     r"load_weights\(model, path\) expects an nnlab Module"),
)


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


def _savez(path):
    np.savez(path, a=np.ones(3))
    return path


@pytest.mark.parametrize("fn, exc, match", IO)
def test_load_model_names_the_file_problem(tmp_path, fn, exc, match):
    with pytest.raises(exc, match=match):
        fn(tmp_path)


def test_load_weights_of_another_architecture_leaves_the_model_unchanged(tmp_path):
    path = io.save_model(_model(), tmp_path / "m.npz")
    other = mlp(4, [6], 3, rng=1)
    before = [p.data.copy() for p in other.parameters()]
    with pytest.raises(ValueError, match=r"do not match the model: 'layers\.0\.weight' has shape \(4, 5\)"):
        io.load_weights(other, path)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, other.parameters()))


# ------------------------------------------------------------------------------------------------
# nnlab.models and nnlab.estimators
# ------------------------------------------------------------------------------------------------
def _perceptron(**kw):
    return Perceptron(2, **kw)


XP = RNG.normal(size=(10, 2))
YP = (XP[:, 0] > 0).astype(int)

MODELS = _cases(
    ("perceptron-one-class-setting", lambda: _perceptron(n_classes=1), ValueError, r"n_classes >= 2"),
    ("perceptron-negative-eta", lambda: _perceptron(eta=-1), ValueError, r"eta must be positive"),
    ("perceptron-three-labels", lambda: _perceptron().fit(XP, np.arange(10) % 3), ValueError,
     r"y has 3 classes \[0, 1, 2\] but the perceptron was built for n_classes=2"),
    ("perceptron-nan-labels", lambda: _perceptron().fit(XP, np.where(YP, np.nan, 0.0)),
     ValueError, r"y contains .* NaN"),
    ("perceptron-one-hot-labels", lambda: _perceptron().fit(XP, np.eye(2)[YP]),
     ValueError, r"y must have shape \(10,\)"),
    ("perceptron-nan-X", lambda: _perceptron().fit(np.full((10, 2), np.nan), YP), ValueError, r"X contains NaN or inf"),
    ("perceptron-wrong-features", lambda: _perceptron().fit(XP[:, :1], YP),
     ValueError, r"X must have shape \(n_samples, 2\)"),
    ("perceptron-string-X", lambda: _perceptron().fit(XP.astype(str), YP), ValueError, r"X must be numeric"),
    ("perceptron-empty", lambda: _perceptron().fit(XP[:0], YP[:0]), ValueError, r"X has no samples"),
    ("perceptron-epochs-0", lambda: _perceptron().fit(XP, YP, epochs=0),
     ValueError, r"epochs must be a positive integer"),
    ("mlp-int-hidden", lambda: mlp(3, 5, 2), TypeError,
     r"hidden_sizes must be a sequence of layer widths such as \[50\]"),
    ("mlp-float-hidden", lambda: mlp(3, [2.5], 2), TypeError,
     r"hidden layer size must be a positive integer, got 2\.5"),
    ("mlp-zero-hidden", lambda: mlp(3, [0], 2), ValueError,
     r"hidden layer size must be a positive integer, got 0"),
    ("mlp-activation-list-length", lambda: mlp(3, [3, 3], 2, activation=["relu"]),
     ValueError, r"activation has 1 entries but there are 2 hidden layers"),
    ("mlp-dropout-1", lambda: mlp(3, [3], 2, dropout=1.0), ValueError,
     r"dropout rate must lie in \[0, 1\)"),
    ("classifier-unknown-activation", lambda: _estimator(activation="swish").fit(X, Y), ValueError,
     r"activation must be one of \["),
    ("classifier-unknown-solver", lambda: _estimator(solver="newton").fit(X, Y),
     ValueError, r"solver must be one of \["),
    ("classifier-negative-lr", lambda: _estimator(learning_rate_init=-1).fit(X, Y), ValueError,
     r"learning_rate_init must lie in \(0, inf\], got -1"),
    ("classifier-batch-size-0", lambda: _estimator(batch_size=0).fit(X, Y), ValueError, r"batch_size must be 'auto'"),
    ("classifier-continuous-y", lambda: _estimator().fit(X, X[:, 0]), ValueError, r"Unknown label type"),
    ("classifier-one-class", lambda: _estimator().fit(X, np.zeros(20)), ValueError, r"at least 2 classes"),
    ("classifier-nan-X", lambda: _estimator().fit(X_NAN, Y), ValueError, r"Input X contains NaN"),
    ("classifier-wrong-features", lambda: _estimator().fit(X, Y).predict(X[:, :3]), ValueError,
     r"X has 3 features, but MLPClassifier is expecting 4"),
)


def _estimator(**kw):
    return MLPClassifier(**{"hidden_layer_sizes": (4,), "max_iter": 2, **kw})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("fn, exc, match", MODELS)
def test_models_and_estimators_reject_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# ------------------------------------------------------------------------------------------------
# nnlab.de
# ------------------------------------------------------------------------------------------------
def _solve(residual=None, conditions=None, domain=(0.0, 1.0), **kw):
    residual = residual or (lambda t, u: de.diff(u, t) + u)
    conditions = de.IVP(0.0, 1.0) if conditions is None else conditions
    settings = {"iterations": 2, "lbfgs_iterations": 0, "hidden": (4,), "n_points": 8, **kw}
    return de.Solver(residual, conditions, domain, **settings).solve()


DE = _cases(
    ("reversed-domain", lambda: _solve(domain=(1.0, 0.0)), ValueError, r"domain needs finite bounds with low < high"),
    ("nan-domain", lambda: _solve(domain=(0.0, np.nan)), ValueError, r"domain needs finite bounds"),
    ("string-domain", lambda: _solve(domain="unit"), ValueError, r"domain must be \(low, high\)"),
    ("zero-points", lambda: _solve(n_points=0), ValueError, r"Grid: need a positive count per coordinate"),
    ("float-points", lambda: _solve(n_points=2.5), TypeError, r"Grid: the numbers of points must be positive integers"),
    ("uniform-zero-points", lambda: _solve(collocation="uniform", n_points=0),
     ValueError, r"Uniform: n must be positive"),
    ("unknown-collocation", lambda: _solve(collocation="sobol"),
     ValueError, r"unknown collocation 'sobol'; choose one of"),
    ("unknown-optimizer", lambda: _solve(optimizer="adamax"), ValueError, r"unknown optimizer 'adamax'"),
    ("unknown-activation", lambda: _solve(activation="swish"), ValueError, r"unknown activation 'swish'"),
    ("negative-iterations", lambda: _solve(iterations=-1), ValueError, r"iteration counts must be >= 0"),
    ("negative-seed", lambda: _solve(seed=-1), ValueError, r"an int seed must be >= 0"),
    ("residual-not-callable", lambda: _solve(residual=3), TypeError, r"residual must be a function"),
    ("residual-summed", lambda: _solve(residual=lambda t, u: (de.diff(u, t) + u).sum()), ValueError,
     r"residual 0 has shape \(\) but must have one value per collocation point, shape \(8, 1\).*do not sum"),
    ("residual-wrong-width", lambda: _solve(residual=lambda t, u: Tensor(np.ones((8, 2))) * u), ValueError,
     r"residual 0 has shape \(8, 2\)"),
    ("residual-none", lambda: _solve(residual=lambda t, u: None),
     TypeError, r"residual 0 must be a Tensor of shape \(8, 1\), got NoneType"),
    ("residual-nan", lambda: _solve(residual=lambda t, u: de.diff(u, t) + u * np.nan), FloatingPointError,
     r"the cost is nan at the initial weights.*the residual gives NaN or inf"),
    ("residual-nan-lbfgs-only", lambda: _solve(residual=lambda t, u: u * np.nan, iterations=0, lbfgs_iterations=3),
     FloatingPointError, r"the cost is nan at the initial weights"),
    ("conditions-not-a-condition", lambda: _solve(conditions=3), TypeError, r"conditions must be a Condition"),
    ("conditions-wrong-dimension", lambda: _solve(conditions=de.DirichletBVP(0, 0, 1, 0), domain=[(0, 1), (0, 1)]),
     ValueError, r"takes 1 coordinate\(s\) but the domain has 2"),
    ("ivp-nan-value", lambda: de.IVP(0.0, np.nan), ValueError, r"IVP u0 must be a finite number, got nan"),
    ("bvp-infinite-value", lambda: de.DirichletBVP(0, np.inf, 1, 0),
     ValueError, r"DirichletBVP u0 must be a finite number"),
    ("bvp-equal-ends", lambda: de.DirichletBVP(0, 0, 0, 1),
     ValueError, r"the two ends must be different finite numbers"),
    ("unknown-problem", lambda: de.get_problem("wave"), ValueError, r"unknown problem 'wave'; choose one of"),
    ("solution-at-nan", lambda: _solve()(np.array([np.nan])), ValueError, r"coordinates contain NaN or inf"),
    ("solution-wrong-coordinates", lambda: _solve()(np.ones(3), np.ones(3)), ValueError,
     r"the solution takes 1 coordinate array\(s\), got 2"),
)


@pytest.mark.parametrize("fn, exc, match", DE)
def test_equation_solver_rejects_bad_input(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# ------------------------------------------------------------------------------------------------
# the nnlab command
# ------------------------------------------------------------------------------------------------
CLI = [
    (["digits", "--epochs", "0"], r"nnlab digits: error: --epochs must be a positive integer, got 0"),
    (["digits", "--batch-size", "0"], r"--batch-size must be a positive integer"),
    (["digits", "--eta", "-1"], r"--eta \(the learning rate\) must be a positive number"),
    (["digits", "--lmbd", "-1"], r"--lmbd \(the L2 strength\) must be a number >= 0"),
    (["digits", "--dropout", "1"], r"--dropout must lie in \[0, 1\)"),
    (["digits", "--hidden", "0"], r"--hidden widths must be positive"),
    (["digits", "--activation", "swish"], r"nnlab digits: error: unknown activation 'swish'; choose one of"),
    (["digits", "--optimizer", "adamax"], r"unknown optimizer 'adamax'"),
    (["digits", "--init", "kaiming"], r"unknown initialiser 'kaiming'"),
    (["cnn", "--dataset", "mnist", "--data-dir", "/nonexistent-nnlab-dir"],
     r"nnlab cnn: error: MNIST: no train-images-idx3-ubyte file in directory /nonexistent-nnlab-dir"),
    (["cnn", "--epochs", "0"], r"--epochs must be a positive integer, got 0"),
    (["ode", "decay", "--points", "0"], r"nnlab ode: error: --points must be a positive integer, got 0"),
    (["ode", "decay", "--iterations", "-1"], r"--iterations must be >= 0, got -1"),
    (["ode", "decay", "--iterations", "0", "--lbfgs-iterations", "0"], r"nothing would be trained"),
    (["ode", "decay", "--hidden", "0"], r"--hidden sizes must be positive"),
    (["pde", "poisson", "--points", "-2"], r"nnlab pde: error: --points must be a positive integer, got -2"),
    (["rbf", "--n-centers", "0"], r"--n-centers must be a positive integer"),
    (["rnn", "sine", "--epochs", "0"], r"--epochs must be a positive integer"),
    (["export", "/nonexistent-nnlab.npz", "--to", "onnx"],
     r"nnlab export: error: no model file at /nonexistent-nnlab\.npz"),
]


@pytest.mark.parametrize("argv, message", CLI, ids=[" ".join(a) for a, _ in CLI])
def test_cli_reports_bad_input_on_one_line(argv, message, tmp_path, capsys):
    code = main([*argv, "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert re.search(message, err), err


def test_cli_output_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "a_file").write_text("x")
    assert main(["activations", "--output-dir", str(tmp_path / "a_file")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"nnlab activations: error: --output-dir {tmp_path / 'a_file'} is a file, not a directory; " \
                          "choose another path"


@pytest.mark.parametrize("argv", [["ode", "wave"], ["nosuchcommand"], ["grid", "--etas", "a,b"]])
def test_cli_argument_errors_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and "error:" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["ode", "decay", "--points", "0"], "--points must be a positive integer"),
    (["rbf", "--n-centers", "0"], "--n-centers must be a positive integer"),
    (["rbm", "--C", "0"], "--C must be positive"),
    (["cnn", "--epochs", "0"], "--epochs must be a positive integer"),
    (["rnn", "sine", "--epochs", "0"], "--epochs must be a positive integer"),
], ids=lambda v: v if isinstance(v, str) else v[0])
def test_cli_traceback_on_request(argv, message, tmp_path, monkeypatch):
    """Every command lets its ValueError through to the command line, which shows it with NNLAB_TRACEBACK."""
    monkeypatch.setenv("NNLAB_TRACEBACK", "1")
    with pytest.raises(ValueError, match=message):
        main([*argv, "--output-dir", str(tmp_path)])
