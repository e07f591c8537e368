"""Small recurrent models and the sequence data they learn from.

* Next-value prediction of a noisy sine wave: windows of ``length`` noisy samples of a sine of
  random period, amplitude and phase; the target is the next noisy sample. The persistence
  forecast ("tomorrow equals today", the last value of the window) is the baseline to beat.
* The digits read row by row: each 8x8 image becomes a sequence of 8 time steps of 8 pixels.

Both models are a recurrent layer that returns its last hidden state followed by a Dense head,
built as a :class:`~nnlab.nn.Sequential` so they train with ``nnlab.train.fit`` and save with
``nnlab.io.save_model``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.nn.container import Sequential
from nnlab.nn.layers import Dense
from nnlab.nn.module import as_generator
from nnlab.nn.recurrent import GRU, LSTM, RNN

__all__ = ["CELLS", "sequence_model", "sine_predictor", "digits_row_classifier", "make_sine_sequences",
           "persistence_forecast", "digits_as_sequences"]

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def sequence_model(cell: str, input_size: int, hidden_size: int, output_size: int, dtype: Any = np.float32,
                   rng: np.random.Generator | int | None = None) -> Sequential:
    """Recurrent layer ('rnn' = Elman tanh, 'lstm') keeping only its last state, then Dense(hidden, output).

    Input (batch, time, input_size); output (batch, output_size) (values or class logits).
    """
    if cell not in CELLS:
        raise ValueError(f"unknown recurrent cell {cell!r}; choose one of {sorted(CELLS)}")
    rng = as_generator(rng)
    recurrent = CELLS[cell](input_size, hidden_size, return_sequences=False, dtype=dtype, rng=rng)
    return Sequential(recurrent, Dense(hidden_size, output_size, dtype=dtype, rng=rng))


def sine_predictor(cell: str = "lstm", hidden_size: int = 32, dtype: Any = np.float32,
                   rng: np.random.Generator | int | None = None) -> Sequential:
    """Next-value predictor for univariate series: (batch, time, 1) -> (batch, 1)."""
    return sequence_model(cell, 1, hidden_size, 1, dtype, rng)


def digits_row_classifier(cell: str = "lstm", hidden_size: int = 64, dtype: Any = np.float32,
                          rng: np.random.Generator | int | None = None) -> Sequential:
    """Digits read row by row: (batch, 8, 8) -> (batch, 10) logits."""
    return sequence_model(cell, 8, hidden_size, 10, dtype, rng)


def make_sine_sequences(n_sequences: int, length: int = 20, noise: float = 0.05,
                        periods: tuple[float, float] = (10.0, 40.0),
                        seed: np.random.Generator | int | None = None,
                        dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a noisy sine and the value that follows each window.

    Series n is s_n(t) = A_n sin(2 pi t / P_n + phase_n) + noise * N(0, 1) at t = 0 .. length,
    with period P_n uniform in ``periods`` (time steps), amplitude A_n uniform in [0.5, 1.5]
    and phase uniform in [0, 2 pi).

    Returns
    -------
    X : ndarray of shape (n_sequences, length, 1)
        s_n(0) .. s_n(length - 1).
    y : ndarray of shape (n_sequences, 1)
        s_n(length), noisy like the inputs.
    """
    if int(n_sequences) < 1 or int(length) < 1:
        raise ValueError(f"n_sequences and length must be positive, got {n_sequences} and {length}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise!r}")
    low, high = periods
    if not 0 < low <= high:
        raise ValueError(f"periods must be (low, high) with 0 < low <= high, got {periods!r}")
    rng = as_generator(seed)
    n = int(n_sequences)
    period = rng.uniform(low, high, (n, 1))
    amplitude = rng.uniform(0.5, 1.5, (n, 1))
    phase = rng.uniform(0.0, 2.0 * np.pi, (n, 1))
    t = np.arange(int(length) + 1)[None, :]
    series = amplitude * np.sin(2.0 * np.pi * t / period + phase) + noise * rng.standard_normal((n, int(length) + 1))
    series = series.astype(dtype)
    return series[:, :-1, None], series[:, -1:]


def persistence_forecast(X: Any) -> np.ndarray:
    """The baseline forecast: the last value of each window, shape (n, features)."""
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"persistence_forecast expects windows of shape (n, time, features), got {X.shape}")
    return X[:, -1, :]


def digits_as_sequences(X: Any) -> np.ndarray:
    """Digit images (n, 64), (n, 8, 8) or (n, 1, 8, 8) as sequences (n, 8 time steps, 8 pixels)."""
    X = np.asarray(X)
    if X.size % 64 or X.shape[0] * 64 != X.size:
        raise ValueError(f"digits_as_sequences expects 8x8 images, shape (n, 64) or (n, 8, 8), got {X.shape}")
    return X.reshape(len(X), 8, 8)
