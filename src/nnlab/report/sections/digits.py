"""The lecture's digits network: learning curves and confusion matrix on the 20 % test split."""
from __future__ import annotations

import json

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, run_command

# 'quick' is exactly the lecture's run (nnlab digits with its defaults); 'full' adds our stronger network.
RUNS = {"full": {"lecture": "", "best": "--best"}, "quick": {"lecture": ""}, "smoke": {"lecture": "--epochs 5"}}


def run(ctx: Context) -> SectionResult:
    figures, numbers, notes = [], {}, []
    for name, arguments in RUNS[ctx.mode].items():
        directory = ctx.directory / name
        printed = run_command("digits", arguments, directory)
        record = json.loads((directory / "run.json").read_text())
        config = record["config"]
        sizes = "-".join(str(s) for s in (64, *config["hidden"], 10))
        figures += [Figure(directory / "learning_curves.png",
                           f"{name}: cross-entropy and accuracy per epoch, training (solid) and test (dashed)."),
                    Figure(directory / "confusion_matrix.png", f"{name}: rows true digit, columns predicted digit.")]
        numbers[f"{name}: test accuracy"] = record["test_accuracy"]
        numbers[f"{name}: training time (s)"] = record["train_seconds"]
        notes.append(f"{name}: {sizes} {config['activation']}, {config['optimizer']} eta={config['eta']:g}, "
                     f"lambda={config['lmbd']:g}, loss: {config['reduction']} over batches of {config['batch_size']}, "
                     f"{config['epochs']} epochs, init {config['init']}")
        notes += [line for line in printed.splitlines()[1:2]]
    return SectionResult(figures=figures, numbers=numbers, notes=notes)


SPEC = SectionSpec(
    key="digits", title="Digits: learning curves and confusion matrix",
    summary="The lecture's network on scikit-learn's 8x8 digits: 64 raw pixel inputs, 50 sigmoid hidden units, "
            "softmax output, N(0, 1) weights and biases 0.01, cross-entropy summed over batches of 100 with the L2 "
            "term lambda W, plain SGD, 80/20 split. The full report also trains nnlab digits --best.",
    command="nnlab digits --output-dir runs/digits", run=run,
    lecture="Developing a code for doing neural networks with back propagation",
    docs="docs/07-digits-and-grid-search.md")
