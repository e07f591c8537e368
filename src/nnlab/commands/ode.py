"""``nnlab ode``: ordinary differential equations solved by networks with trial solutions."""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir

HELP = "solve an ODE with a neural network (decay, logistic, oscillator, lotka-volterra, eigen)"
CHOICES = ("decay", "logistic", "oscillator", "lotka-volterra", "eigen")


def add_solver_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``nnlab ode`` and ``nnlab pde``."""
    parser.add_argument("--quick", action="store_true", help="a short run (a fifth of the iterations)")
    parser.add_argument("--iterations", type=int, default=None, help="first-order (Adam) iterations")
    parser.add_argument("--lbfgs-iterations", type=int, default=None, help="L-BFGS iterations after Adam")
    parser.add_argument("--hidden", type=int, nargs="+", default=None, help="hidden layer sizes, e.g. 16 16")
    parser.add_argument("--collocation", choices=("grid", "chebyshev", "uniform", "latin"), default=None)
    parser.add_argument("--points", type=int, default=None, help="collocation points (per coordinate for grids)")
    parser.add_argument("--seed", type=int, default=0)


def check_solver_arguments(args: argparse.Namespace) -> None:
    """Refuse option values that cannot give a solution (ValueError naming the option)."""
    for name in ("iterations", "lbfgs_iterations"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise ValueError(f"--{name.replace('_', '-')} must be >= 0, got {value}")
    if args.iterations == 0 and args.lbfgs_iterations == 0:
        raise ValueError("--iterations and --lbfgs-iterations are both 0, so nothing would be trained; "
                         "give one of them a positive value")
    if args.points is not None and args.points < 1:
        raise ValueError(f"--points must be a positive integer, got {args.points}")
    if args.hidden and min(args.hidden) < 1:
        raise ValueError(f"--hidden sizes must be positive integers, got {args.hidden}")


def solver_overrides(args: argparse.Namespace, problem, dim: int) -> dict:
    from nnlab.de.experiments import quick_settings

    check_solver_arguments(args)
    kw = quick_settings(problem) if args.quick else {}
    if args.iterations is not None:
        kw["iterations"] = args.iterations
    if args.lbfgs_iterations is not None:
        kw["lbfgs_iterations"] = args.lbfgs_iterations
    if args.hidden:
        kw["hidden"] = tuple(args.hidden)
    if args.collocation:
        kw["collocation"] = args.collocation
    if args.points is not None:
        random = (args.collocation or problem.settings.get("collocation", "grid")) in ("uniform", "latin")
        kw["n_points"] = args.points if dim == 1 or random else (args.points,) * dim
    kw["seed"] = args.seed
    return kw


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", choices=CHOICES, help="which equation")
    add_solver_arguments(parser)
    add_output_dir(parser, "ode")


def report(result: dict, out) -> None:
    print(f"max error: {result['max_error']:.3e}")
    print(f"iterations: {result['iterations']}")
    print(f"wall time: {result['wall_time']:.2f} s")
    print(f"figures in: {out}")


def run(args: argparse.Namespace) -> int:
    from nnlab.de.experiments import run_eigen, run_problem
    from nnlab.de.problems import get_problem

    check_solver_arguments(args)
    out = output_dir(args)
    if args.problem == "eigen":
        settings = {"lbfgs_iterations": 60} if args.quick else {}
        if args.lbfgs_iterations is not None:
            settings["lbfgs_iterations"] = args.lbfgs_iterations
        result = run_eigen(out, seed=args.seed, **settings)
        for which, r in result["results"].items():
            print(f"{which} eigenvalue: {r.value:.10f} (eigh {result['exact'][which]:.10f}, relative error "
                  f"{result['relative_errors'][which]:.2e}, {r.windows} windows)")
        report(result, out)
        return 0
    problem = get_problem(args.problem)
    result = run_problem(problem, out, **solver_overrides(args, problem, 1))
    report(result, out)
    return 0
