"""The one L-BFGS driver: flatten/unflatten round trip, the minimum of a known function, the callback
that stops (keeping the last accepted iterate), and agreement with SciPy called directly."""
import numpy as np
import pytest

from nnlab import Tensor
from nnlab.optim.lbfgs import flatten_parameters, minimize_lbfgs, set_flat_parameters


def rosenbrock_params():
    return [Tensor(np.array([-1.2]), requires_grad=True), Tensor(np.array([[1.0, 0.5]]), requires_grad=True)]


def cost_of(params):
    def cost():
        x, yz = params[0].data[0], params[1].data[0]
        y, z = yz
        value = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2 + (z - 2.0) ** 2
        gx = -2 * (1 - x) - 400 * x * (y - x ** 2)
        return value, [np.array([gx]), np.array([[200 * (y - x ** 2), 2 * (z - 2.0)]])]
    return cost


def test_flatten_and_set_round_trip_keep_dtype():
    params = [Tensor(np.arange(6.0).reshape(2, 3)), Tensor(np.ones(2, dtype=np.float32))]
    theta = flatten_parameters(params)
    assert theta.dtype == np.float64 and theta.tolist() == [0, 1, 2, 3, 4, 5, 1, 1]
    set_flat_parameters(theta * 2, params)
    assert params[0].data.tolist() == [[0, 2, 4], [6, 8, 10]] and params[1].data.dtype == np.float32


def test_finds_the_minimum_and_matches_scipy():
    from scipy.optimize import minimize

    params = rosenbrock_params()
    result = minimize_lbfgs(cost_of(params), params, max_iter=500, tol=1e-10)
    np.testing.assert_allclose(flatten_parameters(params), [1.0, 1.0, 2.0], atol=1e-5)
    assert result.converged and result.n_iter == len(result.losses) and result.loss < 1e-10
    fresh = rosenbrock_params()
    cost = cost_of(fresh)

    def fun(theta):
        set_flat_parameters(theta, fresh)
        value, grads = cost()
        return value, np.concatenate([g.ravel() for g in grads])

    direct = minimize(fun, np.array([-1.2, 1.0, 0.5]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 500, "gtol": 1e-10, "maxcor": 10, "maxfun": 1020})
    assert result.n_iter == direct.nit


def test_callback_stops_and_keeps_the_last_accepted_iterate():
    params = rosenbrock_params()
    seen = []

    def stop(loss):
        seen.append((loss, flatten_parameters(params).copy()))
        return len(seen) == 5

    result = minimize_lbfgs(cost_of(params), params, max_iter=500, callback=stop)
    assert result.n_iter == 5 and result.stopped and not result.converged
    assert cost_of(params)()[0] == pytest.approx(seen[-1][0], rel=1e-12)


def test_unused_parameter_gets_zero_gradient():
    used, unused = Tensor(np.array([3.0]), requires_grad=True), Tensor(np.array([7.0]), requires_grad=True)
    minimize_lbfgs(lambda: (float((used.data[0] - 1) ** 2), [2 * (used.data - 1), None]), [used, unused], max_iter=50)
    assert used.data[0] == pytest.approx(1.0, abs=1e-6) and unused.data[0] == 7.0
