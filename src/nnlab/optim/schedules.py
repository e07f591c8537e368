"""Learning-rate schedules: each ``step(epoch, metric=None)`` sets ``optimizer.lr``.

Convention: ``epoch`` is the number of epochs completed so far, so ``step(epoch)`` sets the
learning rate for the epoch that starts next (epoch 0, before any step, uses the initial
rate eta_0). Call ``schedule.step(e + 1, metric=val_loss)`` at the end of epoch index e, or
``schedule.step()`` to count by one (then ``step()`` called k times equals PyTorch's scheduler
after k calls).
"""
from __future__ import annotations

import math
from typing import Any

from nnlab.optim._params import check_option

__all__ = ["LRSchedule", "ConstantLR", "InverseScalingLR", "StepLR", "ExponentialLR", "ReduceLROnPlateau",
           "SCHEDULES", "get_schedule"]


class LRSchedule:
    """Base class: a rule eta(epoch) applied to ``optimizer.lr``.

    Parameters
    ----------
    optimizer : Optimizer
        Anything with a settable ``lr``; its current ``lr`` is the initial rate eta_0.
    """

    def __init__(self, optimizer: Any):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"optimizer must have a settable 'lr', got {type(optimizer).__name__}; "
                            "pass an nnlab.optim optimiser")
        self.optimizer = optimizer
        self.base_lr = float(optimizer.lr)
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        """The learning rate for an epoch (closed form)."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at()")

    def step(self, epoch: int | None = None, metric: float | None = None) -> float:
        """Set ``optimizer.lr`` for the epoch that follows ``epoch`` completed ones; returns it."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else _epoch(epoch)
        self.optimizer.lr = self.lr_at(self.last_epoch)
        return self.optimizer.lr

    def state_dict(self) -> dict[str, Any]:
        """The schedule's state as a flat dict of Python scalars (JSON- and npz-able)."""
        state = {"schedule": type(self).__name__}
        state.update({k: v for k, v in vars(self).items() if k != "optimizer"})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved (0-d arrays from ``np.load`` are accepted)."""
        state = {k: (v.item() if hasattr(v, "item") and getattr(v, "ndim", 0) == 0 else v) for k, v in state.items()}
        saved = state.pop("schedule", type(self).__name__)
        if saved != type(self).__name__:
            raise ValueError(f"state dict was saved by {saved}, cannot load it into {type(self).__name__}")
        unknown = sorted(set(state) - set(vars(self)) - {"optimizer"})
        if unknown:
            raise KeyError(f"unexpected entries {unknown} in the state dict of {type(self).__name__}")
        for key, value in state.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "optimizer")
        return f"{type(self).__name__}({fields})"


def _epoch(epoch: Any) -> int:
    if isinstance(epoch, bool) or int(epoch) != epoch or epoch < 0:
        raise ValueError(f"epoch must be a non-negative integer (epochs completed so far), got {epoch!r}")
    return int(epoch)


class ConstantLR(LRSchedule):
    """eta(epoch) = eta_0 (scikit-learn's ``learning_rate='constant'``)."""

    def lr_at(self, epoch: int) -> float:
        return self.base_lr


class InverseScalingLR(LRSchedule):
    """eta(t) = eta_0 / (t + 1)^power_t, t = epochs completed.

    scikit-learn's ``learning_rate='invscaling'`` (default power_t = 0.5), which counts t in
    samples seen: call ``step(n_samples_seen)`` to reproduce it exactly.
    """

    def __init__(self, optimizer: Any, power_t: float = 0.5):
        super().__init__(optimizer)
        self.power_t = check_option("power_t", power_t)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr / (epoch + 1) ** self.power_t


class StepLR(LRSchedule):
    """eta(epoch) = eta_0 gamma^floor(epoch / step_size): divide by 1/gamma every step_size epochs."""

    def __init__(self, optimizer: Any, step_size: int = 10, gamma: float = 0.1):
        super().__init__(optimizer)
        if isinstance(step_size, bool) or int(step_size) != step_size or step_size < 1:
            raise ValueError(f"step_size must be a positive integer number of epochs, got {step_size!r}")
        self.step_size = int(step_size)
        self.gamma = check_option("gamma", gamma, low_open=True)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRSchedule):
    """eta(epoch) = eta_0 gamma^epoch."""

    def __init__(self, optimizer: Any, gamma: float = 0.95):
        super().__init__(optimizer)
        self.gamma = check_option("gamma", gamma, low_open=True)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** epoch


class CosineLR(LRSchedule):
    """eta(epoch) = eta_0 (1 + cos(pi epoch / epochs)) / 2: from eta_0 down to 0 over ``epochs``.

    The cosine annealing of Loshchilov and Hutter, "SGDR: stochastic gradient descent with warm
    restarts" (ICLR 2017), without restarts.
    """

    def __init__(self, optimizer: Any, epochs: int = 10):
        super().__init__(optimizer)
        if isinstance(epochs, bool) or int(epochs) != epochs or epochs < 1:
            raise ValueError(f"epochs must be a positive integer (the length of the decay), got {epochs!r}")
        self.epochs = int(epochs)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * 0.5 * (1.0 + math.cos(math.pi * min(epoch, self.epochs) / self.epochs))


class ReduceLROnPlateau(LRSchedule):
    """Multiply the rate by ``factor`` when ``metric`` has not improved for ``patience`` epochs.

    PyTorch's rule: an epoch improves when metric < best (1 - threshold) (mode='min',
    threshold_mode='rel'), metric < best - threshold ('abs'), or the mirror images for
    mode='max'. After more than ``patience`` epochs without improvement,
    eta <- max(factor eta, min_lr), then ``cooldown`` epochs pass before counting again.
    A NaN metric never improves.
    """

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr: float = 0.0,
                 eps: float = 1e-8):
        super().__init__(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' (loss) or 'max' (accuracy), got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor = check_option("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
        self.patience = int(check_option("patience", patience))
        self.threshold = check_option("threshold", threshold)
        self.cooldown = int(check_option("cooldown", cooldown))
        self.min_lr = check_option("min_lr", min_lr)
        self.eps = check_option("eps", eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def _improves(self, metric: float) -> bool:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            bound = self.best * (1.0 - sign * self.threshold)
        else:
            bound = self.best - sign * self.threshold
        return metric < bound if self.mode == "min" else metric > bound

    def step(self, epoch: int | None = None, metric: float | None = None) -> float:
        """Record ``metric`` (required) for the epoch just finished and lower the rate if it stalls."""
        if metric is None:
            raise ValueError("ReduceLROnPlateau.step needs the monitored value: call step(epoch, metric=val_loss)")
        self.last_epoch = self.last_epoch + 1 if epoch is None else _epoch(epoch)
        metric = float(metric)
        if self._improves(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            old = float(self.optimizer.lr)
            new = max(old * self.factor, self.min_lr)
            if old - new > self.eps:
                self.optimizer.lr = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.optimizer.lr


SCHEDULES: dict[str, type[LRSchedule]] = {
    "constant": ConstantLR,
    "invscaling": InverseScalingLR,
    "inverse_scaling": InverseScalingLR,
    "step": StepLR,
    "exponential": ExponentialLR,
    "cosine": CosineLR,
    "plateau": ReduceLROnPlateau,
    "reduce_on_plateau": ReduceLROnPlateau,
}


def get_schedule(name: str, optimizer: Any, **kwargs: Any) -> LRSchedule:
    """The schedule called ``name`` ('constant', 'invscaling', 'step', 'exponential', 'cosine', 'plateau')."""
    try:
        cls = SCHEDULES[name.lower() if isinstance(name, str) else name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown learning-rate schedule {name!r}; choose one of {sorted(SCHEDULES)}") from None
    return cls(optimizer, **kwargs)
