"""The lecture's digits network: learning curves and confusion matrix on the 20 % test split."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

# 'quick' is exactly the lecture's run (nnlab digits with its defaults); 'full' adds our stronger network.
RUNS = {"full": {"lecture": {}, "best": {}}, "quick": {"lecture": {}}, "smoke": {"lecture": {"epochs": 5}}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.digits import config_from, run as run_digits

    section = SectionResult()
    for name, changes in RUNS[ctx.mode].items():
        config = config_from(name, **changes, seed=ctx.seed)
        config.output_dir = ctx.directory / name
        result = run_digits(config)
        part = section_from(result, {
            "learning curves": f"{name}: cross-entropy and accuracy per epoch, training (solid) and test (dashed).",
            "confusion matrix": f"{name}: rows true digit, columns predicted digit."},
            numbers={f"{name}: test accuracy": result.numbers["test_accuracy"],
                     f"{name}: training time (s)": result.numbers["train_seconds"]},
            notes=[f"{name}: {result.numbers['sizes']} {config.activation}, {config.optimizer} eta={config.eta:g}, "
                   f"lambda={config.lmbd:g}, loss: {config.reduction} over batches of {config.batch_size}, "
                   f"{config.epochs} epochs, init {config.init}", result.lines[0]])
        section.figures += part.figures
        section.numbers.update(part.numbers)
        section.notes += part.notes
    return section


SPEC = SectionSpec(
    key="digits", title="Digits: learning curves and confusion matrix",
    summary="The lecture's network on scikit-learn's 8x8 digits: 64 raw pixel inputs, 50 sigmoid hidden units, "
            "softmax output, N(0, 1) weights and biases 0.01, cross-entropy summed over batches of 100 with the L2 "
            "term lambda W, plain SGD, 80/20 split. The full report also trains nnlab digits --best.",
    command="nnlab digits --output-dir runs/digits", run=run,
    lecture="Developing a code for doing neural networks with back propagation",
    docs="docs/07-digits-and-grid-search.md")
