"""The perceptron learns AND but not XOR; a hidden layer of four tanh units learns XOR.

Run:  python examples/perceptron_xor.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.models import Perceptron, mlp
from nnlab.nn import BCEWithLogitsLoss
from nnlab.plots.lecture import plot_decision_regions
from nnlab.train import fit, predict

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND, XOR = np.array([0, 0, 0, 1]), np.array([0, 1, 1, 0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs for the MLP")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    # Rosenblatt's rule w <- w + eta (t - y) x stops after an epoch without mistakes...
    on_and = Perceptron(2, rng=0).fit(X, AND, epochs=100)
    print(f"perceptron on AND: accuracy {on_and.score(X, AND):.2f}, converged after {len(on_and.errors_)} epochs")
    # ...which never comes for XOR: no line separates (0,1),(1,0) from (0,0),(1,1).
    on_xor = Perceptron(2, rng=0).fit(X, XOR, epochs=100)
    print(f"perceptron on XOR: accuracy {on_xor.score(X, XOR):.2f}, converged: {on_xor.converged_}")

    # A hidden layer bends the boundary: 2 -> 4 tanh -> 1 logit, binary cross-entropy, Adam.
    net = mlp(2, [4], 1, activation="tanh", dtype=np.float64, rng=0)
    fit(net, X, XOR.astype(float), loss=BCEWithLogitsLoss(), optimizer="adam", lr=0.05,
        epochs=500 if args.quick else 2000, batch_size=None, metrics=(), seed=0)

    def mlp_predict(points):
        return (predict(net, points)[:, 0] > 0).astype(int)

    print(f"MLP 2-4-1 on XOR: accuracy {np.mean(mlp_predict(X) == XOR):.2f}")
    path = plot_decision_regions([on_and.predict, on_xor.predict, mlp_predict], X, [AND, XOR, XOR],
                                 ["perceptron on AND", "perceptron on XOR", "MLP 2-4-1 on XOR"],
                                 args.output_dir / "perceptron_xor.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
