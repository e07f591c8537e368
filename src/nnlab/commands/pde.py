"""``nnlab pde``: partial differential equations (and 1D boundary-value problems) solved by networks."""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir
from nnlab.commands.ode import add_solver_arguments, check_solver_arguments, report, solver_overrides

HELP = "solve a PDE or boundary-value problem with a neural network (poisson, diffusion, poisson2d)"
CHOICES = ("poisson", "diffusion", "poisson2d")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", choices=CHOICES, help="which equation")
    add_solver_arguments(parser)
    add_output_dir(parser, "pde")


def run(args: argparse.Namespace) -> int:
    from nnlab.de.experiments import diffusion_comparison, run_problem
    from nnlab.de.problems import get_problem

    check_solver_arguments(args)
    out = output_dir(args)
    problem = get_problem(args.problem)
    result = run_problem(problem, out, **solver_overrides(args, problem, len(problem.domain)))
    report(result, out)
    if args.problem == "diffusion":
        comparison = diffusion_comparison(problem, result["solution"], out)
        for label, err in comparison["errors"].items():
            print(f"max error at t = 0.02, 0.5 ({label}): {err:.3e}")
    return 0
