"""Shipped equations with known solutions, and the solver settings that solve them well.

Each problem bundles its residual, conditions, domain, exact solution (analytic, or SciPy's
``solve_ivp`` at tight tolerances for Lotka-Volterra) and default solver settings; its
:meth:`Problem.max_error` measures max |u - u_exact| on a fine grid. Look problems up by name
with :func:`get_problem`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import nnlab
from nnlab.de.burgers import NU, burgers_reference
from nnlab.de.conditions import IVP, DirichletBVP, DirichletRectangle, InitialBoundary1D
from nnlab.de.solver import Solution, Solver, diff

__all__ = ["Problem", "PROBLEMS", "get_problem", "decay", "logistic", "oscillator", "lotka_volterra",
           "poisson1d", "diffusion1d", "poisson2d", "burgers"]


@dataclass
class Problem:
    """An equation, its conditions and domain, its exact solution and good solver settings."""

    name: str
    description: str
    residual: Callable
    conditions: list
    domain: list
    exact: Callable
    settings: dict = field(default_factory=dict)
    coordinates: tuple = ("t",)
    unknowns: tuple = ("u",)

    def solver(self, **overrides) -> Solver:
        """A Solver with the problem's default settings, any of them overridden by keyword."""
        return Solver(self.residual, self.conditions, self.domain, **{**self.settings, **overrides})

    def solve(self, **overrides) -> Solution:
        return self.solver(**overrides).solve()

    def grid(self, n: int | None = None) -> list[np.ndarray]:
        """A fine tensor grid over the domain: 1001 points in 1D, 101 per coordinate in 2D."""
        n = n or (1001 if len(self.domain) == 1 else 101)
        axes = [np.linspace(a, b, n) for a, b in self.domain]
        return list(np.meshgrid(*axes, indexing="ij"))

    def max_error(self, solution: Solution, n: int | None = None) -> float:
        """max |u - u_exact| over the fine grid (all unknowns)."""
        coords = self.grid(n)
        return float(np.max(np.abs(solution(*coords) - self.exact(*coords))))


#: Burgers: see docs/11-differential-equations.md for what each choice gave
BURGERS_SETTINGS = dict(hidden=(20, 20, 20), collocation="latin", n_points=2540, iterations=1000, lr=1e-3,
                        lbfgs_iterations=6000, adaptive=dict(every=1000, candidates=20_000, add=250, mode="add"))


def decay(gamma: float = 2.0, g0: float = 10.0, t1: float = 1.0) -> Problem:
    """The lecture's g' = -gamma g, g(0) = g0 on [0, t1]; exact g0 e^(-gamma t)."""
    return Problem(
        "decay", f"exponential decay g' = -{gamma} g, g(0) = {g0}",
        residual=lambda t, u: diff(u, t) + gamma * u,
        conditions=[IVP(0.0, g0)], domain=[(0.0, t1)],
        exact=lambda t: g0 * np.exp(-gamma * t),
        settings=dict(hidden=(32,), n_points=32, iterations=0, lbfgs_iterations=1000),
    )


def logistic(rate: float = 1.0, capacity: float = 1.0, u0: float = 0.1, t1: float = 6.0) -> Problem:
    """Logistic growth u' = r u (1 - u / K), u(0) = u0; exact K / (1 + (K/u0 - 1) e^(-r t))."""
    return Problem(
        "logistic", f"logistic growth u' = {rate} u (1 - u/{capacity}), u(0) = {u0}",
        residual=lambda t, u: diff(u, t) - rate * u * (1.0 - u / capacity),
        conditions=[IVP(0.0, u0)], domain=[(0.0, t1)],
        exact=lambda t: capacity / (1.0 + (capacity / u0 - 1.0) * np.exp(-rate * t)),
        settings=dict(hidden=(16, 16), n_points=48, collocation="chebyshev", iterations=0, lbfgs_iterations=1000),
    )


def oscillator(omega: float = 2.0, zeta: float = 0.1, u0: float = 1.0, v0: float = 0.0, t1: float = 3.0) -> Problem:
    """Damped oscillator u'' + 2 zeta omega u' + omega^2 u = 0, u(0) = u0, u'(0) = v0 (underdamped)."""
    if not 0 <= zeta < 1:
        raise ValueError(f"oscillator: the exact solution shipped is for the underdamped case 0 <= zeta < 1, got {zeta}")
    wd = omega * np.sqrt(1.0 - zeta ** 2)
    a, b = u0, (v0 + zeta * omega * u0) / wd

    def exact(t):
        return np.exp(-zeta * omega * t) * (a * np.cos(wd * t) + b * np.sin(wd * t))

    return Problem(
        "oscillator", f"damped oscillator u'' + {2 * zeta * omega:g} u' + {omega ** 2:g} u = 0",
        residual=lambda t, u: diff(u, t, 2) + 2.0 * zeta * omega * diff(u, t) + omega ** 2 * u,
        conditions=[IVP(0.0, u0, v0)], domain=[(0.0, t1)], exact=exact,
        settings=dict(hidden=(16, 16), n_points=64, collocation="chebyshev", iterations=0, lbfgs_iterations=1500),
    )


def lotka_volterra(alpha: float = 1.0, beta: float = 1.0, gamma: float = 1.0, delta: float = 1.0,
                   x0: float = 2.0, y0: float = 1.0, t1: float = 5.0) -> Problem:
    """Predator-prey x' = alpha x - beta x y, y' = delta x y - gamma y; reference: solve_ivp (rtol 1e-12)."""
    from scipy.integrate import solve_ivp

    reference = solve_ivp(lambda t, z: [alpha * z[0] - beta * z[0] * z[1], delta * z[0] * z[1] - gamma * z[1]],
                          (0.0, t1), [x0, y0], method="DOP853", rtol=1e-12, atol=1e-12, dense_output=True)

    def exact(t):
        t = np.asarray(t, dtype=np.float64)
        return reference.sol(t.ravel()).reshape((2, *t.shape))

    return Problem(
        "lotka-volterra", "Lotka-Volterra predator-prey system",
        residual=lambda t, x, y: [diff(x, t) - (alpha * x - beta * x * y), diff(y, t) - (delta * x * y - gamma * y)],
        conditions=[IVP(0.0, x0), IVP(0.0, y0)], domain=[(0.0, t1)], exact=exact,
        settings=dict(hidden=(32, 32), n_points=64, iterations=0, lbfgs_iterations=2000),
        unknowns=("x", "y"),
    )


def poisson1d() -> Problem:
    """-u'' = (3x + x^2) e^x on [0, 1], u(0) = u(1) = 0; exact x (1 - x) e^x."""
    return Problem(
        "poisson", "Poisson -u'' = (3x + x^2) e^x, u(0) = u(1) = 0",
        residual=lambda x, u: diff(u, x, 2) + (3.0 * x + x * x) * nnlab.exp(x),
        conditions=[DirichletBVP(0.0, 0.0, 1.0, 0.0)], domain=[(0.0, 1.0)],
        exact=lambda x: x * (1.0 - x) * np.exp(x),
        settings=dict(hidden=(16, 16), n_points=32, iterations=0, lbfgs_iterations=500),
        coordinates=("x",),
    )


def diffusion1d(t1: float = 1.0) -> Problem:
    """u_t = u_xx on [0, 1] x [0, t1], u(x, 0) = sin(pi x), u(0, t) = u(1, t) = 0; exact e^(-pi^2 t) sin(pi x)."""
    return Problem(
        "diffusion", "diffusion u_t = u_xx, u(x, 0) = sin(pi x), u(0, t) = u(1, t) = 0",
        residual=lambda x, t, u: diff(u, t) - diff(u, x, 2),
        conditions=[InitialBoundary1D(0.0, 1.0, 0.0, initial=lambda x: nnlab.sin(np.pi * x))],
        domain=[(0.0, 1.0), (0.0, t1)],
        exact=lambda x, t: np.exp(-np.pi ** 2 * t) * np.sin(np.pi * x),
        settings=dict(hidden=(16, 16), n_points=(12, 12), collocation="chebyshev", iterations=0, lbfgs_iterations=2000),
        coordinates=("x", "t"),
    )


def poisson2d() -> Problem:
    """Lagaris et al. (1998), problem 5: laplacian u = e^-x (x - 2 + y^3 + 6y) on the unit square,
    Dirichlet data of the exact solution u = e^-x (x + y^3)."""
    return Problem(
        "poisson2d", "Poisson laplacian u = e^-x (x - 2 + y^3 + 6y) on the unit square (Lagaris problem 5)",
        residual=lambda x, y, u: diff(u, x, 2) + diff(u, y, 2) - nnlab.exp(-x) * (x - 2.0 + y ** 3 + 6.0 * y),
        conditions=[DirichletRectangle(0.0, 1.0, 0.0, 1.0,
                                       f0=lambda y: y ** 3, f1=lambda y: (1.0 + y ** 3) * np.exp(-1.0),
                                       g0=lambda x: x * nnlab.exp(-x), g1=lambda x: (x + 1.0) * nnlab.exp(-x))],
        domain=[(0.0, 1.0), (0.0, 1.0)],
        exact=lambda x, y: np.exp(-x) * (x + y ** 3),
        settings=dict(hidden=(16, 16), n_points=(12, 12), iterations=0, lbfgs_iterations=800),
        coordinates=("x", "y"),
    )


def burgers(nu: float = NU) -> Problem:
    """Burgers' equation u_t + u u_x = nu u_xx on [-1, 1] x [0, 1], u(x, 0) = -sin(pi x), u(+-1, t) = 0
    (nu = 0.01 / pi: a shock forms at x = 0 by t = 1 / pi); reference by the Cole-Hopf transform."""
    return Problem(
        "burgers", f"Burgers u_t + u u_x = {nu:.5f} u_xx, u(x, 0) = -sin(pi x), u(+-1, t) = 0",
        residual=lambda x, t, u: diff(u, t) + u * diff(u, x) - nu * diff(u, x, 2),
        conditions=[InitialBoundary1D(-1.0, 1.0, 0.0, initial=lambda x: -nnlab.sin(np.pi * x))],
        domain=[(-1.0, 1.0), (0.0, 1.0)],
        exact=lambda x, t: burgers_reference(x, t, nu),
        settings=BURGERS_SETTINGS,
        coordinates=("x", "t"),
    )


PROBLEMS: dict[str, Callable[..., Problem]] = {
    "decay": decay, "logistic": logistic, "oscillator": oscillator, "lotka-volterra": lotka_volterra,
    "poisson": poisson1d, "diffusion": diffusion1d, "poisson2d": poisson2d, "burgers": burgers,
}


def get_problem(name: str, **parameters) -> Problem:
    """The shipped problem called ``name`` (see PROBLEMS), built with ``parameters``."""
    try:
        factory = PROBLEMS[name]
    except KeyError:
        raise ValueError(f"unknown problem {name!r}; choose one of {sorted(PROBLEMS)}") from None
    return factory(**parameters)
