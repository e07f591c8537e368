"""Optimisers, learning-rate schedules and gradient clipping.

Optimisers update parameters in place from their ``.grad``: SGD (momentum, Nesterov),
Adagrad, RMSprop, Adam, AdamW; pick one by name with :func:`get_optimizer`. Schedules change
``optimizer.lr`` between epochs (:func:`get_schedule`). Clipping and gradient checks work on
any parameters and are also options of every optimiser (``clip_norm``, ``clip_value``,
``warn_threshold``).
"""
from __future__ import annotations

from typing import Any

from nnlab.optim._params import ParamsLike
from nnlab.optim.adaptive import Adagrad, Adam, AdamW, RMSprop
from nnlab.optim.base import Optimizer
from nnlab.optim.clipping import GradientWarning, check_gradients, clip_grad_norm, clip_grad_value, grad_norm
from nnlab.optim.schedules import (
    SCHEDULES, ConstantLR, CosineLR, ExponentialLR, InverseScalingLR, LRSchedule, ReduceLROnPlateau, StepLR, get_schedule,
)
from nnlab.optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "OPTIMIZERS", "get_optimizer",
    "LRSchedule", "ConstantLR", "InverseScalingLR", "StepLR", "ExponentialLR", "CosineLR", "ReduceLROnPlateau",
    "SCHEDULES", "get_schedule",
    "GradientWarning", "clip_grad_norm", "clip_grad_value", "check_gradients", "grad_norm",
]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def get_optimizer(name: str, params: ParamsLike, **kwargs: Any) -> Optimizer:
    """The optimiser called ``name`` ('sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'; any case).

    ``kwargs`` go to its constructor, e.g. ``get_optimizer('sgd', model, lr=0.1, momentum=0.9)``.
    """
    try:
        cls = OPTIMIZERS[name.lower() if isinstance(name, str) else name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}") from None
    return cls(params, **kwargs)
