"""Trial solutions that satisfy initial and boundary conditions exactly (Lagaris et al. 1998).

A condition turns the raw network output N into a trial solution u = A + B N, where A meets
the conditions and B vanishes where they are imposed, so that *any* network (trained or not)
gives a function satisfying them; training then only has to make the equation's residual
small. Each condition is an object whose :meth:`parameterize` method is the trial solution,
with the formula in its docstring (the design of neurodiffeq's ``conditions.py``).

All arguments of ``parameterize`` are nnlab Tensors of shape (n, 1): the network output for
this unknown first, then the coordinates in the order of the domain. Boundary data given as
functions must be written with nnlab operations (``nnlab.exp``, ``nnlab.sin``, arithmetic), which
work on Tensors and on plain arrays alike.

Reference: I. E. Lagaris, A. Likas, D. I. Fotiadis, "Artificial neural networks for solving
ordinary and partial differential equations", IEEE Trans. Neural Networks 9 (1998) 987-1000.
"""
from __future__ import annotations

from typing import Any, Callable, Union

import numpy as np

from nnlab.de.jets import Taylor
from nnlab.tensor import Tensor

__all__ = [
    "Condition", "NoCondition", "IVP", "DirichletBVP", "NeumannDirichletBVP", "DirichletNeumannBVP",
    "DirichletRectangle", "InitialBoundary1D", "Initial1D",
]

BoundaryData = Union[float, Callable]


def _value(data: BoundaryData, at):
    """Boundary data at ``at``: a constant as it is, a function called on ``at``."""
    if not callable(data):
        return data
    if isinstance(at, Taylor):  # the solver's forward-mode path carries the derivatives along
        return at.apply(data)
    return data(at)


def _scalar(data: BoundaryData, at: float) -> float:
    """Boundary data at one point, as a float (for the corner terms of Lagaris's A)."""
    return float(np.asarray(_value(data, np.asarray(at, dtype=np.float64))))


def _number(value: Any, name: str) -> float:
    """``value`` as a float, checked to be a finite number (a boundary or initial value)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def _interval(a: float, b: float, name: str) -> tuple[float, float]:
    a, b = _number(a, f"{name}: an end"), _number(b, f"{name}: an end")
    if not (np.isfinite(a) and np.isfinite(b)) or a == b:
        raise ValueError(f"{name}: the two ends must be different finite numbers, got {a} and {b}")
    return a, b


class Condition:
    """Base class: a trial solution u = parameterize(N, *coordinates)."""

    #: number of coordinates the trial solution takes
    n_coordinates: int = 1

    def parameterize(self, output: Tensor, *coordinates: Tensor) -> Tensor:  # pragma: no cover
        raise NotImplementedError


class NoCondition(Condition):
    """No condition: u = N (for an unknown that the equations alone determine)."""

    def __init__(self, n_coordinates: int = 1):
        self.n_coordinates = int(n_coordinates)

    def parameterize(self, output: Tensor, *coordinates: Tensor) -> Tensor:
        """u = N."""
        return output


class IVP(Condition):
    """Initial value problem: u(t0) = u0, and optionally u'(t0) = v0 (second-order equations).

    Parameters
    ----------
    t0 : float
        The initial time.
    u0 : float
        The initial value u(t0).
    v0 : float, optional
        The initial slope u'(t0); give it for second-order equations.
    """

    def __init__(self, t0: float, u0: float, v0: float | None = None):
        self.t0, self.u0 = _number(t0, "IVP t0"), _number(u0, "IVP u0")
        self.v0 = None if v0 is None else _number(v0, "IVP v0")

    def parameterize(self, output: Tensor, t: Tensor) -> Tensor:
        """u = u0 + (t - t0) N  (the lecture's g_t = g0 + x N), or with the slope
        u = u0 + (t - t0) v0 + (t - t0)^2 N, so that u(t0) = u0 and u'(t0) = v0 for any N."""
        h = t - self.t0
        if self.v0 is None:
            return self.u0 + h * output
        return self.u0 + self.v0 * h + h * h * output


class DirichletBVP(Condition):
    """Two-point boundary values u(x0) = u0, u(x1) = u1.

    The trial solution, with s = (x - x0) / (x1 - x0) in [0, 1]::

        u = u0 (1 - s) + u1 s + s (1 - s) N
    """

    def __init__(self, x0: float, u0: float, x1: float, u1: float):
        self.x0, self.x1 = _interval(x0, x1, "DirichletBVP")
        self.u0, self.u1 = _number(u0, "DirichletBVP u0"), _number(u1, "DirichletBVP u1")

    def parameterize(self, output: Tensor, x: Tensor) -> Tensor:
        """u = u0 (1 - s) + u1 s + s (1 - s) N with s = (x - x0) / (x1 - x0)."""
        s = (x - self.x0) / (self.x1 - self.x0)
        return self.u0 * (1.0 - s) + self.u1 * s + s * (1.0 - s) * output


class NeumannDirichletBVP(Condition):
    """A slope at the left end and a value at the right one: u'(x0) = du0, u(x1) = u1.

    With s = (x - x0) / (x1 - x0)::

        u = u1 + du0 (x - x1) + (s - 1) s^2 N

    (s - 1) vanishes at x1; s^2 and its derivative vanish at x0, so u'(x0) = du0.
    """

    def __init__(self, x0: float, du0: float, x1: float, u1: float):
        self.x0, self.x1 = _interval(x0, x1, "NeumannDirichletBVP")
        self.du0, self.u1 = _number(du0, "NeumannDirichletBVP du0"), _number(u1, "NeumannDirichletBVP u1")

    def parameterize(self, output: Tensor, x: Tensor) -> Tensor:
        """u = u1 + du0 (x - x1) + (s - 1) s^2 N with s = (x - x0) / (x1 - x0)."""
        s = (x - self.x0) / (self.x1 - self.x0)
        return self.u1 + self.du0 * (x - self.x1) + (s - 1.0) * s * s * output


class DirichletNeumannBVP(Condition):
    """A value at the left end and a slope at the right one: u(x0) = u0, u'(x1) = du1.

    With s = (x - x0) / (x1 - x0)::

        u = u0 + du1 (x - x0) + s (1 - s)^2 N
    """

    def __init__(self, x0: float, u0: float, x1: float, du1: float):
        self.x0, self.x1 = _interval(x0, x1, "DirichletNeumannBVP")
        self.u0, self.du1 = _number(u0, "DirichletNeumannBVP u0"), _number(du1, "DirichletNeumannBVP du1")

    def parameterize(self, output: Tensor, x: Tensor) -> Tensor:
        """u = u0 + du1 (x - x0) + s (1 - s)^2 N with s = (x - x0) / (x1 - x0)."""
        s = (x - self.x0) / (self.x1 - self.x0)
        return self.u0 + self.du1 * (x - self.x0) + s * (1.0 - s) * (1.0 - s) * output


def _check_corner(name: str, a: float, b: float, where: str) -> None:
    if not np.isclose(a, b, rtol=1e-9, atol=1e-12):
        raise ValueError(
            f"{name}: the boundary data disagree at the corner {where} ({a} vs {b}); "
            "make the functions meet there, otherwise no continuous solution satisfies them"
        )


class DirichletRectangle(Condition):
    """Dirichlet data on the four sides of the rectangle [x0, x1] x [y0, y1] (Lagaris, eq. 24).

    u(x0, y) = f0(y), u(x1, y) = f1(y), u(x, y0) = g0(x), u(x, y1) = g1(x); each is a constant
    or a function written with nnlab operations. With s = (x - x0)/(x1 - x0), r = (y - y0)/(y1 - y0)::

        u = A(x, y) + s (1 - s) r (1 - r) N
        A = (1 - s) f0(y) + s f1(y)
            + (1 - r) [g0(x) - ((1 - s) g0(x0) + s g0(x1))]
            + r [g1(x) - ((1 - s) g1(x0) + s g1(x1))]

    The data must agree at the corners (checked).
    """

    n_coordinates = 2

    def __init__(self, x0: float, x1: float, y0: float, y1: float, f0: BoundaryData = 0.0,
                 f1: BoundaryData = 0.0, g0: BoundaryData = 0.0, g1: BoundaryData = 0.0):
        self.x0, self.x1 = _interval(x0, x1, "DirichletRectangle (x)")
        self.y0, self.y1 = _interval(y0, y1, "DirichletRectangle (y)")
        self.f0, self.f1, self.g0, self.g1 = f0, f1, g0, g1
        self._g0_ends = (_scalar(g0, self.x0), _scalar(g0, self.x1))
        self._g1_ends = (_scalar(g1, self.x0), _scalar(g1, self.x1))
        name = "DirichletRectangle"
        _check_corner(name, _scalar(f0, self.y0), self._g0_ends[0], "(x0, y0)")
        _check_corner(name, _scalar(f1, self.y0), self._g0_ends[1], "(x1, y0)")
        _check_corner(name, _scalar(f0, self.y1), self._g1_ends[0], "(x0, y1)")
        _check_corner(name, _scalar(f1, self.y1), self._g1_ends[1], "(x1, y1)")

    def parameterize(self, output: Tensor, x: Tensor, y: Tensor) -> Tensor:
        """u = A(x, y) + s (1 - s) r (1 - r) N (Lagaris's A; see the class docstring)."""
        s = (x - self.x0) / (self.x1 - self.x0)
        r = (y - self.y0) / (self.y1 - self.y0)
        a = (1.0 - s) * _value(self.f0, y) + s * _value(self.f1, y)
        a = a + (1.0 - r) * (_value(self.g0, x) - ((1.0 - s) * self._g0_ends[0] + s * self._g0_ends[1]))
        a = a + r * (_value(self.g1, x) - ((1.0 - s) * self._g1_ends[0] + s * self._g1_ends[1]))
        return a + s * (1.0 - s) * r * (1.0 - r) * output


class InitialBoundary1D(Condition):
    """Space x time: u(x, t0) = f(x) and Dirichlet data u(x0, t) = g0(t), u(x1, t) = g1(t).

    With s = (x - x0) / (x1 - x0)::

        u = A(x, t) + s (1 - s) (t - t0) N
        A = (1 - s) g0(t) + s g1(t) + f(x) - [(1 - s) f(x0) + s f(x1)]

    The initial data must match the boundary data at t0 (checked). Coordinates are (x, t).
    """

    n_coordinates = 2

    def __init__(self, x0: float, x1: float, t0: float, initial: BoundaryData,
                 left: BoundaryData = 0.0, right: BoundaryData = 0.0):
        self.x0, self.x1 = _interval(x0, x1, "InitialBoundary1D")
        self.t0 = _number(t0, "InitialBoundary1D t0")
        self.initial, self.left, self.right = initial, left, right
        self._f_ends = (_scalar(initial, self.x0), _scalar(initial, self.x1))
        _check_corner("InitialBoundary1D", self._f_ends[0], _scalar(left, self.t0), "(x0, t0)")
        _check_corner("InitialBoundary1D", self._f_ends[1], _scalar(right, self.t0), "(x1, t0)")

    def parameterize(self, output: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """u = (1 - s) g0(t) + s g1(t) + f(x) - [(1 - s) f(x0) + s f(x1)] + s (1 - s) (t - t0) N."""
        s = (x - self.x0) / (self.x1 - self.x0)
        a = (1.0 - s) * _value(self.left, t) + s * _value(self.right, t)
        a = a + _value(self.initial, x) - ((1.0 - s) * self._f_ends[0] + s * self._f_ends[1])
        return a + s * (1.0 - s) * (t - self.t0) * output


class Initial1D(Condition):
    """Space x time with an initial value only: u(x, t0) = f(x); the boundary is left to the equation
    or to penalty terms (:class:`nnlab.de.SoftCondition`, e.g. a periodic boundary).

    The trial solution::

        u = f(x) + (t - t0) N

    Coordinates are (x, t).
    """

    n_coordinates = 2

    def __init__(self, t0: float, initial: BoundaryData):
        self.t0, self.initial = _number(t0, "Initial1D t0"), initial

    def parameterize(self, output: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """u = f(x) + (t - t0) N."""
        return _value(self.initial, x) + (t - self.t0) * output


def check_conditions(conditions, n_coordinates: int) -> list[Condition]:
    """A list of conditions (one per unknown), each taking ``n_coordinates`` coordinates."""
    if isinstance(conditions, Condition) or conditions is None:
        conditions = [conditions]
    if not isinstance(conditions, (list, tuple)):
        raise TypeError(f"conditions must be a Condition (e.g. IVP(0, 1)), None or a list of them (one per unknown), "
                        f"got {type(conditions).__name__}")
    conditions = [NoCondition(n_coordinates) if c is None else c for c in conditions]
    for i, c in enumerate(conditions):
        if not isinstance(c, Condition):
            raise TypeError(f"conditions[{i}] is a {type(c).__name__}; expected a Condition (e.g. IVP, DirichletBVP) or None")
        if c.n_coordinates != n_coordinates:
            raise ValueError(
                f"conditions[{i}] ({type(c).__name__}) takes {c.n_coordinates} coordinate(s) but the domain "
                f"has {n_coordinates}; use a condition made for this many dimensions"
            )
    if not conditions:
        raise ValueError("conditions is empty; give one condition (or None) per unknown function")
    return conditions
