"""Burgers' equation u_t + u u_x = nu u_xx and its exact solution by the Cole-Hopf transform.

With u = -2 nu phi_x / phi the equation becomes the heat equation phi_t = nu phi_xx, so for
u(x, 0) = -sin(pi x) on the whole line (the data are periodic, and odd about x = 0 and x = +-1,
which keeps u(+-1, t) = 0)

    u(x, t) = - int sin(pi (x - eta)) f(x - eta) exp(-eta^2 / (4 nu t)) d eta
              / int f(x - eta) exp(-eta^2 / (4 nu t)) d eta,      f(y) = exp(-cos(pi y) / (2 pi nu))

(Basdevant et al. 1986). Substituting eta = sqrt(4 nu t) z turns both integrals into
int g(z) e^{-z^2} dz, which Gauss-Hermite quadrature evaluates: sum_i w_i g(z_i). The factor f
spans e^{+-1/(2 pi nu)}; the largest exponent is taken out of both sums, which cancels in the ratio.

References: C. Basdevant et al., "Spectral and finite difference solutions of the Burgers
equation", Computers & Fluids 14 (1986) 23-41; M. Raissi, P. Perdikaris, G. E. Karniadakis,
"Physics-informed neural networks", J. Comput. Phys. 378 (2019) 686-707 (nu = 0.01 / pi).
"""
from __future__ import annotations

import numpy as np

__all__ = ["NU", "burgers_reference", "relative_l2"]

#: the viscosity of the standard benchmark
NU = 0.01 / np.pi


def burgers_reference(x, t, nu: float = NU, nodes: int = 200) -> np.ndarray:
    """u(x, t) of u_t + u u_x = nu u_xx, u(x, 0) = -sin(pi x), u(+-1, t) = 0, by Cole-Hopf and Gauss-Hermite.

    Parameters
    ----------
    x, t : array_like (broadcast together)
        Points; t >= 0.
    nu : float
        Viscosity.
    nodes : int
        Gauss-Hermite nodes (100 already agree with 1000 to 1e-14 at nu = 0.01/pi, t <= 1).

    Returns
    -------
    ndarray, the broadcast shape of x and t.
    """
    x, t = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64))
    if np.any(t < 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(t))):
        raise ValueError("burgers_reference: x and t must be finite with t >= 0")
    if nu <= 0:
        raise ValueError(f"burgers_reference: nu must be positive, got {nu}")
    from scipy.special import roots_hermite

    z, w = roots_hermite(int(nodes))
    xs, ts = x.ravel(), t.ravel()
    y = xs[:, None] - np.sqrt(4.0 * nu * ts)[:, None] * z[None, :]     # x - eta at each node
    exponent = -np.cos(np.pi * y) / (2.0 * np.pi * nu)
    weights = w[None, :] * np.exp(exponent - exponent.max(axis=1, keepdims=True))
    u = -np.sum(weights * np.sin(np.pi * y), axis=1) / np.sum(weights, axis=1)
    u = np.where(ts == 0, -np.sin(np.pi * xs), u)
    return u.reshape(x.shape)


def relative_l2(u: np.ndarray, reference: np.ndarray) -> float:
    """||u - reference||_2 / ||reference||_2 over all points."""
    return float(np.linalg.norm(np.ravel(u) - np.ravel(reference)) / np.linalg.norm(np.ravel(reference)))
