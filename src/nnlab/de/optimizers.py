"""Optimisers for the equation solver: first-order ones by name, and full-batch L-BFGS via SciPy.

First-order optimisers come from :mod:`nnlab.optim` when it is there; two small stand-ins
(plain gradient descent and Adam) keep the solver working without it.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from nnlab.tensor import Tensor

__all__ = ["make_optimizer", "lbfgs", "flatten", "unflatten"]


class _GradientDescent:
    """theta <- theta - lr * grad (the lecture's plain gradient descent)."""

    def __init__(self, params: Sequence[Tensor], lr: float = 1e-3):
        self.params, self.lr = list(params), float(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p.data -= self.lr * p.grad


class _Adam(_GradientDescent):
    """Adam (Kingma & Ba 2015): m, v moving averages of g and g^2, bias-corrected step lr m^ / (sqrt(v^) + eps)."""

    def __init__(self, params: Sequence[Tensor], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m *= b1
            m += (1.0 - b1) * p.grad
            v *= b2
            v += (1.0 - b2) * p.grad * p.grad
            p.data -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


_FALLBACK = {"sgd": _GradientDescent, "gd": _GradientDescent, "adam": _Adam}


def make_optimizer(name: str, params: Sequence[Tensor], lr: float, **kwargs):
    """A first-order optimiser by name ('adam', 'sgd', ... from nnlab.optim when available)."""
    try:
        from nnlab.optim import get_optimizer
    except ImportError:
        get_optimizer = None
    if get_optimizer is not None:
        return get_optimizer("sgd" if name == "gd" else name, params, lr=lr, **kwargs)
    if name not in _FALLBACK:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(_FALLBACK)} (install nnlab.optim for more)")
    return _FALLBACK[name](params, lr=lr, **kwargs)


def flatten(params: Sequence[Tensor]) -> np.ndarray:
    """All parameter values in one float64 vector."""
    return np.concatenate([np.asarray(p.data, dtype=np.float64).ravel() for p in params])


def unflatten(theta: np.ndarray, params: Sequence[Tensor]) -> None:
    """Write the vector ``theta`` back into the parameters (in place)."""
    k = 0
    for p in params:
        n = p.size
        p.data[...] = theta[k:k + n].reshape(p.shape)
        k += n


class StopOptimization(Exception):
    """Raised by a callback to end the optimisation early (the parameters keep their last accepted values)."""


def lbfgs(loss_and_grad: Callable[[], tuple[float, list[np.ndarray]]], params: Sequence[Tensor],
          iterations: int, on_iteration: Callable[[float], None], memory: int = 50) -> int:
    """Minimise with L-BFGS-B (SciPy) on the flattened float64 parameters; returns iterations done.

    ``loss_and_grad()`` evaluates at the current parameter values; ``on_iteration(loss)`` is called
    after each accepted iteration and may raise :class:`StopOptimization`.
    """
    from scipy.optimize import minimize

    params = list(params)
    last = {"theta": flatten(params), "loss": np.inf, "accepted": flatten(params)}
    count = {"n": 0}

    def fun(theta):
        unflatten(theta, params)
        value, grads = loss_and_grad()
        last["theta"], last["loss"] = theta.copy(), value
        return value, np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])

    def callback(intermediate_result):
        count["n"] += 1
        last["accepted"] = np.array(intermediate_result.x, copy=True)
        on_iteration(float(intermediate_result.fun))

    try:
        result = minimize(fun, flatten(params), jac=True, method="L-BFGS-B", callback=callback,
                          options={"maxiter": int(iterations), "maxfun": 2 * int(iterations) + 20,
                                   "maxcor": memory, "ftol": 1e-300, "gtol": 1e-300})
        unflatten(result.x, params)
    except StopOptimization:
        unflatten(last["accepted"], params)
    return count["n"]
