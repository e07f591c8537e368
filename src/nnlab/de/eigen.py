"""Eigenvalues of a real symmetric matrix from an ODE solved with a network (Yi et al. 2004).

Yi, Fu and Tang's network flow

    dx/dt = -x + f(x),   f(x) = [x^T x A + (1 - x^T A x) I] x

keeps |x| constant (d|x|^2/dt = 0) and, in the eigenbasis of A, grows the component along
eigenvalue lambda_i like exp(|x|^2 lambda_i t): from any start not orthogonal to it, x(t)
turns towards the eigenvector of the *largest* eigenvalue, and the Rayleigh quotient
x^T A x / x^T x gives that eigenvalue. The smallest eigenvalue of A is minus the largest of -A.

The flow is solved with the neural solver window by window ("time marching"): one IVP system
of n unknowns on [0, window] per step, restarted from the network's x(window), until the
Rayleigh quotient stops changing. The flow is attracted to the eigenvector, so errors of one
window are damped in the next.

Reference: Z. Yi, Y. Fu, H. J. Tang, "Neural networks based approach for computing eigenvectors
and eigenvalues of symmetric matrix", Computers & Mathematics with Applications 47 (2004) 1155-1164.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from nnlab import ops
from nnlab.de.conditions import IVP
from nnlab.de.solver import ConvergenceWarning, Solver, diff
from nnlab.nn.module import as_generator

__all__ = ["yi_residual", "EigenResult", "eigen_ode", "random_symmetric"]


def random_symmetric(n: int = 6, rng: np.random.Generator | int | None = 0) -> np.ndarray:
    """A random real symmetric n x n matrix (Q + Q^T) / 2 with Q standard normal."""
    q = as_generator(rng).standard_normal((n, n))
    return (q + q.T) / 2.0


def yi_residual(A: np.ndarray):
    """The residual of dx/dt = -x + [x^T x A + (1 - x^T A x) I] x for the n unknowns x_1..x_n."""
    A = np.asarray(A, dtype=np.float64)

    def residual(t, *xs):
        x = ops.concatenate(list(xs), axis=1)                 # (points, n)
        ax = ops.matmul(x, A)                                 # rows are (A x)^T (A symmetric)
        xx = ops.sum(x * x, axis=1, keepdims=True)
        xax = ops.sum(x * ax, axis=1, keepdims=True)
        rhs = xx * ax - xax * x                               # -x + f(x) simplified: |x|^2 A x - (x^T A x) x
        return [diff(xs[i], t) - rhs[:, i:i + 1] for i in range(len(xs))]

    return residual


@dataclass
class EigenResult:
    """The eigenvalue (Rayleigh quotient), the unit eigenvector and how it was found."""

    value: float
    vector: np.ndarray
    windows: int
    iterations: int
    wall_time: float
    history: list = field(default_factory=list)   # Rayleigh quotient after each window
    losses: list = field(default_factory=list)    # final cost of each window


def eigen_ode(A: np.ndarray, which: str = "largest", x0: np.ndarray | None = None, window: float | None = None,
              max_windows: int = 40, tol: float = 1e-7, rng: np.random.Generator | int | None = 0,
              **solver_settings) -> EigenResult:
    """The largest (or smallest) eigenvalue of symmetric ``A`` from the Yi et al. flow solved by networks.

    Parameters
    ----------
    A : ndarray (n, n)
        Real symmetric matrix.
    which : 'largest' or 'smallest'
        The smallest is found as minus the largest eigenvalue of -A.
    x0 : ndarray (n,), optional
        Start vector (default: random, unit length).
    window : float, optional
        Length of each time window; default 4 / (|A|_F / sqrt(n)), a few time constants of the flow.
    max_windows : int
        At most this many windows.
    tol : float
        Stop when the Rayleigh quotient changes by less than tol * max(1, |lambda|) between windows.
    solver_settings
        Passed to :class:`Solver` (hidden, n_points, lbfgs_iterations, ...).
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if not np.all(np.isfinite(A)) or not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
        raise ValueError("A must be a finite symmetric matrix; symmetrise it with (A + A.T) / 2")
    if which not in ("largest", "smallest"):
        raise ValueError(f"which must be 'largest' or 'smallest', got {which!r}")
    sign = 1.0 if which == "largest" else -1.0
    M = sign * A
    n = A.shape[0]
    rng = as_generator(rng)
    x = rng.standard_normal(n) if x0 is None else np.asarray(x0, dtype=np.float64).copy()
    if x.shape != (n,) or not np.all(np.isfinite(x)) or np.linalg.norm(x) == 0:
        raise ValueError(f"x0 must be a finite non-zero vector of length {n}")
    x /= np.linalg.norm(x)
    if window is None:
        window = 4.0 / max(np.linalg.norm(M) / np.sqrt(n), 1e-12)
    settings = dict(hidden=(32,), n_points=32, iterations=0, lbfgs_iterations=100)
    settings.update(solver_settings)
    residual = yi_residual(M)
    start = time.perf_counter()
    history, losses, iterations = [], [], 0
    quotient = float(x @ M @ x)
    for k in range(max_windows):
        conditions = [IVP(0.0, xi) for xi in x]
        with warnings.catch_warnings():
            # A window need not be solved to a small cost: the flow is attracted to the eigenvector, so
            # the errors of one window are damped in the next; convergence is judged on the quotient below.
            warnings.simplefilter("ignore", ConvergenceWarning)
            solution = Solver(residual, conditions, (0.0, window), seed=rng, **settings).solve()
        iterations += solution.iterations
        losses.append(solution.history["loss"][-1] if solution.history["loss"] else float("nan"))
        x = np.asarray(solution(np.array([window]))).ravel()
        x /= np.linalg.norm(x)
        new = float(x @ M @ x)
        history.append(sign * new)
        converged = abs(new - quotient) < tol * max(1.0, abs(new))
        quotient = new
        if converged:
            break
    return EigenResult(sign * quotient, x, len(history), iterations, time.perf_counter() - start, history, losses)
