"""The vanishing/exploding-gradient study: what the lecture says must show on the digits."""
import csv
import json
import math

import numpy as np
import pytest

from nnlab.diagnostics import layer_statistics
from nnlab.experiments.vanishing import (
    activation_histograms, build_network, load_data, run_case, vanishing_study,
)


@pytest.fixture(scope="module")
def data():
    return load_data(seed=0)


def test_deep_sigmoid_with_standard_normal_weights_starves_the_first_layers(data):
    """Sigmoid + N(0, 1): the first layer's gradient is orders of magnitude below the last's;
    ReLU + He keeps every layer's gradient within two orders of magnitude of the others."""
    sigmoid = run_case("sigmoid", "normal", data, depth=20, epochs=1, probe_size=256)
    relu = run_case("relu", "he_normal", data, depth=20, epochs=1, probe_size=256)
    for epoch in (0.0, 1.0):  # before training and after the first epoch
        assert sigmoid.ratio(epoch) < 1e-2
        assert 1e-2 < relu.ratio(epoch) < 1e2
        norms = relu.grad_norms_at(epoch)
        assert norms.max() / norms.min() < 1e2
    # the gradient shrinks on its way down: the first five layers get a few per cent of the last five's
    before = sigmoid.grad_norms_at(0.0)
    assert before[:5].mean() < 0.05 * before[-5:].mean()
    # the sigmoids saturate (N(0, 1) weights make |z| large)
    assert sigmoid.hidden_mean("saturated") > 0.2


def test_recorded_gradients_are_those_of_the_untrained_network(data):
    X_train, _, y_train, _ = data
    case = run_case("tanh", "glorot_uniform", data, depth=3, width=8, epochs=1, probe_size=64, seed=4)
    from nnlab.diagnostics import TrainingMonitor

    probe = TrainingMonitor(X_train, y_train, probe_size=64, seed=4)
    stats = layer_statistics(build_network("tanh", "glorot_uniform", depth=3, width=8, seed=4),
                             probe.X_probe, probe.y_probe)
    expected = [stats[name]["grad_norm"] for name in case.layers]
    np.testing.assert_allclose(case.grad_norms_at(0.0), expected, rtol=1e-6)


def test_glorot_and_he_with_relu_or_elu_train_well_where_sigmoid_does_not(data):
    accuracies = {}
    for activation, init in (("relu", "he_normal"), ("elu", "glorot_uniform"), ("sigmoid", "normal")):
        case = run_case(activation, init, data, epochs=6, probe_size=128)
        assert case.status == "ok"
        accuracies[activation] = case.test_accuracy
        assert len(case.curves["val_accuracy"]) == 6
    assert accuracies["relu"] > 0.85 and accuracies["elu"] > 0.85
    assert accuracies["sigmoid"] < accuracies["relu"] - 0.2


def test_relu_with_standard_normal_weights_explodes(data):
    case = run_case("relu", "normal", data, epochs=2, probe_size=128)
    assert case.status == "diverged" and case.diverged_epoch == 0
    assert math.isnan(case.test_accuracy) and "final" not in case.histograms
    assert case.measured_at == [0.0]
    std = np.asarray(case.act_std[0][:-1])
    assert np.all(np.diff(np.log(std)) > 0.5)  # each layer's output spreads more than the one before


def test_histograms_are_fractions_on_the_activation_range(rng):
    outputs = {"layers.0": rng.uniform(size=(30, 5)), "layers.1": rng.uniform(size=(30, 5)), "layers.2": rng.normal(size=(30, 3))}
    hist = activation_histograms(outputs, "sigmoid", bins=10)
    assert hist["layers"] == ["layers.0", "layers.1"] and hist["edges"][0] == 0.0 and hist["edges"][-1] == 1.0
    for fractions, name in zip(hist["fractions"], hist["layers"]):
        counts = np.histogram(outputs[name], bins=np.linspace(0, 1, 11))[0]
        np.testing.assert_allclose(fractions, counts / 150)
    relu = activation_histograms({"a": np.array([[0.0, 1.0, np.inf]]), "out": np.zeros((1, 1))}, "relu", bins=4)
    assert sum(relu["fractions"][0]) == pytest.approx(1.0)  # the infinite entry is dropped


def test_command_writes_figures_and_tables_and_parallel_equals_serial(tmp_path, capsys):
    from nnlab.cli import main

    args = ["vanishing", "--quick", "--activations", "sigmoid,relu", "--inits", "normal,he_normal", "--depth", "3",
            "--width", "10", "--epochs", "1", "--probe-size", "64", "--jobs", "2", "--output-dir", str(tmp_path)]
    assert main(args) == 0
    line = capsys.readouterr().out.strip()
    assert line.count("\n") == 0 and line.startswith("sigmoid/normal first-to-last gradient-norm ratio")
    for name in ("gradient_norms.png", "activation_std.png", "saturated.png", "dead_relu.png", "learning_curves.png",
                 "activations_sigmoid.png", "activations_relu.png", "results.md", "results.csv", "results.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    with (tmp_path / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["activation"], r["init"]) for r in rows] == [
        ("sigmoid", "normal"), ("sigmoid", "he_normal"), ("relu", "normal"), ("relu", "he_normal")]
    assert "| sigmoid |" in (tmp_path / "results.md").read_text()

    saved = json.loads((tmp_path / "results.json").read_text())
    serial = vanishing_study(["sigmoid", "relu"], ["normal", "he_normal"], depth=3, width=10, epochs=1,
                             probe_size=64, n_jobs=1)
    for case, stored in zip(serial.cases, saved["cases"]):
        np.testing.assert_allclose(case.grad_norm, stored["grad_norm"], rtol=1e-6)
        assert case.test_accuracy == pytest.approx(stored["test_accuracy"], nan_ok=True)


def test_unknown_names_are_refused(tmp_path, capsys):
    from nnlab.cli import main

    with pytest.raises(ValueError, match="unknown activation 'sigmoidal'.*sigmoid"):
        vanishing_study(["sigmoidal"], ["normal"])
    with pytest.raises(ValueError, match="unknown initialiser 'gorot'"):
        vanishing_study(["relu"], ["gorot"])
    for argv, message in ((["--inits", "gorot"], "nnlab vanishing: error: unknown initialiser 'gorot'"),
                          (["--depth", "0"], "nnlab vanishing: error: --depth must be a positive integer, got 0")):
        assert main(["vanishing", *argv, "--output-dir", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(message) and "\n" not in err, err
    assert not (tmp_path / "out").exists()  # refused before the study ran or wrote anything
