"""Full-batch L-BFGS-B on a network's parameters, as scikit-learn's ``solver='lbfgs'``.

The objective is the same cost the stochastic solvers minimise on a batch,

    C(theta) = loss(model(X), y) [weighted by sample_weight] + penalty(model),

evaluated on all rows at once; its gradient comes from the engine's ``backward()``. The one L-BFGS
driver, :func:`nnlab.optim.lbfgs.minimize_lbfgs`, runs it with ``maxiter``, ``maxfun`` and ``gtol``
(scikit-learn's ``max_iter``, ``max_fun`` and ``tol``); this module only builds the cost.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from nnlab.optim import lbfgs
from nnlab.optim.lbfgs import LBFGSResult
from nnlab.tensor import Tensor

__all__ = ["LBFGSResult", "minimize_lbfgs"]


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
    params = model.parameters()
    cost = _cost_function(model, X, y, loss, sample_weight, penalty)

    def value_and_gradients() -> tuple[float, list[Any]]:
        model.zero_grad()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = cost()
            value.backward()
        return float(value.data), [p.grad for p in params]

    model.train()
    result = lbfgs.minimize_lbfgs(value_and_gradients, params, max_iter=int(max_iter), max_fun=int(max_fun),
                                  tol=float(tol))
    model.zero_grad()
    return result
