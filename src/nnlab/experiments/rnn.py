"""Recurrent networks trained by backpropagation through time: ``run(RNNConfig) -> Result``.

* ``task='sine'``: predict the next value of a noisy sine wave (random period, amplitude and phase
  per window) from the previous 20; compared with the persistence baseline (last value of the window).
* ``task='digits'``: classify the 8x8 digits read row by row (8 time steps of 8 pixels).

Writes ``learning_curves.png``, ``predictions.png`` (sine) or ``confusion_matrix.png`` (digits),
``model.npz`` and ``metrics.json``. Training: Adam with gradient clipping by norm (``clip_norm``),
as exploding gradients are the classic failure of BPTT.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path

from nnlab._threads import blas_threads
from nnlab._validation import check_integer
from nnlab.experiments.result import Result

__all__ = ["DEFAULTS", "QUICK", "SINE", "RNNConfig", "config_from", "run"]

DEFAULTS = {
    "sine": {"cell": "lstm", "hidden_size": 32, "epochs": 30, "lr": 3e-3, "n_train": 2000, "n_test": 500},
    "digits": {"cell": "lstm", "hidden_size": 64, "epochs": 20, "lr": 3e-3},
}
QUICK = {
    "sine": {"epochs": 20, "lr": 1e-2, "n_train": 1000, "n_test": 300},
    "digits": {"hidden_size": 32, "epochs": 10, "lr": 1e-2},
}
SINE = {"length": 20, "noise": 0.03}


@dataclass
class RNNConfig:
    """One recurrent run; build it with :func:`config_from` to get the task's defaults."""

    task: str = "sine"
    cell: str = "lstm"
    hidden_size: int = 32
    epochs: int = 30
    lr: float = 3e-3
    batch_size: int = 32
    clip_norm: float = 1.0
    n_train: int = 2000
    n_test: int = 500
    seed: int = 0
    output_dir: Path = Path("runs/rnn")

    def check(self) -> None:
        """ValueError naming the option for a setting that cannot give a run."""
        if self.task not in DEFAULTS:
            raise ValueError(f"task must be one of {sorted(DEFAULTS)}, got {self.task!r}")
        for key in ("hidden_size", "epochs", "batch_size"):
            check_integer(getattr(self, key), f"--{key.replace('_', '-')}")
        for key in ("lr", "clip_norm"):
            if not getattr(self, key) > 0:
                raise ValueError(f"--{key.replace('_', '-')} must be positive, got {getattr(self, key)}")


def config_from(task: str = "sine", quick: bool = False, **changes) -> RNNConfig:
    """The task's defaults (shortened by ``quick``) with ``changes`` (None values ignored) on top."""
    if task not in DEFAULTS:
        raise ValueError(f"task must be one of {sorted(DEFAULTS)}, got {task!r}")
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = set(given) - {f.name for f in fields(RNNConfig)}
    if unknown:
        raise TypeError(f"unknown RNN settings {sorted(unknown)}")
    config = RNNConfig(task=task, **{**DEFAULTS[task], **(QUICK[task] if quick else {}), **given})
    config.check()
    return config


def _data(config: RNNConfig):
    import numpy as np

    from nnlab.data import load_digits, train_test_split
    from nnlab.models.sequence import digits_as_sequences, make_sine_sequences

    if config.task == "sine":
        rng = np.random.default_rng(config.seed)
        X_train, y_train = make_sine_sequences(config.n_train, seed=rng, **SINE)
        X_test, y_test = make_sine_sequences(config.n_test, seed=rng, **SINE)
        return X_train, y_train, X_test, y_test
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(digits_as_sequences(X / 16.0), y, test_size=0.2,
                                                        seed=config.seed)
    return X_train, y_train, X_test, y_test


def run(config: RNNConfig) -> Result:
    """Train the recurrent network on the task, plot, save; the headline is the test MSE or accuracy."""
    import numpy as np

    from nnlab.io import save_model
    from nnlab.models.sequence import digits_row_classifier, persistence_forecast, sine_predictor
    from nnlab.optim import Adam
    from nnlab.plots.families import plot_sine_predictions
    from nnlab.plots.training import plot_confusion_matrix, plot_learning_curves
    from nnlab.train import confusion_matrix, fit, predict

    config.check()
    X_train, y_train, X_test, y_test = _data(config)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    sine = config.task == "sine"
    model = (sine_predictor if sine else digits_row_classifier)(config.cell, config.hidden_size, rng=config.seed)
    optimizer = Adam(model.parameters(), lr=config.lr, clip_norm=config.clip_norm)
    start = time.perf_counter()
    # Small matrices: BLAS threads add only synchronisation (and spin-waiting on a busy machine).
    with blas_threads(1):
        history = fit(model, X_train, y_train, loss="mse" if sine else "cross_entropy", optimizer=optimizer,
                      epochs=config.epochs, batch_size=config.batch_size, validation_data=(X_test, y_test),
                      metrics=() if sine else ("accuracy",), seed=config.seed)
        prediction = predict(model, X_test, batch_size=1000)
    seconds = time.perf_counter() - start

    cell = "LSTM" if config.cell == "lstm" else "Elman RNN"
    settings = {k: getattr(config, k) for k in ("cell", "hidden_size", "epochs", "lr", "batch_size", "clip_norm")}
    if sine:
        settings.update(n_train=config.n_train, n_test=config.n_test)
    summary = {"task": config.task, "train_seconds": seconds, "n_train": int(len(X_train)),
               "n_test": int(len(X_test)), **settings}
    figures = {"learning curves": plot_learning_curves(history, out / "learning_curves.png",
                                                       title=f"{cell}, {config.task} (validation = test set)")}
    if sine:
        mse = float(np.mean((prediction - y_test) ** 2))
        baseline = float(np.mean((persistence_forecast(X_test) - y_test) ** 2))
        figures["predictions"] = plot_sine_predictions(
            X_test, y_test, prediction, out / "predictions.png",
            title=f"{cell}: next value of a noisy sine (test MSE {mse:.2e}, persistence {baseline:.2e})")
        summary.update({"test_mse": mse, "persistence_mse": baseline, **SINE})
        headline = f"test mse: {mse:.3e} (persistence baseline {baseline:.3e}, {baseline / mse:.1f}x lower)"
    else:
        labels = prediction.argmax(axis=1)
        accuracy = float(np.mean(labels == y_test))
        figures["confusion matrix"] = plot_confusion_matrix(
            confusion_matrix(y_test, labels, 10), out / "confusion_matrix.png",
            title=f"{cell}, digits row by row: test accuracy {accuracy:.3f}")
        summary["test_accuracy"] = accuracy
        headline = f"test accuracy: {accuracy:.4f}"
    save_model(model, out / "model.npz")
    (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    return Result(headline=headline, numbers=summary, figures={k: Path(v) for k, v in figures.items()},
                  output_dir=out)
