"""``nnlab activations``: every activation function of the engine and its derivative (the lecture's figures).

The derivatives come from the engine itself (``nnlab.grad`` of f at each point), not from
formulas, and are checked against central finite differences away from the kinks.
"""
from __future__ import annotations

import argparse

import numpy as np

from nnlab.commands._common import add_output_dir, output_dir

HELP = "plot every activation function and its derivative (computed with nnlab.grad)"

# elementwise activations, one name each (aliases such as 'logistic' and 'linear' left out)
NAMES = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--zmin", type=float, default=-5.0, help="left end of the z axis (default: -5)")
    parser.add_argument("--zmax", type=float, default=5.0, help="right end of the z axis (default: 5)")
    parser.add_argument("--points", type=int, default=1001, help="grid points (default: 1001)")
    add_output_dir(parser, "activations")


def activation_and_derivative(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f'(z) (the latter by reverse-mode differentiation of f at every point)."""
    from nnlab import Tensor, grad
    from nnlab.nn import get_activation

    fn = get_activation(name)
    x = Tensor(z, requires_grad=True)
    y = fn(x)
    if not y.requires_grad:  # the identity returns its input itself
        return z.copy(), np.ones_like(z)
    (dy,) = grad(y, x, grad_outputs=np.ones_like(z), allow_unused=True)
    return y.numpy(), (np.zeros_like(z) if dy is None else dy.numpy())


def finite_difference_error(name: str, z: np.ndarray, df: np.ndarray, h: float = 1e-6) -> float:
    """max |f'(z) - (f(z + h) - f(z - h)) / 2h| over points at least 10 h away from a kink at 0."""
    from nnlab.nn import get_activation

    fn = get_activation(name)
    away = np.abs(z) > 10 * h
    numeric = (np.asarray(fn(z + h)) - np.asarray(fn(z - h))) / (2 * h)
    return float(np.max(np.abs(df[away] - numeric[away])))


def run(args: argparse.Namespace) -> int:
    from nnlab.plots.activations import plot_activation, plot_activation_grid

    if not args.zmin < args.zmax or args.points < 3:
        raise SystemExit("nnlab activations: need --zmin < --zmax and --points >= 3")
    out = output_dir(args)
    z = np.linspace(args.zmin, args.zmax, args.points)
    curves, worst = [], 0.0
    for name in NAMES:
        f, df = activation_and_derivative(name, z)
        worst = max(worst, finite_difference_error(name, z, df))
        plot_activation(name, z, f, df, out / f"activation_{name}.png")
        curves.append((name, z, f, df))
    plot_activation_grid(curves, out / "activations.png")
    print(f"max derivative error vs finite differences: {worst:.1e}")
    print(f"plotted {len(NAMES)} activations and their derivatives ({', '.join(NAMES)}); softmax acts on vectors "
          "and is left out (for two classes it is the sigmoid of the difference)")
    print(f"wrote {out / 'activations.png'} and {len(NAMES)} activation_<name>.png files")
    return 0
