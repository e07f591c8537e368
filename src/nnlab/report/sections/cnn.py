"""The lecture's CNN on the 8x8 digits: learned filters and the feature maps of one image."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {"full": {}, "quick": {"quick": True, "epochs": 15}, "smoke": {"quick": True, "epochs": 2}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.cnn import config_from, run as run_cnn

    config = config_from("digits", seed=ctx.seed, **ctx.pick(SETTINGS))
    config.output_dir = ctx.directory
    result = run_cnn(config)
    keys = ("test_accuracy", "epochs", "optimizer", "lr", "momentum", "batch_size", "train_seconds")
    return section_from(result, {
        "filters": "The ten learned 3x3 filters of the convolution layer.",
        "feature maps": "What the convolution (+ReLU) and the max-pooling make of the first test image.",
        "learning curves": "Loss and accuracy per epoch."},
        numbers={k.replace("_", " "): result.numbers[k] for k in keys}, notes=[result.headline])


SPEC = SectionSpec(
    key="cnn", title="Convolutional network: filters and feature maps",
    summary="10 filters 3x3 ('same') + ReLU, 2x2 max-pooling, dense 50 ReLU, softmax 10, on the digits as 1x8x8 "
            "images (NCHW), trained by SGD on nnlab's im2col convolution.",
    command="nnlab cnn --dataset digits --output-dir runs/cnn", run=run,
    lecture="Convolutional Neural Network", docs="docs/09-convolutional-networks.md")
