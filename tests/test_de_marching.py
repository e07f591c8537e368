"""Time marching: y'' + y = 0 window by window follows sin t where one window fails."""
import warnings

import numpy as np
import pytest

from nnlab.de import ConvergenceWarning, diff, march, solve
from nnlab.de.conditions import IVP

SETTINGS = dict(hidden=(16, 16), n_points=32, collocation="chebyshev", iterations=0, lbfgs_iterations=500)


def oscillator(t, y):
    return diff(y, t, 2) + y


def test_marched_solution_is_continuous_and_meets_the_initial_values():
    s = march(oscillator, 0.0, 2 * np.pi, 0.0, 1.0, windows=2, **SETTINGS)
    assert s(np.array([0.0]))[0] == pytest.approx(0.0, abs=1e-14)
    assert s.derivative(np.array([0.0]))[0] == pytest.approx(1.0, abs=1e-12)
    middle = np.pi
    left, right = s.pieces[0](np.array([middle]))[0], s.pieces[1](np.array([middle]))[0]
    assert left == right  # the second window starts where the first ended
    t = np.linspace(0, 2 * np.pi, 501)
    assert np.max(np.abs(s(t) - np.sin(t))) < 1e-4
    with pytest.raises(ValueError, match="windows"):
        march(oscillator, 0.0, 1.0, 0.0, 1.0, windows=0)


@pytest.mark.slow
def test_six_pi_to_1e4_by_marching_where_one_window_fails():
    t = np.linspace(0, 6 * np.pi, 3001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        single = solve(oscillator, IVP(0.0, 0.0, 1.0), (0.0, 6 * np.pi), hidden=(16, 16), n_points=64,
                       collocation="chebyshev", iterations=0, lbfgs_iterations=1500)
    assert np.max(np.abs(single(t) - np.sin(t))) > 0.1
    marched = march(oscillator, 0.0, 6 * np.pi, 0.0, 1.0, windows=6, **SETTINGS)
    assert np.max(np.abs(marched(t) - np.sin(t))) < 1e-4
