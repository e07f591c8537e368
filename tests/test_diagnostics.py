"""Diagnostics: per-layer statistics against a network worked by hand in NumPy, and the monitor callback."""
import math
import warnings

import numpy as np
import pytest

from nnlab.diagnostics import (
    SATURATION_MARGIN, DiagnosticsRecord, GradientStatistics, TrainingMonitor, first_to_last_ratio, layer_activation,
    layer_outputs, layer_statistics,
)
from nnlab.models.mlp import mlp
from nnlab.nn import Dense, Sequential, Sigmoid
from nnlab.optim import SGD, GradientWarning
from nnlab.train import fit


def _small_network(rng):
    """4 -> 6 sigmoid -> 5 tanh -> 4 relu -> 3 logits, float64, large weights so some units saturate,
    and one ReLU unit pushed far negative so it is dead for every sample."""
    model = Sequential(
        Dense(4, 6, "sigmoid", weight_init="normal", dtype=np.float64, rng=rng),
        Dense(6, 5, "tanh", weight_init="normal", dtype=np.float64, rng=rng),
        Dense(5, 4, "relu", weight_init="he_normal", dtype=np.float64, rng=rng),
        Dense(4, 3, None, dtype=np.float64, rng=rng),
    )
    model.layers[0].weight.data *= 3.0
    model.layers[0].bias.data[:] = rng.normal(size=6)
    model.layers[1].weight.data *= 1.5
    model.layers[2].bias.data[1] = -100.0  # unit 1 of the ReLU layer is dead
    model.layers[2].bias.data[[0, 2, 3]] = 0.5
    return model


def _by_hand(model, X, y):
    """Forward and backward pass of mean softmax cross-entropy written out in NumPy."""
    W = [layer.weight.numpy() for layer in model.layers]
    b = [layer.bias.numpy() for layer in model.layers]
    z1 = X @ W[0] + b[0]
    a1 = 1.0 / (1.0 + np.exp(-z1))
    z2 = a1 @ W[1] + b[1]
    a2 = np.tanh(z2)
    z3 = a2 @ W[2] + b[2]
    a3 = np.maximum(z3, 0.0)
    z4 = a3 @ W[3] + b[3]
    p = np.exp(z4 - z4.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = len(X)
    t = np.eye(3)[y]
    loss = -np.sum(t * np.log(p)) / n
    d4 = (p - t) / n                     # dC/dz^L = (softmax - t) / n
    da3 = d4 @ W[3].T
    d3 = da3 * (z3 > 0)                  # delta^l = (W^{l+1} delta^{l+1}) * f'(z^l)
    da2 = d3 @ W[2].T
    d2 = da2 * (1 - a2 ** 2)
    da1 = d2 @ W[1].T
    d1 = da1 * a1 * (1 - a1)
    inputs = [X, a1, a2, a3]
    deltas = [d1, d2, d3, d4]
    outputs = [a1, a2, a3, z4]
    output_grads = [da1, da2, da3, d4]
    param_grads = [(inp.T @ d, d.sum(axis=0)) for inp, d in zip(inputs, deltas)]
    return loss, outputs, output_grads, param_grads


def _expected(model, X, y):
    _, outputs, output_grads, param_grads = _by_hand(model, X, y)
    activations = ["sigmoid", "tanh", "relu", None]
    m = SATURATION_MARGIN
    expected = {}
    for i, (a, g, (gW, gb), act) in enumerate(zip(outputs, output_grads, param_grads, activations)):
        s = {"act_mean": a.mean(), "act_std": a.std(), "grad_mean": g.mean(), "grad_std": g.std(),
             "grad_norm.weight": np.linalg.norm(gW), "grad_norm.bias": np.linalg.norm(gb),
             "grad_norm": np.sqrt(np.sum(gW ** 2) + np.sum(gb ** 2))}
        s["grad_rms"] = s["grad_norm"] / np.sqrt(gW.size + gb.size)
        s["saturated"] = (np.mean((a < m) | (a > 1 - m)) if act == "sigmoid" else
                          np.mean(np.abs(a) > 1 - m) if act == "tanh" else math.nan)
        s["dead"] = np.mean(np.all(a == 0, axis=0)) if act == "relu" else math.nan
        expected[f"layers.{i}"] = s
    return expected


def _assert_stats_equal(got, expected, rtol=1e-9):
    assert list(got) == list(expected)
    for layer, values in expected.items():
        assert set(got[layer]) == set(values), layer
        for key, value in values.items():
            if math.isnan(value):
                assert math.isnan(got[layer][key]), (layer, key)
            else:
                assert got[layer][key] == pytest.approx(value, rel=rtol, abs=1e-15), (layer, key)


def test_layer_statistics_match_a_network_worked_by_hand(rng):
    model = _small_network(rng)
    X = rng.normal(size=(40, 4))
    y = rng.integers(0, 3, size=40)
    expected = _expected(model, X, y)
    got = layer_statistics(model, X, y, "cross_entropy")
    _assert_stats_equal(got, expected)
    # the example really exercises the thresholds: some but not all sigmoid/tanh entries saturate,
    # exactly one of the four ReLU units is dead
    assert 0 < got["layers.0"]["saturated"] < 1 and 0 < got["layers.1"]["saturated"] < 1
    assert got["layers.2"]["dead"] == 0.25
    # and the parameters' own gradients are untouched
    assert all(p.grad is None for p in model.parameters())


def test_activation_layers_are_layers_of_their_own(rng):
    model = Sequential(Dense(3, 4, None, dtype=np.float64, rng=rng), Sigmoid(), Dense(4, 2, dtype=np.float64, rng=rng))
    X = rng.normal(size=(10, 3)) * 10
    y = rng.integers(0, 2, size=10)
    stats = layer_statistics(model, X, y)
    z = X @ model.layers[0].weight.numpy() + model.layers[0].bias.numpy()
    a = 1 / (1 + np.exp(-z))
    assert math.isnan(stats["layers.0"]["saturated"])      # pre-activations: no saturation measured
    assert stats["layers.1"]["saturated"] == pytest.approx(np.mean((a < 0.01) | (a > 0.99)))
    assert stats["layers.1"]["act_mean"] == pytest.approx(a.mean())
    assert math.isnan(stats["layers.1"]["grad_norm"])      # no parameters
    assert [layer_activation(layer) for layer in model.layers] == ["identity", "sigmoid", "identity"]
    outputs = layer_outputs(model, X)
    np.testing.assert_allclose(outputs["layers.1"], a, rtol=1e-12)


def test_regression_loss_and_one_dimensional_targets(rng):
    model = mlp(3, [5], 1, activation="tanh", dtype=np.float64, rng=rng)
    X = rng.normal(size=(20, 3))
    y = rng.normal(size=20)
    stats = layer_statistics(model, X, y, loss="mse")
    W1, b1 = model.layers[0].weight.numpy(), model.layers[0].bias.numpy()
    W2, b2 = model.layers[1].weight.numpy(), model.layers[1].bias.numpy()
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    g_out = 2 * (out - y[:, None]) / len(y)
    assert stats["layers.1"]["grad_norm.weight"] == pytest.approx(np.linalg.norm(h.T @ g_out))
    assert stats["layers.1"]["grad_mean"] == pytest.approx(g_out.mean())


def _digits(n=300):
    from nnlab.data import load_digits

    X, y = load_digits()
    return X[:n] / 16.0, y[:n]


def test_monitor_records_what_layer_statistics_computes_and_leaves_training_unchanged():
    X, y = _digits()
    reference = mlp(64, [20, 20], 10, activation="relu", dropout=0.2, rng=3)
    fit(reference, X, y, optimizer=SGD(reference, lr=0.1), epochs=3, batch_size=50, seed=7)

    model = mlp(64, [20, 20], 10, activation="relu", dropout=0.2, rng=3)
    monitor = TrainingMonitor(X, y, probe_size=64, every=1, seed=1)
    before = layer_statistics(model, monitor.X_probe, monitor.y_probe)
    history = fit(model, X, y, optimizer=SGD(model, lr=0.1), epochs=3, batch_size=50, seed=7, callbacks=[monitor])
    after = layer_statistics(model, monitor.X_probe, monitor.y_probe)

    # the probe pass draws no dropout masks and writes no .grad: same weights as without the monitor
    for p, q in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    record = history.diagnostics
    assert record is monitor.record and isinstance(record, DiagnosticsRecord)
    assert record.epochs == [0.0, 1.0, 2.0, 3.0]
    _assert_stats_equal(record.at(0), before, rtol=1e-6)
    _assert_stats_equal(record.at(-1), after, rtol=1e-6)
    assert record.layer_names == ["layers.0", "layers.1", "layers.2", "layers.3", "layers.4"]
    assert record.activations["layers.0"] == "relu" and record.activations["layers.1"] is None  # Dropout
    assert record.matrix("grad_norm").shape == (4, 5)
    np.testing.assert_array_equal(record.series("layers.0", "dead"), record.matrix("dead")[:, 0])
    # summary columns in the history, one value per epoch
    assert len(history["grad_ratio"]) == len(history["loss"]) == 3
    assert history["grad_ratio"][-1] == pytest.approx(first_to_last_ratio(after), rel=1e-6)
    relu_dead = [after[f"layers.{i}"]["dead"] for i in (0, 2)]
    assert history["dead"][-1] == pytest.approx(np.mean(relu_dead))
    assert math.isnan(history["saturated"][-1])  # no sigmoid or tanh layer
    assert GradientStatistics is TrainingMonitor


def test_monitor_schedules():
    X, y = _digits(200)
    model = mlp(64, [10], 10, activation="sigmoid", rng=0)
    monitor = TrainingMonitor(X, y, every=2, at_start=False)
    history = fit(model, X, y, epochs=5, batch_size=50, lr=0.1, seed=0, callbacks=[monitor])
    assert monitor.record.epochs == [2.0, 4.0]
    ratio = history["grad_ratio"]
    assert len(ratio) == 5 and np.isnan(ratio[0]) and np.isnan(ratio[2]) and np.isfinite(ratio[1])
    assert np.isfinite(history["saturated"][1])

    monitor = TrainingMonitor(X, y, every_batches=2)  # 4 steps an epoch
    fit(model, X, y, epochs=2, batch_size=50, lr=0.1, seed=0, callbacks=[monitor])
    assert monitor.record.epochs == [0.0, 0.5, 1.0, 1.5, 2.0]

    # 'auto': every epoch when an epoch is long, every k-th when measuring would cost over 10 %
    long_epochs = TrainingMonitor(X, y, probe_size=16)
    fit(model, X, y, epochs=2, batch_size=8, lr=0.1, seed=0, callbacks=[long_epochs])  # 25 steps
    assert long_epochs.every_ == 1 and long_epochs.record.epochs == [0.0, 1.0, 2.0]
    short_epochs = TrainingMonitor(X, y, probe_size=128)
    fit(model, X, y, epochs=4, batch_size=100, lr=0.1, seed=0, callbacks=[short_epochs])  # 2 steps
    assert short_epochs.every_ > 1 and len(short_epochs.record) < 5


def test_exploding_gradients_warn_naming_the_layer():
    from nnlab.train import TrainingDivergedError

    X, y = _digits(100)
    model = mlp(64, [16, 16], 10, activation="tanh", rng=0)
    stats = layer_statistics(model, X, y)
    norms = {f"{layer}.{key[10:]}": v for layer, s in stats.items() for key, v in s.items()
             if key.startswith("grad_norm.")}
    threshold = float(np.median(list(norms.values())))
    expected = {name for name, v in norms.items() if v > threshold}
    monitor = TrainingMonitor(X, y, probe_size=100, every=1, warn_threshold=threshold)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(model, X, y, optimizer=SGD(model, lr=0.0), epochs=1, batch_size=50, seed=0, callbacks=[monitor])
    warned = [w.message for w in caught if isinstance(w.message, GradientWarning)]
    assert len(warned) == 2 * len(expected)  # before training and after the epoch (lr = 0: same weights)
    assert {w.parameter for w in warned} == expected
    assert all(w.parameter.startswith(w.layer + ".") and w.layer.startswith("layers.") and repr(w.layer) in str(w)
               for w in warned)

    # a non-finite gradient always warns, naming its layer, before the loss check stops training
    model = mlp(64, [16], 10, activation="tanh", rng=0)
    model.layers[1].weight.data[0, 0] = np.inf
    monitor = TrainingMonitor(X, y, probe_size=20)
    with warnings.catch_warnings(record=True) as caught, pytest.raises(TrainingDivergedError):
        warnings.simplefilter("always")
        fit(model, X, y, epochs=1, lr=0.1, seed=0, callbacks=[monitor])
    messages = [str(w.message) for w in caught if isinstance(w.message, GradientWarning)]
    assert any("non-finite gradient in layer 'layers.1'" in m for m in messages)
    assert np.isnan(monitor.record.at(0)["layers.1"]["act_mean"])


def test_bad_input_is_refused_with_a_clear_message(rng):
    model = mlp(4, [3], 2, rng=0)
    X = rng.normal(size=(5, 4))
    y = np.array([0, 1, 0, 1, 1])
    with pytest.raises(TypeError, match="Sequential"):
        layer_statistics(Dense(4, 2), X, y)
    with pytest.raises(ValueError, match="NaN or inf"):
        layer_statistics(model, np.where(X > 0, np.nan, X), y)
    with pytest.raises(ValueError, match="rows"):
        layer_statistics(model, X, y[:3])
    with pytest.raises(ValueError, match="integer class labels"):
        layer_statistics(model, X, y + 0.5)
    with pytest.raises(ValueError, match="every"):
        TrainingMonitor(X, y, every=0)
    with pytest.raises(ValueError, match="probe_size"):
        TrainingMonitor(X, y, probe_size=0)
    with pytest.raises(ValueError, match="same"):
        TrainingMonitor(X, y[:2])
    with pytest.raises(ValueError, match="warn_threshold"):
        TrainingMonitor(X, y, warn_threshold=-1.0)
    with pytest.raises(KeyError, match="recorded"):
        DiagnosticsRecord().series("layers.0", "act_mean")
    with pytest.raises(ValueError, match="unknown loss|loss"):
        layer_statistics(model, X, y, loss="no-such-loss")
