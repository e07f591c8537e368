"""Each trial solution meets its condition exactly with an untrained network (values via the
trial formula, slopes via nnlab.grad), and bad input is refused with a clear error."""
import numpy as np
import pytest

import nnlab
from nnlab import Tensor
from nnlab.de import (
    IVP, DirichletBVP, DirichletNeumannBVP, DirichletRectangle, InitialBoundary1D, NeumannDirichletBVP, Solver, diff,
)
from nnlab.de.solver import _Trial
from nnlab.models import mlp


def trial(condition, domain, seed=3, n_out=1):
    """The trial solution of an untrained random network, as used by the solver."""
    lower, upper = np.asarray(domain, float).reshape(-1, 2).T
    net = mlp(lower.size, (8, 8), n_out, "tanh", dtype=np.float64, rng=seed)
    conditions = condition if isinstance(condition, list) else [condition]
    return _Trial(net, conditions, lower, upper, scale_inputs=True)


def at(*values):
    return [Tensor(np.atleast_1d(np.asarray(v, float)).reshape(-1, 1), requires_grad=True) for v in values]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ivp_first_order_holds_untrained(seed):
    u = trial(IVP(0.5, -1.25), (0.5, 3.0), seed)
    (t,) = at(0.5)
    assert u([t])[0].item() == pytest.approx(-1.25, abs=1e-14)
    # away from t0 the untrained trial is generally not the initial value: the test can fail
    (s,) = at(2.0)
    assert abs(u([s])[0].item() + 1.25) > 1e-6


@pytest.mark.parametrize("seed", [0, 1])
def test_ivp_second_order_value_and_slope_hold_untrained(seed):
    u = trial(IVP(1.0, 2.0, -3.0), (1.0, 4.0), seed)
    (t,) = at(1.0)
    value = u([t])[0]
    assert value.item() == pytest.approx(2.0, abs=1e-14)
    assert diff(value, t).item() == pytest.approx(-3.0, abs=1e-12)


def test_dirichlet_bvp_holds_untrained():
    u = trial(DirichletBVP(-1.0, 0.3, 2.0, -0.7), (-1.0, 2.0))
    (x,) = at([-1.0, 2.0])
    np.testing.assert_allclose(u([x])[0].numpy().ravel(), [0.3, -0.7], atol=1e-14)


def test_neumann_dirichlet_holds_untrained():
    u = trial(NeumannDirichletBVP(0.0, 1.5, 2.0, -2.0), (0.0, 2.0))
    (x,) = at([0.0, 2.0])
    value = u([x])[0]
    assert value.numpy()[1, 0] == pytest.approx(-2.0, abs=1e-14)
    assert diff(value, x).numpy()[0, 0] == pytest.approx(1.5, abs=1e-12)


def test_dirichlet_neumann_holds_untrained():
    u = trial(DirichletNeumannBVP(1.0, 0.25, 3.0, -0.5), (1.0, 3.0))
    (x,) = at([1.0, 3.0])
    value = u([x])[0]
    assert value.numpy()[0, 0] == pytest.approx(0.25, abs=1e-14)
    assert diff(value, x).numpy()[1, 0] == pytest.approx(-0.5, abs=1e-12)


def lagaris_rectangle():
    return DirichletRectangle(0.0, 1.0, 0.0, 2.0,
                              f0=lambda y: y ** 3, f1=lambda y: (1.0 + y ** 3) * np.exp(-1.0),
                              g0=lambda x: x * nnlab.exp(-x), g1=lambda x: (x + 8.0) * nnlab.exp(-x))


def test_dirichlet_rectangle_holds_on_all_four_sides_untrained():
    u = trial(lagaris_rectangle(), [(0.0, 1.0), (0.0, 2.0)])
    s = np.linspace(0, 1, 7)
    exact = lambda x, y: np.exp(-x) * (x + y ** 3)  # noqa: E731 - the data are this function's traces
    for xs, ys in [(0 * s, 2 * s), (0 * s + 1, 2 * s), (s, 0 * s), (s, 0 * s + 2)]:
        x, y = at(xs, ys)
        np.testing.assert_allclose(u([x, y])[0].numpy().ravel(), exact(xs, ys), atol=1e-13)
    x, y = at(0.4, 0.9)
    assert abs(u([x, y])[0].item() - exact(0.4, 0.9)) > 1e-6


def test_dirichlet_rectangle_rejects_inconsistent_corners():
    with pytest.raises(ValueError, match="corner"):
        DirichletRectangle(0, 1, 0, 1, f0=1.0, g0=0.0)


def test_initial_boundary_holds_untrained():
    cond = InitialBoundary1D(0.0, 2.0, 0.5, initial=lambda x: nnlab.sin(np.pi * x / 2) + 1.0 - x / 2,
                             left=lambda t: nnlab.cos(t - 0.5), right=0.0)
    u = trial(cond, [(0.0, 2.0), (0.5, 1.5)])
    xs = np.linspace(0, 2, 9)
    x, t = at(xs, 0 * xs + 0.5)
    np.testing.assert_allclose(u([x, t])[0].numpy().ravel(), np.sin(np.pi * xs / 2) + 1 - xs / 2, atol=1e-13)
    ts = np.linspace(0.5, 1.5, 5)
    x, t = at(0 * ts, ts)
    np.testing.assert_allclose(u([x, t])[0].numpy().ravel(), np.cos(ts - 0.5), atol=1e-13)
    x, t = at(0 * ts + 2, ts)
    np.testing.assert_allclose(u([x, t])[0].numpy().ravel(), 0.0, atol=1e-13)


def test_system_conditions_each_hold_untrained():
    u = trial([IVP(0.0, 1.0), IVP(0.0, -2.0, 0.5)], (0.0, 1.0), n_out=2)
    (t,) = at(0.0)
    a, b = u([t])
    assert a.item() == pytest.approx(1.0, abs=1e-14)
    assert b.item() == pytest.approx(-2.0, abs=1e-14)
    assert diff(b, t).item() == pytest.approx(0.5, abs=1e-12)


def test_bad_conditions_are_refused():
    with pytest.raises(ValueError, match="different"):
        DirichletBVP(1.0, 0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="coordinate"):
        Solver(lambda t, u: u, DirichletRectangle(0, 1, 0, 1), (0, 1))
    with pytest.raises(TypeError, match="Condition"):
        Solver(lambda t, u: u, ["not a condition"], (0, 1))
