"""Benchmark of the neural equation solver (issue 6).

1. The lecture's problem g' = -2 g, g(0) = 10 on [0, 1]: time for nnlab's default solver to reach
   the lecture's max error (0.044), against the lecture's implementation. The reference is the
   lecture's own code with the ``autograd`` package when it is installed; otherwise a vendored
   re-implementation of the same algorithm (same network, initial weights, points, summed cost and
   10 000 gradient-descent steps) with its gradient derived by hand in NumPy -- faster than autograd,
   so the ratio against it is conservative. Target: <= 0.1x the lecture's time.
2. Poisson 1D, -u'' = (3x + x^2) e^x, u(0) = u(1) = 0: nnlab vs neurodiffeq (optional) on an equal
   iteration budget, errors and times.
3. Side by side with DeepXDE (optional, PyTorch backend, float64, one thread each): Poisson 1D,
   diffusion, Burgers and the diffusion-coefficient inverse problem, each with the same network,
   hard conditions, number of points and optimiser budget; error, wall and CPU time of each and the
   ratio nnlab / DeepXDE. The machine may be shared: CPU seconds are the steadier figure.
4. Burgers per seed with nnlab's default settings (``--burgers-seeds 0 1 2``): relative L2 error and time.

Run: ``python bench/de.py`` (``--quick`` for a short run; ``--only deepxde`` or ``--only burgers``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.optimize  # noqa: F401 - imported before any timing (the solver imports it lazily)

from nnlab.de.lecture import lecture_errors, lecture_solver
from nnlab.de.problems import decay, poisson1d

LECTURE_ERROR = 0.044        # the lecture's reported max error after 10 000 steps
DESIGN_AUTOGRAD_SECONDS = 8.7  # DESIGN.md: the lecture's autograd solver on this kind of machine


# ------------------------------------------------------------------------------------------------
# The lecture's algorithm, vendored (NumPy, gradient by hand)
# ------------------------------------------------------------------------------------------------
def lecture_numpy(iterations=10_000, lr=1e-3, n_hidden=10, seed=15, gamma=2.0, g0=10.0, n=10):
    """The lecture's solve_ode_neural_network with the cost gradient written out; returns max error at x."""
    rs = np.random.RandomState(seed)
    p0, p1 = rs.randn(n_hidden, 2), rs.randn(1, n_hidden + 1)
    b, w, c, v = p0[:, 0].copy(), p0[:, 1].copy(), p1[0, 0], p1[0, 1:].copy()
    x = np.linspace(0, 1, n)[None, :]
    for _ in range(iterations):
        s = 1 / (1 + np.exp(-(w[:, None] * x + b[:, None])))
        s1 = s * (1 - s)                       # sigma'
        s2 = s1 * (1 - 2 * s)                  # sigma''
        N, dN = v @ s + c, (v * w) @ s1        # N(x), dN/dx
        r2 = 2 * (N + x[0] * dN + gamma * (g0 + x[0] * N))   # 2 * residual of g_t' = -gamma g_t
        gc = np.sum(r2 * (1 + gamma * x[0]))
        gv = (s + x * w[:, None] * s1 + gamma * x * s) @ r2
        gw = v * ((x * s1 + x * (s1 + w[:, None] * x * s2) + gamma * x * x * s1) @ r2)
        gb = v * ((s1 + x * w[:, None] * s2 + gamma * x * s1) @ r2)
        c, v, w, b = c - lr * gc, v - lr * gv, w - lr * gw, b - lr * gb
    N = v @ (1 / (1 + np.exp(-(w[:, None] * x + b[:, None])))) + c
    return float(np.max(np.abs(g0 + x[0] * N - g0 * np.exp(-gamma * x[0]))))


def lecture_autograd(iterations=10_000, lr=1e-3, n_hidden=10, seed=15):
    """The lecture's code as printed (needs the ``autograd`` package)."""
    import autograd.numpy as anp
    from autograd import elementwise_grad, grad

    def network(P, x):
        x = x.reshape(-1, x.size)
        h = 1 / (1 + anp.exp(-anp.matmul(P[0], anp.concatenate((anp.ones((1, x.size)), x), axis=0))))
        return anp.matmul(P[1], anp.concatenate((anp.ones((1, x.size)), h), axis=0))

    def g_trial(x, P):
        return 10 + x * network(P, x)

    def cost(P, x):
        d = elementwise_grad(g_trial, 0)(x, P)
        return anp.sum((d + 2 * g_trial(x, P)) ** 2)

    rs = np.random.RandomState(seed)
    P = [rs.randn(n_hidden, 2), rs.randn(1, n_hidden + 1)]
    x = np.linspace(0, 1, 10)
    cost_grad = grad(cost, 0)
    for _ in range(iterations):
        g = cost_grad(P, x)
        P = [P[0] - lr * g[0], P[1] - lr * g[1]]
    return float(np.max(np.abs(g_trial(x, P) - 10 * np.exp(-2 * x))))


def time_to_error(target: float, max_lbfgs: int = 1000) -> tuple[float, float, int]:
    """nnlab's default solver on the decay problem, stopped as soon as the max error on 1001 points <= target."""
    fine = np.linspace(0, 1, 1001)
    exact = 10 * np.exp(-2 * fine)
    holder = {}

    def stop(iteration, loss):
        return float(np.max(np.abs(holder["solution"](fine) - exact))) <= target

    solver = decay().solver(lbfgs_iterations=max_lbfgs, callback=stop)
    from nnlab.de.solver import Solution

    holder["solution"] = Solution(solver.trial, solver.residual, {}, 0, 0.0)
    start = time.perf_counter()
    solution = solver.solve()
    elapsed = time.perf_counter() - start
    return elapsed, float(np.max(np.abs(solution(fine) - exact))), solution.iterations


def bench_lecture(quick: bool) -> None:
    print("== the lecture's problem: g' = -2 g, g(0) = 10 on [0, 1] ==")
    iterations = 2000 if quick else 10_000  # nnlab's replay of the lecture setup (the slow part)
    start = time.perf_counter()
    sol = lecture_solver(iterations=iterations).solve()
    t_nnlab_lecture = time.perf_counter() - start
    errs = lecture_errors(sol)
    print(f"lecture setup on nnlab ({iterations} GD steps): max error {errs['points']:.4f} at the 10 points, "
          f"{errs['fine']:.4f} on 1001 points, {t_nnlab_lecture:.2f} s")
    try:
        import autograd  # noqa: F401
        name, reference = "lecture code with autograd", lecture_autograd
    except ImportError:
        print("note: the autograd package is not installed; reference = the vendored NumPy re-implementation "
              f"(hand-derived gradient). DESIGN.md measured the autograd original at {DESIGN_AUTOGRAD_SECONDS} s.")
        name, reference = "lecture algorithm, NumPy by hand", lecture_numpy
    start = time.perf_counter()
    ref_error = reference(iterations=10_000)
    t_ref = time.perf_counter() - start
    print(f"reference ({name}, 10000 steps): max error {ref_error:.4f}, {t_ref:.2f} s")
    time_to_error(LECTURE_ERROR)  # warm-up
    for target in (LECTURE_ERROR, ref_error):
        runs = [time_to_error(target) for _ in range(3 if quick else 5)]
        elapsed = float(np.median([r[0] for r in runs]))
        _, err, its = runs[0]
        print(f"nnlab default solver to max error <= {target:.4f}: {elapsed:.3f} s ({its} L-BFGS iterations, "
              f"error {err:.4f}); ratio vs reference {elapsed / t_ref:.3f}x"
              + (f", vs autograd (DESIGN {DESIGN_AUTOGRAD_SECONDS} s) {elapsed / DESIGN_AUTOGRAD_SECONDS:.3f}x"
                 if reference is lecture_numpy else ""))
    start = time.perf_counter()
    sol = decay().solve()
    fine = np.linspace(0, 1, 1001)
    print(f"nnlab default solver, full run: max error {np.max(np.abs(sol(fine) - 10 * np.exp(-2 * fine))):.2e}, "
          f"{time.perf_counter() - start:.2f} s")


def neurodiffeq_poisson(iterations: int, n_points: int = 32):
    """Poisson 1D with neurodiffeq (optional): same network shape, points and iteration budget (Adam)."""
    import torch
    from neurodiffeq import diff as ndiff
    from neurodiffeq.conditions import DirichletBVP
    from neurodiffeq.generators import Generator1D
    from neurodiffeq.networks import FCNN
    from neurodiffeq.solvers import Solver1D

    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    solver = Solver1D(
        ode_system=lambda u, x: [ndiff(u, x, order=2) + (3 * x + x ** 2) * torch.exp(x)],
        conditions=[DirichletBVP(0.0, 0.0, 1.0, 0.0)], t_min=0.0, t_max=1.0,
        nets=[FCNN(1, 1, hidden_units=(16, 16), actv=torch.nn.Tanh)],
        train_generator=Generator1D(n_points, 0.0, 1.0, method="equally-spaced-noisy"),
        valid_generator=Generator1D(n_points, 0.0, 1.0, method="equally-spaced"),
    )
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:  # neurodiffeq's progress bar would flood the log
        solver.fit(max_epochs=iterations, tqdm_file=quiet)
    elapsed = time.perf_counter() - start
    x = np.linspace(0, 1, 1001)
    u = solver.get_solution()(x, to_numpy=True)
    return float(np.max(np.abs(u - x * (1 - x) * np.exp(x)))), elapsed


def bench_poisson(quick: bool) -> None:
    print("== Poisson 1D: -u'' = (3x + x^2) e^x, u(0) = u(1) = 0 ==")
    problem = poisson1d()
    for label, kw in [("L-BFGS", dict(iterations=0, lbfgs_iterations=100 if quick else 500)),
                      ("Adam", dict(iterations=300 if quick else 2000, lr=1e-2, lbfgs_iterations=0))]:
        start = time.perf_counter()
        sol = problem.solve(**kw)
        elapsed = time.perf_counter() - start
        print(f"nnlab ({label}, {sol.iterations} iterations): max error {problem.max_error(sol):.2e}, {elapsed:.2f} s")
        if label == "Adam":
            try:
                err, t = neurodiffeq_poisson(sol.iterations)
                print(f"neurodiffeq (Adam, {sol.iterations} epochs): max error {err:.2e}, {t:.2f} s; "
                      f"time ratio nnlab / neurodiffeq {elapsed / t:.2f}x")
            except ImportError:
                print("note: neurodiffeq is not installed; skipping its comparison (pip install neurodiffeq)")
            except Exception as exc:  # noqa: BLE001 - an optional reference must not end the benchmark
                print(f"note: the neurodiffeq comparison failed ({type(exc).__name__}: {exc}); skipped")


def _timed(fn, *args, **kwargs):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start, time.process_time() - cpu


def inverse_observations(seed: int = 1):
    """Ten observations of u = sin(pi x) e^-t at random points of [-1, 1] x [0, 1]."""
    rng = np.random.default_rng(seed)
    x, t = rng.uniform(-1, 1, 10), rng.uniform(0, 1, 10)
    return np.stack([x, t], axis=1), np.sin(np.pi * x) * np.exp(-t)


def nnlab_inverse(lbfgs: int):
    import nnlab
    from nnlab.de import InitialBoundary1D, Observations, diff, solve

    def residual(x, t, u, C):
        return diff(u, t) - C * diff(u, x, 2) + nnlab.exp(-t) * (1.0 - np.pi ** 2) * nnlab.sin(np.pi * x)

    points, values = inverse_observations()
    s = solve(residual, InitialBoundary1D(-1, 1, 0, initial=lambda x: nnlab.sin(np.pi * x)), [(-1, 1), (0, 1)],
              hidden=(16, 16), collocation="chebyshev", n_points=(12, 12), iterations=0, lbfgs_iterations=lbfgs,
              coefficients={"C": 2.0}, observations=Observations(points, values))
    return abs(s.coefficients["C"] - 1.0), s.iterations, s.coefficients["C"]


def bench_deepxde(quick: bool) -> None:
    """Table: problem, error and time of nnlab and DeepXDE, one thread each, and the time ratio."""
    import warnings

    try:
        import _deepxde as dx  # bench/_deepxde.py
        dx._setup()
    except ImportError as exc:
        print(f"note: DeepXDE is not installed ({exc}); skipping the side-by-side table (pip install nnlab[bench])")
        return
    from nnlab._threads import blas_threads
    from nnlab.de.burgers import relative_l2
    from nnlab.de.problems import burgers, diffusion1d

    def nnlab_problem(problem, error, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = problem.solve(**kw)
        return error(problem, s), s.iterations

    def burgers_error(problem, s):
        X, T = np.meshgrid(np.linspace(-1, 1, 256), np.linspace(0, 1, 101), indexing="ij")
        return relative_l2(s(X, T), problem.exact(X, T))

    scale = 0.2 if quick else 1.0
    cases = [
        ("Poisson 1D (max error)", lambda: nnlab_problem(poisson1d(), lambda p, s: p.max_error(s), iterations=0,
                                                        lbfgs_iterations=int(500 * scale)),
         lambda: dx.poisson1d(lbfgs=int(500 * scale))),
        ("diffusion (max error)", lambda: nnlab_problem(diffusion1d(), lambda p, s: p.max_error(s), iterations=0,
                                                       lbfgs_iterations=int(2000 * scale)),
         lambda: dx.diffusion1d(lbfgs=int(2000 * scale))),
        ("inverse C (|C - 1|)", lambda: nnlab_inverse(int(1000 * scale))[:2],
         lambda: dx.diffusion_inverse(inverse_observations(), lbfgs=int(1000 * scale))[:2]),
        ("Burgers (rel. L2)", lambda: nnlab_problem(burgers(), burgers_error, hidden=(20, 20, 20), collocation="latin",
                                                   n_points=2540, iterations=int(3000 * scale), lr=1e-3,
                                                   lbfgs_iterations=int(5000 * scale)),
         lambda: dx.burgers(adam=int(3000 * scale), lbfgs=int(5000 * scale))),
    ]
    print("== side by side with DeepXDE (PyTorch backend), same network, points and budget, one thread each ==")
    print("| problem | nnlab error | nnlab its | nnlab wall s | nnlab CPU s | DeepXDE error | DeepXDE its | "
          "DeepXDE wall s | DeepXDE CPU s | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, ours, theirs in cases:
        with blas_threads(1):
            (err, its), wall, cpu = _timed(ours)
        d_err, (d_wall, d_cpu, d_its) = theirs()
        print(f"| {name} | {err:.2e} | {its} | {wall:.2f} | {cpu:.2f} | {d_err:.2e} | {d_its} | {d_wall:.2f} | "
              f"{d_cpu:.2f} | {cpu / d_cpu:.2f}x |", flush=True)


def bench_burgers(seeds, quick: bool) -> None:
    """nnlab's default Burgers settings per seed: relative L2 error, wall and CPU time."""
    from nnlab._threads import blas_threads
    from nnlab.de.burgers import relative_l2
    from nnlab.de.problems import burgers

    problem = burgers()
    X, T = np.meshgrid(np.linspace(-1, 1, 256), np.linspace(0, 1, 101), indexing="ij")
    reference = problem.exact(X, T)
    print("== Burgers, nnlab's default settings (nnlab pde burgers) ==")
    print("| seed | relative L2 | max error | iterations | wall s | CPU s |")
    print("|---|---|---|---|---|---|")
    for seed in seeds:
        kw = {"iterations": problem.settings.get("iterations", 0) // 5,
              "lbfgs_iterations": problem.settings["lbfgs_iterations"] // 5} if quick else {}
        with blas_threads(1):
            s, wall, cpu = _timed(problem.solve, seed=seed, **kw)
        u = s(X, T)
        print(f"| {seed} | {relative_l2(u, reference):.2e} | {np.max(np.abs(u - reference)):.2e} | {s.iterations} | "
              f"{wall:.1f} | {cpu:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--only", choices=("lecture", "poisson", "deepxde", "burgers"), default=None)
    parser.add_argument("--burgers-seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    steps = {"lecture": lambda: bench_lecture(args.quick), "poisson": lambda: bench_poisson(args.quick),
             "deepxde": lambda: bench_deepxde(args.quick), "burgers": lambda: bench_burgers(args.burgers_seeds, args.quick)}
    for name, step in steps.items():
        if args.only in (None, name):
            step()


if __name__ == "__main__":
    main()
