"""The record of a training run: per-epoch training and validation loss and metrics."""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["History"]


class History:
    """Per-epoch values of a :func:`nnlab.train.fit` run, as in Keras.

    Attributes
    ----------
    history : dict[str, list[float]]
        One list per quantity, one entry per epoch: ``'loss'`` (mean training loss per sample,
        averaged over the epoch's batches), ``'val_loss'``, and each metric with and without the
        ``val_`` prefix (``'accuracy'``, ``'val_accuracy'``, ``'mse'``, ``'r2'`` ...), and ``'lr'``.
    epoch : list[int]
        The epoch numbers (0-based, continuing from ``initial_epoch`` when a run is resumed).
    params : dict
        The settings of the run (epochs, batch size, number of samples, seed, ...).
    """

    def __init__(self, params: dict[str, Any] | None = None):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = dict(params or {})

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record the values ``logs`` of ``epoch``; a key first seen late is padded with NaN."""
        self.epoch.append(int(epoch))
        n = len(self.epoch)
        for key, value in logs.items():
            column = self.history.setdefault(key, [float("nan")] * (n - 1))
            column.append(float(value))
        for column in self.history.values():
            if len(column) < n:
                column.append(float("nan"))

    def __getitem__(self, key: str) -> list[float]:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no {key!r} in this history; recorded: {sorted(self.history)}") from None

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def last(self, key: str) -> float:
        """The value of ``key`` in the last recorded epoch."""
        return self[key][-1]

    def best(self, key: str = "val_loss", mode: str = "min") -> tuple[int, float]:
        """(epoch, value) where ``key`` was lowest (``mode='min'``) or highest (``'max'``)."""
        values = np.asarray(self[key], dtype=float)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        i = int(np.nanargmin(values) if mode == "min" else np.nanargmax(values))
        return self.epoch[i], float(values[i])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy: ``{'epoch': [...], 'history': {...}, 'params': {...}}``."""
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()},
                "params": {k: v for k, v in self.params.items() if isinstance(v, (int, float, str, bool, type(None)))}}

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v)
        return f"History({len(self)} epochs: {last})"
