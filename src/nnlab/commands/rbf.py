"""``nnlab rbf``: a radial basis function network interpolating the Franke function (:mod:`nnlab.experiments.rbf`).

Writes interpolation.png, model.npz and metrics.json; prints ``test r2: ...``.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir, print_result

HELP = "radial basis function network interpolating the Franke function, compared with SciPy's RBFInterpolator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n-train", type=int, default=400, help="training points, uniform on [0, 1]^2 (default 400)")
    parser.add_argument("--n-test", type=int, default=2000, help="test points (default 2000)")
    parser.add_argument("--n-centers", type=int, default=100, help="Gaussian units (default 100)")
    parser.add_argument("--init", choices=["kmeans", "random"], default="kmeans", help="centre initialisation")
    parser.add_argument("--width-scale", type=float, default=1.5,
                        help="widths = this x RMS distance to the 2 nearest centres (default 1.5)")
    parser.add_argument("--noise", type=float, default=0.0, help="standard deviation of noise on the training targets")
    parser.add_argument("--epochs", type=int, default=0,
                        help="after the least-squares fit, train centres, widths and weights with Adam (default 0)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate for --epochs (default 0.001)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the points, the noise and k-means")
    parser.add_argument("--quick", action="store_true", help="accepted for symmetry; the default run is already short")
    add_output_dir(parser, "rbf")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.rbf import RBFConfig, run as run_rbf

    config = RBFConfig(**{k: getattr(args, k) for k in ("n_train", "n_test", "n_centers", "init", "width_scale",
                                                         "noise", "epochs", "lr", "seed")})
    config.check()
    config.output_dir = output_dir(args)
    return print_result(run_rbf(config))
