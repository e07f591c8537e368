"""The ``nnlab digits`` and ``nnlab activations`` commands: outputs, headline, options."""
import json
import re

import numpy as np
import pytest

from nnlab.cli import main


def test_digits_writes_its_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["digits", "--output-dir", str(out), "--epochs", "5", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    assert re.fullmatch(r"test accuracy: [01]\.\d{4}", first)
    assert "confusion matrix" in text and "64-50-10 (sigmoid)" in text
    for name in ("learning_curves.png", "confusion_matrix.png", "model.npz", "run.json"):
        assert (out / name).stat().st_size > 0
    record = json.loads((out / "run.json").read_text())
    assert record["config"]["epochs"] == 5 and record["config"]["reduction"] == "sum"
    assert f"{record['test_accuracy']:.4f}" == first.split(": ")[1]
    assert len(record["history"]["val_accuracy"]) == 5

    # the saved model gives the printed accuracy on the same split
    from nnlab.data import load_digits, train_test_split
    from nnlab.io import load_model
    from nnlab.train import accuracy, predict

    X, y = load_digits(dtype=np.float64)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, seed=1)
    assert accuracy(y_test, predict(load_model(out / "model.npz"), X_test)) == pytest.approx(record["test_accuracy"])


def test_digits_options(tmp_path, capsys):
    out = tmp_path / "opts"
    argv = ["digits", "--output-dir", str(out), "--hidden", "20,10", "--activation", "relu",
            "--optimizer", "adam", "--eta", "0.01", "--lmbd", "0", "--reduction", "mean", "--init", "he_normal",
            "--scale", "max", "--epochs", "3", "--batch-size", "64", "--dtype", "float32"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "64-20-10-10 (relu), adam eta=0.01 lambda=0 reduction=mean, 3 epochs of batch 64" in text


def test_lecture_flag_refuses_changes(tmp_path, capsys):
    assert main(["digits", "--lecture", "--eta", "0.1", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nnlab digits: error: --lecture fixes every setting; drop --eta") and "\n" not in err
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_digits_reports_divergence(tmp_path, capsys):
    code = main(["digits", "--output-dir", str(tmp_path), "--eta", "1e6", "--lmbd", "1e6", "--epochs", "3"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("nnlab digits: error: training diverged") and "learning rate 1e+06" in err


def test_activations_command(tmp_path, capsys):
    assert main(["activations", "--output-dir", str(tmp_path), "--points", "201"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    error = float(first.rsplit(":", 1)[1])
    assert error < 1e-6   # the engine's derivatives agree with finite differences
    names = {p.name for p in tmp_path.iterdir()}
    assert {"activations.png", "activation_sigmoid.png", "activation_relu.png", "activation_step.png"} <= names


def test_command_prints_what_the_experiment_returns(tmp_path, capsys):
    """The command is a thin shell: it prints run(config).printed(), the same text the Result holds."""
    from nnlab.experiments.digits import config_from, run

    assert main(["digits", "--epochs", "2", "--hidden", "8", "--output-dir", str(tmp_path / "cli")]) == 0
    printed = capsys.readouterr().out
    config = config_from("lecture", epochs=2, hidden=(8,))
    config.output_dir = tmp_path / "api"
    result = run(config)
    assert result.headline == printed.splitlines()[0]
    assert result.numbers["test_accuracy"] == pytest.approx(json.loads((tmp_path / "cli" / "run.json").read_text())
                                                            ["test_accuracy"])
    assert set(result.figures) == {"learning curves", "confusion matrix"}
    assert all(p.is_file() and p.parent == tmp_path / "api" for p in result.figures.values())
