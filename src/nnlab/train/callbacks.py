"""Callbacks: code that runs at fixed points of :func:`nnlab.train.fit`.

A callback sees the run through ``self.state`` (a :class:`TrainingState`: the model, the
optimizer, the history, ``stop_training``) and overrides any of the hooks

    on_train_begin(logs) -> on_epoch_begin(epoch, logs) -> on_batch_end(batch, logs)* ->
    on_epoch_end(epoch, logs) -> ... -> on_train_end(logs)

``on_batch_end`` is called only for callbacks that override it, so the others cost nothing
per step.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab.train.checkpoint import join_histories, read_training_state, save_training_checkpoint
from nnlab.train.history import History

__all__ = ["Callback", "TrainingState", "EarlyStopping", "ModelCheckpoint", "LambdaCallback", "CallbackList"]


@dataclass
class TrainingState:
    """What a callback can see and change during ``fit``."""

    model: Any
    optimizer: Any
    history: History
    seed: int
    epochs: int
    schedule: Any = None
    epoch: int = 0
    stop_training: bool = False
    params: dict = field(default_factory=dict)


class Callback:
    """Base class: every hook does nothing. Subclasses override the hooks they need."""

    state: TrainingState | None = None

    def set_state(self, state: TrainingState) -> None:
        self.state = state

    def on_train_begin(self, logs: dict | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        pass

    def on_train_end(self, logs: dict | None = None) -> None:
        pass


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, **hooks):
        valid = {"on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end"}
        unknown = set(hooks) - valid
        if unknown:
            raise ValueError(f"unknown hooks {sorted(unknown)}; choose from {sorted(valid)}")
        for name, fn in hooks.items():
            setattr(self, name, fn)


def _overrides(callback: Callback, hook: str) -> bool:
    return getattr(type(callback), hook, None) is not getattr(Callback, hook) or hook in vars(callback)


class CallbackList:
    """Calls a hook on every callback in order; keeps the per-batch list short."""

    def __init__(self, callbacks, state: TrainingState):
        try:
            self.callbacks = list(callbacks or ())
        except TypeError:
            raise TypeError(f"callbacks must be a list of nnlab.train.Callback objects, got a "
                            f"{type(callbacks).__name__}; wrap a single one as [callback]") from None
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks[{i}] is a {type(cb).__name__}, not an nnlab.train.Callback")
            cb.set_state(state)
        self.batch_callbacks = [cb for cb in self.callbacks if _overrides(cb, "on_batch_end")]

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_batch_end(self, batch, logs=None):
        for cb in self.batch_callbacks:
            cb.on_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)


def _resolve_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    return "max" if name in ("accuracy", "acc", "r2") else "min"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : str
        A key of the history ('val_loss', 'val_accuracy', 'loss', ...).
    patience : int
        Epochs without improvement tolerated before stopping.
    min_delta : float
        An improvement smaller than this does not count.
    mode : {'auto', 'min', 'max'}
        Whether lower or higher is better ('auto': higher for accuracy and r2).
    restore_best_weights : bool
        At the end of training put back the weights of the best epoch.

    Attributes
    ----------
    best, best_epoch, stopped_epoch : the best value, its epoch, and the epoch training stopped
        (None if it ran to the end).
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = True):
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.mode = _resolve_mode(monitor, mode)
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_weights: dict | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r} but the run records {sorted(logs)}; pass "
                "validation_data or validation_split to fit, or monitor one of the recorded keys"
            )
        value = float(logs[self.monitor])
        if self._improved(value) or self.best_epoch is None:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.state.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.state.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.state.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save everything needed to resume training every ``every`` epochs (and at the end).

    The file (``.npz``, no pickle) holds the model's weights, the optimizer's state, the epoch
    to start from, the seed of the run, the state of every random generator inside the model
    (dropout) and the history so far. Resume with::

        info = load_training_checkpoint(path, model, optimizer)
        fit(model, X, y, ..., seed=info.seed, initial_epoch=info.epoch)

    which gives exactly the weights of an uninterrupted run with the same seed.

    Nothing is lost on resume: the checkpoints of a resumed run (``initial_epoch`` = k > 0) hold the
    history of the epochs before k too. They come from ``history`` when given (pass
    ``info.history``), otherwise from the checkpoint this callback itself wrote at epoch k (``path``
    with ``{epoch}`` = k) when it exists and has the run's seed; if neither is there, a warning says
    that the files will hold only the epochs of this run. (``fit`` itself returns a History of the
    epochs it ran; ``join_histories(info.history, returned)`` is the whole run.)

    Parameters
    ----------
    path : str or Path
        File to write; may contain ``{epoch}`` (the number of epochs completed) to keep one file
        per checkpoint.
    every : int
        Save after every ``every``-th epoch.
    save_best_only, monitor, mode :
        Save only when ``monitor`` improved (then ``every`` is ignored).
    save_last : bool
        Also save after the last epoch.
    history : History, optional
        The history of the epochs before ``initial_epoch`` when resuming (``info.history``).
    """

    def __init__(self, path: str | Path, every: int = 1, save_best_only: bool = False,
                 monitor: str = "val_loss", mode: str = "auto", save_last: bool = True,
                 history: History | None = None):
        if history is not None and not isinstance(history, History):
            raise TypeError(f"history must be the nnlab History of the epochs before the resume (info.history), "
                            f"got {type(history).__name__}")
        self.earlier_history = history
        if every < 1:
            raise ValueError(f"every must be a positive number of epochs, got {every}")
        self.path = str(path)
        self.every, self.save_best_only, self.monitor = int(every), save_best_only, monitor
        self.mode = _resolve_mode(monitor, mode)
        self.save_last = save_last
        self.saved: list[Path] = []

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self._last_saved_epoch: int | None = None
        self._before = self._history_before(int(self.state.params.get("initial_epoch", self.state.epoch)))

    def _history_before(self, start: int) -> History | None:
        """The history of epochs 0 .. start-1 of a resumed run (None for a fresh one)."""
        if start == 0:
            return None
        if self.earlier_history is not None:
            return self.earlier_history
        path = Path(self.path.format(epoch=start))
        if path.is_file():
            try:
                info = read_training_state(path)
            except ValueError:
                info = None
            if info is not None and info.epoch == start and info.seed == self.state.seed:
                return info.history
        warnings.warn(f"the run resumes at epoch {start} but ModelCheckpoint found no checkpoint of epoch {start} "
                      f"with seed {self.state.seed} at {path}, so its files will hold only the history of this run; "
                      f"pass ModelCheckpoint(..., history=info.history) to keep the epochs before", stacklevel=3)
        return None

    def _save(self, epoch: int) -> None:
        s = self.state
        path = Path(self.path.format(epoch=epoch + 1))
        history = s.history if self._before is None else join_histories(self._before, s.history)
        save_training_checkpoint(path, s.model, s.optimizer, epoch=epoch + 1, seed=s.seed, history=history,
                                 schedule=s.schedule)
        self._last_saved_epoch = epoch
        if path not in self.saved:
            self.saved.append(path)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            logs = logs or {}
            if self.monitor not in logs:
                warnings.warn(f"ModelCheckpoint monitors {self.monitor!r}, which the run does not record "
                              f"({sorted(logs)}); nothing saved", stacklevel=2)
                return
            value = float(logs[self.monitor])
            better = value < self.best if self.mode == "min" else value > self.best
            if better:
                self.best = value
                self._save(epoch)
        elif (epoch + 1) % self.every == 0:
            self._save(epoch)

    def on_train_end(self, logs=None):
        last = self.state.epoch
        if (self.save_last and not self.save_best_only and self._last_saved_epoch != last
                and self.state.history.epoch and self.state.history.epoch[-1] == last):
            self._save(last)
