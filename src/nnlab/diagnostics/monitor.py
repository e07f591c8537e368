"""A callback that watches activations and gradients layer by layer while a network trains.

:class:`TrainingMonitor` measures :func:`~nnlab.diagnostics.layer_statistics` on a fixed
probe batch before training and then once every ``every`` epochs (or every ``every_batches``
steps), and keeps the results in a :class:`DiagnosticsRecord` (``history.diagnostics``). A
measurement is one forward and one backward pass on the probe batch in inference mode, so it
draws no random numbers and does not touch ``p.grad``: a run with the monitor produces the
same weights as a run without it, and costs a few per cent more on the digits network.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from nnlab.diagnostics.statistics import _Plan
from nnlab.optim.clipping import check_gradients
from nnlab.tensor import Tensor
from nnlab.train.callbacks import Callback

__all__ = ["DiagnosticsRecord", "TrainingMonitor", "GradientStatistics", "first_to_last_ratio"]


def first_to_last_ratio(stats: dict[str, dict[str, float]], statistic: str = "grad_norm") -> float:
    """``statistic`` of the first layer that has parameters over that of the last one.

    With the default, ||dC/dtheta_first|| / ||dC/dtheta_last||: far below 1 when gradients vanish
    on their way back to the input, far above 1 when they explode.
    """
    values = [s[statistic] for s in stats.values() if not math.isnan(s.get(statistic, math.nan))]
    if len(values) < 2:
        return math.nan
    first, last = values[0], values[-1]
    if last == 0.0 or math.isinf(last):
        return math.nan if first == last or math.isinf(first) else (0.0 if math.isinf(last) else math.inf)
    return first / last


class DiagnosticsRecord:
    """Per-layer statistics measured during training, one entry per measurement.

    Attributes
    ----------
    epochs : list of float
        Training completed at each measurement, in epochs (0.0 = before the first step,
        1.0 = after the first epoch, 1.5 = half-way through the second).
    loss : list of float
        The loss on the probe batch.
    layers : dict
        ``{layer name: {statistic: [value per measurement]}}`` with the statistics of
        :func:`~nnlab.diagnostics.layer_statistics`.
    activations : dict
        ``{layer name: activation name or None}``.
    """

    def __init__(self):
        self.epochs: list[float] = []
        self.loss: list[float] = []
        self.activations: dict[str, str | None] = {}
        self._rows: list[dict[str, dict[str, float]]] = []
        self._columns: dict[str, dict[str, list[float]]] | None = {}

    def append(self, epoch: float, loss: float, stats: dict[str, dict[str, float]]) -> None:
        """Add one measurement (``stats`` as :func:`~nnlab.diagnostics.layer_statistics` returns it)."""
        self.epochs.append(float(epoch))
        self.loss.append(float(loss))
        self._rows.append(stats)
        self._columns = None  # rebuilt on the next read: appending stays cheap during training

    @property
    def layers(self) -> dict[str, dict[str, list[float]]]:
        """``{layer name: {statistic: [value per measurement]}}`` (NaN where a value is missing)."""
        if self._columns is None:
            columns: dict[str, dict[str, list[float]]] = {}
            for row in self._rows:
                for layer, values in row.items():
                    cols = columns.setdefault(layer, {})
                    for key in values:
                        cols.setdefault(key, [])
            for row in self._rows:
                for layer, cols in columns.items():
                    values = row.get(layer, {})
                    for key, column in cols.items():
                        column.append(float(values.get(key, math.nan)))
            self._columns = columns
        return self._columns

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def layer_names(self) -> list[str]:
        return list(self.layers)

    def series(self, layer: str, statistic: str) -> np.ndarray:
        """The values of ``statistic`` for ``layer`` over the measurements, shape (n_measurements,)."""
        if layer not in self.layers:
            raise KeyError(f"no layer {layer!r} in this record; recorded: {self.layer_names}")
        columns = self.layers[layer]
        if statistic not in columns:
            raise KeyError(f"no statistic {statistic!r} for {layer!r}; recorded: {sorted(columns)}")
        return np.asarray(columns[statistic], dtype=float)

    def matrix(self, statistic: str) -> np.ndarray:
        """``statistic`` for every measurement and layer, shape (n_measurements, n_layers)."""
        n = len(self)
        out = np.full((n, len(self.layers)), math.nan)
        for j, columns in enumerate(self.layers.values()):
            if statistic in columns:
                out[:, j] = columns[statistic]
        return out

    def at(self, index: int = -1) -> dict[str, dict[str, float]]:
        """All statistics of one measurement (the last by default), as ``layer_statistics`` returns them."""
        return {name: dict(values) for name, values in self._rows[index].items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy (NaN stays NaN: use ``json.dump(..., allow_nan=True)``)."""
        return {"epochs": list(self.epochs), "loss": list(self.loss), "activations": dict(self.activations),
                "layers": {name: {k: list(v) for k, v in cols.items()} for name, cols in self.layers.items()}}

    def __repr__(self) -> str:
        return f"DiagnosticsRecord({len(self)} measurements of {len(self.layers)} layers)"


def _set_history(history, key: str, value: float) -> None:
    """Put ``value`` into the current epoch's slot of ``history[key]`` (the column is padded with NaN)."""
    n = len(history.epoch)
    column = history.history.setdefault(key, [math.nan] * n)
    while len(column) < n:
        column.append(math.nan)
    column[n - 1] = float(value)


class TrainingMonitor(Callback):
    """Record per-layer activation and gradient statistics on a fixed probe batch during ``fit``.

    Parameters
    ----------
    X, y : arrays
        Data to draw the probe batch from (typically the training set).
    loss : str or callable
        The loss the network is trained with.
    probe_size : int
        Rows of the probe batch, drawn once without replacement with ``seed`` (all rows if fewer).
    every : int or 'auto'
        Measure after every ``every``-th epoch. ``'auto'`` (default) measures every epoch unless
        an epoch has so few steps that this would cost more than ``max_overhead`` of the training
        time; then every k-th epoch, with k fixed at the start of training from the number of
        steps per epoch (so the schedule never depends on timings). The attribute ``every_``
        holds the value used.
    max_overhead : float
        The share of training time ``every='auto'`` allows for measurements (default 10 %). A
        measurement is taken to cost ``max(1.75, probe_size / batch_size)`` training steps: one
        forward and backward pass on the probe, whose fixed costs (about 1.75 steps, measured on
        the digits network) dominate on small networks and its rows on large ones.
    every_batches : int, optional
        Measure every ``every_batches`` optimiser steps instead (finer curves, more cost).
    at_start : bool
        Also measure before the first step (epoch 0.0 in the record).
    warn_threshold : float, optional
        Warn (:class:`nnlab.optim.GradientWarning`, naming the layer) when the probe gradient of
        a parameter has a norm above this. Non-finite gradients always warn.
    seed : int
        Chooses the probe rows.

    Attributes
    ----------
    record : DiagnosticsRecord
        Everything measured; also attached to the run's history as ``history.diagnostics``.

    Notes
    -----
    Besides ``history.diagnostics``, the monitor adds three per-epoch columns to
    ``history.history`` (NaN in epochs it does not measure): ``'grad_ratio'``
    (:func:`first_to_last_ratio` of the gradient norms), ``'saturated'`` (mean saturated
    fraction over the sigmoid/tanh layers) and ``'dead'`` (mean dead fraction over the ReLU
    layers).
    """

    def __init__(self, X: Any, y: Any, loss: str | Callable = "cross_entropy", probe_size: int = 128,
                 every: int | str = "auto", every_batches: int | None = None, at_start: bool = True,
                 warn_threshold: float | None = None, max_overhead: float = 0.1, seed: int = 0):
        X = X.numpy() if isinstance(X, Tensor) else np.asarray(X)
        y = y.numpy() if isinstance(y, Tensor) else np.asarray(y)
        if len(X) != len(y) or len(X) == 0:
            raise ValueError(f"X and y must hold the same, non-zero number of rows, got {len(X)} and {len(y)}")
        if int(probe_size) < 1:
            raise ValueError(f"probe_size must be a positive number of rows, got {probe_size}")
        if every != "auto" and (isinstance(every, str) or int(every) < 1):
            raise ValueError(f"every must be a positive number of epochs or 'auto', got {every!r}")
        if not 0 < max_overhead:
            raise ValueError(f"max_overhead must be a positive fraction of the training time, got {max_overhead}")
        if every_batches is not None and int(every_batches) < 1:
            raise ValueError(f"every_batches must be a positive number of steps or None, got {every_batches}")
        if warn_threshold is not None and not warn_threshold > 0:
            raise ValueError(f"warn_threshold must be a positive gradient norm or None, got {warn_threshold}")
        rows = np.sort(np.random.default_rng(seed).choice(len(X), size=min(int(probe_size), len(X)), replace=False))
        self.X_probe, self.y_probe = X[rows], y[rows]
        self.loss = loss
        self.every = every if every == "auto" else int(every)
        self.max_overhead = float(max_overhead)
        self.every_ = 1 if every == "auto" else int(every)
        self.every_batches = None if every_batches is None else int(every_batches)
        self.at_start = at_start
        self.warn_threshold = warn_threshold
        self.record = DiagnosticsRecord()
        if self.every_batches is not None:
            self.on_batch_end = self._on_batch_end

    def measure(self, epoch: float) -> dict[str, dict[str, float]]:
        """Measure now and append to :attr:`record`; returns the statistics."""
        stats, loss_value, gradients = self._plan.measure(self._X, self._target)
        self.record.append(epoch, loss_value, stats)
        limit = math.inf if self.warn_threshold is None else self.warn_threshold
        norms = (v for s in stats.values() for k, v in s.items() if k.startswith("grad_norm."))
        if not all(math.isfinite(v) and v <= limit for v in norms):
            self._check(gradients)  # only then: check_gradients names the offending layers in its warnings
        return stats

    def _check(self, gradients: list[tuple[str, np.ndarray]]) -> None:
        proxies = []
        for name, g in gradients:
            proxy = Tensor(g)
            proxy.grad = g  # check_gradients reads p.grad; the probe gradients never touch the model's
            proxies.append((name, proxy))
        check_gradients(proxies, self.warn_threshold)

    def on_train_begin(self, logs=None):
        self._plan = _Plan(self.state.model, self.loss)
        self._X, self._target = self._plan.batch(self.X_probe, self.y_probe)
        self.record = DiagnosticsRecord()
        self.record.activations = dict(zip(self._plan.names, self._plan.activations))
        self.state.history.diagnostics = self.record
        self._steps = 0
        self.every_ = self._auto_every() if self.every == "auto" else self.every
        if self.at_start:
            self.measure(float(self.state.epoch))

    def _auto_every(self) -> int:
        """Epochs between measurements so that they cost at most ``max_overhead`` of the training."""
        params = self.state.params
        steps = max(int(params.get("steps_per_epoch") or 1), 1)
        batch = max(int(params.get("batch_size") or len(self._X)), 1)
        cost = max(1.75, len(self._X) / batch)  # in training steps: fixed costs on small networks, rows on big ones
        return max(1, math.ceil(cost / (self.max_overhead * steps) - 1e-9))

    def _on_batch_end(self, batch, logs=None):
        # installed as on_batch_end only with every_batches, so fit makes no per-step call otherwise
        self._steps += 1
        if self._steps % self.every_batches == 0:
            steps = max(int(self.state.params.get("steps_per_epoch", 1)), 1)
            if batch + 1 < steps:  # the epoch's last step is measured in on_epoch_end
                self.measure(self.state.epoch + (batch + 1) / steps)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1 - int(self.state.params.get("initial_epoch", 0))
        if self.every_batches is None and done % self.every_ != 0:
            return
        stats = self.measure(float(epoch + 1))
        history = self.state.history
        _set_history(history, "grad_ratio", first_to_last_ratio(stats))
        for key in ("saturated", "dead"):
            values = [s[key] for s in stats.values() if not math.isnan(s[key])]
            _set_history(history, key, sum(values) / len(values) if values else math.nan)


#: the name the issue uses for the same callback
GradientStatistics = TrainingMonitor
