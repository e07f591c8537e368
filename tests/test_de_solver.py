"""The solver's pieces: derivatives of the coordinates, the Solution object, optimiser phases,
callbacks and resampling, the lecture's setup replayed exactly, and clear errors."""
import numpy as np
import pytest

import nnlab
from nnlab import Tensor
from nnlab.de import IVP, D, Grid, LatinHypercube, Solver, diff, laplacian, solve
from nnlab.de.lecture import lecture_errors, lecture_solver
from nnlab.de.optimizers import make_optimizer


def test_diff_matches_analytic_derivatives():
    xs = np.linspace(-1, 2, 7)
    x = Tensor(xs.reshape(-1, 1), requires_grad=True)
    u = nnlab.sin(x) * x ** 2
    np.testing.assert_allclose(diff(u, x).numpy().ravel(), np.cos(xs) * xs ** 2 + 2 * xs * np.sin(xs), rtol=1e-12)
    np.testing.assert_allclose(diff(u, x, 2).numpy().ravel(),
                               -np.sin(xs) * xs ** 2 + 4 * xs * np.cos(xs) + 2 * np.sin(xs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(diff(u, x, 3).numpy().ravel(),
                               -np.cos(xs) * xs ** 2 - 6 * xs * np.sin(xs) + 6 * np.cos(xs), rtol=1e-11, atol=1e-12)
    # a linear function has zero second derivative (the first one no longer depends on x)
    assert np.all(diff(3.0 * x + 1.0, x, 2).numpy() == 0)


def test_partial_derivatives_and_laplacian():
    pts = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    xy = Tensor(pts, requires_grad=True)
    u = nnlab.exp(xy[:, 0:1]) * xy[:, 1:2] ** 3
    np.testing.assert_allclose(D(u, xy, 1).numpy().ravel(), 3 * np.exp(pts[:, 0]) * pts[:, 1] ** 2, rtol=1e-12)
    np.testing.assert_allclose(D(u, xy, 0, order=2).numpy().ravel(), np.exp(pts[:, 0]) * pts[:, 1] ** 3, rtol=1e-12)
    x = Tensor(pts[:, :1], requires_grad=True)
    y = Tensor(pts[:, 1:], requires_grad=True)
    v = nnlab.exp(x) * y ** 3
    np.testing.assert_allclose(laplacian(v, x, y).numpy().ravel(),
                               np.exp(pts[:, 0]) * (pts[:, 1] ** 3 + 6 * pts[:, 1]), rtol=1e-12)


@pytest.fixture(scope="module")
def decay_solution():
    return solve(lambda t, u: diff(u, t) + 2 * u, IVP(0.0, 10.0), (0.0, 1.0), hidden=(16, 16), n_points=32,
                 iterations=50, lr=1e-2, lbfgs_iterations=300, seed=1)


def test_solution_evaluates_numpy_in_numpy_out(decay_solution):
    sol = decay_solution
    t = np.linspace(0, 1, 12).reshape(3, 4)
    values = sol(t)
    assert isinstance(values, np.ndarray) and values.shape == (3, 4)
    assert sol(0.0) == pytest.approx(10.0, abs=1e-12)
    assert np.max(np.abs(values - 10 * np.exp(-2 * t))) < 1e-3
    # derivatives agree with finite differences of the values, and with the equation
    h = 1e-5
    tt = np.linspace(0.1, 0.9, 5)
    fd = (sol(tt + h) - sol(tt - h)) / (2 * h)
    np.testing.assert_allclose(sol.derivative(tt), fd, rtol=1e-6)
    np.testing.assert_allclose(sol.derivative(tt), -2 * sol(tt), rtol=1e-3)
    fd2 = (sol(tt + 1e-4) - 2 * sol(tt) + sol(tt - 1e-4)) / 1e-8
    np.testing.assert_allclose(sol.derivative(tt, order=2), fd2, rtol=1e-3)
    assert np.max(np.abs(sol.residual(tt))) < 0.05


def test_history_phases_and_iterations(decay_solution):
    h = decay_solution.history
    assert len(h["loss"]) == decay_solution.iterations
    assert h["phase"][0] == "adam" and h["phase"][-1] == "lbfgs"
    assert h["phase"].count("adam") == 50
    assert h["loss"][-1] < 1e-3 * h["loss"][0]
    lbfgs = np.array([v for v, p in zip(h["loss"], h["phase"]) if p == "lbfgs"])
    assert np.all(np.diff(lbfgs) <= 1e-12 * np.abs(lbfgs[:-1]) + 1e-300)  # L-BFGS never accepts an increase
    assert decay_solution.wall_time > 0


def test_callback_stops_both_phases():
    seen = []

    def stop_at(iteration, loss):
        seen.append(iteration)
        return iteration >= 7

    s = solve(lambda t, u: diff(u, t) + u, IVP(0, 1), (0, 1), hidden=(4,), n_points=8, iterations=20,
              lbfgs_iterations=20, callback=stop_at)
    assert s.iterations == 7 and seen == list(range(1, 8))
    s = solve(lambda t, u: diff(u, t) + u, IVP(0, 1), (0, 1), hidden=(4,), n_points=8, iterations=0,
              lbfgs_iterations=50, callback=lambda i, loss: i >= 5)
    assert s.iterations == 5 and set(s.history["phase"]) == {"lbfgs"}


def test_resampling_draws_new_points_each_epoch():
    class Counting(LatinHypercube):
        calls = 0

        def sample(self):
            Counting.calls += 1
            return super().sample()

    sampler = Counting(16, (0, 1), rng=0)
    solve(lambda t, u: diff(u, t) + u, IVP(0, 1), (0, 1), hidden=(4,), collocation=sampler, iterations=10,
          lbfgs_iterations=0)
    assert Counting.calls == 10
    Counting.calls = 0
    solve(lambda t, u: diff(u, t) + u, IVP(0, 1), (0, 1), hidden=(4,), collocation=sampler, iterations=10,
          lbfgs_iterations=0, resample=False)
    assert Counting.calls == 1


def test_system_solution_shapes():
    sol = solve(lambda t, x, y: [diff(x, t) - y, diff(y, t) + x], [IVP(0, 0.0), IVP(0, 1.0)], (0, 1),
                hidden=(8,), n_points=16, iterations=0, lbfgs_iterations=200)
    t = np.linspace(0, 1, 11)
    values = sol(t)
    assert values.shape == (2, 11)
    np.testing.assert_allclose(values, [np.sin(t), np.cos(t)], atol=1e-3)
    assert sol.derivative(t).shape == (2, 11) and sol.residual(t).shape == (2, 11)


def hand_lecture_error(iterations, lr=1e-3, seed=15):
    """The lecture's gradient descent with the gradient of its cost written out by hand."""
    rs = np.random.RandomState(seed)
    p0, p1 = rs.randn(10, 2), rs.randn(1, 11)
    b, w, c, v = p0[:, 0].copy(), p0[:, 1].copy(), p1[0, 0], p1[0, 1:].copy()
    x = np.linspace(0, 1, 10)[None, :]
    for _ in range(iterations):
        s = 1 / (1 + np.exp(-(w[:, None] * x + b[:, None])))
        s1, s2 = s * (1 - s), s * (1 - s) * (1 - 2 * s)
        n, dn = v @ s + c, (v * w) @ s1
        r2 = 2 * (n + x[0] * dn + 2 * (10 + x[0] * n))
        gc = np.sum(r2 * (1 + 2 * x[0]))
        gv = (s + x * w[:, None] * s1 + 2 * x * s) @ r2
        gw = v * ((x * s1 + x * (s1 + w[:, None] * x * s2) + 2 * x * x * s1) @ r2)
        gb = v * ((s1 + x * w[:, None] * s2 + 2 * x * s1) @ r2)
        c, v, w, b = c - lr * gc, v - lr * gv, w - lr * gw, b - lr * gb
    n = v @ (1 / (1 + np.exp(-(w[:, None] * x + b[:, None])))) + c
    return np.max(np.abs(10 + x[0] * n - 10 * np.exp(-2 * x[0])))


def test_lecture_setup_replays_the_lecture_exactly():
    sol = lecture_solver(iterations=300).solve()
    assert lecture_errors(sol)["points"] == pytest.approx(hand_lecture_error(300), rel=1e-9)
    assert sol.history["loss"][-1] < sol.history["loss"][0]


def test_adam_by_name_and_registry():
    p = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    opt = make_optimizer("adam", [p], lr=0.1)
    for _ in range(300):
        p.grad = 2 * p.data
        opt.step()
    assert np.max(np.abs(p.data)) < 0.05
    with pytest.raises(ValueError):
        make_optimizer("no-such-optimizer", [p], lr=0.1)


def test_bad_input_is_refused():
    res = lambda t, u: diff(u, t) + u  # noqa: E731
    with pytest.raises(ValueError, match="low < high"):
        Solver(res, IVP(0, 1), (1, 0))
    with pytest.raises(ValueError, match="2 unknown"):
        Solver(res, [IVP(0, 1), IVP(0, 1)], (0, 1), network=nnlab.nn.Dense(1, 1, dtype=np.float64)).solve()
    with pytest.raises(ValueError, match="NaN"):
        solve(res, IVP(0, 1), (0, 1), hidden=(4,), iterations=1, lbfgs_iterations=0)(np.array([np.nan]))
    with pytest.raises(ValueError, match="reduction"):
        Solver(res, IVP(0, 1), (0, 1), reduction="median")
    with pytest.raises(FloatingPointError, match="learning rate"):
        Solver(res, IVP(0, 1), (0, 1), hidden=(4,), optimizer="sgd", lr=1e6, iterations=50, lbfgs_iterations=0,
               collocation=Grid(8, (0, 1))).solve()


@pytest.mark.parametrize("name", ["decay", "oscillator", "lotka-volterra", "poisson", "diffusion", "poisson2d"])
def test_forward_derivatives_give_the_reverse_mode_cost_and_gradient(name):
    """The jets fast path is an exact rewrite: the same cost and weight gradient as reverse over reverse."""
    from nnlab.de.problems import get_problem

    solver = get_problem(name).solver(seed=3)
    params, points = solver.network.parameters(), solver.sampler.sample()
    assert solver.trial.forward_derivatives
    fast = solver._loss_and_grads(points, params)
    solver.trial.forward_derivatives = False
    slow = solver._loss_and_grads(points, params)
    assert fast[0] == pytest.approx(slow[0], rel=1e-12)
    for a, b in zip(fast[1], slow[1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * np.max(np.abs(b)))


def test_a_parameter_the_cost_does_not_use_gets_a_zero_gradient():
    from nnlab.de.problems import get_problem

    solver = get_problem("decay").solver(seed=3)
    params, points = solver.network.parameters(), solver.sampler.sample()
    unused = Tensor(np.ones((2, 3)), requires_grad=True)
    value, grads = solver._loss_and_grads(points, [*params, unused])
    assert value == solver._loss_and_grads(points, params)[0]
    np.testing.assert_array_equal(grads[-1], np.zeros((2, 3)))
    assert len(grads) == len(params) + 1 and all(g.shape == p.shape for g, p in zip(grads, params))


def test_mixed_and_third_derivatives_fall_back_to_reverse_mode():
    from nnlab.de import InitialBoundary1D

    cond = InitialBoundary1D(0.0, 1.0, 0.0, initial=lambda x: nnlab.sin(np.pi * x))
    solver = Solver(lambda x, t, u: diff(u, t) - diff(u, x, 2), cond, [(0, 1), (0, 1)], hidden=(6,), n_points=(3, 3))
    pts = np.random.default_rng(0).uniform(0.1, 0.9, (4, 2))
    results = []
    for forward in (True, False):
        solver.trial.forward_derivatives = forward
        x, t = (Tensor(pts[:, k:k + 1], requires_grad=True) for k in range(2))
        (u,) = solver.trial([x, t])
        results.append([diff(diff(u, x), t).numpy(), diff(u, x, 3).numpy(), diff(u, t, 2).numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
