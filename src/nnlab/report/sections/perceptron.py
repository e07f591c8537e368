"""The perceptron learns AND and OR but not XOR; one hidden layer solves XOR."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {"full": {"epochs": 2000}, "quick": {"epochs": 1000}, "smoke": {"epochs": 600}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.perceptron import PerceptronConfig, run as run_perceptron

    result = run_perceptron(PerceptronConfig(seed=ctx.seed, output_dir=ctx.directory, **ctx.pick(SETTINGS)))
    return section_from(result, {"decision regions": "Decision regions (blue: class 0, red: class 1) and the four "
                                                     "points with their targets. A single step unit draws one line: "
                                                     "enough for AND, never for XOR."})


SPEC = SectionSpec(
    key="perceptron", title="The perceptron and XOR",
    summary="Rosenblatt's perceptron (step unit, learning rule w <- w + eta (t - y) x) separates AND and OR "
            "but cannot represent XOR, which is not linearly separable; a hidden layer of four units can.",
    command="python examples/perceptron_xor.py", run=run,
    lecture="From one to many layers, the universal approximation theorem", docs="docs/02-perceptron-and-xor.md")
