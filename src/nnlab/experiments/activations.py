"""Every activation function of the engine and its derivative (the lecture's figures): ``run(ActivationsConfig)``.

The derivatives come from the engine itself (``nnlab.grad`` of f at each point), not from
formulas, and are checked against central finite differences away from the kinks.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.experiments.result import Result, Table

__all__ = ["NAMES", "ActivationsConfig", "activation_and_derivative", "finite_difference_error", "run"]

# elementwise activations, one name each (aliases such as 'logistic' and 'linear' left out)
NAMES = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")
# the points of the table of derivatives
TABLE_POINTS = (-5.0, -2.0, 0.0, 2.0, 5.0)


@dataclass
class ActivationsConfig:
    """The z axis of the plots: [zmin, zmax] with ``points`` points."""

    zmin: float = -5.0
    zmax: float = 5.0
    points: int = 1001
    output_dir: Path = Path("runs/activations")

    def check(self) -> None:
        """ValueError naming the options when the axis is empty or too coarse."""
        if not self.zmin < self.zmax or self.points < 3:
            raise ValueError(f"need --zmin < --zmax and --points >= 3, got --zmin {self.zmin} --zmax {self.zmax} "
                             f"--points {self.points}")


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


def run(config: ActivationsConfig) -> Result:
    """Plot each activation and its derivative (activation_<name>.png, activations.png); check the derivatives."""
    from nnlab.plots.activations import plot_activation, plot_activation_grid

    config.check()
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    z = np.linspace(config.zmin, config.zmax, config.points)
    curves, worst, figures = [], 0.0, {}
    for name in NAMES:
        f, df = activation_and_derivative(name, z)
        worst = max(worst, finite_difference_error(name, z, df))
        figures[name] = plot_activation(name, z, f, df, out / f"activation_{name}.png")
        curves.append((name, z, f, df))
    figures = {"all": plot_activation_grid(curves, out / "activations.png"), **figures}
    points = np.array(TABLE_POINTS)
    rows = [[name, *activation_and_derivative(name, points)[1]] for name in NAMES]
    return Result(
        headline=f"max derivative error vs finite differences: {worst:.1e}",
        numbers={"max_derivative_error": worst},
        figures={k: Path(v) for k, v in figures.items()},
        tables=[Table(["activation", *[f"f'({v:g})" for v in TABLE_POINTS]], rows, "f'(z) at a few points")],
        lines=[f"plotted {len(NAMES)} activations and their derivatives ({', '.join(NAMES)}); softmax acts on vectors "
               "and is left out (for two classes it is the sigmoid of the difference)",
               f"wrote {out / 'activations.png'} and {len(NAMES)} activation_<name>.png files"],
        output_dir=out)
