"""The lecture's CNN on the 8x8 digits: learned filters and the feature maps of one image."""
from __future__ import annotations

import json

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, run_command

ARGUMENTS = {"full": "", "quick": "--quick --epochs 15", "smoke": "--quick --epochs 2"}


def run(ctx: Context) -> SectionResult:
    arguments = ARGUMENTS[ctx.mode]
    printed = run_command("cnn", arguments, ctx.directory)
    metrics = json.loads((ctx.directory / "metrics.json").read_text())
    figures = [Figure(ctx.directory / "filters.png", "The ten learned 3x3 filters of the convolution layer."),
               Figure(ctx.directory / "feature_maps.png",
                      "What the convolution (+ReLU) and the max-pooling make of the first test image."),
               Figure(ctx.directory / "learning_curves.png", "Loss and accuracy per epoch.")]
    keys = ("test_accuracy", "epochs", "optimizer", "lr", "momentum", "batch_size", "train_seconds")
    return SectionResult(figures=figures, numbers={k.replace("_", " "): metrics[k] for k in keys if k in metrics},
                         notes=[line for line in printed.splitlines() if line.strip()][:2])


SPEC = SectionSpec(
    key="cnn", title="Convolutional network: filters and feature maps",
    summary="10 filters 3x3 ('same') + ReLU, 2x2 max-pooling, dense 50 ReLU, softmax 10, on the digits as 1x8x8 "
            "images (NCHW), trained by SGD on nnlab's im2col convolution.",
    command="nnlab cnn --dataset digits --output-dir runs/cnn", run=run,
    lecture="Convolutional Neural Network", docs="docs/09-convolutional-networks.md")
