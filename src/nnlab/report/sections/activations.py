"""Activation functions and their derivatives (the lecture's figures), derivatives from the engine."""
from __future__ import annotations

import re

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table, run_command


def run(ctx: Context) -> SectionResult:
    from nnlab.commands.activations import NAMES, activation_and_derivative

    printed = run_command("activations", "", ctx.directory)
    match = re.search(r"finite differences: ([0-9.eE+-]+)", printed)
    z = np.array([-5.0, -2.0, 0.0, 2.0, 5.0])
    rows = []
    for name in NAMES:
        _, df = activation_and_derivative(name, z)
        rows.append([name, *df])
    numbers = {"max |f' - finite difference|": float(match[1])} if match else {}
    return SectionResult(
        figures=[Figure(ctx.directory / "activations.png",
                        "Each activation f(z) (solid) and its derivative f'(z) (dashed), the derivative computed by "
                        "nnlab.grad through the op's own VJP.")],
        tables=[Table(["activation", *[f"f'({v:g})" for v in z]], rows,
                      "How much gradient each unit passes back: the sigmoid at most 1/4, almost none once it "
                      "saturates")],
        numbers=numbers)


SPEC = SectionSpec(
    key="activations", title="Activation functions and their derivatives",
    summary="The neuron's output is y = f(z) with z = w.x + b. The hidden layers need a non-linear f; "
            "its derivative f'(z) multiplies every error signal passed back through the layer.",
    command="nnlab activations --output-dir runs/activations", run=run,
    lecture="Activation functions; Relevance", docs="docs/01-neurons-and-activations.md")
