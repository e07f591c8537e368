"""Neurons and activation functions: y = f(w.x + b), and f'(z) computed by nnlab's engine.

Run:  python examples/activations.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

import nnlab
from nnlab.nn import get_activation
from nnlab.plots import new_figure, save

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "step"]


def derivative(name, z):
    """f'(z) at every point: f acts elementwise, so d/dz_i sum_j f(z_j) = f'(z_i)."""
    x = nnlab.Tensor(z, requires_grad=True)
    (dfdz,) = nnlab.grad(nnlab.sum(get_activation(name)(x)), x, allow_unused=True)
    return np.zeros_like(z) if dfdz is None else dfdz.numpy()  # the step function has no path back


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points (this example is fast anyway)")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    # One neuron: three inputs, weights and a bias; its output for each activation.
    x, w, b = np.array([1.0, -2.0, 0.5]), np.array([0.4, 0.3, -1.2]), 0.1
    z = x @ w + b
    print(f"z = w.x + b = {z:.3f}; " + ", ".join(f"{n}(z) = {np.asarray(get_activation(n)(z)):.3f}" for n in NAMES[:3]))

    zs = np.linspace(-5, 5, 201 if args.quick else 1001)
    fig, (left, right) = new_figure(1, 2, figsize=(9, 3.4))
    worst = 0.0
    for name in NAMES:
        f, df = np.asarray(get_activation(name)(zs)), derivative(name, zs)
        h = 1e-6  # compare with central differences away from the kink at 0
        numeric = (np.asarray(get_activation(name)(zs + h)) - np.asarray(get_activation(name)(zs - h))) / (2 * h)
        worst = max(worst, float(np.max(np.abs(df - numeric)[np.abs(zs) > 1e-3])))
        line, = left.plot(zs, f, label=name)
        right.plot(zs, df, color=line.get_color())
    left.set(title="f(z)", xlabel="z", ylim=(-1.5, 3))
    right.set(title="f'(z) from nnlab.grad", xlabel="z", ylim=(-0.1, 1.1))
    left.legend(fontsize=7)
    path = save(fig, args.output_dir / "activations.png")
    print(f"max |f' - finite difference| = {worst:.1e}; sigmoid'(0) = {derivative('sigmoid', np.zeros(1))[0]:.2f}")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
