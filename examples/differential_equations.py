"""ODEs and PDEs with trial solutions: the lecture's g' = -gamma g, g(0) = g0, then -u'' = f on [0, 1],
then two inverse problems: gamma from ten noisy values of g, and the diffusion coefficient C from ten
observations of u = sin(pi x) e^-t.

The trial solution g_t(x) = g0 + x N(x, P) meets g(0) = g0 for any network N; training minimises the
squared residual g_t'(x) + gamma g_t(x) at collocation points, its x-derivative taken by nnlab.grad.
An unknown coefficient is given with its initial value; the residual receives it by name and an
Observations term adds the misfit to the measured values.

Run:  python examples/differential_equations.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

import nnlab
from nnlab.de import IVP, InitialBoundary1D, Observations, diff, solve
from nnlab.de.problems import get_problem
from nnlab.plots import new_figure, save


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer L-BFGS iterations")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    gamma, g0 = 2.0, 10.0

    # g' + gamma g = 0 on [0, 1] with g(0) = g0: the residual, the condition, the domain.
    solution = solve(lambda x, g: diff(g, x) + gamma * g, IVP(0.0, g0), (0.0, 1.0), hidden=(32,), n_points=32,
                     iterations=0, lbfgs_iterations=100 if args.quick else 1000, seed=0)
    x = np.linspace(0, 1, 1001)
    g, exact = solution(x), g0 * np.exp(-gamma * x)
    print(f"g' = -{gamma} g: max |g_t - g0 exp(-gamma x)| = {np.max(np.abs(g - exact)):.2e} "
          f"after {solution.iterations} iterations; g_t(0) = {solution(np.zeros(1))[0]:.12f}")

    # A shipped problem: Poisson -u'' = (3x + x^2) e^x, u(0) = u(1) = 0, exact u = x (1 - x) e^x.
    poisson = get_problem("poisson")
    u = poisson.solve(lbfgs_iterations=100 if args.quick else 500)
    print(f"{poisson.description}: max error {poisson.max_error(u):.2e}")

    # Inverse problem 1: gamma from ten noisy observations of 10 e^(-2t), against SciPy's curve_fit.
    from scipy.optimize import curve_fit

    rng = np.random.default_rng(0)
    t_obs = np.linspace(0, 1, 10)
    g_obs = g0 * np.exp(-gamma * t_obs) + rng.normal(0.0, 0.1, t_obs.size)
    fit = solve(lambda t, g, k: diff(g, t) + k * g, IVP(0.0, g0), (0.0, 1.0), hidden=(16,), n_points=32,
                iterations=0, lbfgs_iterations=300 if args.quick else 1000, coefficients={"k": 1.0},
                observations=Observations(t_obs, g_obs))
    (reference,), _ = curve_fit(lambda t, k: g0 * np.exp(-k * t), t_obs, g_obs, p0=[1.0])
    print(f"gamma from 10 noisy observations: {fit.coefficients['k']:.4f} (curve_fit {reference:.4f}, true {gamma})")

    # Inverse problem 2: C in u_t = C u_xx - e^-t (sin(pi x) - pi^2 sin(pi x)), true C = 1, start 2.
    x_obs, t_obs = rng.uniform(-1, 1, 10), rng.uniform(0, 1, 10)
    u_obs = np.sin(np.pi * x_obs) * np.exp(-t_obs)

    def diffusion(x, t, u, C):
        return diff(u, t) - C * diff(u, x, 2) + nnlab.exp(-t) * (1.0 - np.pi ** 2) * nnlab.sin(np.pi * x)

    inverse = solve(diffusion, InitialBoundary1D(-1, 1, 0, initial=lambda x: nnlab.sin(np.pi * x)),
                    [(-1, 1), (0, 1)], hidden=(16, 16), collocation="chebyshev", n_points=(12, 12), iterations=0,
                    lbfgs_iterations=300 if args.quick else 1000, coefficients={"C": 2.0},
                    observations=Observations(np.stack([x_obs, t_obs], axis=1), u_obs))
    history = inverse.history["coefficients"]["C"]
    print(f"diffusion coefficient from 10 observations: C = {inverse.coefficients['C']:.4f} (true 1, start 2; "
          f"{history[len(history) // 10]:.3f} after a tenth of the iterations)")

    fig, (left, right) = new_figure(1, 2, figsize=(9, 3.5))
    left.plot(x, exact, "k-", lw=3, alpha=0.3, label="exact 10 exp(-2x)")
    left.plot(x, g, "r--", label="network trial solution")
    left.set(xlabel="x", ylabel="g(x)", title="g' = -2 g, g(0) = 10")
    left.legend()
    right.semilogy(x, np.abs(g - exact), label="decay")
    right.semilogy(x, np.abs(u(x) - poisson.exact(x)), label="Poisson")
    right.set(xlabel="x", ylabel="|network - exact|", title="errors")
    right.legend()
    path = save(fig, args.output_dir / "differential_equations.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
