"""ODEs and PDEs with trial solutions: the lecture's g' = -gamma g, g(0) = g0, then -u'' = f on [0, 1].

The trial solution g_t(x) = g0 + x N(x, P) meets g(0) = g0 for any network N; training minimises the
squared residual g_t'(x) + gamma g_t(x) at collocation points, its x-derivative taken by nnlab.grad.

Run:  python examples/differential_equations.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.de import IVP, diff, solve
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
