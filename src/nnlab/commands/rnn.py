"""``nnlab rnn sine|digits``: recurrent networks trained by backpropagation through time.

* ``sine``: predict the next value of a noisy sine wave (random period, amplitude and phase per
  window) from the previous 20; prints ``test mse: ...`` with the persistence baseline (last value
  of the window) and the factor between them.
* ``digits``: classify the 8x8 digits read row by row (8 time steps of 8 pixels); prints
  ``test accuracy: ...``.

Writes into --output-dir: ``learning_curves.png``, ``predictions.png`` (sine) or
``confusion_matrix.png`` (digits), ``model.npz`` (nnlab.io.save_model) and ``metrics.json``.
Training: Adam with gradient clipping by norm (``--clip-norm``), as exploding gradients are the
classic failure of BPTT.
"""
from __future__ import annotations

import argparse
import json
import time

from nnlab._threads import blas_threads
from nnlab.commands._common import add_output_dir, output_dir

HELP = "recurrent networks (Elman RNN, LSTM): noisy sine next-value prediction or digits read row by row"

DEFAULTS = {
    "sine": {"cell": "lstm", "hidden_size": 32, "epochs": 30, "lr": 3e-3, "n_train": 2000, "n_test": 500},
    "digits": {"cell": "lstm", "hidden_size": 64, "epochs": 20, "lr": 3e-3},
}
QUICK = {
    "sine": {"epochs": 20, "lr": 1e-2, "n_train": 1000, "n_test": 300},
    "digits": {"hidden_size": 32, "epochs": 10, "lr": 1e-2},
}
SINE = {"length": 20, "noise": 0.03}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", choices=sorted(DEFAULTS), help="sine: next-value prediction; digits: row-by-row classifier")
    parser.add_argument("--cell", choices=["rnn", "lstm"], default=None, help="recurrent layer (default lstm)")
    parser.add_argument("--hidden-size", type=int, default=None, help="hidden units (sine 32, digits 64)")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set (sine 30, digits 20)")
    parser.add_argument("--lr", type=float, default=None, help="Adam learning rate (default 0.003)")
    parser.add_argument("--batch-size", type=int, default=32, help="minibatch size (default 32)")
    parser.add_argument("--clip-norm", type=float, default=1.0, help="clip the global gradient norm to this (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the shuffling")
    parser.add_argument("--quick", action="store_true", help="a short run (fewer epochs and, for sine, fewer windows)")
    add_output_dir(parser, "rnn")


def _settings(args: argparse.Namespace) -> dict:
    settings = dict(DEFAULTS[args.task])
    if args.quick:
        settings.update(QUICK[args.task])
    for key in ("cell", "hidden_size", "epochs", "lr"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    settings["batch_size"], settings["clip_norm"] = args.batch_size, args.clip_norm
    for key in ("hidden_size", "epochs", "batch_size"):
        if settings[key] < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be a positive integer, got {settings[key]}")
    for key in ("lr", "clip_norm"):
        if not settings[key] > 0:
            raise ValueError(f"--{key.replace('_', '-')} must be positive, got {settings[key]}")
    return settings


def _data(task: str, settings: dict, seed: int):
    import numpy as np

    from nnlab.data import load_digits, train_test_split
    from nnlab.models.sequence import digits_as_sequences, make_sine_sequences

    if task == "sine":
        rng = np.random.default_rng(seed)
        X_train, y_train = make_sine_sequences(settings["n_train"], seed=rng, **SINE)
        X_test, y_test = make_sine_sequences(settings["n_test"], seed=rng, **SINE)
        return X_train, y_train, X_test, y_test
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(digits_as_sequences(X / 16.0), y, test_size=0.2, seed=seed)
    return X_train, y_train, X_test, y_test


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from nnlab.io import save_model
    from nnlab.models.sequence import digits_row_classifier, persistence_forecast, sine_predictor
    from nnlab.optim import Adam
    from nnlab.plots.families import plot_sine_predictions
    from nnlab.plots.training import plot_confusion_matrix, plot_learning_curves
    from nnlab.train import confusion_matrix, fit, predict

    settings = _settings(args)
    X_train, y_train, X_test, y_test = _data(args.task, settings, args.seed)
    out = output_dir(args)
    build = sine_predictor if args.task == "sine" else digits_row_classifier
    model = build(settings["cell"], settings["hidden_size"], rng=args.seed)
    optimizer = Adam(model.parameters(), lr=settings["lr"], clip_norm=settings["clip_norm"])
    loss = "mse" if args.task == "sine" else "cross_entropy"
    metrics = () if args.task == "sine" else ("accuracy",)
    start = time.perf_counter()
    # Small matrices: BLAS threads add only synchronisation (and spin-waiting on a busy machine).
    with blas_threads(1):
        history = fit(model, X_train, y_train, loss=loss, optimizer=optimizer, epochs=settings["epochs"],
                      batch_size=settings["batch_size"], validation_data=(X_test, y_test), metrics=metrics,
                      seed=args.seed)
        prediction = predict(model, X_test, batch_size=1000)
    seconds = time.perf_counter() - start

    cell = "LSTM" if settings["cell"] == "lstm" else "Elman RNN"
    summary = {"task": args.task, "train_seconds": seconds, "n_train": int(len(X_train)),
               "n_test": int(len(X_test)), **settings}
    plot_learning_curves(history, out / "learning_curves.png", title=f"{cell}, {args.task} (validation = test set)")
    if args.task == "sine":
        mse = float(np.mean((prediction - y_test) ** 2))
        baseline = float(np.mean((persistence_forecast(X_test) - y_test) ** 2))
        plot_sine_predictions(X_test, y_test, prediction, out / "predictions.png",
                              title=f"{cell}: next value of a noisy sine (test MSE {mse:.2e}, persistence {baseline:.2e})")
        summary.update({"test_mse": mse, "persistence_mse": baseline, **SINE})
        headline = f"test mse: {mse:.3e} (persistence baseline {baseline:.3e}, {baseline / mse:.1f}x lower)"
    else:
        labels = prediction.argmax(axis=1)
        accuracy = float(np.mean(labels == y_test))
        plot_confusion_matrix(confusion_matrix(y_test, labels, 10), out / "confusion_matrix.png",
                              title=f"{cell}, digits row by row: test accuracy {accuracy:.3f}")
        summary["test_accuracy"] = accuracy
        headline = f"test accuracy: {accuracy:.4f}"
    save_model(model, out / "model.npz")
    (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(headline)
    return 0
