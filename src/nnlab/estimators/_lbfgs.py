"""Full-batch L-BFGS-B on a network's flattened parameters, as scikit-learn's ``solver='lbfgs'``.

The objective is the same cost the stochastic solvers minimise on a batch,

    C(theta) = loss(model(X), y) [weighted by sample_weight] + penalty(model),

evaluated on all rows at once; its gradient comes from the engine's ``backward()``. SciPy's
``minimize(method='L-BFGS-B', jac=True)`` drives it with ``maxiter``, ``maxfun`` and
``gtol`` (scikit-learn's ``max_iter``, ``max_fun`` and ``tol``).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nnlab.tensor import Tensor

__all__ = ["LBFGSResult", "minimize_lbfgs", "flatten_parameters", "set_flat_parameters"]


def flatten_parameters(params: list[Tensor]) -> np.ndarray:
    """All parameter arrays as one float64 vector (in ``params`` order, C order inside each)."""
    return np.concatenate([np.asarray(p.data, dtype=np.float64).ravel() for p in params])


def set_flat_parameters(theta: np.ndarray, params: list[Tensor]) -> None:
    """Write the vector ``theta`` back into the parameter arrays (in place, keeping their dtype)."""
    start = 0
    for p in params:
        stop = start + p.data.size
        p.data[...] = theta[start:stop].reshape(p.data.shape)
        start = stop


@dataclass
class LBFGSResult:
    """What the run did: iterations, final cost, whether SciPy reported convergence, the cost per iteration."""

    n_iter: int
    loss: float
    converged: bool
    message: str
    losses: list[float] = field(default_factory=list)


def _cost_function(model, X: np.ndarray, y: np.ndarray, loss, sample_weight: np.ndarray | None,
                   penalty: Callable | None) -> Callable[[], Any]:
    if sample_weight is None:
        return lambda: loss(model(Tensor(X)), y) + (penalty(model) if penalty is not None else 0.0)
    unreduced = copy.copy(loss)
    unreduced.reduction = "none"
    w = np.asarray(sample_weight, dtype=model.parameters()[0].dtype)
    total = float(w.sum())
    scale = 1.0 / total if total > 0 else 0.0

    def cost():
        value = (unreduced(model(Tensor(X)), y) * w).sum() * scale
        return value + penalty(model) if penalty is not None else value

    return cost


def minimize_lbfgs(model, X: np.ndarray, y: np.ndarray, loss, *, sample_weight: np.ndarray | None = None,
                   penalty: Callable | None = None, max_iter: int = 200, max_fun: int = 15000,
                   tol: float = 1e-4) -> LBFGSResult:
    """Minimise the full-batch cost of ``model`` on (X, y) with L-BFGS-B; the model keeps the result.

    Parameters
    ----------
    model : Module
        Its parameters are the variables (changed in place).
    X, y : arrays
        All training rows and their prepared targets (as :func:`nnlab.train.fit` takes them).
    loss : Loss
        With ``reduction='mean'``; a copy with ``reduction='none'`` weights the samples.
    sample_weight : array (n,), optional
        Cost sum_i w_i l_i / sum_i w_i.
    penalty : callable, optional
        ``penalty(model) -> Tensor`` added to the cost (L2/L1 on the weights).
    max_iter, max_fun, tol : SciPy's ``maxiter``, ``maxfun`` and ``gtol``.
    """
    from scipy.optimize import minimize

    params = model.parameters()
    cost = _cost_function(model, X, y, loss, sample_weight, penalty)
    losses: list[float] = []

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        set_flat_parameters(theta, params)
        model.zero_grad()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = cost()
            value.backward()
        grads = [np.zeros(p.data.size) if p.grad is None else np.asarray(p.grad, dtype=np.float64).ravel()
                 for p in params]
        return float(value.data), np.concatenate(grads)

    def on_iteration(intermediate_result) -> None:
        losses.append(float(intermediate_result.fun))

    model.train()
    result = minimize(fun, flatten_parameters(params), method="L-BFGS-B", jac=True, callback=on_iteration,
                      options={"maxiter": int(max_iter), "maxfun": int(max_fun), "gtol": float(tol)})
    set_flat_parameters(result.x, params)
    model.zero_grad()
    return LBFGSResult(n_iter=int(result.nit), loss=float(result.fun), converged=bool(result.success),
                       message=str(result.message), losses=losses)
