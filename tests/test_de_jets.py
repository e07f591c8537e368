"""Forward derivatives as an explicit object: a trial solution (a Jet) carries its derivatives,
diff() reads them from its arguments only, solves share no state and nothing outlives them, and a
condition outside the fast path is reported in the run's log."""
import gc
import json
import subprocess
import sys
import warnings
import weakref

import numpy as np
import pytest

import nnlab
from nnlab import Tensor
from nnlab.de import IVP, Condition, ConvergenceWarning, ForwardModeUnsupported, Jet, Solver, diff, solve
from nnlab.de.jets import Taylor
from nnlab.de.problems import get_problem

SCRIPT = """
import json, numpy as np
from threadpoolctl import threadpool_limits
from nnlab.de.problems import get_problem
with threadpool_limits(limits=1):  # as conftest sets this process
    s = get_problem("{name}").solve(seed=4, lbfgs_iterations=40)
print(json.dumps([s.history["loss"], s.network.parameters()[0].data.ravel().tolist()]))
"""


def _run(name):
    with warnings.catch_warnings():  # 40 iterations: a short run, which may warn
        warnings.simplefilter("ignore", ConvergenceWarning)
        s = get_problem(name).solve(seed=4, lbfgs_iterations=40)
    return [s.history["loss"], s.network.parameters()[0].data.ravel().tolist()]


@pytest.mark.parametrize("name", ["oscillator", "diffusion"])
def test_two_solves_in_a_row_equal_a_fresh_process(name):
    import os

    first = _run("poisson")  # another problem solved just before in this process
    second = _run(name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(name=name)], capture_output=True, text=True, env=env,
                         check=True).stdout
    fresh = json.loads(out.strip().splitlines()[-1])
    assert second == fresh  # bit for bit: the first solve left nothing behind that the second one reads
    assert first != second


def test_nothing_keeps_the_graph_alive_after_solve():
    seen = []

    def residual(t, u):
        seen.append(weakref.ref(u))
        return diff(u, t, 2) + u

    solution = solve(residual, IVP(0.0, 0.0, 1.0), (0.0, 1.0), hidden=(8,), n_points=16, iterations=3,
                     lbfgs_iterations=5)
    assert seen and all(isinstance(r(), Jet) or r() is None for r in seen)
    gc.collect()
    assert all(r() is None for r in seen)  # every evaluated trial solution (and its graph) is gone
    assert solution(np.array([0.0])) == pytest.approx(0.0, abs=1e-14)


def test_a_jet_carries_its_derivatives_and_diff_reads_only_its_arguments():
    solver = get_problem("oscillator").solver(seed=1)
    t = Tensor(np.linspace(0, 3, 7).reshape(-1, 1), requires_grad=True)
    (u,) = solver.trial([t])
    assert isinstance(u, Jet)
    # the carried derivatives equal reverse mode's on the same graph node
    reverse = nnlab.grad(u, t, grad_outputs=np.ones(u.shape), create_graph=True)[0]
    np.testing.assert_allclose(u.d(t).numpy(), reverse.numpy(), rtol=1e-12)
    np.testing.assert_allclose(diff(u, t, 2).numpy(),
                               nnlab.grad(reverse, t, grad_outputs=np.ones(u.shape))[0].numpy(), rtol=1e-10)
    # a copy of the values (a plain Tensor) carries nothing, and diff gives it reverse mode's answer
    other = Tensor(np.linspace(0, 3, 7).reshape(-1, 1), requires_grad=True)
    assert np.all(diff(u * 1.0, other).numpy() == 0)
    np.testing.assert_allclose(diff(u * 1.0, t).numpy(), u.d(t).numpy(), rtol=1e-12)


class ExpDecayCondition(Condition):
    """u = e^(-t) + t N: applies nnlab.exp to the coordinate itself, which Taylor arithmetic cannot follow."""

    def parameterize(self, output, t):
        return nnlab.exp(-1.0 * t) + t * output


def test_taylor_refuses_functions_by_name():
    x = Taylor.coordinate(Tensor(np.ones((3, 1)), requires_grad=True), 0, 1)
    with pytest.raises(ForwardModeUnsupported):
        nnlab.exp(x)
    with pytest.raises(ForwardModeUnsupported):
        np.exp(x)
    with pytest.raises(ForwardModeUnsupported):
        x / x.v


def test_a_condition_outside_the_fast_path_is_reported_and_still_solved(caplog):
    res = lambda t, u: diff(u, t) + u  # noqa: E731
    with caplog.at_level("INFO", logger="nnlab.de.solver"):
        s = solve(res, ExpDecayCondition(), (0.0, 1.0), hidden=(8,), n_points=16, iterations=0, lbfgs_iterations=200)
    assert len(s.log) >= 1 and s.log[0].startswith("derivatives by reverse mode:")
    assert "nnlab or NumPy function" in s.log[0]
    assert sum("derivatives by reverse mode" in r.message for r in caplog.records) == 1  # one line, not one per step
    t = np.linspace(0, 1, 11)
    assert np.max(np.abs(s(t) - np.exp(-t))) < 1e-4
    # a network the jets do not cover is reported too; the built-in conditions are not
    net = nnlab.nn.Sequential(nnlab.nn.Dense(1, 8, "relu", dtype=np.float64, rng=0),
                              nnlab.nn.Dense(8, 1, dtype=np.float64, rng=0))
    solver = Solver(res, IVP(0, 1), (0, 1), network=net, n_points=8)
    assert "activation relu" in solver.trial.fallback
    assert solve(res, IVP(0, 1), (0, 1), hidden=(4,), n_points=8, iterations=0, lbfgs_iterations=50).log == []
