"""The vanishing-gradient study (placeholder until nnlab.experiments.vanishing lands)."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, require


def run(ctx: Context) -> SectionResult:
    require("nnlab.experiments.vanishing", "the vanishing-gradient study")
    return SectionResult()


SPEC = SectionSpec(
    key="vanishing", title="Vanishing gradients: activations and initialisations",
    summary="A deep network (10 hidden layers of 50 units) on the digits with each activation and initialisation: "
            "per-layer gradient norms after the first epoch show the lecture's vanishing gradients.",
    command="nnlab vanishing --output-dir runs/vanishing", run=run,
    lecture="Vanishing gradients, initialisation (Glorot and Bengio)", docs="docs/06-initialisation-and-vanishing-gradients.md")
