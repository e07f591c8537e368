"""Training checkpoints: what a run needs to resume exactly, stored with :func:`nnlab.io.save_checkpoint`.

A training checkpoint holds the model (weights and architecture), the optimizer's state
(momentum buffers, Adam moments, step counts, learning rate), the number of epochs completed,
the seed of the run, the states of the random generators inside the model (dropout masks),
the schedule's state and the history so far. The shuffling of epoch e is drawn from
(seed, e), so ``fit(..., seed=info.seed, initial_epoch=info.epoch)`` after loading continues
exactly as the uninterrupted run would have. One ``.npz`` file, no pickle.

What a resumed run records: ``fit(..., initial_epoch=k)`` returns a History of the epochs it ran
(numbered k, k+1, ...); the epochs before the resume are in ``info.history``, and
``join_histories(info.history, returned)`` is the whole run. The checkpoints a resumed run
writes with :class:`~nnlab.train.ModelCheckpoint` hold the whole run, epochs before the resume
included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.train.history import History

__all__ = ["save_training_checkpoint", "load_training_checkpoint", "read_training_state", "CheckpointInfo",
           "join_histories", "generator_states", "set_generator_states"]

_KIND = "nnlab-training-checkpoint"


@dataclass
class CheckpointInfo:
    """What :func:`load_training_checkpoint` read besides the weights: pass ``epoch`` as
    ``initial_epoch`` and ``seed`` as ``seed`` to :func:`nnlab.train.fit` to resume exactly."""

    epoch: int
    seed: int | None
    history: History = field(default_factory=History)
    model: Any = None
    path: Path | None = None


def _named_modules(module, prefix: str = ""):
    yield prefix, module
    for name, child in module.named_children():
        yield from _named_modules(child, prefix + name + ".")


def _named_generators(model) -> list[tuple[str, np.random.Generator]]:
    """Every NumPy Generator held by a module of ``model`` (e.g. Dropout's), by dotted name."""
    return [(prefix + name, value) for prefix, module in _named_modules(model)
            for name, value in vars(module).items() if isinstance(value, np.random.Generator)]


def generator_states(model) -> dict[str, Any]:
    """The states of the model's random generators (plain dicts of ints and strings)."""
    return {name: g.bit_generator.state for name, g in _named_generators(model)}


def set_generator_states(model, states: dict[str, Any]) -> None:
    """Put back generator states saved by :func:`generator_states`."""
    generators = dict(_named_generators(model))
    for name, state in states.items():
        if name in generators:
            generators[name].bit_generator.state = state


def save_training_checkpoint(path: str | Path, model, optimizer=None, epoch: int = 0, seed: int | None = None,
                             history: History | None = None, schedule=None) -> Path:
    """Write a training checkpoint to ``path`` (``.npz``; written atomically).

    ``epoch`` is the number of epochs completed, i.e. the ``initial_epoch`` of the resumed run.
    """
    from nnlab.io import save_checkpoint

    extra = {
        "kind": _KIND,
        "epoch": int(epoch),
        "seed": None if seed is None else int(seed),
        "generators": {name: _json_state(s) for name, s in generator_states(model).items()},
        "lr": None if optimizer is None or not hasattr(optimizer, "lr") else float(optimizer.lr),
        "schedule": schedule.state_dict() if schedule is not None and hasattr(schedule, "state_dict") else None,
        "history": None if history is None else history.to_dict(),
    }
    optimizer_state = None if optimizer is None else optimizer.state_dict()
    return save_checkpoint(path, model, optimizer_state, extra)


def _json_state(state: dict) -> dict:
    # PCG64 states hold 128-bit integers: keep them as decimal strings so any JSON reader copes
    def convert(v):
        if isinstance(v, dict):
            return {k: convert(x) for k, x in v.items()}
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**53:
            return {"__bigint__": str(v)}
        return v
    return convert(state)


def _from_json_state(state: Any) -> Any:
    if isinstance(state, dict):
        if set(state) == {"__bigint__"}:
            return int(state["__bigint__"])
        return {k: _from_json_state(v) for k, v in state.items()}
    return state


def join_histories(before: History, after: History) -> History:
    """One History of a run that was resumed: the epochs of ``before`` that precede the first epoch
    of ``after``, then ``after`` (a quantity missing on one side is NaN there). ``params`` are
    ``after``'s."""
    start = after.epoch[0] if after.epoch else None
    keep = [i for i, e in enumerate(before.epoch) if start is None or e < start]
    joined = History(after.params)
    for i in keep:
        joined.append(before.epoch[i], {k: v[i] for k, v in before.history.items()})
    for i, e in enumerate(after.epoch):
        joined.append(e, {k: v[i] for k, v in after.history.items()})
    return joined


def _history_from(saved: dict | None) -> History:
    history = History()
    if saved:
        history.epoch = [int(e) for e in saved["epoch"]]
        history.history = {k: [float(x) for x in v] for k, v in saved["history"].items()}
        history.params = dict(saved.get("params", {}))
    return history


def _training_extra(path: str | Path, build_model: bool):
    from nnlab.io import load_checkpoint

    ckpt = load_checkpoint(path, build_model=build_model)
    extra = ckpt.extra or {}
    if extra.get("kind") != _KIND:
        raise ValueError(f"{path} is a model checkpoint without training state (epoch, seed); "
                         "write it with nnlab.train.ModelCheckpoint or save_training_checkpoint")
    return ckpt, extra


def read_training_state(path: str | Path) -> CheckpointInfo:
    """The epoch, seed and history of a training checkpoint, without building its model
    (``info.model`` is None)."""
    _, extra = _training_extra(path, build_model=False)
    return CheckpointInfo(epoch=int(extra["epoch"]), seed=extra.get("seed"), history=_history_from(extra.get("history")),
                          path=Path(path))


def load_training_checkpoint(path: str | Path, model=None, optimizer=None, schedule=None) -> CheckpointInfo:
    """Restore ``model`` (and ``optimizer``, ``schedule``) from a training checkpoint.

    With ``model=None`` the model is rebuilt from the saved architecture (``info.model``).
    Names and shapes are checked before anything changes, so a mismatched file leaves the
    model and optimizer as they were. Returns the epoch, seed and history saved with it: the
    history of every epoch up to ``info.epoch``, also when the checkpoint was written by a run
    that had itself been resumed.
    """
    ckpt, extra = _training_extra(path, build_model=model is None)
    if model is None:
        if ckpt.model is None:
            raise ValueError(f"{path} does not describe its architecture; build the model and pass it as model=")
        model = ckpt.model
    params = dict(model.named_parameters())
    state = ckpt.model_state
    if set(params) != set(state) or any(tuple(np.shape(state[k])) != params[k].shape
                                        or np.asarray(state[k]).dtype.kind not in "fc" for k in params):
        raise ValueError(
            f"{path} does not fit this model: it has parameters "
            f"{ {k: tuple(np.shape(v)) for k, v in state.items()} }, the model "
            f"{ {k: p.shape for k, p in params.items()} }"
        )
    if optimizer is not None and ckpt.optimizer_state is not None:
        optimizer.load_state_dict(ckpt.optimizer_state)  # checks everything before changing anything
        if extra.get("lr") is not None and hasattr(optimizer, "lr"):
            optimizer.lr = extra["lr"]
    model.load_state_dict(state)
    set_generator_states(model, {k: _from_json_state(v) for k, v in (extra.get("generators") or {}).items()})
    if schedule is not None and extra.get("schedule") is not None and hasattr(schedule, "load_state_dict"):
        schedule.load_state_dict(extra["schedule"])
    return CheckpointInfo(epoch=int(extra["epoch"]), seed=extra.get("seed"), history=_history_from(extra.get("history")),
                          model=model, path=Path(path))
