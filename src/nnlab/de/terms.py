"""Loss terms beside the equation's residual: observations (data misfit) and penalty ("soft") conditions.

The solver minimises

    C(P, c) = sum_eq mean_i R_eq(x_i)^2 + sum_obs w_o mean_j (u(x_j) - y_j)^2 + sum_soft w_s mean_k r_s(x_k)^2

over the network's weights P and the unknown coefficients c. Exact (trial-solution) conditions
stay the default; a penalty term imposes what no trial solution covers (a periodic or Robin
boundary, a condition on part of an edge), at the price of holding only approximately. Observations
make an inverse problem: unknown coefficients of the equation are fitted to measured values.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["Observations", "SoftCondition", "as_points"]


def as_points(points, dim: int, name: str) -> np.ndarray:
    """``points`` as a finite float64 array (n, dim); a 1-D array is n points of one coordinate."""
    a = np.asarray(points, dtype=np.float64)
    if a.ndim == 1 and dim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] != dim or a.shape[0] < 1:
        raise ValueError(f"{name}: points must have shape (n, {dim}), one column per coordinate, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: points contain NaN or inf")
    return a


def _weight(weight, name: str) -> float:
    w = float(weight)
    if not (np.isfinite(w) and w >= 0):
        raise ValueError(f"{name}: weight must be a finite number >= 0, got {weight!r}")
    return w


class Observations:
    """Measured values of one unknown function: the term w mean_j (u(x_j) - y_j)^2.

    Parameters
    ----------
    points : array (n, d), or (n,) in 1D
        Where the values were measured.
    values : array (n,)
        The measured u(x_j).
    weight : float
        w, the term's weight in the cost.
    unknown : int
        Which unknown function was measured (0 for the first).
    """

    def __init__(self, points, values, weight: float = 1.0, unknown: int = 0):
        self.points = np.asarray(points, dtype=np.float64)
        self.values = np.asarray(values, dtype=np.float64).reshape(-1, 1)
        n = self.points.shape[0] if self.points.ndim else 0
        if self.values.shape[0] != n:
            raise ValueError(f"Observations: {n} points but {self.values.shape[0]} values; give one value per point")
        if not np.all(np.isfinite(self.values)):
            raise ValueError("Observations: values contain NaN or inf; drop those measurements")
        self.weight, self.unknown = _weight(weight, "Observations"), int(unknown)


class SoftCondition:
    """A condition imposed by a penalty: the term w mean_k r(x_k)^2, on points of its own.

    ``residual`` takes, for each point set in turn, its coordinates and the unknowns there (as
    the equation's residual does), plus the unknown coefficients by name, and returns r (n, 1).
    Several point sets of equal size link places: a periodic boundary in x on [a, b] is
    ``SoftCondition(lambda xa, ta, ua, xb, tb, ub: ua - ub, left, right)`` with ``left`` the
    points (a, t_k) and ``right`` the points (b, t_k).

    Parameters
    ----------
    residual : callable
        r, as above; use :func:`nnlab.de.diff` for derivatives (a Robin condition u_x + u = g).
    *points : arrays (n, d)
        One or more point sets of the same size.
    weight : float
        w, the term's weight in the cost.
    name : str, optional
        A label for the history.
    """

    def __init__(self, residual: Callable, *points, weight: float = 1.0, name: str | None = None):
        if not callable(residual):
            raise TypeError(f"SoftCondition: residual must be a function, got {type(residual).__name__}")
        if not points:
            raise ValueError("SoftCondition: give the points where the condition holds")
        self.residual, self.points = residual, [np.asarray(p, dtype=np.float64) for p in points]
        if len({p.shape[0] if p.ndim else -1 for p in self.points}) != 1:
            raise ValueError("SoftCondition: every point set needs the same number of points "
                             f"(got {[p.shape for p in self.points]})")
        self.weight, self.name = _weight(weight, "SoftCondition"), name
