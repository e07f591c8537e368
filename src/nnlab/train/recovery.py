"""Giving back the last weights that gave a finite loss when training diverges.

Copying every weight before every step costs a few per cent of a small model's step, and a copy
per epoch only gives back the weights at the start of the epoch. :class:`LastFiniteWeights`
instead keeps the state at the start of the current and of the previous epoch (the weights, the
optimiser's state, the states of the model's random generators) and, when the loss of step b turns
NaN or infinite, replays the steps that led to the last finite loss:

    the last finite weights are those before the update of step b - 1,
    or, for b = 0, those before the last update of the previous epoch.

The replay runs the same batches through the same training step and must reproduce the summed
loss of the original steps bit for bit. If it does not (a per-batch callback that changed the
learning rate, a source of randomness the snapshot does not know), the model keeps the weights
saved at the start of that epoch instead, and the error says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["LastFiniteWeights"]

#: replay(order, stop): run the training steps of ``order`` up to step ``stop`` (its loss checked,
#: its update not applied) and return their summed loss, or None when one of them diverged
Replay = Callable[[np.ndarray, int], "float | None"]


@dataclass
class _Snapshot:
    """The training state at the start of an epoch."""

    epoch: int
    order: np.ndarray
    last_step: int
    weights: list
    optimizer: dict | None
    generators: list
    total: float | None = None  # the epoch's summed loss, once it has finished


class LastFiniteWeights:
    """Snapshots at epoch starts, and the replay that recovers the last finite weights from them.

    Parameters
    ----------
    model : Module
        Its random generators (e.g. those of Dropout layers) are saved with the weights.
    params : list of Tensors
        The Tensors that a training step changes: the parameters, and buffers such as batch
        normalisation's running statistics (restored with the weights).
    optimizer : Optimizer
        Its ``state_dict()`` is saved and loaded, so a replayed step updates exactly as the original
        (an optimiser without ``state_dict``/``load_state_dict`` is taken to have no state; if it has
        some, the replay differs and the epoch's starting weights are kept).
    """

    def __init__(self, model, params, optimizer):
        self.params, self.optimizer = list(params), optimizer
        self.generators = [value for module in model.modules() for value in vars(module).values()
                           if isinstance(value, np.random.Generator)]
        self.current: _Snapshot | None = None
        self.previous: _Snapshot | None = None

    def start_epoch(self, epoch: int, order: np.ndarray, steps: int) -> None:
        """Save the state before the first of the ``steps`` steps of ``epoch`` (``order``: its rows,
        in batch order)."""
        reuse, self.previous = self.previous, self.current
        if reuse is None:
            weights = [p.data.copy() for p in self.params]
        else:  # the snapshot two epochs back is no longer needed: its arrays take the new weights
            weights = reuse.weights
            for saved, p in zip(weights, self.params):
                saved[...] = p.data
        state_dict = getattr(self.optimizer, "state_dict", None)
        self.current = _Snapshot(epoch, order, steps - 1, weights, state_dict() if callable(state_dict) else None,
                                 [g.bit_generator.state for g in self.generators])

    def end_epoch(self, total: float) -> None:
        """Record the summed loss of the epoch that just finished (what a replay must reproduce)."""
        self.current.total = total

    def restore(self, batch: int, total: float, replay: Replay) -> str | int | None:
        """Put the model back after a non-finite loss at step ``batch`` of the current epoch.

        ``total`` is the summed loss of the steps before ``batch``. Returns ``'step'`` when the
        model holds its last finite weights, the epoch number whose starting weights it holds when
        the replay did not reproduce the original steps, and None when there is nothing to go back
        to (the first step of training).
        """
        if batch > 0:
            snapshot, stop, expected = self.current, batch - 1, total
        elif self.previous is not None:
            snapshot = self.previous
            stop, expected = snapshot.last_step, snapshot.total
        else:
            return None
        self._load(snapshot)
        if replay(snapshot.order, stop) != expected:
            self._load(snapshot)
            return snapshot.epoch
        for p in self.params:
            p.grad = None
        return "step"

    def _load(self, snapshot: _Snapshot) -> None:
        for p, saved in zip(self.params, snapshot.weights):
            p.data[...] = saved
            p.grad = None
        if snapshot.optimizer is not None:
            self.optimizer.load_state_dict(snapshot.optimizer)
        for g, state in zip(self.generators, snapshot.generators):
            g.bit_generator.state = state
