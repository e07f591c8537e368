"""Burgers' equation: the Cole-Hopf reference (computed in nnlab by Gauss-Hermite quadrature) has
the known features, and a short neural solve beats the untrained network. The full runs to
relative L2 error 1e-3 are in bench/de.py and behind @pytest.mark.slow."""
import warnings

import numpy as np
import pytest

from nnlab.de import ConvergenceWarning
from nnlab.de.burgers import NU, burgers_reference, relative_l2
from nnlab.de.problems import get_problem

X = np.linspace(-1, 1, 201)


def test_reference_initial_and_boundary_values():
    np.testing.assert_allclose(burgers_reference(X, 0.0), -np.sin(np.pi * X), atol=1e-15)
    for t in (0.1, 0.5, 1.0):
        np.testing.assert_allclose(burgers_reference(np.array([-1.0, 1.0]), t), 0.0, atol=1e-12)
        np.testing.assert_allclose(burgers_reference(1e-9, t), 0.0, atol=1e-6)  # the shock sits at x = 0


@pytest.mark.parametrize("t", [0.1, 0.3, 0.7, 1.0])
def test_reference_is_odd_in_x(t):
    np.testing.assert_allclose(burgers_reference(-X, t), -burgers_reference(X, t), atol=1e-13)


def test_reference_converges_in_the_number_of_nodes():
    for t in (0.05, 0.5, 1.0):
        np.testing.assert_allclose(burgers_reference(X, t, nodes=100), burgers_reference(X, t, nodes=600), atol=1e-12)


def test_the_shock_steepens_at_x0_by_t_1_over_pi():
    slope = lambda t: (burgers_reference(1e-7, t) - burgers_reference(-1e-7, t)) / 2e-7  # noqa: E731
    slopes = [slope(t) for t in (0.0, 0.1, 0.2, 1 / np.pi, 0.4)]
    assert slopes[0] == pytest.approx(-np.pi, rel=1e-6)
    assert all(a > b for a, b in zip(slopes, slopes[1:]))  # ever steeper until the shock has formed
    assert slopes[3] < -10 * np.pi
    # Basdevant et al. (1986): the largest |u_x|, about 152, at t close to 0.51
    assert max(-slope(t) for t in np.linspace(0.45, 0.55, 21)) == pytest.approx(152.0, rel=2e-3)


def test_reference_satisfies_the_equation_away_from_the_shock():
    x, t, h = np.linspace(-0.9, -0.3, 7), 0.6, 1e-4
    u = burgers_reference(x, t)
    u_t = (burgers_reference(x, t + h) - burgers_reference(x, t - h)) / (2 * h)
    u_x = (burgers_reference(x + h, t) - burgers_reference(x - h, t)) / (2 * h)
    u_xx = (burgers_reference(x + h, t) - 2 * u + burgers_reference(x - h, t)) / h ** 2
    np.testing.assert_allclose(u_t + u * u_x - NU * u_xx, 0.0, atol=1e-5)


def test_a_short_solve_beats_the_untrained_network():
    problem = get_problem("burgers")
    Xg, Tg = np.meshgrid(np.linspace(-1, 1, 101), np.linspace(0, 1, 51), indexing="ij")
    reference = problem.exact(Xg, Tg)
    kwargs = dict(hidden=(12, 12), n_points=400, seed=0)
    untrained = problem.solver(iterations=0, lbfgs_iterations=0, **kwargs)
    from nnlab.de.solver import Solution

    before = relative_l2(Solution(untrained.trial, untrained.residual, {}, 0, 0.0)(Xg, Tg), reference)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        after = relative_l2(problem.solve(iterations=0, lbfgs_iterations=300, **kwargs)(Xg, Tg), reference)
    assert after < before / 3


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_burgers_default_settings_reach_1e3(seed):
    problem = get_problem("burgers")
    Xg, Tg = np.meshgrid(np.linspace(-1, 1, 256), np.linspace(0, 1, 101), indexing="ij")
    assert relative_l2(problem.solve(seed=seed)(Xg, Tg), problem.exact(Xg, Tg)) <= 1e-3
