"""FTCS for u_t = u_xx against the exact e^(-pi^2 t) sin(pi x); the stability limit is enforced."""
import numpy as np
import pytest

from nnlab.de.finite_difference import diffusion_ftcs, stable_dt


def exact(x, t):
    return np.exp(-np.pi ** 2 * t) * np.sin(np.pi * x)


def test_ftcs_converges_to_the_exact_solution():
    times = [0.0, 0.02, 0.5]
    errors = []
    for dx in (1 / 10, 1 / 20, 1 / 100):
        x, u = diffusion_ftcs(lambda x: np.sin(np.pi * x), dx, times)
        assert u.shape == (3, x.size)
        np.testing.assert_allclose(u[0], exact(x, 0.0), atol=1e-15)
        errors.append(max(np.max(np.abs(u[k] - exact(x, t))) for k, t in enumerate(times)))
    assert errors[2] < 1e-4
    # second order in dx at fixed dt / dx^2: halving dx quarters the error
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.15)


def test_stability_limit_is_enforced():
    assert stable_dt(0.1) == pytest.approx(0.005)
    with pytest.raises(ValueError, match=r"dt <= dx\^2 / \(2 D\)"):
        diffusion_ftcs(np.sin, 0.1, [0.1], dt=0.0051)
    x, u = diffusion_ftcs(lambda x: np.sin(np.pi * x), 0.1, [0.1], dt=0.005)  # exactly at the limit is allowed
    assert np.all(np.isfinite(u))


def test_bad_times_and_grid():
    with pytest.raises(ValueError, match="whole number of steps"):
        diffusion_ftcs(np.sin, 0.1, [0.0123])
    with pytest.raises(ValueError, match="whole number of cells"):
        diffusion_ftcs(np.sin, 0.3, [0.0])
