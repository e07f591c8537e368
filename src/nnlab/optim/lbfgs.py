"""Full-batch L-BFGS on Tensors' values through SciPy: the one driver nnlab uses.

L-BFGS (Liu and Nocedal 1989) keeps the last ``memory`` steps and gradient changes to build a
quasi-Newton direction; SciPy's ``minimize(method='L-BFGS-B', jac=True)`` implements it, so nnlab
only flattens its parameters into one float64 vector theta, hands SciPy C(theta) and its gradient,
and writes theta back. The cost function is the caller's: a network's training loss
(:mod:`nnlab.estimators`), an equation's residual (:mod:`nnlab.de`).

Reference: D. C. Liu, J. Nocedal, "On the limited memory BFGS method for large scale optimization",
Mathematical Programming 45 (1989) 503-528.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from nnlab.tensor import Tensor

__all__ = ["LBFGSResult", "minimize_lbfgs", "flatten_parameters", "set_flat_parameters"]


def flatten_parameters(params: Sequence[Tensor]) -> np.ndarray:
    """All parameter arrays as one float64 vector (in ``params`` order, C order inside each)."""
    return np.concatenate([np.asarray(p.data, dtype=np.float64).ravel() for p in params])


def set_flat_parameters(theta: np.ndarray, params: Sequence[Tensor]) -> None:
    """Write the vector ``theta`` back into the parameter arrays (in place, keeping their dtype)."""
    start = 0
    for p in params:
        stop = start + p.data.size
        p.data[...] = theta[start:stop].reshape(p.data.shape)
        start = stop


@dataclass
class LBFGSResult:
    """What the run did: iterations, final cost, whether SciPy reported convergence, the cost per iteration,
    and whether the callback stopped it."""

    n_iter: int
    loss: float
    converged: bool
    message: str
    losses: list[float] = field(default_factory=list)
    stopped: bool = False


class _Stop(Exception):
    """The callback asked to stop."""


def minimize_lbfgs(cost: Callable[[], tuple[float, Sequence[np.ndarray | None]]], params: Sequence[Tensor], *,
                   max_iter: int = 200, max_fun: int | None = None, tol: float = 1e-5, ftol: float = 2.2e-9,
                   memory: int = 10, callback: Callable[[float], bool | None] | None = None) -> LBFGSResult:
    """Minimise ``cost`` over ``params`` with L-BFGS-B; the parameters keep the result (changed in place).

    Parameters
    ----------
    cost : callable
        ``cost() -> (value, gradients)`` at the parameters' current values; one gradient array per
        parameter (None for a parameter the cost does not use).
    params : sequence of Tensor
        The variables.
    max_iter, max_fun : int
        At most this many iterations and cost evaluations (default ``max_fun``: 2 max_iter + 20).
    tol, ftol : float
        SciPy's ``gtol`` (largest gradient component) and ``ftol`` (relative decrease) stopping rules;
        0 runs all ``max_iter`` iterations unless the line search fails.
    memory : int
        Number of correction pairs kept (SciPy's ``maxcor``).
    callback : callable, optional
        ``callback(loss)`` after every accepted iteration; return True to stop. The parameters then
        keep the last accepted iterate.
    """
    from scipy.optimize import minimize

    params = list(params)
    losses: list[float] = []
    accepted = {"theta": flatten_parameters(params)}

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        set_flat_parameters(theta, params)
        value, grads = cost()
        flat = [np.zeros(p.data.size) if g is None else np.asarray(g, dtype=np.float64).ravel()
                for p, g in zip(params, grads)]
        return float(value), np.concatenate(flat)

    def on_iteration(intermediate_result) -> None:
        accepted["theta"] = np.array(intermediate_result.x, copy=True)
        losses.append(float(intermediate_result.fun))
        if callback is not None and callback(losses[-1]):
            raise _Stop

    max_fun = 2 * int(max_iter) + 20 if max_fun is None else int(max_fun)
    try:
        result = minimize(fun, flatten_parameters(params), jac=True, method="L-BFGS-B", callback=on_iteration,
                          options={"maxiter": int(max_iter), "maxfun": max_fun, "maxcor": int(memory),
                                   "gtol": float(tol), "ftol": float(ftol)})
    except _Stop:
        set_flat_parameters(accepted["theta"], params)
        return LBFGSResult(len(losses), losses[-1], False, "stopped by the callback", losses, stopped=True)
    set_flat_parameters(result.x, params)
    return LBFGSResult(int(result.nit), float(result.fun), bool(result.success), str(result.message), losses)
