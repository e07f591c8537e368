"""``nnlab ode``: ordinary differential equations solved by networks with trial solutions."""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_hidden, add_output_dir, output_dir

HELP = "solve an ODE with a neural network (decay, logistic, oscillator, lotka-volterra, eigen)"
CHOICES = ("decay", "logistic", "oscillator", "lotka-volterra", "eigen")


def add_solver_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``nnlab ode`` and ``nnlab pde``."""
    parser.add_argument("--quick", action="store_true", help="a short run (a fifth of the iterations)")
    parser.add_argument("--iterations", type=int, default=None, help="first-order (Adam) iterations")
    parser.add_argument("--lbfgs-iterations", type=int, default=None, help="L-BFGS iterations after Adam")
    add_hidden(parser, None)
    parser.add_argument("--collocation", choices=("grid", "chebyshev", "uniform", "latin"), default=None)
    parser.add_argument("--points", type=int, default=None, help="collocation points (per coordinate for grids)")
    parser.add_argument("--seed", type=int, default=0)


def config_from(args: argparse.Namespace, **extra):
    """The :class:`~nnlab.experiments.equations.EquationConfig` of the parsed options."""
    from nnlab.experiments.equations import EquationConfig

    config = EquationConfig(problem=args.problem, output_dir=None, quick=args.quick, iterations=args.iterations,
                            lbfgs_iterations=args.lbfgs_iterations, hidden=args.hidden,
                            collocation=args.collocation, points=args.points, seed=args.seed, **extra)
    config.output_dir = output_dir(args)  # created once the options are known to be good
    return config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", choices=CHOICES, help="which equation")
    add_solver_arguments(parser)
    add_output_dir(parser, "ode")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments import equations

    print(equations.run(config_from(args)).printed())
    return 0
