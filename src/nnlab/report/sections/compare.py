"""nnlab against scikit-learn, PyTorch and Keras on the lecture's two digits networks."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {"full": {"networks": ("64-50-10", "64-100-50-10"), "epochs": 100},
            "quick": {"networks": ("64-50-10", "64-100-50-10"), "epochs": 15},
            "smoke": {"networks": ("64-50-10",), "epochs": 2}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.compare import CompareConfig, run as run_compare

    result = run_compare(CompareConfig(seed=ctx.seed, output_dir=ctx.directory, **ctx.pick(SETTINGS)))
    return section_from(result, {"accuracy per epoch": "Test accuracy after each epoch; each library starts from its "
                                                       "own initialisation."},
                        numbers={k: v for k, v in result.numbers.items() if "time /" in k})


SPEC = SectionSpec(
    key="compare", title="nnlab, scikit-learn, PyTorch and Keras side by side",
    summary="The lecture's networks (64-50-10 and 64-100-50-10 sigmoid, softmax output) trained by plain minibatch "
            "SGD with the same eta, lambda (scikit-learn's alpha), epochs, batch size and seed in each library; "
            "Keras 3 runs on the PyTorch backend. Libraries that are not installed are skipped with a note.",
    command="nnlab compare --output-dir runs/compare", run=run,
    lecture="scikit-learn implementation; Building neural networks in Tensorflow and Keras",
    docs="docs/08-libraries-side-by-side.md")
