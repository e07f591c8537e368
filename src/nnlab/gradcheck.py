"""Finite-difference checks of first and second derivatives (students validate their gradients).

The function is reduced to a scalar with a fixed random weighting, s = sum(r * f(x)); its
gradient from the engine is compared with central differences

    ds/dx_i ~ [s(x + eps e_i) - s(x - eps e_i)] / (2 eps),

and, for ``order=2``, the gradient of u = sum(v * ds/dx) (a Hessian-vector product computed
with ``create_graph=True``) against central differences of u computed the same way.

Inputs from another array library (``array-api-strict``, CuPy) stay in that library when ``f``
is evaluated; only the finite-difference bookkeeping converts them to NumPy float64.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from nnlab import _backend, ops
from nnlab.tensor import Tensor, grad

__all__ = ["gradcheck", "GradcheckReport"]


@dataclass
class GradcheckReport:
    """Worst relative error per derivative order, and whether all are below ``tolerance``."""

    errors: dict = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        parts = ", ".join(f"order {k}: {v:.2e}" for k, v in sorted(self.errors.items()))
        return f"gradcheck {'passed' if self.ok else 'FAILED'} ({parts}; tolerance {self.tolerance:.0e})"


def _relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = max(np.max(np.abs(analytic), initial=0.0), np.max(np.abs(numeric), initial=0.0), 1e-3)
    return float(np.max(np.abs(analytic - numeric), initial=0.0) / scale)


def _numeric_gradient(scalar_fn: Callable[[list[np.ndarray]], float], values: list[np.ndarray], eps: float):
    result = []
    for k, value in enumerate(values):
        g = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            shifted = [v.copy() for v in values]
            shifted[k][i] = value[i] + eps
            plus = scalar_fn(shifted)
            shifted[k][i] = value[i] - eps
            minus = scalar_fn(shifted)
            g[i] = (plus - minus) / (2 * eps)
        result.append(g)
    return result


def gradcheck(
    f: Callable[..., Tensor],
    inputs: Sequence,
    order: int = 2,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Check the first (and second) derivatives of ``f`` against central finite differences.

    Parameters
    ----------
    f : callable
        Takes one Tensor per input, returns a Tensor of any shape.
    inputs : sequence of array_like
        The point at which to check; converted to float64 (in the inputs' own array library).
    order : {1, 2}
        Highest derivative order to check.
    eps, tolerance : float
        Finite-difference step, and the largest accepted relative error
        ``max|analytic - numeric| / max(|analytic|, |numeric|, 1e-3)``.
    seed : int
        Seed of the random weightings.
    raise_on_failure : bool
        Raise ``AssertionError`` with the report instead of returning a failed one.

    Returns
    -------
    GradcheckReport
        ``report.errors[k]`` is the worst relative error of the order-k derivatives.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order}")
    raw = [v.data if isinstance(v, Tensor) else _backend.asarray(v) if isinstance(v, (list, tuple)) else v for v in inputs]
    xp = _backend.namespace(*raw)
    values = [np.array(_backend.to_numpy(v) if xp is not np else v, dtype=np.float64) for v in raw]

    def as_backend(array: np.ndarray):
        return array if xp is np else xp.asarray(array)

    rng = np.random.default_rng(seed)
    output_shape = tuple(f(*[Tensor(as_backend(v)) for v in values]).shape)
    weights = as_backend(rng.standard_normal(output_shape))
    directions = [rng.standard_normal(v.shape) for v in values]

    def scalar(vals, create_graph=False):
        xs = [Tensor(as_backend(v), requires_grad=True) for v in vals]
        return xs, ops.sum(f(*xs) * weights)

    def first(vals, create_graph=False):
        xs, s = scalar(vals)
        return xs, grad(s, xs, create_graph=create_graph, allow_unused=True)

    def hvp_scalar(vals):
        xs, gs = first(vals, create_graph=True)
        total = None
        for g, v in zip(gs, directions):
            if g is not None and g.requires_grad:
                term = ops.sum(g * as_backend(v))
                total = term if total is None else total + term
        return xs, total

    report = GradcheckReport(tolerance=tolerance)
    _, analytic = first(values)
    analytic = [np.zeros_like(v) if g is None else g.numpy() for g, v in zip(analytic, values)]
    numeric = _numeric_gradient(lambda vals: float(scalar(vals)[1].item()), values, eps)
    report.errors[1] = max(_relative_error(a, n) for a, n in zip(analytic, numeric))
    if order == 2:
        xs, total = hvp_scalar(values)
        if total is None:
            analytic2 = [np.zeros_like(v) for v in values]
        else:
            g2 = grad(total, xs, allow_unused=True)
            analytic2 = [np.zeros_like(v) if g is None else g.numpy() for g, v in zip(g2, values)]

        def directional(vals):
            _, gs = first(vals)
            return float(sum(np.sum((0 if g is None else g.numpy()) * v) for g, v in zip(gs, directions)))

        numeric2 = _numeric_gradient(directional, values, eps * 10)
        report.errors[2] = max(_relative_error(a, n) for a, n in zip(analytic2, numeric2))
    if raise_on_failure and not report.ok:
        raise AssertionError(str(report))
    return report
