"""The perceptron learns AND and OR but not XOR; one hidden layer solves XOR: ``run(PerceptronConfig) -> Result``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.experiments.result import Result, Table

__all__ = ["X", "GATES", "PerceptronConfig", "xor_experiment", "run"]

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}


@dataclass
class PerceptronConfig:
    """Epochs of the 2-4-1 network on XOR (the perceptrons get 100 passes), seed and output folder."""

    epochs: int = 1000
    seed: int = 0
    output_dir: Path = Path("runs/perceptron")


def xor_experiment(epochs: int = 1000, seed: int = 0) -> dict:
    """Perceptron on AND, OR and XOR, and a 2-4-1 tanh MLP on XOR trained by full-batch Adam.

    Returns the models and the accuracies {('perceptron', gate): acc, ('mlp', 'XOR'): acc}.
    """
    from nnlab.models import Perceptron, mlp
    from nnlab.nn import BCEWithLogitsLoss
    from nnlab.train import fit, predict

    perceptrons, accuracy = {}, {}
    for gate, t in GATES.items():
        p = Perceptron(2, eta=1.0, rng=seed).fit(X, t, epochs=100)
        perceptrons[gate] = p
        accuracy[("perceptron", gate)] = (p.score(X, t), p.converged_, len(p.errors_))
    net = mlp(2, [4], 1, activation="tanh", dtype=np.float64, rng=seed)
    history = fit(net, X, GATES["XOR"].astype(float), loss=BCEWithLogitsLoss(), optimizer="adam", lr=0.05,
                  epochs=epochs, batch_size=None, metrics=(), seed=seed)

    def mlp_predict(points):
        return (predict(net, points)[:, 0] > 0).astype(int)

    accuracy[("mlp", "XOR")] = (float(np.mean(mlp_predict(X) == GATES["XOR"])), None, epochs)
    return {"perceptrons": perceptrons, "mlp": net, "mlp_predict": mlp_predict, "accuracy": accuracy,
            "history": history}


def run(config: PerceptronConfig) -> Result:
    """Train the perceptrons and the network, draw their decision regions (xor.png), tabulate the accuracies."""
    from nnlab.plots.lecture import plot_decision_regions

    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = xor_experiment(config.epochs, config.seed)
    acc = result["accuracy"]
    path = plot_decision_regions(
        [result["perceptrons"]["AND"].predict, result["perceptrons"]["XOR"].predict, result["mlp_predict"]],
        X, [GATES["AND"], GATES["XOR"], GATES["XOR"]],
        ["perceptron on AND", "perceptron on XOR", "MLP 2-4-1 tanh on XOR"], out / "xor.png")
    rows = [[f"perceptron, {g}", a, "yes" if c else "no", n] for (m, g), (a, c, n) in acc.items() if m == "perceptron"]
    rows.append(["MLP 2-4-1, XOR", acc[("mlp", "XOR")][0], "-", acc[("mlp", "XOR")][2]])
    numbers = {"perceptron XOR accuracy": acc[("perceptron", "XOR")][0], "MLP XOR accuracy": acc[("mlp", "XOR")][0],
               "MLP final loss": float(result["history"].history["loss"][-1])}
    return Result(headline=f"XOR accuracy: perceptron {numbers['perceptron XOR accuracy']:.2f}, "
                           f"MLP 2-4-1 {numbers['MLP XOR accuracy']:.2f}",
                  numbers=numbers, figures={"decision regions": Path(path)},
                  tables=[Table(["model, gate", "accuracy", "converged", "epochs"], rows, "Accuracy on the four points")],
                  output_dir=out)
