"""The perceptron learns AND and OR but not XOR; one hidden layer solves XOR."""
from __future__ import annotations

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

SETTINGS = {"full": {"epochs": 2000}, "quick": {"epochs": 1000}, "smoke": {"epochs": 600}}

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}


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


def run(ctx: Context) -> SectionResult:
    from nnlab.plots.lecture import plot_decision_regions

    s = ctx.pick(SETTINGS)
    result = xor_experiment(s["epochs"], ctx.seed)
    acc = result["accuracy"]
    path = plot_decision_regions(
        [result["perceptrons"]["AND"].predict, result["perceptrons"]["XOR"].predict, result["mlp_predict"]],
        X, [GATES["AND"], GATES["XOR"], GATES["XOR"]],
        ["perceptron on AND", "perceptron on XOR", "MLP 2-4-1 tanh on XOR"], ctx.path("xor.png"))
    rows = [[f"perceptron, {g}", a, "yes" if c else "no", n] for (m, g), (a, c, n) in acc.items() if m == "perceptron"]
    rows.append(["MLP 2-4-1, XOR", acc[("mlp", "XOR")][0], "-", acc[("mlp", "XOR")][2]])
    return SectionResult(
        figures=[Figure(path, "Decision regions (blue: class 0, red: class 1) and the four points with their "
                              "targets. A single step unit draws one line: enough for AND, never for XOR.")],
        tables=[Table(["model, gate", "accuracy", "converged", "epochs"], rows, "Accuracy on the four points")],
        numbers={"perceptron XOR accuracy": acc[("perceptron", "XOR")][0], "MLP XOR accuracy": acc[("mlp", "XOR")][0],
                 "MLP final loss": float(result["history"].history["loss"][-1])},
    )


SPEC = SectionSpec(
    key="perceptron", title="The perceptron and XOR",
    summary="Rosenblatt's perceptron (step unit, learning rule w <- w + eta (t - y) x) separates AND and OR "
            "but cannot represent XOR, which is not linearly separable; a hidden layer of four units can.",
    command="python examples/perceptron_xor.py", run=run,
    lecture="From one to many layers, the universal approximation theorem", docs="docs/02-perceptron-and-xor.md")
