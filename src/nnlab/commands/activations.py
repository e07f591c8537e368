"""``nnlab activations``: every activation function and its derivative (:mod:`nnlab.experiments.activations`)."""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir, print_result

HELP = "plot every activation function and its derivative (computed with nnlab.grad)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--zmin", type=float, default=-5.0, help="left end of the z axis (default: -5)")
    parser.add_argument("--zmax", type=float, default=5.0, help="right end of the z axis (default: 5)")
    parser.add_argument("--points", type=int, default=1001, help="grid points (default: 1001)")
    add_output_dir(parser, "activations")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.activations import ActivationsConfig, run as run_activations

    config = ActivationsConfig(zmin=args.zmin, zmax=args.zmax, points=args.points)
    config.check()  # before the output directory is created
    config.output_dir = output_dir(args)
    return print_result(run_activations(config))
