"""Optimisers for the equation solver: first-order ones by name, and full-batch L-BFGS via SciPy.

First-order optimisers come from :mod:`nnlab.optim`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from nnlab.tensor import Tensor

if TYPE_CHECKING:
    from nnlab.optim import Optimizer

__all__ = ["make_optimizer", "lbfgs", "flatten", "unflatten"]


def make_optimizer(name: str, params: Sequence[Tensor], lr: float, **kwargs: Any) -> Optimizer:
    """A first-order optimiser from :func:`nnlab.optim.get_optimizer` by name ('adam', 'sgd', ...);
    'gd' (the lecture's plain gradient descent) is 'sgd' without momentum."""
    from nnlab.optim import get_optimizer

    return get_optimizer("sgd" if name == "gd" else name, params, lr=lr, **kwargs)


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
