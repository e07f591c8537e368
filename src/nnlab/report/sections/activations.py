"""Activation functions and their derivatives (the lecture's figures), derivatives from the engine."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.activations import ActivationsConfig, run as run_activations

    result = run_activations(ActivationsConfig(output_dir=ctx.directory))
    section = section_from(result, {"all": "Each activation f(z) (solid) and its derivative f'(z) (dashed), the "
                                           "derivative computed by nnlab.grad through the op's own VJP."},
                           numbers={"max |f' - finite difference|": result.numbers["max_derivative_error"]})
    section.tables[0].caption = ("How much gradient each unit passes back: the sigmoid at most 1/4, almost none once "
                                 "it saturates")
    return section


SPEC = SectionSpec(
    key="activations", title="Activation functions and their derivatives",
    summary="The neuron's output is y = f(z) with z = w.x + b. The hidden layers need a non-linear f; "
            "its derivative f'(z) multiplies every error signal passed back through the layer.",
    command="nnlab activations --output-dir runs/activations", run=run,
    lecture="Activation functions; Relevance", docs="docs/01-neurons-and-activations.md")
