"""``nnlab pde``: partial differential equations (and 1D boundary-value problems) solved by networks."""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir
from nnlab.commands.ode import add_solver_arguments, config_from

HELP = "solve a PDE or boundary-value problem with a neural network (poisson, diffusion, poisson2d, burgers)"
CHOICES = ("poisson", "diffusion", "poisson2d", "burgers")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", choices=CHOICES, help="which equation")
    add_solver_arguments(parser)
    parser.add_argument("--adaptive", action="store_true",
                        help="residual-based adaptive collocation (random collocation only, e.g. burgers)")
    add_output_dir(parser, "pde")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments import equations

    print(equations.run(config_from(args, adaptive=args.adaptive)).printed())
    return 0
