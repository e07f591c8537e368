"""The explicit finite-difference scheme for the diffusion equation u_t = D u_xx in 1D.

Forward Euler in time, centred second difference in space (FTCS):

    u_i^{n+1} = u_i^n + alpha (u_{i+1}^n - 2 u_i^n + u_{i-1}^n),   alpha = D dt / dx^2,

with Dirichlet values at both ends. The scheme is stable only for alpha <= 1/2, i.e.
dt <= dx^2 / (2 D); a larger step raises ValueError instead of returning garbage.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

__all__ = ["diffusion_ftcs", "stable_dt"]


def stable_dt(dx: float, diffusivity: float = 1.0) -> float:
    """The largest stable time step of FTCS: dt = dx^2 / (2 D)."""
    return dx * dx / (2.0 * diffusivity)


def diffusion_ftcs(initial: Callable[[np.ndarray], np.ndarray], dx: float, times: Sequence[float],
                   dt: float | None = None, length: float = 1.0, left: float = 0.0, right: float = 0.0,
                   diffusivity: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Solve u_t = D u_xx on [0, length] with FTCS and return the profiles at ``times``.

    Parameters
    ----------
    initial : callable
        u(x, 0) as a function of a NumPy array.
    dx : float
        Grid spacing; ``length / dx`` must be a whole number.
    times : sequence of float
        Times at which to return u (each a whole number of steps, >= 0).
    dt : float, optional
        Time step; default the stability limit dx^2 / (2 D).
    left, right : float
        Dirichlet values at x = 0 and x = length.

    Returns
    -------
    x : ndarray, shape (n_x,)
        The grid, ends included.
    u : ndarray, shape (len(times), n_x)
        The profiles.
    """
    if dx <= 0 or diffusivity <= 0:
        raise ValueError(f"dx and the diffusivity must be positive, got dx={dx}, diffusivity={diffusivity}")
    n_cells = length / dx
    if abs(n_cells - round(n_cells)) > 1e-9 * max(1.0, n_cells):
        raise ValueError(f"length / dx must be a whole number of cells, got {length} / {dx} = {n_cells}")
    limit = stable_dt(dx, diffusivity)
    dt = limit if dt is None else float(dt)
    if dt <= 0:
        raise ValueError(f"dt must be positive, got {dt}")
    if dt > limit * (1.0 + 1e-12):
        raise ValueError(
            f"dt = {dt:g} breaks the stability limit of the explicit scheme, dt <= dx^2 / (2 D) = {limit:g} "
            f"(dx = {dx:g}, D = {diffusivity:g}); take a smaller dt or a coarser grid"
        )
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or np.any(times < 0) or not np.all(np.isfinite(times)):
        raise ValueError(f"times must be a 1-D sequence of finite non-negative numbers, got {times}")
    steps = np.rint(times / dt).astype(int)
    if np.any(np.abs(steps * dt - times) > 1e-9 * np.maximum(1.0, times)):
        raise ValueError(f"every time must be a whole number of steps dt = {dt:g}; got times {times.tolist()}")
    x = np.linspace(0.0, length, int(round(n_cells)) + 1)
    u = np.asarray(initial(x), dtype=np.float64).copy()
    u[0], u[-1] = left, right
    alpha = diffusivity * dt / (dx * dx)
    out = np.empty((times.size, x.size))
    order = np.argsort(steps)
    done = 0
    for k in order:
        for _ in range(steps[k] - done):
            u[1:-1] += alpha * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        done = steps[k]
        out[k] = u
    return x, out
