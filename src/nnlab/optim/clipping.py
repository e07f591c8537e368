"""Gradient clipping by value and by norm, and a warning when gradients explode.

Clipping replaces ``p.grad`` by a new array and never writes into the old one (a gradient
array may be shared between tensors). Parameters whose ``grad`` is None are skipped.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from nnlab._backend import namespace
from nnlab.optim._params import ParamsLike, check_option, named_parameters_of
from nnlab.tensor import Tensor

__all__ = ["GradientWarning", "clip_grad_norm", "clip_grad_value", "check_gradients", "grad_norm"]


class GradientWarning(UserWarning):
    """A gradient is not finite or its norm exceeds a threshold.

    Attributes
    ----------
    parameter : str
        Dotted name of the parameter (``'layers.0.weight'``).
    layer : str
        The module that owns it (``'layers.0'``; ``''`` for a top-level parameter).
    norm : float
        The Euclidean norm of its gradient (inf or nan when not finite).
    """

    def __init__(self, message: str, parameter: str = "", norm: float = math.nan):
        super().__init__(message)
        self.parameter = parameter
        self.layer = parameter.rpartition(".")[0]
        self.norm = norm


def _grad(p) -> Any:
    """``p.grad`` as an array (None when there is none)."""
    g = p.grad
    return g.data if isinstance(g, Tensor) else g


def grad_norm(grad: Any) -> float:
    """Euclidean norm ||g||_2 = sqrt(sum g^2) of one gradient array, as a float."""
    if isinstance(grad, np.ndarray):
        return math.sqrt(float(np.vdot(grad, grad)))  # one pass, no temporary
    xp = namespace(grad)
    return float(xp.sqrt(xp.sum(grad * grad)))


def clip_grad_value(params: ParamsLike, value: float) -> None:
    """Clip every gradient entry to [-value, value]:  g <- min(max(g, -value), value)."""
    value = check_option("clip_value", value, low_open=True)
    for _, p in named_parameters_of(params):
        g = _grad(p)
        if g is not None:
            p.grad = namespace(g).clip(g, -value, value)


def clip_grad_norm(params: ParamsLike, max_norm: float) -> float:
    """Rescale all gradients together so their joint norm is at most ``max_norm``.

    With the total norm N = sqrt(sum_p ||g_p||^2), every gradient becomes
    g_p * max_norm / (N + 1e-6) when N > max_norm (PyTorch's ``clip_grad_norm_``; Pascanu,
    Mikolov and Bengio 2013, "On the difficulty of training recurrent neural networks").
    The direction of the joint gradient is kept.

    Returns
    -------
    float
        The total norm N before clipping. When N is not finite the gradients are left
        unchanged (scaling would turn every entry into NaN); check the returned value.
    """
    max_norm = check_option("max_norm", max_norm, low_open=True)
    named = [(p, _grad(p)) for _, p in named_parameters_of(params)]
    named = [(p, g) for p, g in named if g is not None]
    total = math.sqrt(sum(grad_norm(g) ** 2 for _, g in named))
    if math.isfinite(total) and total > max_norm:
        scale = max_norm / (total + 1e-6)
        for p, g in named:
            p.grad = g * scale
    return total


def check_gradients(named_params: ParamsLike, threshold: float | None = None) -> dict[str, float]:
    """Warn (:class:`GradientWarning`) for every gradient that is not finite or too large.

    Parameters
    ----------
    named_params : Module or iterable of (name, Tensor) pairs or Tensors
        The parameters to check; a Module gives dotted names such as ``'layers.2.weight'``,
        and the warning names the layer (``'layers.2'``) and the parameter.
    threshold : float, optional
        Warn when a gradient's Euclidean norm exceeds it. None: warn only for NaN or inf.

    Returns
    -------
    dict
        ``{parameter name: gradient norm}`` of the offending parameters (empty when all is well).
    """
    threshold = check_option("threshold", threshold, low_open=True, allow_none=True)
    offenders = {}
    for name, p in named_parameters_of(named_params, "named_params"):
        g = _grad(p)
        if g is None:
            continue
        norm = grad_norm(g)
        layer = name.rpartition(".")[0]
        where = f"layer {layer!r} (parameter {name!r})" if layer else f"parameter {name!r}"
        if not math.isfinite(norm):
            xp = namespace(g)
            n_bad = int(xp.sum(~xp.isfinite(g)))
            message = (f"non-finite gradient in {where}: {n_bad} of {g.size} entries are NaN or inf; "
                       "lower the learning rate, clip gradients (clip_norm=...) or check the inputs")
        elif threshold is not None and norm > threshold:
            message = (f"exploding gradient in {where}: norm {norm:.3g} exceeds threshold {threshold:.3g}; "
                       "lower the learning rate or clip gradients (clip_norm=...)")
        else:
            continue
        offenders[name] = norm
        warnings.warn(GradientWarning(message, name, norm), stacklevel=2)
    return offenders
