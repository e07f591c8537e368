"""Activation functions and their derivatives (the lecture's figures), derivatives from the engine."""
from __future__ import annotations

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "step")


def run(ctx: Context) -> SectionResult:
    from nnlab.plots.lecture import activation_curves, plot_activations

    z = np.linspace(-5.0, 5.0, 401)
    path = plot_activations(NAMES, ctx.path("activations.png"), z)
    curves = activation_curves(NAMES, z)
    rows = []
    for name, (f, df) in curves.items():
        # how much gradient passes where the unit saturates (|z| = 5) versus its best point
        rows.append([name, float(df.max()), float(df[0]), float(df[-1]), float(f.min()), float(f.max())])
    return SectionResult(
        figures=[Figure(path, "Each activation and its derivative, computed by nnlab.grad on the same Tensor.")],
        tables=[Table(["activation", "max f'", "f'(-5)", "f'(5)", "min f", "max f"], rows,
                      "Derivatives: the sigmoid passes back at most 1/4 of the gradient, and almost none where it saturates")],
        numbers={"sigmoid'(0)": float(curves["sigmoid"][1][200]), "tanh'(0)": float(curves["tanh"][1][200])},
    )


SPEC = SectionSpec(
    key="activations", title="Activation functions and their derivatives",
    summary="The neuron's output is y = f(z) with z = w.x + b. The hidden layers need a non-linear f; "
            "its derivative f'(z) multiplies every error signal passed back through the layer.",
    command="nnlab activations --output-dir runs/activations", run=run,
    lecture="Activation functions; Relevance", docs="docs/01-neurons-and-activations.md")
